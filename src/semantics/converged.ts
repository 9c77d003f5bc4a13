// The converged learning state of a running cloud as plain data: the MAC tables of every NORMAL
// switch (per VLAN) and Linux bridge, and the flows `learn` actions installed. The evaluator computes
// it (src/evaluate/converge.ts); the solver reads it, so both see the same MAC tables.
import type { Mac } from '../ir/packet.ts';
import type { Flow } from '../ir/openflow.ts';

/** One MAC table entry. `vlan` is the NORMAL VLAN (0 = untagged); null for a Linux bridge. */
export interface FdbEntry {
  readonly host: string;
  readonly bridge: string;
  readonly vlan: number | null;
  readonly mac: Mac;
  readonly port: string;
}

export interface LearnedFlow {
  readonly host: string;
  readonly bridge: string;
  readonly flow: Flow;
}

export interface ConvergedState {
  readonly fdb: readonly FdbEntry[];
  readonly learnedFlows: readonly LearnedFlow[];
  /** Learning passes run until nothing new was learned (or the cap was hit). */
  readonly passes: number;
  /** True when the cap stopped learning before a pass learned nothing. */
  readonly capped: boolean;
}
