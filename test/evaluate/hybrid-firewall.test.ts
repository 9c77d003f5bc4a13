import { describe, it, expect } from 'vitest';
import { createEvaluator } from '../../src/evaluate/index.ts';
import type { LinuxBridge } from '../../src/ir/dataplane.ts';
import type { NetfilterRuleset, NfRule } from '../../src/ir/netfilter.ts';
import { bridge, dataplane, ep, host, ipv4, link, ns, origin, port, vm } from './build.ts';
import { brIntFlows, MAC } from './fixtures.ts';

const P1 = 'p1aaaaaaaaa-0000';
const P2 = 'p2bbbbbbbbb-0000';
const dev = (kind: 'tap' | 'qbr' | 'qvb' | 'qvo', id: string) => `${kind}${id.slice(0, 11)}`;

/** The root namespace filter: SSH to vm2's port is dropped as it leaves qbr towards the tap. */
const DROP_SSH: NfRule = {
  matches: [
    { kind: 'physdev', in: null, out: { name: dev('tap', P2), negate: false }, isBridged: { negate: false }, isIn: null, isOut: null },
    { kind: 'proto', proto: 6, negate: false },
    { kind: 'dport', from: 22, to: 22, negate: false },
  ],
  target: { kind: 'DROP' },
  origin: origin(`-A FORWARD -m physdev --physdev-out ${dev('tap', P2)} --physdev-is-bridged -p tcp --dport 22 -j DROP`),
};
/** Into vm2 only replies of known connections and ICMP echo requests are let in (stateful ingress). */
const ESTABLISHED: NfRule = { matches: [{ kind: 'ctstate', states: ['ESTABLISHED', 'RELATED'], negate: false }], target: { kind: 'ACCEPT' }, origin: origin('-A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT') };
const ECHO_REPLY_TO_VM2: NfRule = {
  matches: [
    { kind: 'physdev', in: null, out: { name: dev('tap', P2), negate: false }, isBridged: { negate: false }, isIn: null, isOut: null },
    { kind: 'icmp-type', type: 0, code: null, negate: false },
  ],
  target: { kind: 'DROP' },
  origin: origin(`-A FORWARD -m physdev --physdev-out ${dev('tap', P2)} --physdev-is-bridged -p icmp --icmp-type 0 -j DROP`),
};
const rootRules: NetfilterRuleset = {
  tables: [{ name: 'filter', chains: [{ name: 'FORWARD', policy: 'ACCEPT', rules: [ESTABLISHED, DROP_SSH, ECHO_REPLY_TO_VM2] }, { name: 'INPUT', policy: 'ACCEPT', rules: [] }] }],
  ipsets: {},
};

function build() {
  const qbr = (id: string): LinuxBridge => ({ kind: 'linux-bridge', name: dev('qbr', id), ports: [dev('tap', id), dev('qvb', id)], netfilter: true });
  const v1 = vm({ vm: 'vm1', host: 'h', mac: MAC.vm1, ip: '10.0.0.1', at: ep('h', dev('qbr', P1), dev('tap', P1)), portId: P1 });
  const v2 = vm({ vm: 'vm2', host: 'h', mac: MAC.vm2, ip: '10.0.0.2', at: ep('h', dev('qbr', P2), dev('tap', P2)), portId: P2 });
  const h = host('h', {
    ovs: [bridge('br-int', [port(dev('qvo', P1), { type: 'system', tag: 1 }), port(dev('qvo', P2), { type: 'system', tag: 1 })], brIntFlows())],
    lb: [qbr(P1), qbr(P2)],
    ns: [ns('root', [], [], false, rootRules)],
  });
  const veth = (id: string) => link('veth', ep('h', dev('qbr', id), dev('qvb', id)), ep('h', 'br-int', dev('qvo', id)));
  return dataplane([h], [v1.link, v2.link, veth(P1), veth(P2)], [v1.station, v2.station]);
}

describe('hybrid firewall on qbr (root namespace iptables)', () => {
  const dp = build();
  const ev = createEvaluator(dp);
  const vm1 = dp.stations[0]!;

  it('ICMP crosses both Linux bridges, each with an accepting security-group check', () => {
    const t = ev.trace(vm1, ipv4({ eth_src: MAC.vm1, eth_dst: MAC.vm2, ip_src: '10.0.0.1', ip_dst: '10.0.0.2' }));
    expect(t.disposition).toBe('delivered');
    expect(t.hops.map((h) => h.device)).toEqual(['vm:vm1', dev('qbr', P1), 'br-int', dev('qbr', P2), 'vm:vm2']);
    expect(t.hops[1]!.events).toContainEqual({ kind: 'security-group', portId: P1, direction: 'egress', verdict: 'accept' });
    expect(t.hops[3]!.events).toContainEqual({ kind: 'security-group', portId: P2, direction: 'ingress', verdict: 'accept' });
    expect(t.hops[1]!.events.some((e) => e.kind === 'conntrack')).toBe(true);
    // The qbr fdb converged: vm2's MAC is behind qvb on its bridge.
    expect(ev.converged.fdb).toContainEqual({ host: 'h', bridge: dev('qbr', P2), vlan: null, mac: MAC.vm1, port: dev('qvb', P2) });
  });

  it('SSH to vm2 is dropped by the FORWARD rule on vm2\'s qbr, which the trace names', () => {
    const t = ev.trace(vm1, ipv4({ eth_src: MAC.vm1, eth_dst: MAC.vm2, ip_src: '10.0.0.1', ip_dst: '10.0.0.2', proto: 6, sport: 40000, dport: 22, icmp_type: null, icmp_code: null }));
    expect(t.disposition).toBe('dropped');
    expect(t.droppedAt).toEqual({ host: 'h', device: dev('qbr', P2), rule: DROP_SSH.origin.text, origin: DROP_SSH.origin });
    expect(t.hops.at(-1)!.events).toContainEqual({ kind: 'security-group', portId: P2, direction: 'ingress', verdict: 'drop' });
    expect(t.hops.at(-1)!.steps.some((s) => s.where === 'filter/FORWARD' && s.rule === DROP_SSH.origin.text)).toBe(true);
  });

  it('ARP does not cross iptables', () => {
    const a = ev.resolveArp(vm1, '10.0.0.2');
    expect(a.mac).toBe(MAC.vm2);
    expect(a.trace.hops.flatMap((h) => h.events).some((e) => e.kind === 'security-group')).toBe(false);
  });

  it('a session keeps conntrack: the echo reply to vm2 passes only after vm2\'s request', () => {
    const vm2 = dp.stations[1]!;
    const request = ipv4({ eth_src: MAC.vm2, eth_dst: MAC.vm1, ip_src: '10.0.0.2', ip_dst: '10.0.0.1' });
    const reply = ipv4({ eth_src: MAC.vm1, eth_dst: MAC.vm2, ip_src: '10.0.0.1', ip_dst: '10.0.0.2', icmp_type: 0 });
    expect(ev.trace(vm1, reply).disposition).toBe('dropped');
    const s = ev.session();
    expect(s.trace(vm2, request).disposition).toBe('delivered');
    const t = s.trace(vm1, reply);
    expect(t.disposition).toBe('delivered');
    expect(t.hops[1]!.events).toContainEqual(expect.objectContaining({ kind: 'conntrack', state: 'ESTABLISHED' }));
  });
});
