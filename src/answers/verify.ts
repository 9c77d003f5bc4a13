// The `verify` command's answer, computed on a session: the built-in invariants, the user properties
// and the L3 HA invariants under the scenario given and, with `failures` N, under every combination of
// up to N more host failures; then the cloud's notes, the waivers and the baseline applied. `netproof
// verify` prints it in its formats; the library and `netproof serve` return its JSON. Property, waiver
// and baseline files are read on every call (they are small, and may have changed). Loads Z3.
import type { Result } from '../errors.ts';
import type { InputLimits } from '../input/text-file.ts';
import { BUILTIN_PROPERTIES } from '../questions/properties/index.ts';
import { resolveUserProperties } from '../questions/user-properties/check.ts';
import { loadProperties } from '../questions/user-properties/load.ts';
import { summarize, verifyExitCode, type VerifyReport } from '../questions/verify.ts';
import { applyWaivers, loadWaivers, type Waiver, type WaiverOutcome } from '../questions/waivers.ts';
import { HA_INVARIANT_IDS, verifyScenario } from '../questions/verify-scenario.ts';
import { ScenarioContexts, scenariosOf } from '../scenario/scenarios.ts';
import { CarryStore } from '../questions/carry.ts';
import type { PropertyCheck, PropertyResult } from '../questions/property.ts';
import type { ResolvedProperty } from '../questions/user-properties/check.ts';
import { assumptionsOf, type Assumption } from '../questions/assumptions.ts';
import { changesSince, loadBaseline, type Baseline, type BaselineChange } from '../questions/baseline.ts';
import type { Labels } from '../report/labels.ts';
import { verifyJson, type VerifyJson } from '../report/verify-json.ts';
import { notesJson } from '../report/cloud-notes.ts';
import { taintReport } from '../cloud/taint-report.ts';
import { parseScenario } from '../cli/scenario-options.ts';
import { parseTimeout, UsageError } from '../cli/options.ts';
import type { Session } from './session.ts';
import type { Topology } from '../topology/model.ts';
import type { Dataplane } from '../ir/dataplane.ts';
import type { ScenarioSpec } from '../scenario/context.ts';
import type { Shard } from '../shard/assign.ts';

export interface VerifyRequest {
  properties?: string[];
  select?: string[];
  skip?: string[];
  waivers?: string;
  baseline?: string;
  onlyFailures?: boolean;
  timeoutMs?: string;
  fail?: string[];
  cut?: string[];
  failures?: string;
}

/** How far a verify run is, for a progress display. */
export interface VerifyHooks {
  readonly step?: (index: number, total: number, id: string, results: number) => void;
  readonly subjects?: (done: number, total: number, what: string) => void;
}

export interface VerifyRun {
  readonly report: VerifyReport;
  /** The waivers' outcomes (null without --waivers). */
  readonly waivers: readonly WaiverOutcome[] | null;
  /** What changed since the baseline (null without --baseline). */
  readonly baseline: { readonly file: string; readonly changed: readonly BaselineChange[] } | null;
  /** The saved run itself (null without --baseline), for the reports that compare with it result by result. */
  readonly saved: Baseline | null;
  readonly labels: Labels;
  readonly assumptions: readonly Assumption[];
  readonly builtins: readonly PropertyCheck[];
  readonly user: readonly ResolvedProperty[];
  readonly onlyFailures: boolean;
  /** With a shard: its results' places in the whole run's order, and how many results the whole run has. */
  readonly shard: { readonly places: readonly number[]; readonly runResults: number } | null;
}

export function parseFailures(v: string | undefined): number {
  if (v === undefined) return 0;
  if (!/^\d+$/.test(v)) throw new UsageError(`--failures must be a number of hosts (0, 1, 2, …), not "${v}"`);
  return Number(v);
}

/** `--select`/`--skip` values (repeatable, comma-separated) checked against the ids that exist. */
export function idsOf(flag: string, values: readonly string[] | undefined, known: readonly string[]): Set<string> | null {
  if (values === undefined) return null;
  const ids = values.flatMap((v) => v.split(',')).map((s) => s.trim());
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0 || ids.length === 0) {
    throw new UsageError(`${flag}: no property "${unknown[0] ?? ''}"; the ids are ${known.join(', ')}`);
  }
  return new Set(ids);
}

