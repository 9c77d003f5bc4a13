// `query` to a VIP (src/questions/vip.ts): asked under each port that may hold it (on a live host, when
// one is), or the one `--holder` pins. Reachable only if reachable whichever holds it; an unreachable
// answer under one holder is the answer, naming that holder (and why it answers no ARP for the VIP,
// when its port's rules keep its ARP in); an unknown one makes the answer unknown. Any other `--to`
// is asked once, as it is. The question under one holder (`ask`) is the caller's: the rendered
// dataplane's, or a failure scenario's with its choices of masters.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Topology } from '../topology/model.ts';
import type { Result } from '../errors.ts';
import { createEvaluator } from '../evaluate/index.ts';
import type { QueryAnswer, QueryParams } from './query.ts';
import { holdVip, pinnedHolder, portLabel, unannounced, vipTarget, type HeldVip } from './vip.ts';

/** The holder an answer was found with, and how many were asked. */
export interface VipChoice {
  readonly held: HeldVip;
  /** Holders asked before the answer was settled. */
  readonly asked: number;
  /** Holders there were to ask (1 when pinned). */
  readonly of: number;
  readonly pinned: boolean;
}

export interface HolderAsk<T> {
  /** The question under one dataplane (the holder's); `p.holder` names the holder. */
  readonly ask: (dp: Dataplane, p: QueryParams) => Promise<Result<T>>;
  readonly answerOf: (t: T) => QueryAnswer;
  readonly withAnswer: (t: T, a: QueryAnswer) => T;
}

export async function queryOverHolders<T>(
  topo: Topology,
  dp: Dataplane,
  p: QueryParams,
  o: { readonly holder?: string; readonly down?: ReadonlySet<string> },
  h: HolderAsk<T>,
): Promise<Result<{ readonly value: T; readonly vip: VipChoice | null }>> {
  const vip = vipTarget(topo, dp, p.to, p.via);
  const pin = o.holder === undefined ? null : pinnedHolder(topo, vip, p.to, o.holder);
  if (pin !== null && 'code' in pin) return { ok: false, errors: [pin] };
  if (vip === null) {
    const r = await h.ask(dp, p);
    return r.ok ? { ok: true, value: { value: r.value, vip: null } } : r;
  }
  // A holder on a failed host holds nothing while another may take the VIP over.
  const live = vip.holders.filter((x) => !(o.down?.has(x.host) ?? false));
  const candidates = pin !== null ? [pin] : live.length > 0 ? live : vip.holders;
  const ev = createEvaluator(dp);
  let asked = 0;
  let first: { value: T; held: HeldVip } | null = null;
  let unknown: { value: T; held: HeldVip } | null = null;
  let found: { value: T; held: HeldVip } | null = null;
  for (const holder of candidates) {
    const held = holdVip(dp, ev, vip, holder);
    asked++;
    const r = await h.ask(held.dataplane, { ...p, holder: portLabel(holder) });
    if (!r.ok) return r;
    first ??= { value: r.value, held };
    const verdict = h.answerOf(r.value).verdict;
    if (verdict === 'unreachable') {
      found = { value: r.value, held };
      break;
    }
    if (verdict === 'unknown') unknown ??= { value: r.value, held };
  }
  const pick = found ?? unknown ?? first;
  if (pick === null) throw new Error('no holder of the VIP to ask');
  const a = h.answerOf(pick.value);
  const who = portLabel(pick.held.holder);
  const note = unannounced(pick.held);
  const why = a.verdict === 'reachable'
    ? pin !== null ? `with ${vip.ip} held by ${who} (--holder)` : candidates.length > 1 ? `whichever of ${candidates.map(portLabel).join(', ')} holds ${vip.ip} (the witness: held by ${who})` : `with ${vip.ip} held by ${who}, the only port that may hold it`
    : `with ${vip.ip} held by ${who}${pin !== null ? ' (--holder)' : candidates.length > 1 ? `, one of ${candidates.length} ports that may hold it` : ''}${note ? `: ${note}` : ''}`;
  const value = h.withAnswer(pick.value, { ...a, reason: `${a.reason}; ${why}` });
  return { ok: true, value: { value, vip: { held: pick.held, asked, of: candidates.length, pinned: pin !== null } } };
}
