// The indexed table lookup (src/evaluate/flow-index.ts) against trying every flow in order: on random
// tables large enough to be indexed, whose flows set in_port, dl_vlan, tun_id and dl_dst from small pools
// (some by an OpenFlow number, some to ports or MACs no packet has, some masked), together with fields the
// index does not split on and fields netproof does not understand, the same flow matches and the same
// uncertainty is reported in the same order.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { firstMatch } from '../../src/evaluate/flow-index.ts';
import { matchFlow } from '../../src/evaluate/flow-match.ts';
import type { Flow, FlowMatch, PortRef } from '../../src/ir/openflow.ts';
import type { Packet } from '../../src/ir/packet.ts';
import { bridge, flow, ipv4, port, A } from './build.ts';

const PORTS = ['p1', 'p2', 'p3', 'tun1'];
const br = bridge('br', PORTS.map((name, i) => port(name, { ofport: i + 1 })), []);
const MACS = ['fa:16:3e:00:00:01', 'FA:16:3E:00:00:01', 'fa:16:3e:00:00:02', 'ff:ff:ff:ff:ff:ff', 'not-a-mac'];

const portRef: fc.Arbitrary<PortRef> = fc.oneof(
  fc.constantFrom(...PORTS, 'gone').map((name): PortRef => ({ kind: 'name', name })),
  fc.integer({ min: 1, max: 6 }).map((ofport): PortRef => ({ kind: 'number', ofport })),
);

const fields = {
  in_port: portRef,
  dl_vlan: fc.integer({ min: 1, max: 4 }),
  vlan_tci: fc.record({ value: fc.constantFrom(0, 0x1001, 0x1002), mask: fc.constantFrom(null, 0x1fff, 0x0fff) }),
  tun_id: fc.record({ value: fc.integer({ min: 0, max: 3 }), mask: fc.constantFrom(null, 0xffffffff, 0x1) }),
  dl_dst: fc.record({ mac: fc.constantFrom(...MACS), mask: fc.constantFrom(null, null, 'ff:ff:ff:00:00:00') }),
  dl_type: fc.constantFrom(0x0800, 0x0806),
  arp_tpa: fc.constantFrom({ ip: '10.0.0.1', prefixLen: 32 }, { ip: '10.0.0.0', prefixLen: 24 }),
  unsupported: fc.constant(['ct_state=+trk']),
};
type Field = keyof typeof fields;
const INDEXABLE: readonly Field[] = ['in_port', 'dl_vlan', 'tun_id', 'dl_dst'];

/** A flow's match: most often the table's main field, and at most one other field of any kind. */
const match = (main: Field): fc.Arbitrary<FlowMatch> =>
  fc
    .tuple(fc.boolean(), fc.boolean(), fields[main] as fc.Arbitrary<unknown>, fc.constantFrom(...(Object.keys(fields) as Field[])), fc.boolean())
    .chain(([withMain, withMain2, v, other, withOther]) =>
      (fields[other] as fc.Arbitrary<unknown>).map((w): FlowMatch => ({ ...(withOther ? { [other]: w } : {}), ...(withMain || withMain2 ? { [main]: v } : {}) })));

const table: fc.Arbitrary<Flow[]> = fc
  .constantFrom(...INDEXABLE)
  .chain((main) => fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), match(main)), { minLength: 16, maxLength: 80 }))
  .map((fs) => fs.map(([prio, m]) => flow(0, prio, m, [A.out('p1')])).sort((a, b) => b.priority - a.priority));

const packet: fc.Arbitrary<Packet> = fc
  .record({
    eth_dst: fc.constantFrom(...MACS.slice(0, 4)),
    vlan: fc.constantFrom(null, 1, 2, 3),
    tun_id: fc.constantFrom(null, 0, 1, 2, 3),
    arp: fc.boolean(),
  })
  .map(({ eth_dst, vlan, tun_id, arp }) => ({
    ...ipv4({ eth_src: 'fa:16:3e:00:00:09', eth_dst, ip_src: '10.0.0.9', ip_dst: '10.0.0.1' }),
    vlan,
    tun_id,
    ...(arp ? { eth_type: 0x0806, proto: 1, sport: null, dport: null } : {}),
  }));

/** Every flow in order: the reference. */
function linear(flows: readonly Flow[], x: Parameters<typeof matchFlow>[2]): { flow: Flow | undefined; uncertain: string[] } {
  const uncertain: string[] = [];
  for (const f of flows) {
    const r = matchFlow(br, f.match, x);
    if (r.uncertain !== null) uncertain.push(`${r.uncertain}: ${f.origin.text}`);
    if (r.matched) return { flow: f, uncertain };
  }
  return { flow: undefined, uncertain };
}

describe('indexed flow lookup', () => {
  it('finds the flow and reports the uncertainty a scan of every flow does (500 tables × 8 packets)', () => {
    let matched = 0;
    let indexedFieldsSeen = 0;
    fc.assert(
      fc.property(table, fc.array(fc.tuple(packet, fc.constantFrom(...PORTS)), { minLength: 8, maxLength: 8 }), (flows, packets) => {
        if (flows.some((f) => f.match.in_port || f.match.dl_vlan !== undefined || f.match.tun_id || f.match.dl_dst)) indexedFieldsSeen++;
        for (const [p, inPort] of packets) {
          const x = { packet: p, inPort, regs: {} };
          const uncertain: string[] = [];
          const got = firstMatch(br, flows, x, (why, f) => uncertain.push(`${why}: ${f.origin.text}`));
          const want = linear(flows, x);
          expect(got).toBe(want.flow);
          expect(uncertain).toEqual(want.uncertain);
          if (got) matched++;
        }
      }),
      { numRuns: 500, seed: 1414 },
    );
    // The comparison is not empty: lookups found flows, on tables the index splits.
    expect(matched).toBeGreaterThan(500);
    expect(indexedFieldsSeen).toBe(500);
  });
});
