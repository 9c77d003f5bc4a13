// The walkthrough oracle's own logic, without a switch (no root needed): the trace flow built from an
// evaluator packet, the add-flow text of a learned flow, which hops of a trace are OVS bridges, and the
// comparison of a hop with what OVS did (agreement, floods, and each kind of disagreement).
import { describe, expect, it } from 'vitest';
import { ofprotoFlow, addFlowText } from './ofproto-flow.ts';
import { compareHop, ovsBridgeHops, type BridgeHop, type HopObservation } from './bridge-hops.ts';
import type { Packet } from '../../src/ir/packet.ts';
import type { Flow } from '../../src/ir/openflow.ts';
import type { Hop, Trace } from '../../src/evaluate/trace.ts';

const ICMP: Packet = {
  eth_src: 'fa:16:3e:00:00:01', eth_dst: 'fa:16:3e:00:00:02', vlan: null, tun_id: null, eth_type: 0x0800,
  ip_src: '192.168.1.11', ip_dst: '192.168.1.12', proto: 1, sport: null, dport: null, icmp_type: 8, icmp_code: 0,
};
const TCP: Packet = { ...ICMP, proto: 6, sport: 40000, dport: 22, icmp_type: null, icmp_code: null };

describe('ofprotoFlow', () => {
  it('writes an untagged ICMP echo with its type and code, no VLAN field', () => {
    expect(ofprotoFlow('qvo1', ICMP)).toBe('in_port=qvo1,dl_src=fa:16:3e:00:00:01,dl_dst=fa:16:3e:00:00:02,icmp,nw_src=192.168.1.11,nw_dst=192.168.1.12,icmp_type=8,icmp_code=0');
  });
  it('writes a tagged TCP segment with both ports', () => {
    expect(ofprotoFlow('patch-int', { ...TCP, vlan: 3 })).toBe('in_port=patch-int,dl_src=fa:16:3e:00:00:01,dl_dst=fa:16:3e:00:00:02,dl_vlan=3,tcp,nw_src=192.168.1.11,nw_dst=192.168.1.12,tcp_src=40000,tcp_dst=22');
  });
  it('names UDP ports udp_src/udp_dst (OVS 3.1 refuses tp_src on a UDP flow)', () => {
    expect(ofprotoFlow('qvo1', { ...TCP, proto: 17, sport: 67, dport: 68 })).toMatch(/,udp,nw_src=192\.168\.1\.11,nw_dst=192\.168\.1\.12,udp_src=67,udp_dst=68$/);
  });
  it('adds the tunnel key in hex and the outer addresses for a packet off a tunnel', () => {
    expect(ofprotoFlow('vxlan-0a00000b', { ...ICMP, tun_id: 101 }, { src: '10.0.0.11', dst: '10.0.0.21' }))
      .toContain(',tun_id=0x65,tun_src=10.0.0.11,tun_dst=10.0.0.21,icmp,');
  });
  it('writes ARP with its sender, target and opcode', () => {
    expect(ofprotoFlow('p', { ...ICMP, eth_type: 0x0806, proto: 1, icmp_type: null, icmp_code: null })).toMatch(/,arp,arp_spa=192\.168\.1\.11,arp_tpa=192\.168\.1\.12,arp_op=1$/);
  });
});

describe('addFlowText', () => {
  const learned: Flow = {
    table: 20, priority: 1, cookie: '0x3f9',
    match: { vlan_tci: { value: 1, mask: 0xfff }, dl_dst: { mac: 'fa:16:3e:2d:0c:fa', mask: null } },
    actions: [{ kind: 'strip_vlan' }, { kind: 'set_tun_id', value: 101 }, { kind: 'output', port: { kind: 'name', name: 'vxlan-0a00000b' } }],
    origin: { file: 'x', line: 1, text: '', why: '' },
  };
  it('writes the Neutron br-tun learned flow as ovs-ofctl reads it', () => {
    expect(addFlowText(learned)).toBe('table=20,priority=1,cookie=0x3f9,vlan_tci=0x1/0xfff,dl_dst=fa:16:3e:2d:0c:fa actions=strip_vlan,set_tunnel:0x65,output:"vxlan-0a00000b"');
  });
  it('names transport ports and ICMP fields by the flow\'s protocol', () => {
    const udp: Flow = { ...learned, match: { dl_type: 0x0800, nw_proto: 17, tp_src: { value: 67, mask: null }, tp_dst: { value: 68, mask: null } } };
    expect(addFlowText(udp)).toMatch(/dl_type=0x800,nw_proto=17,udp_src=0x43,udp_dst=0x44 /);
    const na: Flow = { ...learned, match: { dl_type: 0x86dd, nw_proto: 58, icmp_type: 136 } };
    expect(addFlowText(na)).toMatch(/dl_type=0x86dd,nw_proto=58,icmpv6_type=136 /);
    expect(() => addFlowText({ ...learned, match: { tp_dst: { value: 1, mask: null } } })).toThrow(/nw_proto/);
  });
  it('refuses what it cannot express instead of dropping it', () => {
    expect(() => addFlowText({ ...learned, match: { unsupported: ['ct_state=+trk'] } })).toThrow(/ct_state/);
    expect(() => addFlowText({ ...learned, actions: [{ kind: 'unsupported', text: 'ct(commit)' }] })).toThrow(/ct\(commit\)/);
  });
});

