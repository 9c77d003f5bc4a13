// How `trace` and `query` state the scenario and the masters they were answered with: a line each in
// text, a `scenario` object in JSON ({ failed, cut, masters }, an addition to DESIGN §4's contract).
import type { ScenarioContext, Variant } from '../scenario/context.ts';

export interface ScenarioJson {
  failed: string[];
  cut: [string, string][];
  masters: Record<string, string[]>;
}

export function scenarioJson(ctx: ScenarioContext, v: Variant): ScenarioJson {
  return {
    failed: [...ctx.spec.failures.down],
    cut: ctx.spec.failures.cuts.map(([a, b]) => [a, b]),
    masters: ctx.mastersJson(v),
  };
}

/** `scenario: …` (when there is one) and `masters: …` (when there are HA routers), with where the masters come from. */
export function scenarioLines(ctx: ScenarioContext, v: Variant, scenario: string, because?: string): string[] {
  const lines: string[] = [];
  if (scenario !== '') lines.push(`scenario: ${scenario}`);
  if (ctx.haRouters.length > 0) {
    const first = ctx.firstChoice();
    const pinned = ctx.spec.pins.size > 0;
    const why = because ?? (v.choice.every((c, i) => c === first[i])
      ? (pinned ? 'as pinned with --master, the others as VRRP elects them first' : 'as VRRP elects them first; --master ROUTER=HOST picks another')
      : 'one choice VRRP allows');
    lines.push(`masters: ${ctx.describeMasters(v)} (${why})`);
  }
  return lines;
}
