// What a port's first device (its qbr with the hybrid firewall, else br-int) lets past from the VM
// behind it with a source MAC or address that is not the port's own or an allowed address pair's:
// the question behind the `anti-spoofing` property, and the proof that lets every other question look
// at a port-secured sender's own packets (and its DHCP client requests) rather than at everything a VM
// can put on the wire. Nothing is assumed: a port whose proof fails, times out or meets an unmodelled
// rule is explored with every source MAC and address, as before.
// The question: every IPv4 packet entering the device from the VM is followed through it with the
// solver. On a Linux bridge the destination MAC is fixed to broadcast: no netfilter match reads a
// destination MAC (the IR has none), and the bridge floods a broadcast to every port a unicast frame
// could be forwarded to, each copy through the same hooks in the same context, so it stands for all
// of them; with it free, the bridge's MAC table would split the question into one branch per learned
// MAC. An OVS bridge's flows may match the destination MAC, so there it stays free.
// Guarantees: a port's proof `narrows` only on unsat answers that nothing spoofed but a DHCP client
// request (judged as sent and as it leaves) is sent on by any port but the VM's, nothing spoofed but
// a DHCP client request comes back to the VM, and no spoofed packet meets something unmodelled there.
// Then the port's packets that go anywhere beyond its first device are its own and its DHCP client
// requests (only DHCPDISCOVERs, from 0.0.0.0 to 255.255.255.255, where the solver proves no other
// spoofed request gets past), and `checkedSources` narrows the sender to exactly those; what it leaves out ends in that
// device, dropped (no question asks about those drops: they concern the anti-spoofing rules, which
// this question reads). Proofs are kept per dataplane, evaluator, port and address pairs; ports asked together share one
// solver call per batch. Under another choice of HA masters the narrowing takes the first choice's proof of a
// port whose first device is the same there (takenProof): masters move no port's firewall.
import { BROADCAST_MAC } from '../ir/packet.ts';
import type { Dataplane } from '../ir/dataplane.ts';
import type { Evaluator } from '../evaluate/index.ts';
import { anyOf, dhcpClientRequest, exploreDevice, getZ3, perInstance, ownAddresses, unsatIndices, type AddressPair, type Cond, type Conjunction, type Enc, type SourceSpec, type SymPacket } from '../smt/index.ts';
import type { Port } from '../smt/walk-ctx.ts';
import type { VmPortStation } from './endpoints.ts';
import { macToNumber } from '../net/mac.ts';
import { firstChoiceOf } from '../scenario/siblings.ts';
import { sameDevices } from '../scenario/device-digest.ts';
import { vmDevice } from '../semantics/topology-index.ts';

/** A port-secured VM port and its own addresses besides its fixed ones. */
export interface SpoofTarget {
  readonly s: VmPortStation;
  readonly pairs: readonly AddressPair[];
}

/** What one port's first device lets past, as conditions over the packet the VM sent. */
export interface SpoofQuestion {
  readonly target: SpoofTarget;
  readonly at: Port;
  readonly enc: Enc;
  readonly sent: SymPacket;
  /** Spoofed (as sent or as it leaves), not a DHCP client request, and sent on towards the network. */
  readonly bad: Cond;
  /** Spoofed as sent, not a DHCP client request, and sent back to the VM. */
  readonly back: Cond;
  /** Spoofed DHCP client requests that get past: from 0.0.0.0 to 255.255.255.255, otherwise, from another MAC. */
  readonly dhcp: readonly [Cond, Cond, Cond];
  /** Spoofed packets whose fate in the device is not modelled. */
  readonly open: Cond;
}

/** Whether `at` is a port of a bridge (a VM's tap may be attached to none). */
function plugged(dp: Dataplane, at: Port): boolean {
  const h = dp.hosts.find((x) => x.name === at.host);
  return h !== undefined && [...h.ovsBridges, ...h.linuxBridges].some((b) => b.name === at.device);
}

/**
 * Whether a packet leaves the device at `at` with the source MAC, address, protocol and ports it was
 * sent with: a Linux bridge whose host's root namespace has no NAT rule (bridged IPv4 crosses its
 * hooks). There a path's packet, with the values its rules pinned substituted, stands for the packet
 * as sent, and a path the spoof chain pins to the port's own source folds to false without the solver.
 */