const hop = (over: Partial<BridgeHop> = {}): BridgeHop => ({
  index: 2, host: 'compute1', bridge: 'br-int', inPort: 'qvo1', outPort: 'patch-tun', in: ICMP, out: { ...ICMP, vlan: 1 }, ...over,
});
const obs = (over: Partial<HopObservation> = {}): HopObservation => ({
  flow: 'in_port=qvo1', patchedOutputs: ['patch-tun'], outputs: [{ port: 'patch-tun', vlan: 1, tunId: null, tunnelPort: false }],
  datapathActions: 'push_vlan(vid=1,pcp=0),5', unparsed: [], text: '', ...over,
});

describe('compareHop', () => {
  it('agrees when OVS outputs to the same port with the same VLAN', () => {
    expect(compareHop(hop(), obs())).toEqual({ disagreements: [], notes: [] });
  });
  it('names both sides when the VLAN differs', () => {
    const r = compareHop(hop(), obs({ outputs: [{ port: 'patch-tun', vlan: 2, tunId: null, tunnelPort: false }] }));
    expect(r.disagreements).toHaveLength(1);
    expect(r.disagreements[0]).toMatch(/VLAN on patch-tun: OVS 2, evaluator 1/);
    expect(r.disagreements[0]).toMatch(/evaluator: out patch-tun/);
    expect(r.disagreements[0]).toMatch(/ovs: \[patch-tun vlan=2\]/);
  });
  it('fails when OVS sends elsewhere or drops', () => {
    expect(compareHop(hop(), obs({ outputs: [{ port: 'int-br-ex', vlan: 1, tunId: null, tunnelPort: false }], patchedOutputs: ['int-br-ex'] })).disagreements[0]).toMatch(/does not output to patch-tun/);
    expect(compareHop(hop(), obs({ outputs: [], patchedOutputs: [], datapathActions: 'drop' })).disagreements[0]).toMatch(/OVS drops the packet/);
  });
  it('fails when the evaluator drops and OVS forwards', () => {
    expect(compareHop(hop({ outPort: null, out: null }), obs()).disagreements[0]).toMatch(/evaluator drops the packet here, OVS forwards it/);
  });
  it('checks the tunnel id on a tunnel output only', () => {
    const tun = hop({ bridge: 'br-tun', inPort: 'patch-int', outPort: 'vxlan-0a00000c', in: { ...ICMP, vlan: 1 }, out: { ...ICMP, tun_id: 101 } });
    const o = (tunId: number) => obs({ patchedOutputs: ['vxlan-0a00000c'], outputs: [{ port: 'vxlan-0a00000c', vlan: null, tunId, tunnelPort: true }] });
    expect(compareHop(tun, o(101)).disagreements).toEqual([]);
    expect(compareHop(tun, o(102)).disagreements[0]).toMatch(/tunnel id on vxlan-0a00000c: OVS 102, evaluator 101/);
  });
  it('accepts a flood that includes the evaluator\'s port and notes the others', () => {
    const flood = obs({
      patchedOutputs: ['patch-tun', 'qvo2'],
      outputs: [{ port: 'patch-tun', vlan: 1, tunId: null, tunnelPort: false }, { port: 'qvo2', vlan: null, tunId: null, tunnelPort: false }],
    });
    const r = compareHop(hop(), flood);
    expect(r.disagreements).toEqual([]);
    expect(r.notes).toEqual(['compute1/br-int in_port=qvo1: OVS also outputs to qvo2 vlan=untagged']);
  });
  it('flags a cut that changed the outputs, and datapath actions it cannot read', () => {
    expect(compareHop(hop(), obs({ patchedOutputs: ['patch-tun', 'qvo2'] })).disagreements[0]).toMatch(/cutting the patch ports changed the outputs/);
    expect(compareHop(hop(), obs({ unparsed: ['ct(zone=1)'] })).disagreements[0]).toMatch(/not interpreted: ct\(zone=1\)/);
  });
});

describe('ovsBridgeHops', () => {
  const h = (device: string, deviceKind: Hop['deviceKind'], inPort: string | null): Hop =>
    ({ host: 'c1', device, deviceKind, inPort, outPort: 'x', in: ICMP, out: ICMP, steps: [], events: [] });
  const trace = (hops: Hop[], branches: Trace[] = []): Trace =>
    ({ disposition: 'delivered', deliveredTo: null, droppedAt: null, packet: ICMP, final: ICMP, hops, branches, uncertain: [] });
  it('keeps the OVS bridges of the main path with their positions, not the branches', () => {
    const t = trace([h('vm:vm1', 'vm', null), h('qbr1', 'linux-bridge', 'tap1'), h('br-int', 'ovs-bridge', 'qvo1'), h('br-tun', 'ovs-bridge', 'patch-int')],
      [trace([h('br-ex', 'ovs-bridge', 'phy-br-ex')])]);
    expect(ovsBridgeHops(t).map((x) => [x.index, x.bridge, x.inPort])).toEqual([[2, 'br-int', 'qvo1'], [3, 'br-tun', 'patch-int']]);
  });
});
