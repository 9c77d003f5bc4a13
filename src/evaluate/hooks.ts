// One netfilter hook run as the walker records it: the rules hit become trace steps, NAT becomes
// `nat` events, a drop becomes a DropPoint with the rule and its origin. Shared by the Linux bridge
// (bridged traffic through the root namespace) and the namespace model.
import type { NetfilterRuleset } from '../ir/netfilter.ts';
import type { DropPoint, HopEvent, TraceStep } from './trace.ts';
import type { NetfilterEngine, NfCtx, NfHook, NfStateView } from './nf-engine.ts';

/** What the walker needs to run netfilter: the engine and the session's conntrack per namespace. */
export interface NfEnv {
  readonly engine: NetfilterEngine;
  conntrackOf(host: string, namespace: string): unknown;
}

export interface RecordedHook {
  readonly state: NfStateView;
  readonly steps: readonly TraceStep[];
  readonly events: readonly HopEvent[];
  readonly uncertain: readonly string[];
  readonly drop: DropPoint | null;
}

export function runHookRecorded(
  env: NfEnv,
  where: { readonly host: string; readonly device: string; readonly namespace: string },
  ruleset: NetfilterRuleset,
  hook: NfHook,
  state: NfStateView,
  ctx: NfCtx,
): RecordedHook {
  const r = env.engine.runHook(ruleset, hook, state, ctx, env.conntrackOf(where.host, where.namespace));
  const steps: TraceStep[] = r.hits.map((h) => ({ where: `${h.table}/${h.chain}`, rule: h.rule.origin.text, action: h.action, origin: h.rule.origin }));
  const events: HopEvent[] = r.nat.map((n) => ({ kind: 'nat', nat: n.type, field: n.field, from: n.from, to: n.to, ...(n.randomPortIn ? { randomPortIn: n.randomPortIn } : {}) }));
  let drop: DropPoint | null = null;
  if (r.verdict === 'drop') {
    const by = r.droppedBy;
    drop = by?.rule
      ? { host: where.host, device: where.device, rule: by.rule.origin.text, origin: by.rule.origin }
      : { host: where.host, device: where.device, rule: by ? `${by.table}/${by.chain} policy DROP` : `${hook}: dropped`, origin: null };
  }
  return { state: r.state, steps, events, uncertain: r.uncertain.map((u) => `${hook} in ${where.namespace}@${where.host}: ${u}`), drop };
}
