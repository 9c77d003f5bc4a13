// Port forwardings with port ranges (Zed+), end to end on test/properties/topologies/port-forwarding-range.yaml:
// the DNAT rules as the L3 agent writes them (port_forwarding.py extract_ports: `--dport A:B`, `--to-destination
// IP:C-D/A` for N-N, `IP:C` for 1-N), parsed back with every rule understood; the evaluator sends each port of an
// N-N range on to its own internal port and every port of a 1-N range to the one port, the reply back from the
// external port; the solver agrees with the evaluator on every feasible end; and what Neutron refuses is refused.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadTopologyText } from '../../src/topology/index.ts';
import { loadModel } from '../../src/pipeline.ts';
import { renderTopology } from '../../src/render/index.ts';
import { parseIptablesSave } from '../../src/parse/iptables-save.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { refusalsOf } from './refusals.ts';
import { firstPacketOf, traceBetween } from '../../src/questions/trace.ts';
import { checkReply } from '../../src/questions/bidirectional.ts';
import { outsideOn, INTERNET } from '../../src/questions/properties/common.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import type { VmPortStation } from '../../src/questions/endpoints.ts';
import { expectEveryStationAgrees } from '../agreement/every-station.ts';

afterAll(async () => { await shutdownZ3(); });

const FILE = new URL('../properties/topologies/port-forwarding-range.yaml', import.meta.url).pathname;
const TEXT = readFileSync(FILE, 'utf8');
const loaded = loadModel(FILE);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const m = loaded.value;
const FIP = '203.0.113.60';
const iptables = renderTopology(m.topology).find((a) => /qrouter-/.test(a.path) && a.path.endsWith('.iptables-save'))!;
const outside = outsideOn(m.dataplane.stations, 'public', FIP)!;
const fromOutside = { kind: 'outside' as const, station: outside, ip: INTERNET };
const vm1 = m.dataplane.stations.find((x): x is VmPortStation => x.kind === 'vm-port' && x.vm === 'vm1')!;

describe('ranges in the model and the rendered rules', () => {
  it('each forwarding carries its external and internal ports', () => {
    expect(m.topology.portForwardings.map((p) => [p.protocol, p.externalPort, p.externalPortEnd, p.vm, p.internalPort, p.internalPortEnd])).toEqual([
      ['tcp', 8080, 8090, 'vm1', 80, 90],
      ['udp', 5000, 5010, 'vm2', 53, 53],
      ['tcp', 2201, 2201, 'vm1', 22, 22],
    ]);
  });

  it('are the agent\'s: --dport A:B, --to-destination IP:C-D/A for N-N and IP:C for 1-N, a single port as before', () => {
    const nat = iptables.text.slice(iptables.text.indexOf('*nat'), iptables.text.indexOf('*filter'));
    expect(nat).toContain(`-A neutron-l3-agent-pf-7c1d2e3f -d ${FIP}/32 -p tcp -m tcp --dport 8080:8090 -j DNAT --to-destination 192.168.1.11:80-90/8080\n`);
    expect(nat).toContain(`-A neutron-l3-agent-pf-9e8d7c6b -d ${FIP}/32 -p udp -m udp --dport 5000:5010 -j DNAT --to-destination 192.168.2.12:53\n`);
    expect(nat).toMatch(/-A neutron-l3-agent-pf-[0-9a-f]{8} -d 203\.0\.113\.60\/32 -p tcp -m tcp --dport 2201 -j DNAT --to-destination 192\.168\.1\.11:22\n/);
  });

  it('parse back with every rule understood, the range with its base port', () => {
    const parsed = parseIptablesSave(iptables.text, iptables.path);
    expect(parsed.warnings).toEqual([]);
    const nat = parsed.value.tables.find((t) => t.name === 'nat')!;
    const rule = nat.chains.find((c) => c.name === 'neutron-l3-agent-pf-7c1d2e3f')!.rules[0]!;
    expect(rule.target).toEqual({ kind: 'DNAT', to: '192.168.1.11', port: null, ports: { from: 80, to: 90, base: 8080 } });
    expect(rule.matches.find((x) => x.kind === 'dport')).toEqual({ kind: 'dport', from: 8080, to: 8090, negate: false });
  });
});

describe('the evaluator follows each port of a range', () => {
  const ev = createEvaluator(m.dataplane);
  // vm1's groups allow TCP 22 and 80-85: 8086-8090 arrive forwarded, at 86-90, and its firewall drops them.
  const cases: { proto: 'tcp' | 'udp'; ext: number; ip: string; port: number; delivered: boolean }[] = [
    ...[8080, 8083, 8085].map((ext) => ({ proto: 'tcp' as const, ext, ip: '192.168.1.11', port: ext - 8000, delivered: true })),
    ...[8086, 8090].map((ext) => ({ proto: 'tcp' as const, ext, ip: '192.168.1.11', port: ext - 8000, delivered: false })),
    ...[5000, 5004, 5010].map((ext) => ({ proto: 'udp' as const, ext, ip: '192.168.2.12', port: 53, delivered: true })),
  ];
  for (const c of cases) {
    it(`outside → ${FIP} ${c.proto}/${c.ext} arrives at ${c.ip}:${c.port}${c.delivered ? ', and the reply leaves from the external port' : ' and its firewall drops it'}`, () => {
      const t = traceBetween(m.topology, ev, fromOutside, FIP, { proto: c.proto, dport: c.ext });
      expect(t.uncertain).toEqual([]);
      expect(t.final).toMatchObject({ ip_dst: c.ip, dport: c.port, ip_src: INTERNET });
      expect(t.disposition).toBe(c.delivered ? 'delivered' : 'dropped');
      if (!c.delivered || c.proto !== 'tcp') return;
      const first = firstPacketOf(m.topology, ev, fromOutside, FIP, { proto: c.proto, dport: c.ext });
      if (!('packet' in first)) throw new Error('no first packet');
      const r = checkReply(m.topology, m.dataplane, ev, fromOutside, { kind: 'port', station: vm1, ipDst: FIP, finalDst: c.ip }, first.packet);
      expect(r.ok).toBe(true);
      expect(r.reply?.final).toMatchObject({ ip_src: FIP, sport: c.ext, ip_dst: INTERNET });
    });
  }

  it('a port next to a range, or the other protocol, is not forwarded: the router itself gets it', () => {
    for (const fields of [{ proto: 'tcp' as const, dport: 8079 }, { proto: 'tcp' as const, dport: 8091 }, { proto: 'udp' as const, dport: 8080 }, { proto: 'tcp' as const, dport: 5000 }]) {
      const t = traceBetween(m.topology, ev, fromOutside, FIP, fields);
      expect(t.deliveredTo, JSON.stringify(fields)).toMatchObject({ kind: 'namespace', namespace: expect.stringMatching(/^qrouter-/) });
      expect(t.final.ip_dst).toBe(FIP);
    }
  });
});

