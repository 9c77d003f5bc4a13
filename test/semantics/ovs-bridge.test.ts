// The OVS bridge meaning both engines share (src/semantics/ovs-bridge.ts): port references, tunnel
// ports and the tunnel id a copy leaves with, the order a table's flows are tried in.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { flowTables, isTunnelPort, portByName, portName, tunIdOut } from '../../src/semantics/ovs-bridge.ts';
import type { Flow, OvsBridge, OvsPort } from '../../src/ir/openflow.ts';

const port = (name: string, ofport: number | null, type: OvsPort['type'] = 'system'): OvsPort =>
  ({ name, ofport, type, tag: null, peer: null, remoteIp: type === 'vxlan' || type === 'gre' || type === 'geneve' ? '10.0.0.2' : null, localIp: null });
const bridge = (ports: OvsPort[]): OvsBridge => ({ kind: 'ovs-bridge', name: 'br-test', ports, flows: [] });
const flow = (table: number, priority: number, tag: string): Flow =>
  ({ table, priority, match: {}, actions: [], cookie: null, origin: { file: 'f', line: 1, text: tag, why: '' } });

describe('port references', () => {
  const br = bridge([port('patch-tun', 1, 'patch'), port('vxlan-0a000002', 2, 'vxlan'), port('qvo1', 3), port('dup', 3), port('qvo1', 9)]);

  it('a name resolves to itself, an ofport to the first port with that number, an unknown ofport to nothing', () => {
    expect(portName(br, { kind: 'name', name: 'anything' })).toBe('anything');
    expect(portName(br, { kind: 'number', ofport: 2 })).toBe('vxlan-0a000002');
    expect(portName(br, { kind: 'number', ofport: 3 })).toBe('qvo1');
    expect(portName(br, { kind: 'number', ofport: 7 })).toBeNull();
  });

  it('a port is found by name, the first listed when the name repeats', () => {
    expect(portByName(br, 'qvo1')?.ofport).toBe(3);
    expect(portByName(br, 'nope')).toBeUndefined();
  });
});

describe('tunnel ports', () => {
  it('vxlan, gre and geneve encapsulate; patch, internal and system ports do not', () => {
    expect((['vxlan', 'gre', 'geneve', 'patch', 'internal', 'system'] as const).map((t) => isTunnelPort(port('p', 1, t)))).toEqual([true, true, true, false, false, false]);
    expect(isTunnelPort(undefined)).toBe(false);
  });

  it('a copy to a tunnel keeps its tunnel id (0 when unset); to any other port it has none', () => {
    expect(tunIdOut(port('v', 1, 'vxlan'), 101)).toBe(101);
    expect(tunIdOut(port('v', 1, 'gre'), null)).toBe(0);
    expect(tunIdOut(port('p', 1, 'patch'), 101)).toBeNull();
    expect(tunIdOut(port('q', 1, 'system'), null)).toBeNull();
  });
});

describe('flow tables', () => {
  it('group by table, highest priority first, equal priorities in listed order', () => {
    const t = flowTables([flow(0, 1, 'a'), flow(10, 5, 'b'), flow(0, 3, 'c'), flow(0, 3, 'd'), flow(0, 65535, 'e')]);
    expect([...t.keys()].sort()).toEqual([0, 10]);
    expect(t.get(0)!.map((f) => f.origin.text)).toEqual(['e', 'c', 'd', 'a']);
    expect(t.get(10)!.map((f) => f.origin.text)).toEqual(['b']);
  });

  it('on random flow lists: non-increasing priority, ties in input order, nothing lost (200 cases)', () => {
    const flows = fc.array(fc.record({ table: fc.integer({ min: 0, max: 3 }), priority: fc.integer({ min: 0, max: 4 }) }), { maxLength: 30 })
      .map((xs) => xs.map((x, i) => flow(x.table, x.priority, String(i))));
    fc.assert(fc.property(flows, (fs) => {
      const t = flowTables(fs);
      let count = 0;
      for (const list of t.values()) {
        count += list.length;
        for (let i = 1; i < list.length; i++) {
          const a = list[i - 1]!;
          const b = list[i]!;
          if (a.priority < b.priority) return false;
          if (a.priority === b.priority && Number(a.origin.text) > Number(b.origin.text)) return false;
        }
      }
      return count === fs.length;
    }), { numRuns: 200 });
  });
});
