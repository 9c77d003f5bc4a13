// Property `diff-shortcuts`: diff's concrete choice of a sender's first solver (a packet built from what
// changed shows a difference in both replays: src/questions/diff-concrete.ts, DiffHow `concrete`) and
// its destination port proved forced in one check (DiffHow `forcedPort`) answer as the solver's way
// (`concrete: false, forcedPort: false`): on a random topology with one random change (test/diff/
// changes.ts; a group's rule added in half the cases, tcp to 22, 80, 443 or 8080, or to a range of
// ports from one of them, where both shortcuts apply), `diff` of every sender answers, each way on a Z3
// instance started afresh, the same senders' records byte for byte and the same differences in all a
// witness preference pins (test/diff/pinned.ts), the whole witnesses and traces where the witnesses are
// the same; different only in what no preference pins (the first model comes from another solver).
// Counts the shortcuts taken and the answers the same byte for byte.
import fc from 'fast-check';
import { parse } from 'yaml';
import { runDiff, diffShortcuts, type DiffAnswer, type DiffHow } from '../../../src/questions/diff.ts';
import { shutdownZ3 } from '../../../src/smt/index.ts';
import { topologyYaml } from '../../../src/testing/index.ts';
import type { TopologyFile } from '../../../src/topology/schema.ts';
import { applyChange, arbitraryChange, type ChangeChoice } from '../../diff/changes.ts';
import { party } from '../../diff/pairs.ts';
import { pinned, traces } from '../../diff/pinned.ts';
import { bump, type Counts, type FuzzProperty } from '../property.ts';
import { arbitraryCase, fromYaml, type TopologyCase } from './cases.ts';
import { shortcutBounds } from './switched.ts';

export interface DiffCase extends TopologyCase {
  readonly change: ChangeChoice;
  /** A rule added allows a range of ports from its port (`port: "P-P+n"`), n = this; 0: one port. */
  readonly range: number;
}

export interface DiffShortcutOptions {
  readonly ci?: boolean;
}

const ALL_ON: DiffHow = { incremental: true };
const SOLVER_WAY: DiffHow = { incremental: true, concrete: false, forcedPort: false };

/** The pair's two files, or null when the change does not apply or a side does not load. */
function pairOf(c: DiffCase): { before: string; after: string; what: string } | null {
  const file = parse(c.g.yaml) as TopologyFile;
  const changed = applyChange(file, c.change);
  if (changed === null) return null;
  let what = changed.what;
  if (c.change.kind === 'rule-added' && c.range > 0) {
    // The rule added is the last of the one group that gained a rule.
    const rules = (f: TopologyFile) => Object.values(f.security_groups ?? {}).flatMap((gs) => Object.values(gs).map((g) => (Array.isArray(g) ? g : g.rules)));
    const [was, now] = [rules(file), rules(changed.file)];
    const grown = now.find((rs, i) => rs.length > (was[i]?.length ?? 0));
    const added = grown?.[grown.length - 1] as { port?: number | string } | undefined;
    if (added === undefined) return null;
    added.port = `${c.change.port}-${c.change.port + c.range}`;
    what = what.replace(`tcp/${c.change.port}`, `tcp/${added.port}`);
  }
  const after = topologyYaml(changed.file);
  if (party(c.g.yaml) === null || party(after) === null) return null;
  return { before: c.g.yaml, after, what };
}

async function run(before: string, after: string, how: DiffHow): Promise<{ answer: string; concrete: number; forced: number }> {
  await shutdownZ3();
  const was = diffShortcuts();
  const r = await runDiff(party(before)!, party(after)!, { from: null, to: null, via: null }, 20_000, how);
  const now = diffShortcuts();
  return { answer: JSON.stringify(r.ok ? r.value : r.errors), concrete: now.concrete - was.concrete, forced: now.forced - was.forced };
}

/** A pinned list with each class's whole witness left out (compared whole only where the same). */
const strip = (xs: string[]) => xs.map((x) => JSON.stringify((JSON.parse(x) as unknown[]).map((y, i) => (i === 4 ? (y as unknown[][]).map((c) => c.slice(0, 3)) : y))));

function firstOf(a: readonly string[], b: readonly string[]): string | null {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return `#${i}\n  shortcuts on: ${(a[i] ?? '(none)').slice(0, 1500)}\n  solver's way: ${(b[i] ?? '(none)').slice(0, 1500)}`;
  return null;
}

export function diffShortcutsProperty(o: DiffShortcutOptions = {}): FuzzProperty<DiffCase> {
  const change = fc.oneof(arbitraryChange.map((c) => ({ ...c, kind: 'rule-added' as const })), arbitraryChange);
  return {
    name: 'diff-shortcuts',
    checks: "diff answers with the concrete first solver and forced ports as the solver's way, in all a witness preference pins",
    arbitrary: shortcutBounds(o.ci === true).chain((b) => arbitraryCase({ ...b, minGroups: 1 }, fc.record({ change, range: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10 })) }))),
    async check(c, counts: Counts) {
      const pair = pairOf(c);
      bump(counts, 'topologies');
      if (pair === null) { bump(counts, 'changes that do not apply'); return null; }
      bump(counts, `change: ${c.change.kind}${c.change.kind === 'rule-added' && c.range > 0 ? ' (range)' : ''}`);
      const quick = await run(pair.before, pair.after, ALL_ON);
      const solver = await run(pair.before, pair.after, SOLVER_WAY);
      bump(counts, 'first checks on a concrete packet\'s word', quick.concrete);
      bump(counts, 'ports proved forced', quick.forced);
      if (solver.concrete + solver.forced !== 0) return `a shortcut was taken with both off (${pair.what})`;
      if (quick.answer === solver.answer) { bump(counts, 'answers the same byte for byte'); return null; }
      const [q, v] = [JSON.parse(quick.answer) as DiffAnswer, JSON.parse(solver.answer) as DiffAnswer];
      if (!Array.isArray(q.differences) || !Array.isArray(v.differences)) return `${pair.what}: one way refused\n  on: ${quick.answer.slice(0, 800)}\n  off: ${solver.answer.slice(0, 800)}`;
      if (q.differences.length > 0) bump(counts, 'answers with differences');
      const senders = JSON.stringify(q.senders) === JSON.stringify(v.senders) ? null : firstOf(q.senders.map((s) => JSON.stringify(s)), v.senders.map((s) => JSON.stringify(s)));
      if (senders !== null) return `${pair.what}: senders' records differ at ${senders}`;
      const pins = firstOf(strip(pinned(q)), strip(pinned(v)));
      if (pins !== null) return `${pair.what}: differences differ in what a preference pins at ${pins}`;
      const t = traces(q, v);
      const tr = firstOf(t.a, t.b);
      if (tr !== null) return `${pair.what}: a same witness's trace differs at ${tr}`;
      bump(counts, 'answers the same but for unpinned witness fields');
      return null;
    },
    toRegression(c) {
      return { topology: c.g.yaml, args: { change: JSON.stringify(c.change), range: String(c.range) } };
    },
    fromRegression(r) {
      return { g: fromYaml(r.topology), change: JSON.parse(r.args.change ?? '{}') as ChangeChoice, range: Number(r.args.range ?? 0) };
    },
  };
}
