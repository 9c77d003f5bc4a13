// The converged learning state of a running cloud: the MAC tables of every NORMAL switch (per VLAN)
// and Linux bridge, and the flows `learn` actions installed. `LearningState` is the mutable store
// that converge.ts fills; `ConvergedState` (src/semantics/converged.ts) is its plain-data snapshot for
// reports and the SMT encoder.
// Guarantees: the first port a MAC is learned on wins (later sightings are ignored), so repeated
// passes are monotone and converge; learned flows are keyed by (bridge, table, match) and deduplicated.
import type { Mac } from '../ir/packet.ts';
import type { Flow } from '../ir/openflow.ts';
import type { ConvergedState, FdbEntry, LearnedFlow } from '../semantics/converged.ts';

export type { ConvergedState, FdbEntry, LearnedFlow };

const fdbKey = (host: string, bridge: string, vlan: number | null, mac: Mac) => `${host}\u0000${bridge}\u0000${vlan ?? '-'}\u0000${mac}`;

export class LearningState {
  private readonly fdb = new Map<string, FdbEntry>();
  private readonly flows = new Map<string, LearnedFlow>();
  private readonly flowsByBridge = new Map<string, Flow[]>();
  /** Bumped on every new fact: converge compares it across passes. */
  version = 0;

  lookup(host: string, bridge: string, vlan: number | null, mac: Mac): string | null {
    return this.fdb.get(fdbKey(host, bridge, vlan, mac))?.port ?? null;
  }

  learnMac(entry: FdbEntry): void {
    const k = fdbKey(entry.host, entry.bridge, entry.vlan, entry.mac);
    if (this.fdb.has(k)) return;
    this.fdb.set(k, entry);
    this.version++;
  }

  learnFlow(host: string, bridge: string, flow: Flow): void {
    const k = `${host}\u0000${bridge}\u0000${flow.table}\u0000${flow.priority}\u0000${JSON.stringify(flow.match)}`;
    if (this.flows.has(k)) return;
    this.flows.set(k, { host, bridge, flow });
    const bk = `${host}\u0000${bridge}`;
    const list = this.flowsByBridge.get(bk) ?? [];
    list.push(flow);
    this.flowsByBridge.set(bk, list);
    this.version++;
  }

  /** Learned flows of one bridge, in the order they were learned. */
  learnedFlowsOf(host: string, bridge: string): readonly Flow[] {
    return this.flowsByBridge.get(`${host}\u0000${bridge}`) ?? [];
  }

  snapshot(passes: number, capped: boolean): ConvergedState {
    return { fdb: [...this.fdb.values()], learnedFlows: [...this.flows.values()], passes, capped };
  }
}
