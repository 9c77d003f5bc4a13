// The converged learning state of a running cloud: the MAC tables of every NORMAL switch (per VLAN)
// and Linux bridge, and the flows `learn` actions installed. `LearningState` is the mutable store
// that converge.ts fills; `ConvergedState` (src/semantics/converged.ts) is its plain-data snapshot for
// reports and the SMT encoder. `FactRecorder` stands in for it while convergence records what one
// announcer's walk learns and whether the walk read any learned state (converge.ts).
// Guarantees: the first port a MAC is learned on wins (later sightings are ignored), so repeated
// passes are monotone and converge; learned flows are keyed by (bridge, table, match) and deduplicated.
import type { Mac } from '../ir/packet.ts';
import type { Flow } from '../ir/openflow.ts';
import type { ConvergedState, FdbEntry, LearnedFlow } from '../semantics/converged.ts';

export type { ConvergedState, FdbEntry, LearnedFlow };

/** What a walk reads and writes of the learned state. */
export interface LearningStore {
  lookup(host: string, bridge: string, vlan: number | null, mac: Mac): string | null;
  learnMac(entry: FdbEntry): void;
  learnFlow(host: string, bridge: string, flow: Flow): void;
  learnedFlowsOf(host: string, bridge: string): readonly Flow[];
  /**
   * Told when a learning walk does something whose outcome may depend on what was learned or on more
   * than the frame's path through switches: runs a table `learn` actions write into, meets conntrack,
   * or enters a namespace with a frame that is not ARP.
   */
  noteRead(): void;
}

/** One thing a learning walk learned, in the order it learned it. */
export type Fact =
  | { readonly kind: 'mac'; readonly entry: FdbEntry }
  | { readonly kind: 'flow'; readonly host: string; readonly bridge: string; readonly flow: Flow };

const fdbKey = (host: string, bridge: string, vlan: number | null, mac: Mac) => `${host}\u0000${bridge}\u0000${vlan ?? '-'}\u0000${mac}`;

export class LearningState implements LearningStore {
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

  /** Learns `f` as the walk that recorded it would have. */
  apply(f: Fact): void {
    if (f.kind === 'mac') this.learnMac(f.entry);
    else this.learnFlow(f.host, f.bridge, f.flow);
  }

  /** Learned flows of one bridge, in the order they were learned. */
  learnedFlowsOf(host: string, bridge: string): readonly Flow[] {
    return this.flowsByBridge.get(`${host}\u0000${bridge}`) ?? [];
  }

  noteRead(): void {
    // The store itself: a walk reading it is what it is for.
  }

  snapshot(passes: number, capped: boolean): ConvergedState {
    return { fdb: [...this.fdb.values()], learnedFlows: [...this.flows.values()], passes, capped };
  }
}

/**
 * Records what one walk learns, in order, knowing nothing itself: a lookup finds nothing and counts as
 * a read, as does anything `noteRead` is told of. A walk that made no read went the same way whatever
 * had been learned before it, so its facts are the same in any pass of any convergence.
 */
export class FactRecorder implements LearningStore {
  readonly facts: Fact[] = [];
  reads = 0;

  lookup(_host: string, _bridge: string, _vlan: number | null, _mac: Mac): string | null {
    this.reads++;
    return null;
  }

  learnMac(entry: FdbEntry): void {
    this.facts.push({ kind: 'mac', entry });
  }

  learnFlow(host: string, bridge: string, flow: Flow): void {
    this.facts.push({ kind: 'flow', host, bridge, flow });
  }

  learnedFlowsOf(): readonly Flow[] {
    return [];
  }

  noteRead(): void {
    this.reads++;
  }
}
