// Port forwardings in the router namespace, end to end on test/properties/topologies/port-forwarding.yaml:
// the L3 agent's rules as rendered (neutron/agent/l3/extensions/port_forwarding.py: the fip-pf chain hooked
// from PREROUTING, one pf-<id[:8]> chain per forwarding with its DNAT, the floating IP on qg-), parsed back
// with every rule understood; the evaluator follows a packet from outside to FIP:EXT on to the VM at its
// internal port, and the reply back out with the floating IP and external port as its source; and the solver
// agrees with the evaluator on every feasible end from every station.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadTopologyText } from '../../src/topology/index.ts';
import { loadModel } from '../../src/pipeline.ts';
import { renderTopology } from '../../src/render/index.ts';
import { parseIptablesSave } from '../../src/parse/iptables-save.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { firstPacketOf, traceBetween } from '../../src/questions/trace.ts';
import { checkReply } from '../../src/questions/bidirectional.ts';
import { outsideOn, INTERNET } from '../../src/questions/properties/common.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import type { VmPortStation } from '../../src/questions/endpoints.ts';
import { expectEveryStationAgrees } from '../agreement/every-station.ts';

afterAll(async () => { await shutdownZ3(); });

const FILE = new URL('../properties/topologies/port-forwarding.yaml', import.meta.url).pathname;
const loaded = loadModel(FILE);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const m = loaded.value;
const FIP = '203.0.113.50';
const routerArtifacts = renderTopology(m.topology).filter((a) => /qrouter-/.test(a.path));
const iptables = routerArtifacts.find((a) => a.path.endsWith('.iptables-save'))!;
const ipAddr = routerArtifacts.find((a) => a.path.endsWith('.ip-addr'))!;
const vmStation = (vm: string): VmPortStation => {
  const s = m.dataplane.stations.find((x): x is VmPortStation => x.kind === 'vm-port' && x.vm === vm);
  if (!s) throw new Error(`no station ${vm}`);
  return s;
};
const outside = outsideOn(m.dataplane.stations, 'public', FIP)!;
const fromOutside = { kind: 'outside' as const, station: outside, ip: INTERNET };

describe('the rendered rules', () => {
  it('are the agent\'s: fip-pf from PREROUTING, a pf- chain per forwarding with its DNAT, no SNAT for the floating IP', () => {
    const nat = iptables.text.slice(iptables.text.indexOf('*nat'), iptables.text.indexOf('*filter'));
    const id0 = m.topology.portForwardings[0]!.id;
    expect(id0.startsWith('5b3c1e0a')).toBe(true);
    expect(nat).toContain(':neutron-l3-agent-fip-pf - [0:0]');
    expect(nat).toContain(':neutron-l3-agent-pf-5b3c1e0a - [0:0]');
    expect(nat).toContain('-A neutron-l3-agent-PREROUTING -j neutron-l3-agent-fip-pf\n');
    expect(nat).toContain('-A neutron-l3-agent-fip-pf -j neutron-l3-agent-pf-5b3c1e0a\n');
    expect(nat).toContain(`-A neutron-l3-agent-pf-5b3c1e0a -d ${FIP}/32 -p tcp -m tcp --dport 2201 -j DNAT --to-destination 192.168.1.11:22\n`);
    expect(nat).toMatch(new RegExp(`-A neutron-l3-agent-pf-[0-9a-f]{8} -d ${FIP.replace(/\./g, '\\.')}/32 -p udp -m udp --dport 5353 -j DNAT --to-destination 192.168.2.12:53\n`));
    // Only PREROUTING: not hooked from OUTPUT, and no SNAT names the forwarded floating IP.
    expect(nat).not.toMatch(/neutron-l3-agent-OUTPUT .*fip-pf/);
    expect(nat).not.toContain(`--to-source ${FIP}`);
    expect(nat.match(/-j DNAT --to-destination 192\.168\.\d+\.\d+:\d+/g)).toHaveLength(3);
    // The floating IP is on qg- once, as /32.
    expect(ipAddr.text.match(new RegExp(`inet ${FIP.replace(/\./g, '\\.')}/32 .* qg-`, 'g'))).toHaveLength(1);
  });

  it('parse back with every rule understood', () => {
    const parsed = parseIptablesSave(iptables.text, iptables.path);
    expect(parsed.errors ?? []).toEqual([]);
    expect(parsed.warnings).toEqual([]);
    const nat = parsed.value.tables.find((t) => t.name === 'nat')!;
    const pf = nat.chains.filter((c) => c.name.startsWith('neutron-l3-agent-pf-'));
    expect(pf).toHaveLength(3);
    for (const c of pf) {
      expect(c.rules).toHaveLength(1);
      expect(c.rules[0]!.target.kind).toBe('DNAT');
      expect(c.rules[0]!.matches.map((x) => x.kind)).toEqual(['dst', 'proto', 'dport']);
    }
  });

  it('an old release without the plugin renders none (and such a file is refused before)', () => {
    const rocky = renderTopology({ ...m.topology, release: 'rocky' }).find((a) => a.path === iptables.path)!;
    expect(rocky.text).toContain('-j neutron-l3-agent-fip-pf');
    const queens = renderTopology({ ...m.topology, release: 'queens' }).find((a) => a.path === iptables.path)!;
    expect(queens.text).not.toContain('fip-pf');
  });
});