/** The option values checked (a bad one throws UsageError naming it), before anything is loaded. */
export function parseVerifyRequest(o: VerifyRequest) {
  const timeoutMs = parseTimeout(o.timeoutMs);
  const failures = parseFailures(o.failures);
  if (o.waivers === '') throw new UsageError('--waivers must name a file, not ""');
  if (o.baseline === '') throw new UsageError('--baseline must name a file, not ""');
  return { timeoutMs, failures };
}

/**
 * Every scenario's results in the run's order (the HA invariants asked in the first scenario only). With a
 * shard, the subjects of other shards are stand-ins marked `elsewhere`, kept so positions match the whole run.
 * `carry: false` asks every result in every scenario afresh (the carry spares work only: carry.ts); `store`
 * receives what was carried, for whoever wants to count it.
 */
export async function verifyScenarios(
  topology: Topology, dataplane: Dataplane, scenarios: readonly ScenarioSpec[], builtins: readonly PropertyCheck[],
  user: readonly ResolvedProperty[], o: { timeoutMs: number; wanted: (id: string) => boolean; shard?: Shard; carry?: boolean; store?: CarryStore }, hooks: VerifyHooks = {},
): Promise<PropertyResult[]> {
  const results: PropertyResult[] = [];
  const steps = builtins.length + user.length;
  // ha-failover (first scenario) builds the single failures' contexts; the scenarios after take them.
  const contexts = new ScenarioContexts(topology, dataplane);
  // Results settled by a few devices alone in the first scenario are taken in the others where those devices are the same (carry.ts).
  const store = scenarios.length > 1 && o.carry !== false ? (o.store ?? new CarryStore()) : null;
  for (const [i, sc] of scenarios.entries()) {
    const onStep = (j: number, _n: number, id: string, _r: number) => hooks.step?.(i * steps + j, scenarios.length * steps, id, results.length);
    results.push(...(await verifyScenario(topology, dataplane, sc, builtins, user, {
      timeoutMs: o.timeoutMs, haInvariants: i === 0, wanted: o.wanted, onStep, progress: hooks.subjects ?? (() => {}), ...(o.shard === undefined ? {} : { shard: o.shard }), contexts,
      ...(store === null ? {} : { carry: { store, mode: i === 0 ? 'keep' : 'take' } as const }),
    })));
    contexts.keepOnly(scenarios.slice(i + 1));
  }
  return results;
}

/** What a run checks, read and checked before anything is: the files and options made into properties and scenarios. */
export interface VerifyPlan {
  readonly timeoutMs: number;
  readonly waivers: readonly Waiver[] | null;
  readonly baseline: Baseline | null;
  readonly scenarios: readonly ScenarioSpec[];
  readonly wanted: (id: string) => boolean;
  readonly builtins: readonly PropertyCheck[];
  readonly user: readonly ResolvedProperty[];
}

/** The run's property, waiver and baseline files read and its options checked against the model; input errors say what is wrong. */
export function planVerify(session: Session, o: VerifyRequest, limits: InputLimits): Result<VerifyPlan> {
  const { timeoutMs, failures } = parseVerifyRequest(o);
  const props = loadProperties(o.properties ?? [], limits);
  if (!props.ok) return props;
  const waivers = o.waivers === undefined ? null : loadWaivers(o.waivers, limits);
  // A waiver file that cannot be read is named by its option, as --properties' are.
  if (waivers !== null && !waivers.ok) return { ok: false, errors: waivers.errors.map((e) => (e.path === '' && e.position === null ? { ...e, path: '--waivers' } : e)) };
  const baseline = o.baseline === undefined ? null : loadBaseline(o.baseline, limits);
  if (baseline !== null && !baseline.ok) return baseline;
  const { topology, dataplane } = session.model;
  const resolved = resolveUserProperties(topology, dataplane, props.value);
  if (!resolved.ok) return resolved;
  const spec = parseScenario(topology, { fail: o.fail ?? [], cut: o.cut ?? [] });
  if (!spec.ok) return spec;
  const known = [...BUILTIN_PROPERTIES.map((b) => b.id), ...resolved.value.map((u) => u.property.name), ...HA_INVARIANT_IDS];
  const select = idsOf('--select', o.select, known);
  const skip = idsOf('--skip', o.skip, known);
  const wanted = (id: string) => (select === null || select.has(id)) && (skip === null || !skip.has(id));
  return {
    ok: true,
    value: {
      timeoutMs, waivers: waivers?.value ?? null, baseline: baseline?.value ?? null, scenarios: scenariosOf(topology, spec.value, failures), wanted,
      builtins: BUILTIN_PROPERTIES.filter((b) => wanted(b.id)), user: resolved.value.filter((u) => wanted(u.property.name)),
    },
  };
}

