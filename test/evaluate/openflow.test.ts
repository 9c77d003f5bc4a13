import { describe, it, expect } from 'vitest';
import { runBridge } from '../../src/evaluate/openflow.ts';
import { flowTables } from '../../src/semantics/ovs-bridge.ts';
import { matchFlow } from '../../src/evaluate/flow-match.ts';
import { LearningState } from '../../src/evaluate/state.ts';
import type { Flow } from '../../src/ir/openflow.ts';
import type { Packet } from '../../src/ir/packet.ts';
import { A, bridge, flow, ipv4, port } from './build.ts';

const pkt = (o: Partial<Packet> = {}) => ipv4({ eth_src: 'fa:16:3e:00:00:01', eth_dst: 'fa:16:3e:00:00:02', ip_src: '10.0.0.1', ip_dst: '10.0.0.2', ...o });
const ports = [port('in', { type: 'system' }), port('out', { type: 'system' }), port('other', { type: 'system' })];

function run(flows: Flow[], p: Packet = pkt(), inPort = 'in') {
  const br = bridge('br', ports, flows);
  return runBridge({ host: 'h', bridge: br, tables: flowTables(flows), state: new LearningState(), learn: false }, inPort, p);
}
const emitted = (r: ReturnType<typeof run>) => r.copies.flatMap((c) => (c.kind === 'emit' ? [{ port: c.port, vlan: c.packet.vlan }] : []));

describe('OpenFlow pipeline', () => {
  it('OF1.0 mod_vlan_vid pushes a tag on an untagged frame; OF1.3 set_field alone does not', () => {
    expect(emitted(run([flow(0, 1, {}, [A.modVlan(5), A.out('out')])]))).toEqual([{ port: 'out', vlan: 5 }]);
    expect(emitted(run([flow(0, 1, {}, [A.setVlan(5), A.out('out')])]))).toEqual([{ port: 'out', vlan: null }]);
    const of13 = run([flow(0, 1, {}, [A.pushVlan, A.setVlan(5), A.out('out')])]);
    expect(emitted(of13)).toEqual([{ port: 'out', vlan: 5 }]);
    expect(of13.events).toEqual([{ kind: 'vlan-push', vid: 0 }, { kind: 'vlan-mod', from: 0, to: 5 }]);
    // On a tagged frame both rewrite the VID.
    expect(emitted(run([flow(0, 1, {}, [A.setVlan(5), A.out('out')])], pkt({ vlan: 7 })))).toEqual([{ port: 'out', vlan: 5 }]);
    expect(emitted(run([flow(0, 1, {}, [A.strip, A.out('out')])], pkt({ vlan: 7 })))).toEqual([{ port: 'out', vlan: null }]);
  });

  it('highest priority wins, ties go to the first flow listed; no match drops with the table', () => {
    const r = run([flow(0, 1, {}, [A.out('other')]), flow(0, 5, {}, [A.out('out')]), flow(0, 5, {}, [A.out('other')])]);
    expect(emitted(r)).toEqual([{ port: 'out', vlan: null }]);
    const miss = run([flow(0, 1, { dl_vlan: 3 }, [A.out('out')])]);
    expect(miss.copies).toHaveLength(1);
    expect(miss.copies[0]).toMatchObject({ kind: 'end', disposition: 'dropped', drop: { rule: 'table 0: no flow matched' } });
  });

  it('resubmit keeps packet changes, restores in_port, and continues; goto_table ends the list', () => {
    const flows = [
      flow(0, 1, { in_port: { kind: 'name', name: 'in' } }, [A.resubmit(1, 'other'), A.out('out')]),
      flow(1, 1, { in_port: { kind: 'name', name: 'other' } }, [A.modVlan(9)]),
    ];
    expect(emitted(run(flows))).toEqual([{ port: 'out', vlan: 9 }]);
    const gt = run([flow(0, 1, {}, [A.goto(1), A.out('other')]), flow(1, 1, {}, [A.out('out')])]);
    expect(emitted(gt)).toEqual([{ port: 'out', vlan: null }]);
  });

  it('output to the input port is skipped; an output copy is taken before later changes', () => {
    expect(emitted(run([flow(0, 1, {}, [A.out('in'), A.out('out')])]))).toEqual([{ port: 'out', vlan: null }]);
    expect(emitted(run([flow(0, 1, {}, [A.out('out'), A.modVlan(4), A.out('other')])]))).toEqual([
      { port: 'out', vlan: null }, { port: 'other', vlan: 4 },
    ]);
    expect(emitted(run([flow(0, 1, {}, [{ kind: 'in_port' }])]))).toEqual([{ port: 'in', vlan: null }]);
  });

  it('unsupported actions and matches are recorded as uncertain', () => {
    const r = run([flow(0, 2, { unsupported: ['ct_state=+trk'] }, [A.drop]), flow(0, 1, {}, [{ kind: 'unsupported', text: 'ct(commit)' }, A.out('out')])]);
    expect(emitted(r)).toEqual([{ port: 'out', vlan: null }]);
    expect(r.uncertain.some((u) => u.includes('ct_state=+trk'))).toBe(true);
    expect(r.uncertain.some((u) => u.includes('ct(commit)'))).toBe(true);
  });
});

describe('flow matching', () => {
  const br = bridge('br', ports, []);
  const m = (match: Flow['match'], p: Packet, inPort = 'in') => matchFlow(br, match, { packet: p, inPort, regs: {} }).matched;

  it('vlan_tci covers tagged/untagged; dl_vlan needs the tag', () => {
    expect(m({ vlan_tci: { value: 0, mask: 0x1fff } }, pkt())).toBe(true);
    expect(m({ vlan_tci: { value: 0, mask: 0x1fff } }, pkt({ vlan: 3 }))).toBe(false);
    expect(m({ vlan_tci: { value: 0x1003, mask: 0x1fff } }, pkt({ vlan: 3 }))).toBe(true);
    expect(m({ vlan_tci: { value: 3, mask: 0x0fff } }, pkt({ vlan: 3 }))).toBe(true);
    expect(m({ dl_vlan: 3 }, pkt())).toBe(false);
    expect(m({ dl_vlan: 3 }, pkt({ vlan: 3 }))).toBe(true);
  });

  it('MAC masks, and L3/L4 fields only for their protocol', () => {
    expect(m({ dl_dst: { mac: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' } }, pkt({ eth_dst: 'ff:ff:ff:ff:ff:ff' }))).toBe(true);
    expect(m({ dl_dst: { mac: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' } }, pkt())).toBe(false);
    expect(m({ nw_dst: { ip: '10.0.0.0', prefixLen: 24 } }, pkt())).toBe(true);
    expect(m({ nw_dst: { ip: '10.0.0.0', prefixLen: 24 } }, pkt({ eth_type: 0x0806, proto: 1 }))).toBe(false);
    expect(m({ arp_tpa: { ip: '10.0.0.2', prefixLen: 32 } }, pkt({ eth_type: 0x0806, proto: 1 }))).toBe(true);
    expect(m({ arp_tpa: { ip: '10.0.0.2', prefixLen: 32 } }, pkt())).toBe(false);
    expect(m({ tp_dst: { value: 80, mask: null } }, pkt({ proto: 6, sport: 4000, dport: 80, icmp_type: null, icmp_code: null }))).toBe(true);
    expect(m({ tp_dst: { value: 80, mask: null } }, pkt())).toBe(false);
    expect(m({ nd_target: 'fe80::1' }, pkt())).toBe(false);
    expect(m({ in_port: { kind: 'name', name: 'in' } }, pkt(), 'out')).toBe(false);
  });
});