function keepsSource(dp: Dataplane, at: Port): boolean {
  const h = dp.hosts.find((x) => x.name === at.host);
  if (h === undefined || !h.linuxBridges.some((b) => b.name === at.device)) return false;
  const root = h.namespaces.find((n) => n.name === 'root');
  const nat = new Set(['SNAT', 'DNAT', 'REDIRECT']);
  return !(root?.netfilter.tables ?? []).some((t) => t.chains.some((c) => c.rules.some((r) => nat.has(r.target.kind))));
}

/** The destination MAC the question fixes at `at` (null: left free; see the top of this file). */
function fixedDst(dp: Dataplane, at: Port): number | null {
  const lb = dp.hosts.find((h) => h.name === at.host)?.linuxBridges.some((b) => b.name === at.device) ?? false;
  return lb ? macToNumber(BROADCAST_MAC) : null;
}

/**
 * The port's question, over variables named `prefix`; `ethDst` fixes the destination MAC where the
 * device allows it (a Linux bridge: a witness that reads as traffic), else the device's default.
 */
export async function askSpoofing(dp: Dataplane, ev: Evaluator, target: SpoofTarget, prefix: string, timeoutMs: number, ethDst?: number): Promise<SpoofQuestion> {
  const { s, pairs } = target;
  const at = s.attachment;
  const fixed = fixedDst(dp, at);
  const dst = fixed === null ? null : (ethDst ?? fixed);
  const kept = keepsSource(dp, at);
  const x = await exploreDevice(dp, { kind: 'any-ipv4', at, prefix, ...(dst === null ? {} : { ethDst: dst }) }, [], { converged: ev.converged, timeoutMs });
  const e = x.enc;
  const bad: Conjunction[] = [];
  const back: Conjunction[] = [];
  const dhcp: [Conjunction[], Conjunction[], Conjunction[]] = [[], [], []];
  const open: Conjunction[] = [];
  let sent: SymPacket | null = null;
  for (const o of x.outcomes) {
    sent = o.sent;
    const st = o.step;
    const p = st.path.packet;
    // The packet as sent, with what the path pinned where the device keeps the source (keepsSource):
    // a path whose rules pin it to the port's own (the spoof chain's RETURN) folds to false here.
    const asSent = kept ? p : o.sent;
    const spoofedSent = e.and(e.not(ownAddresses(e, s, pairs, asSent)), e.not(dhcpClientRequest(e, asSent)));
    if (st.kind === 'unknown') open.push({ pc: st.path.pc, last: e.not(ownAddresses(e, s, pairs, asSent)) });
    if (st.kind !== 'emit') continue;
    if (st.port === at.port) {
      back.push({ pc: st.path.pc, last: spoofedSent });
      continue;
    }
    const client = dhcpClientRequest(e, p);
    const spoofed = e.not(ownAddresses(e, s, pairs, p));
    bad.push({ pc: st.path.pc, last: e.or(spoofedSent, e.and(spoofed, e.not(client))) });
    const discover = e.and(e.eq(p.ip_src, 0, 32), e.eq(p.ip_dst, 0xffffffff, 32));
    const spoofedClient = e.and(spoofed, client);
    dhcp[0].push({ pc: st.path.pc, last: e.and(spoofedClient, discover) });
    dhcp[1].push({ pc: st.path.pc, last: e.and(spoofedClient, e.not(discover)) });
    dhcp[2].push({ pc: st.path.pc, last: e.and(spoofedClient, e.not(e.eq(p.eth_src, macToNumber(s.mac), 48))) });
  }
  if (sent === null) throw new Error(`no packet explored at ${at.host}/${at.device}`);
  const [d0, d1, d2] = dhcp.map((c) => anyOf(e, c)) as [Cond, Cond, Cond];
  return { target, at, enc: e, sent, bad: anyOf(e, bad), back: anyOf(e, back), dhcp: [d0, d1, d2], open: anyOf(e, open) };
}