/** Every result of the planned run in its order; with a shard, the other shards' subjects are stand-ins (`elsewhere`). */
export function checkPlan(session: Session, plan: VerifyPlan, hooks: VerifyHooks = {}, shard?: Shard): Promise<PropertyResult[]> {
  const { topology, dataplane } = session.model;
  return verifyScenarios(topology, dataplane, plan.scenarios, plan.builtins, plan.user,
    { timeoutMs: plan.timeoutMs, wanted: plan.wanted, ...(shard === undefined ? {} : { shard }) }, hooks);
}

/** The run's answer from its results (the stand-ins of other shards left out): the cloud's notes, the waivers and the baseline applied. */
export function finishVerify(session: Session, o: VerifyRequest, plan: VerifyPlan, results: readonly PropertyResult[], shard?: Shard): VerifyRun {
  const { topology, dataplane, notes } = session.model;
  // A shard reports its own results, each with its place in the whole run's order.
  const mine = results.filter((r) => r.elsewhere !== true);
  const checked = taintReport({ results: mine, summary: summarize(mine) }, notes ?? []);
  let outcomes: WaiverOutcome[] | null = null;
  let report = checked;
  if (plan.waivers !== null) {
    const applied = applyWaivers(checked.results, plan.waivers, new Date().toISOString().slice(0, 10));
    outcomes = applied.outcomes;
    report = { results: applied.results, summary: summarize(applied.results) };
  }
  return {
    report,
    waivers: outcomes,
    baseline: plan.baseline === null ? null : { file: plan.baseline.file, changed: changesSince(plan.baseline, report.results) },
    saved: plan.baseline,
    labels: session.labels(),
    assumptions: assumptionsOf(topology, dataplane, { question: 'verify', outside: true, captured: notes !== undefined }),
    builtins: plan.builtins,
    user: plan.user,
    onlyFailures: o.onlyFailures === true,
    shard: shard === undefined ? null : { places: results.flatMap((r, i) => (r.elsewhere === true ? [] : [i])), runResults: results.length },
  };
}

/** The verify run on a session's model; with a shard, only that shard's subjects are checked (for `netproof merge`). */
export async function runVerifyOn(session: Session, o: VerifyRequest, limits: InputLimits, hooks: VerifyHooks = {}, shard?: Shard): Promise<Result<VerifyRun>> {
  const plan = planVerify(session, o, limits);
  if (!plan.ok) return plan;
  const results = await checkPlan(session, plan.value, hooks, shard);
  return { ok: true, value: finishVerify(session, o, plan.value, results, shard) };
}

/** `verify --format json` (docs/json.md). */
export interface VerifyResultJson extends VerifyJson {
  /** For a cloud directory: what was left out or could not be read. */
  notes?: Record<string, unknown>[];
  /** With a baseline: the results whose verdict changed since. */
  baseline?: { readonly file: string; readonly changed: readonly BaselineChange[] };
}

/** What `verify --format json` prints; `notes` are the cloud directory's (absent for a topology file). */
export function verifyRunJson(r: VerifyRun, notes: Session['model']['notes']): VerifyResultJson {
  return {
    ...verifyJson(r.report, r.labels, { onlyFailures: r.onlyFailures, waivers: r.waivers, assumptions: r.assumptions }),
    ...(notes ? { notes: notesJson(notes) } : {}),
    ...(r.baseline ? { baseline: r.baseline } : {}),
  };
}

/** The exit code (docs/exit-codes.md). */
export function verifyRunCode(r: VerifyRun): number {
  return verifyExitCode(r.report);
}
