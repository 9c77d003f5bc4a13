// netproof/testing: fast-check generators for people who fuzz their own properties (and for
// netproof's own property suites). Valid topologies built from a small core so failures shrink to
// small readable cases, packets biased towards what a topology uses, and invalid topologies — one
// family per validation rule — with the error code each must produce.
//
//   import fc from 'fast-check';
//   import { arbitraryTopology, modelOf } from 'netproof/testing';
//   fc.assert(fc.property(arbitraryTopology({ maxHosts: 3 }), (g) => { const m = modelOf(g); … }));
export { arbitraryTopology, loadGenerated, modelOf, type GeneratedTopology } from './topology.ts';
export { topologySpec, RELEASES, type TopologyBounds, type TopologySpec } from './spec.ts';
export { buildTopology } from './build.ts';
export { topologyYaml } from './yaml.ts';
export {
  arbitraryFields, arbitraryFirstPacketAsk, arbitraryPacket, resolveFirstPacket, topologyValues,
  type FirstPacketAsk, type SentPacket, type TopologyValues,
} from './packets.ts';
export { arbitraryInvalidTopology, INVALID_FAMILY_CODES, type InvalidCase } from './invalid.ts';
// What a property over a generated model usually needs next: the reference evaluator and its traces.
export { createEvaluator, type Evaluator, type Trace } from '../evaluate/index.ts';
export type { Model } from '../pipeline.ts';