/** A port's anti-spoofing as the solver answered it. */
export interface SpoofProof {
  readonly target: SpoofTarget;
  /** Null: the port is attached to no bridge in the dataplane (nothing to ask, nothing proved). */
  readonly q: SpoofQuestion | null;
  /** Nothing spoofed past but DHCP client requests. */
  readonly clean: boolean;
  /** Nothing spoofed meets something unmodelled. */
  readonly settled: boolean;
  /** Everything spoofed that goes anywhere is a DHCP client request: the sender may be narrowed. */
  readonly narrows: boolean;
  /** And every such request is from 0.0.0.0 to 255.255.255.255 (the DHCPDISCOVER current releases let through). */
  readonly onlyDiscover: boolean;
}

/** The variables of a port's question: one set per port, shared by the property and the narrowing. */
export const spoofPrefix = (s: VmPortStation): string => `spoof.${s.vm}:${s.index}`;

/**
 * Proofs by dataplane, then evaluator (the converged state the walk reads is the evaluator's, and an
 * evaluator built without learning has another), then port and its address pairs: a proof is only
 * ever reused for the very dataplane, learning state and addresses it was asked about.
 */
// Per Z3 instance: a proof holds the terms of its question, which a renewed instance does not know.
const proofs = perInstance(() => new WeakMap<Dataplane, WeakMap<Evaluator, Map<string, Promise<SpoofProof>>>>());

const targetKey = (t: SpoofTarget): string => `${t.s.portId}|${JSON.stringify(t.pairs)}`;

/** Told how far the ports' questions are: `done` of `total` explored. */
export type SpoofProgress = (done: number, total: number) => void;

