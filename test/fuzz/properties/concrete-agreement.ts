// Property `concrete-agreement` (the converse of symbolic-agreement): on random topologies, random
// first packets — a station's packet to an address biased towards what the topology uses, built as
// its sender puts it on the wire (netproof/testing's arbitraryFirstPacketAsk) — are traced by the
// evaluator and explored by the solver with the packet fixed: every copy the evaluator delivers or
// sends out is found feasible by the solver with the same final headers, and nothing else is
// (test/fuzz/agreement.ts concreteAgreement).
import fc from 'fast-check';
import type { Packet } from '../../../src/ir/packet.ts';
import { arbitraryFirstPacketAsk, resolveFirstPacket, type TopologyBounds } from '../../../src/testing/index.ts';
import { concreteAgreement, stationLabel, zeroCounts, type AgreementCounts, type Disagreement } from '../agreement.ts';
import { bump, type FuzzProperty } from '../property.ts';
import { arbitraryCase, disagreementText, fromYaml, modelled, stationsByLabel, type Modelled, type TopologyCase } from './cases.ts';

export interface ConcreteCase extends TopologyCase {
  /** The seed the case's packets are drawn from (for the topology once it is modelled). */
  readonly packetSeed: number;
  /** Set when read from a regression file: the packets by sender label, as JSON. */
  readonly packets?: string;
}

export interface ConcreteOptions {
  readonly bounds?: TopologyBounds;
  readonly packetsPerTopology?: number;
  readonly timeoutMs?: number;
}

interface Sent { readonly from: string; readonly packet: Packet }

/** The case's packets: drawn from its seed, or as a regression file lists them. */
function packetsOf(c: ConcreteCase, md: Modelled, n: number): Sent[] {
  if (c.packets !== undefined) return JSON.parse(c.packets) as Sent[];
  const { m, ev } = md;
  if (m.dataplane.stations.length === 0) return [];
  const asks = fc.sample(arbitraryFirstPacketAsk(m.topology, m.dataplane), { numRuns: n, seed: c.packetSeed });
  return asks.flatMap((a) => {
    const s = resolveFirstPacket(m.topology, ev, a);
    return s === null ? [] : [{ from: stationLabel(s.station), packet: s.packet }];
  });
}

export function concreteAgreementProperty(o: ConcreteOptions = {}): FuzzProperty<ConcreteCase> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const n = o.packetsPerTopology ?? 12;
  return {
    name: 'concrete-agreement',
    checks: 'every random first packet the evaluator delivers or sends out is found feasible by the solver with the same final headers, and nothing else is',
    arbitrary: arbitraryCase(o.bounds ?? {}, fc.record({ packetSeed: fc.nat() })),
    async check(c, counts) {
      const md = modelled(c.g);
      bump(counts, 'topologies');
      const a: AgreementCounts = zeroCounts();
      const ds: Disagreement[] = [];
      for (const s of packetsOf(c, md, n)) {
        const [station] = stationsByLabel(md.m, s.from);
        const d = await concreteAgreement(md.m, md.ev, station!, s.packet, timeoutMs, a);
        if (d !== null) ds.push(d);
      }
      bump(counts, 'packets', a.replayed);
      bump(counts, 'compared', a.compared);
      bump(counts, 'unknown', a.unknown);
      for (const [k, v] of Object.entries(a.unknownBy)) bump(counts, `unknown: ${k}`, v);
      return ds.length === 0 ? null : disagreementText(ds, 'evaluator/solver');
    },
    toRegression(c) {
      return { topology: c.g.yaml, args: { packets: JSON.stringify(packetsOf(c, modelled(c.g), n)) } };
    },
    fromRegression(r) {
      return { g: fromYaml(r.topology), packetSeed: 0, packets: r.args.packets ?? '[]' };
    },
  };
}
