// The count an oracle suite keeps and prints: packets tried, packets on which netproof and the real
// dataplane agree, packets excluded from the comparison — each by a named rule, never silently — and
// the disagreements with both sides spelled out. NETPROOF_ORACLE_DUMP=FILE appends every
// disagreement to FILE (the test output shows the first few); NETPROOF_ORACLE_COUNTS=FILE appends a
// suite's totals, one JSON line per component, for `.ci/run`'s summary line (.ci/oracle-counts.mjs).
import { appendFileSync } from 'node:fs';

/** A reason a packet is not compared, with the words the suite prints. */
export interface ExclusionRule { readonly name: string; readonly why: string }

export class Tally {
  tried = 0;
  agree = 0;
  readonly excluded = new Map<string, number>();
  readonly disagreements: string[] = [];
  /** Agreed packets of kinds a suite names (the protocols whose comparison is new, say), by kind. */
  readonly agreedOf = new Map<string, number>();

  constructor(readonly suite: string, private readonly rules: readonly ExclusionRule[]) {}

  agreeOne(kind?: string): void {
    this.tried++;
    this.agree++;
    if (kind !== undefined) this.agreedOf.set(kind, (this.agreedOf.get(kind) ?? 0) + 1);
  }

  disagree(text: string): void {
    this.tried++;
    this.disagreements.push(text);
    const dump = process.env.NETPROOF_ORACLE_DUMP;
    if (dump) appendFileSync(dump, `[${this.suite}] ${text}\n`);
  }

  exclude(rule: ExclusionRule): void {
    if (!this.rules.includes(rule)) throw new Error(`${this.suite}: exclusion rule "${rule.name}" is not declared`);
    this.tried++;
    this.excluded.set(rule.name, (this.excluded.get(rule.name) ?? 0) + 1);
  }

  /** Adds another tally's counts (same rules). */
  add(t: Tally): void {
    this.tried += t.tried;
    this.agree += t.agree;
    for (const [k, v] of t.excluded) this.excluded.set(k, (this.excluded.get(k) ?? 0) + v);
    for (const [k, v] of t.agreedOf) this.agreedOf.set(k, (this.agreedOf.get(k) ?? 0) + v);
    this.disagreements.push(...t.disagreements);
  }

  get excludedCount(): number {
    return [...this.excluded.values()].reduce((a, b) => a + b, 0);
  }

  /** Appends these counts as the totals of `component` to NETPROOF_ORACLE_COUNTS's file, when it is set. */
  recordTotals(component: string): void {
    const file = process.env.NETPROOF_ORACLE_COUNTS;
    if (!file) return;
    const line = { component, tried: this.tried, compared: this.tried - this.excludedCount, agree: this.agree, disagree: this.disagreements.length, excluded: this.excludedCount };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }

  /** `suite: tried N, agree N, disagree N, excluded N (rule: n — why; …)`, every declared rule listed. */
  summary(): string {
    const rules = this.rules.map((r) => `${r.name}: ${this.excluded.get(r.name) ?? 0} — ${r.why}`);
    const of = [...this.agreedOf].map(([k, v]) => `${k} ${v}`).join(', ');
    return `${this.suite}: tried ${this.tried}, agree ${this.agree}${of ? ` (of which ${of})` : ''}, disagree ${this.disagreements.length}, excluded ${this.excludedCount}` +
      (rules.length > 0 ? `\n  excluded by rule:\n    ${rules.join('\n    ')}` : '');
  }
}