/** The proofs of `targets` in `dp` with `ev`'s learning state (kept); the ones not yet asked are asked together. */
export function spoofProofs(dp: Dataplane, ev: Evaluator, targets: readonly SpoofTarget[], timeoutMs: number, progress?: SpoofProgress): Promise<SpoofProof[]> {
  let byEvaluator = proofs().get(dp);
  if (!byEvaluator) proofs().set(dp, (byEvaluator = new WeakMap()));
  let known = byEvaluator.get(ev);
  if (!known) byEvaluator.set(ev, (known = new Map()));
  // The first of each port and its pairs, by a set of keys: a `findIndex` per target grew as ports squared.
  const seen = new Set<string>();
  const todo = targets.filter((t) => {
    const k = targetKey(t);
    if (known.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (todo.length > 0) {
    const batch = (async (): Promise<SpoofProof[]> => {
      const qs: SpoofQuestion[] = [];
      const asked = todo.filter((x) => plugged(dp, x.s.attachment));
      for (const [i, t] of asked.entries()) {
        progress?.(i, asked.length);
        qs.push(await askSpoofing(dp, ev, t, spoofPrefix(t.s), timeoutMs));
      }
      const z3 = await getZ3();
      const e = qs[0]?.enc;
      const none = new Set<number>();
      const clean = e === undefined ? none : await unsatIndices(z3, e, qs.map((q) => q.bad), timeoutMs);
      const settled = e === undefined ? none : await unsatIndices(z3, e, qs.map((q) => q.open), timeoutMs);
      const sealed = e === undefined ? none : await unsatIndices(z3, e, qs.map((q) => q.back), timeoutMs);
      const discover = e === undefined ? none : await unsatIndices(z3, e, qs.map((q) => q.dhcp[1]), timeoutMs);
      const byTarget = new Map(qs.map((q, i) => {
        const narrows = clean.has(i) && settled.has(i) && sealed.has(i);
        return [targetKey(q.target), { target: q.target, q, clean: clean.has(i), settled: settled.has(i), narrows, onlyDiscover: narrows && discover.has(i) }] as const;
      }));
      return todo.map((t) => byTarget.get(targetKey(t)) ?? { target: t, q: null, clean: false, settled: false, narrows: false, onlyDiscover: false });
    })();
    todo.forEach((t, i) => known.set(targetKey(t), batch.then((b) => b[i]!)));
  }
  return Promise.all(targets.map((t) => known.get(targetKey(t))!));
}

/**
 * Proofs taken, per evaluator, from the first choice of masters of its scenario (src/scenario/siblings.ts),
 * by port and address pairs.
 */
const taken = perInstance(() => new WeakMap<Evaluator, Map<string, Promise<SpoofProof>>>());

/**
 * The proof of `t` asked at the first choice of masters `ev`'s variant was built after, when it was
 * asked there and the question reads the same there: the port's first device, its host's root
 * namespace (whose hooks bridged traffic crosses) and its VM (the port's addresses, which the question
 * calls its own) with the same digests, and the same addresses DNAT rewrites to (the question explores
 * that device alone: src/smt/local.ts). The same question of the same device has the same answer, so
 * only the narrowing of senders takes it; the `anti-spoofing` property asks its own (and carries its
 * results on the same devices: carry.ts). Undefined when there is none.
 */
function takenProof(dp: Dataplane, ev: Evaluator, t: SpoofTarget): Promise<SpoofProof> | undefined {
  const from = firstChoiceOf(ev);
  if (from === undefined) return undefined;
  let mine = taken().get(ev);
  if (!mine) taken().set(ev, (mine = new Map()));
  const k = targetKey(t);
  const hit = mine.get(k);
  if (hit !== undefined) return hit;
  const there = proofs().get(from.dataplane)?.get(from.evaluator)?.get(k);
  const at = t.s.attachment;
  if (there === undefined || !sameDevices(from, { dataplane: dp, evaluator: ev }, [`${at.host}/${at.device}`, `${at.host}/root`, `${t.s.host}/${vmDevice(t.s.vm)}`])) return undefined;
  mine.set(k, there);
  return there;
}

/** How many proofs the narrowing of senders took from the first choice of masters in `ev` (for tests and measurements). */
export function proofsTaken(ev: Evaluator): number {
  return taken().get(ev)?.size ?? 0;
}

/** The proofs the narrowing of senders reads: taken from the first choice of masters where they may be (takenProof), the others asked. */
async function narrowingProofs(dp: Dataplane, ev: Evaluator, targets: readonly SpoofTarget[], timeoutMs: number, progress?: SpoofProgress): Promise<SpoofProof[]> {
  const from = targets.map((t) => takenProof(dp, ev, t));
  const asked = targets.filter((_, i) => from[i] === undefined);
  const fresh = asked.length === 0 ? [] : await spoofProofs(dp, ev, asked, timeoutMs, progress);
  let k = 0;
  return Promise.all(from.map((p) => p ?? Promise.resolve(fresh[k++]!)));
}

/** The port-secured VM ports among `specs` that are explored with every source (candidates for narrowing). */
function targetsOf(specs: readonly SourceSpec[]): SpoofTarget[] {
  return specs.flatMap((sp) => (sp.station.kind === 'vm-port' && sp.anySource === true && sp.portSecurity === true ? [{ s: sp.station, pairs: sp.allowedAddressPairs ?? [] }] : []));
}

/** Prove the anti-spoofing of the port-secured senders among `specs` ahead of time, all in one batch. */
export async function proveSenders(dp: Dataplane, ev: Evaluator, specs: readonly SourceSpec[], timeoutMs: number, progress?: SpoofProgress): Promise<void> {
  const targets = targetsOf(specs);
  if (targets.length > 0) await narrowingProofs(dp, ev, targets, timeoutMs, progress);
}

/**
 * The senders as a question should explore them: a port-secured VM port whose anti-spoofing is proved
 * sends its own packets, and DHCP client requests from any other MAC and address — only the
 * DHCPDISCOVERs where no other gets past (all that goes anywhere beyond its first device); any other
 * sender as given (a VM port: anything).
 */
export async function checkedSources(dp: Dataplane, ev: Evaluator, specs: readonly SourceSpec[], timeoutMs: number): Promise<SourceSpec[]> {
  const targets = targetsOf(specs);
  if (targets.length === 0) return [...specs];
  const proved = new Map((await narrowingProofs(dp, ev, targets, timeoutMs)).map((p) => [targetKey(p.target), p] as const));
  return specs.map((sp) => {
    const s = sp.station;
    const p = s.kind === 'vm-port' && sp.anySource === true && sp.portSecurity === true ? proved.get(targetKey({ s, pairs: sp.allowedAddressPairs ?? [] })) : undefined;
    if (p === undefined || !p.narrows) return sp;
    return { station: s, portSecurity: true, allowedAddressPairs: sp.allowedAddressPairs ?? [], dhcpClients: p.onlyDiscover ? 'discover' : 'any' };
  });
}