describe('the evaluator follows the forwardings', () => {
  const ev = createEvaluator(m.dataplane);
  const cases = [
    { proto: 'tcp' as const, ext: 2201, vm: 'vm1', ip: '192.168.1.11', port: 22 },
    { proto: 'tcp' as const, ext: 2202, vm: 'vm2', ip: '192.168.2.12', port: 22 },
    { proto: 'udp' as const, ext: 5353, vm: 'vm2', ip: '192.168.2.12', port: 53 },
  ];
  for (const c of cases) {
    it(`outside → ${FIP} ${c.proto}/${c.ext} reaches ${c.vm} at ${c.ip}:${c.port}, or its firewall, and the reply leaves from ${FIP}:${c.ext}`, () => {
      const t = traceBetween(m.topology, ev, fromOutside, FIP, { proto: c.proto, dport: c.ext });
      expect(t.uncertain).toEqual([]);
      // vm1's group allows TCP 22; vm2 has the default group only: its firewall drops what arrives.
      if (c.vm === 'vm1') {
        expect(t.disposition).toBe('delivered');
        expect(t.deliveredTo).toMatchObject({ kind: 'vm', vm: c.vm, port: 0 });
      } else {
        expect(t.disposition).toBe('dropped');
        expect(t.droppedAt?.host).toBe('compute1');
      }
      expect(t.final).toMatchObject({ ip_dst: c.ip, dport: c.port, ip_src: INTERNET });
      if (c.vm !== 'vm1') return;
      const first = firstPacketOf(m.topology, ev, fromOutside, FIP, { proto: c.proto, dport: c.ext });
      if (!('packet' in first)) throw new Error('no first packet');
      const r = checkReply(m.topology, m.dataplane, ev, fromOutside, { kind: 'port', station: vmStation(c.vm), ipDst: FIP, finalDst: c.ip }, first.packet);
      expect(r.reason).toBe("the reply came back through the connection's state");
      expect(r.ok).toBe(true);
      expect(r.reply?.final).toMatchObject({ ip_src: FIP, sport: c.ext, ip_dst: INTERNET });
    });
  }

  it('another port or protocol of the floating IP is not forwarded: the router itself gets it', () => {
    for (const fields of [{ proto: 'tcp' as const, dport: 2203 }, { proto: 'udp' as const, dport: 2201 }, { proto: 'tcp' as const, dport: 22 }]) {
      const t = traceBetween(m.topology, ev, fromOutside, FIP, fields);
      expect(t.disposition).toBe('delivered');
      expect(t.deliveredTo).toMatchObject({ kind: 'namespace', namespace: expect.stringMatching(/^qrouter-/) });
      expect(t.final.ip_dst).toBe(FIP);
    }
  });

  it('vm1 opening a connection of its own leaves with the router\'s SNAT address, not the forwarded floating IP', () => {
    const s = vmStation('vm1');
    const t = traceBetween(m.topology, ev, { kind: 'port', station: s, ip: s.ip }, INTERNET, { proto: 'tcp', dport: 443 });
    expect(t.disposition).toBe('exited');
    expect(t.final.ip_src).toBe('203.0.113.10');
  });
});

describe('solver and evaluator agree with port forwardings', () => {
  it('every feasible end from every station, replayed', async () => {
    await expectEveryStationAgrees(m);
  }, 180_000);
});

describe('on an L3 HA router', () => {
  it('the forwarded floating IP is a VIP of keepalived (the extension adds it with add_floating_ip) and the master holds it', () => {
    const text = readFileSync(FILE, 'utf8')
      .replace('  network1: { role: network, tunnel_ip: 10.0.0.21, bridge_mappings: { external: br-ex } }', '  network1: { role: network, tunnel_ip: 10.0.0.21, bridge_mappings: { external: br-ex } }\n  network2: { role: network, tunnel_ip: 10.0.0.22, bridge_mappings: { external: br-ex } }')
      .replace('hosts: [network1]', 'hosts: [network1, network2]');
    const t = loadTopologyText(text, 'ha.yaml');
    if (!t.ok) throw new Error(JSON.stringify(t.errors));
    expect(t.value.routers[0]!.ha).not.toBeNull();
    const arts = renderTopology(t.value);
    const confs = arts.filter((a) => a.path.endsWith('.keepalived.conf'));
    expect(confs).toHaveLength(2);
    for (const c of confs) expect(c.text).toMatch(new RegExp(`\\n\\s+${FIP.replace(/\./g, '\\.')}/32 dev qg-\\S+ no_track\\n`));
    const held = arts.filter((a) => a.path.endsWith('.ip-addr') && /qrouter-/.test(a.path) && a.text.includes(`inet ${FIP}/32`));
    expect(held.map((a) => a.path.split('/')[0])).toEqual([t.value.routers[0]!.ha!.master]);
  });
});
