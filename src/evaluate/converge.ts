// The converged learning state a running cloud has: every station (VM port, outside station) and
// every namespace interface with an address sends a broadcast gratuitous ARP through the walk,
// which records at each NORMAL decision (bridge, VLAN, source MAC → input port), at each Linux
// bridge (bridge, MAC → port) and instantiates `learn` actions. Passes repeat until one learns
// nothing new (two suffice in practice), capped at MAX_PASSES.
// What the passes learn is first computed announcer by announcer, each walk recording its facts
// (FactRecorder). When no walk read learned state (no MAC table lookup — a broadcast floods — no table
// that `learn` writes into, no conntrack, no namespace entered), every pass would walk the same way:
// the state is the first pass's, the facts applied in announcer order, first sighting winning, and the
// second pass would learn nothing. That is what the passes give, without running them. Otherwise the
// passes run as described. An announcer's recorded facts depend only on its frame and the switches,
// links and stations it crosses, so `AnnouncerFacts` keeps them across dataplanes that differ only in
// namespaces' addresses and routes (an HA router's choices of masters): a new choice walks only the
// announcers it adds (its masters' qr-/qg- addresses).
import type { Dataplane } from '../ir/dataplane.ts';
import type { Hop } from './trace.ts';
import type { Next, WalkEnv } from './walk.ts';
import { follow, senderHop, vmDevice, walk } from './walk.ts';
import { gratuitousArp } from './arp.ts';
import { FactRecorder, type Fact, type LearningState } from './state.ts';

export const MAX_PASSES = 4;

export interface Announcer {
  /** What decides its walk: where its frame leaves and the frame (source MAC and address, VLAN). */
  readonly key: string;
  readonly first: Hop;
  readonly start: Next;
}

const keyOf = (first: Hop): string => `${first.host}\u0000${first.device}\u0000${first.outPort ?? ''}\u0000${first.out?.eth_src ?? ''}\u0000${first.out?.ip_src ?? ''}\u0000${first.out?.vlan ?? '-'}`;

/** Every announcer: its own hop and where its frame goes next. */
export function announcers(env: WalkEnv, dp: Dataplane): Announcer[] {
  const out: Announcer[] = [];
  const add = (first: Hop, start: Next) => out.push({ key: keyOf(first), first, start });
  for (const s of dp.stations) {
    if (s.kind === 'vm-port') {
      const p = gratuitousArp(s.mac, s.ip, null);
      const first = senderHop(s.host, vmDevice(s.vm), 'vm', String(s.index), p);
      add(first, { kind: 'device', host: s.attachment.host, device: s.attachment.device, inPort: s.attachment.port, packet: p, pre: [] });
    } else {
      const p = gratuitousArp(s.mac, s.gateway, s.vlan);
      const wire = env.index.wireOfPhysnet(s.physnet);
      const first = senderHop('outside', s.network, 'outside', `physnet:${s.physnet}`, p);
      add(first, wire ? { kind: 'wire', host: 'outside', wire, from: null, fromOutside: s.network, packet: p } : { kind: 'dead', rule: `no wire for physnet ${s.physnet}` });
    }
  }
  for (const h of dp.hosts) {
    for (const ns of h.namespaces) {
      for (const i of ns.interfaces) {
        for (const a of i.addresses) {
          const p = gratuitousArp(i.mac, a.ip, null);
          add(senderHop(h.name, ns.name, 'namespace', i.name, p), follow(env, h.name, ns.name, i.name, p));
        }
      }
    }
  }
  return out;
}

/**
 * Announcers' recorded facts, kept for dataplanes of one shape: the same hosts' bridges, links, wires,
 * stations and failures (by identity, as withVrrpState leaves them). A dataplane of another shape
 * neither reads nor fills it.
 */
export class AnnouncerFacts {
  private readonly facts = new Map<string, readonly Fact[]>();
  private shape: readonly unknown[] | null = null;

  /** Whether `dp` is of the shape the kept facts were recorded on (the first dataplane asked sets it). */
  fits(dp: Dataplane): boolean {
    const shape = shapeOf(dp);
    if (this.shape === null) this.shape = shape;
    return shape.length === this.shape.length && shape.every((x, i) => x === this.shape?.[i]);
  }

  get(key: string): readonly Fact[] | undefined {
    return this.facts.get(key);
  }

  set(key: string, facts: readonly Fact[]): void {
    this.facts.set(key, facts);
  }

  get size(): number {
    return this.facts.size;
  }
}

const shapeOf = (dp: Dataplane): unknown[] =>
  [dp.links, dp.wires, dp.stations, dp.failures, ...dp.hosts.flatMap((h) => [h.name, h.tunnelIp, h.ovsBridges, h.linuxBridges])];

/** How convergence records one walk: a walk environment learning into `store`. */
export interface Recording {
  env(store: FactRecorder): WalkEnv;
  /** Facts kept across dataplanes of one shape (null: none). */
  readonly kept: AnnouncerFacts | null;
}

/** Each announcer's facts, in order; null as soon as one walk read learned state. */
function recordAll(senders: readonly Announcer[], rec: Recording, kept: AnnouncerFacts | null): (readonly Fact[])[] | null {
  const out: (readonly Fact[])[] = [];
  for (const s of senders) {
    const hit = kept?.get(s.key);
    if (hit !== undefined) {
      out.push(hit);
      continue;
    }
    const store = new FactRecorder();
    walk(rec.env(store), s.first, s.start);
    if (store.reads > 0) return null;
    kept?.set(s.key, store.facts);
    out.push(store.facts);
  }
  return out;
}

/**
 * Converges `state` (env.learn must be true and env.state must be `state`); returns the passes the
 * learning takes and whether the cap stopped it. With `rec`, the walks are recorded first (see above).
 */
export function converge(env: WalkEnv, state: LearningState, dp: Dataplane, rec?: Recording): { passes: number; capped: boolean } {
  const senders = announcers(env, dp);
  if (rec !== undefined) {
    const kept = rec.kept !== null && rec.kept.fits(dp) ? rec.kept : null;
    const logs = recordAll(senders, rec, kept);
    if (logs !== null) {
      let any = false;
      for (const log of logs) for (const f of log) { state.apply(f); any = true; }
      // The first pass learned these; the second, walking the same way, would learn nothing.
      return { passes: any ? 2 : 1, capped: false };
    }
  }
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const before = state.version;
    for (const s of senders) walk(env, s.first, s.start);
    if (state.version === before) return { passes: pass, capped: false };
  }
  return { passes: MAX_PASSES, capped: true };
}
