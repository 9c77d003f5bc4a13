// One verdict from a question asked under several choices of HA masters (src/scenario/variants.ts):
// it holds only if it holds whichever instances are masters. A violation under one choice is the
// verdict, with that choice's masters named; else an unknown under one choice makes it unknown; else it
// holds, and the message says over how many choices.
import type { ScenarioContext, Variant } from '../scenario/context.ts';
import type { PropertyResult } from './property.ts';

export interface VariantResult {
  readonly result: PropertyResult;
  readonly variant: Variant;
}

/** At most this many routers are named in a message (the JSON `masters` has them all). */
const NAMED = 4;

function mastersNote(ctx: ScenarioContext, v: Variant): string {
  const routers = ctx.haRouters;
  const shown = ctx.describeMasters(v, routers.slice(0, NAMED));
  return routers.length > NAMED ? `${shown} and ${routers.length - NAMED} more HA routers` : shown;
}

export function mergeVariants(ctx: ScenarioContext, rs: readonly VariantResult[]): PropertyResult {
  const first = rs[0];
  if (!first) throw new Error('no result to merge');
  if (ctx.haRouters.length === 0) return first.result;
  const pick = rs.find((r) => r.result.verdict === 'violated') ?? rs.find((r) => r.result.verdict === 'unknown') ?? first;
  const r = pick.result;
  if (r.verdict === 'holds') {
    const over = rs.length === 1 ? 'with the masters VRRP elects' : `under each of ${rs.length} choices of masters VRRP allows`;
    return { ...r, message: `${r.message} (${over})` };
  }
  // The same verdict under every choice does not depend on the masters: naming one choice would mislead.
  if (rs.every((x) => x.result.verdict === r.verdict)) return rs.length === 1 ? r : { ...r, message: `${r.message} (under each of ${rs.length} choices of masters VRRP allows)` };
  return { ...r, message: `${r.message} — with ${mastersNote(ctx, pick.variant)}`, masters: ctx.mastersJson(pick.variant) };
}