describe('solver and evaluator agree with port-range forwardings', () => {
  it('every feasible end from every station, replayed', async () => {
    await expectEveryStationAgrees(m);
  }, 180_000);
});

const { errs, edit, add } = refusalsOf(TEXT, 'pfr.yaml');
const LINE = TEXT.split('\n').findIndex((l) => l.includes('"8080:8090"')) + 1;
const LAST = TEXT.trimEnd().split('\n').length;

describe('port ranges refused as Neutron refuses them', () => {
  it('an internal range not as long as the external one is NP319 (N-N or 1-N only)', () => {
    expect(errs(edit('internal_port_range: "80:90"', 'internal_port_range: "80:89"'))).toEqual([['NP319', 'port_forwardings[0].internal_port_range', LINE]]);
    // An internal range behind one external port is the same refusal.
    expect(errs(add('  - { floating_ip: 203.0.113.60, protocol: tcp, external_port: 3000, vm: vm2, internal_port_range: "100:101" }'))).toEqual([['NP319', 'port_forwardings[3].internal_port_range', LAST + 1]]);
  });

  it('a range that is not "N:M" with 1 ≤ N ≤ M ≤ 65535 is NP102 at it, naming why', () => {
    for (const bad of ['"8090:8080"', '"8080-8090"', '"0:10"', '"1:70000"', '"8080:"', '"a:b"']) {
      const r = loadTopologyText(edit('external_port_range: "8080:8090"', `external_port_range: ${bad}`), 'pfr.yaml');
      expect(r.ok, bad).toBe(false);
      if (r.ok) continue;
      expect(r.errors.map((e) => [e.code, e.path, e.position?.line]), bad).toEqual([['NP102', 'port_forwardings[0].external_port_range', LINE]]);
      expect(r.errors[0]!.message).toContain(bad.replace(/"/g, ''));
    }
    // One port written as a range is accepted, as Neutron's validator accepts it.
    expect(errs(add('  - { floating_ip: 203.0.113.60, protocol: tcp, external_port_range: "3000", vm: vm2, internal_port_range: "3000" }'))).toEqual([]);
  });

  it('a port and a range for one side is NP102; neither is NP103', () => {
    expect(errs(edit('external_port_range: "8080:8090",', 'external_port_range: "8080:8090", external_port: 8080,'))).toEqual([['NP102', 'port_forwardings[0].external_port_range', LINE]]);
    expect(errs(edit('internal_port_range: "80:90" }', '}'))).toEqual([['NP103', 'port_forwardings[0].internal_port', LINE]]);
  });

  it('an external range overlapping another forwarding\'s ports of the same protocol is NP306; the other protocol is fine', () => {
    expect(errs(add('  - { floating_ip: 203.0.113.60, protocol: tcp, external_port: 8085, vm: vm2, internal_port: 80 }'))).toEqual([['NP306', 'port_forwardings[3].external_port', LAST + 1]]);
    expect(errs(add('  - { floating_ip: 203.0.113.60, protocol: tcp, external_port_range: "2000:2201", vm: vm2, internal_port: 80 }'))).toEqual([['NP306', 'port_forwardings[3].external_port_range', LAST + 1]]);
    expect(errs(add('  - { floating_ip: 203.0.113.60, protocol: udp, external_port_range: "8080:8090", vm: vm2, internal_port: 80 }'))).toEqual([]);
  });

  it('an internal range overlapping the ports a port already receives is NP306', () => {
    expect(errs(add('  - { floating_ip: 203.0.113.61, protocol: tcp, external_port_range: "100:102", vm: vm1, internal_port_range: "88:90" }'))).toEqual([['NP306', 'port_forwardings[3].internal_port_range', LAST + 1]]);
  });

  it('before Zed the range fields do not exist: NP507 at the field', () => {
    const t = edit('release: "2024.1"', 'release: yoga');
    expect(errs(t)).toEqual([
      ['NP507', 'port_forwardings[0].external_port_range', LINE], ['NP507', 'port_forwardings[0].internal_port_range', LINE],
      ['NP507', 'port_forwardings[1].external_port_range', LINE + 1],
    ]);
    expect(errs(edit('release: "2024.1"', 'release: zed'))).toEqual([]);
  });
});
