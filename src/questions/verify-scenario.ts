// `verify` under one failure scenario (none, `--fail`/`--cut`, or one of `--failures N`'s): every
// built-in property on the scenario's dataplane under every choice of HA masters it needs (the
// diagonal of src/scenario/variants.ts), every user property under every combination of the masters of
// the routers its endpoints lie behind, then the HA invariants: `ha-single-master` in every scenario;
// `ha-vrid-unique`, `ha-config` and `ha-failover` once, in the scenario the run starts from. Each result
// carries its scenario and passes the guard (guard.ts). Endpoints that died with a failed host are not counted: a user property whose
// senders or destinations are all down says so instead of being checked.
import type { Dataplane, Station } from '../ir/dataplane.ts';
import type { Topology } from '../topology/model.ts';
import type { ScenarioContext, ScenarioSpec, Variant } from '../scenario/context.ts';
import { diagonalVariants, productVariants } from '../scenario/variants.ts';
import { ScenarioContexts } from '../scenario/scenarios.ts';
import type { PropertyCheck, PropertyResult, ScenarioTag, SubjectProgress, VerifyContext } from './property.ts';
import { checkUserProperty, type ResolvedProperty } from './user-properties/check.ts';
import { mergeVariants, type VariantResult } from './variant-merge.ts';
import { haSingleMaster } from './properties/ha-single-master.ts';
import { haVridUnique } from './properties/ha-vrid-unique.ts';
import { haConfig } from './properties/ha-config.ts';
import { haFailover } from './properties/ha-failover.ts';
import type { Dest } from './reach-set.ts';
import { guardResult } from './guard.ts';
import type { VerifyStep } from './verify.ts';
import { namespaceHolding } from './senders.ts';
import { owns, scenarioKey, type Shard } from '../shard/assign.ts';
import { elsewhere } from './properties/common.ts';
import { sameRests, type CarryStore } from './carry.ts';

export interface ScenarioVerifyOptions {
  readonly timeoutMs: number;
  /** Check the scenario-independent HA invariants (the scenario the run starts from). */
  readonly haInvariants: boolean;
  /** Which properties (built-in, user, HA invariant) to check by id (`--select`/`--skip`); all by default. */
  readonly wanted?: (id: string) => boolean;
  /** Told before each built-in and user property is checked. */
  readonly onStep?: VerifyStep;
  /** Told as a property advances through its subjects. */
  readonly progress?: SubjectProgress;
  /** `verify --shard K/N`: check only the shard's subjects (src/shard/assign.ts); the others are stand-ins (`elsewhere`). */
  readonly shard?: Shard;
  /** Where the scenario's context, and those ha-failover fails hosts in, are built once (a run's scenarios share them). */
  readonly contexts?: ScenarioContexts;
  /**
   * Results carried between the run's scenarios (carry.ts): `keep` stores this scenario's results that
   * rest on a few devices alone, `take` reports a stored one where its devices are the same here.
   */
  readonly carry?: { readonly store: CarryStore; readonly mode: 'keep' | 'take' };
}

/** The ids of the HA invariants, checked after the built-in and user properties. */
export const HA_INVARIANT_IDS = ['ha-single-master', 'ha-vrid-unique', 'ha-config', 'ha-failover'] as const;

export const tagOf = (spec: ScenarioSpec): ScenarioTag => ({ failed: [...spec.failures.down], cut: spec.failures.cuts.map(([a, b]) => [a, b] as const) });

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function crashed(property: string, subject: string, e: unknown): PropertyResult {
  return { property, subject, verdict: 'unknown', witness: null, trace: null, message: 'internal error while checking', error: message(e) };
}

const vctx = (topo: Topology, v: Variant, timeoutMs: number, progress?: SubjectProgress, owns?: (subject: string) => boolean, reuse?: VerifyContext['reuse']): VerifyContext => ({
  ...(reuse === undefined ? {} : { reuse }),
  topology: topo, dataplane: v.dataplane, evaluator: v.evaluator, timeoutMs,
  ...(progress === undefined ? {} : { progress }),
  ...(owns === undefined ? {} : { owns }),
});

/** Which subjects of `property` the run checks in this scenario (all without a shard). */
function ownerOf(spec: ScenarioSpec, o: ScenarioVerifyOptions, property: string): ((subject: string) => boolean) | undefined {
  if (o.shard === undefined) return undefined;
  const shard = o.shard;
  const scenario = scenarioKey(tagOf(spec));
  return (subject) => owns(shard, property, subject, scenario);
}

/**
 * Results of one check under every variant, merged subject by subject (in the first variant's order).
 * A check that does not depend on the masters is asked once; so is each subject whose result the first
 * variant settled at its own device (`local`) when the devices it rests on are the same under every
 * other variant (carry.ts): the other variants would say the same. Only the subjects still open are
 * asked under the other variants. With `o.carry`, the first variant's results that rest on a few
 * devices are kept for the run's other scenarios, or taken from the scenario they were kept in.
 */
async function builtinUnder(ctx: ScenarioContext, b: PropertyCheck, variants: readonly Variant[], o: ScenarioVerifyOptions): Promise<PropertyResult[]> {
  const mine = ownerOf(ctx.spec, o, b.id);
  const run = async (v: Variant, owns?: (subject: string) => boolean, reuse?: VerifyContext['reuse']): Promise<readonly PropertyResult[]> => {
    try {
      // A property that does not know the stand-ins still reports only what this run owns.
      return (await b.check(vctx(ctx.topology, v, o.timeoutMs, o.progress, owns, reuse))).map((r) => (r.elsewhere === true || owns === undefined || owns(r.subject) ? r : elsewhere(r.property, r.subject)));
    } catch (e) {
      return [crashed(b.id, '-', e)];
    }
  };
  const v0 = variants[0]!;
  const first = await run(v0, mine, o.carry?.mode === 'take' ? o.carry.store.reuser(b.id, v0) : undefined);
  if (o.carry?.mode === 'keep') for (const r of first) o.carry.store.keep(r, v0);
  const once = (r: PropertyResult) => (variants.length > 1 ? { ...r, message: `${r.message} (whichever instances are masters)` } : r);
  if (b.mastersIndependent === true) return first.map((r) => (r.elsewhere === true ? r : once(r)));
  const settled = (r: PropertyResult) => r.local === true && variants.slice(1).every((v) => sameRests(r, v0, v));
  const open = new Set(first.filter((r) => r.elsewhere !== true && !settled(r)).map((r) => r.subject));
  const bySubject = new Map<string, VariantResult[]>(first.filter((r) => open.has(r.subject)).map((r) => [r.subject, [{ result: r, variant: variants[0]! }]]));
  for (const v of variants.slice(1)) {
    if (open.size === 0) break;
    for (const r of await run(v, (s) => open.has(s))) {
      if (r.elsewhere !== true) bySubject.get(r.subject)?.push({ result: r, variant: v });
    }
  }
  return first.map((r) => (r.elsewhere === true ? r : open.has(r.subject) ? mergeVariants(ctx, bySubject.get(r.subject)!) : once(r)));
}

/** The HA routers whose masters a user property's packets may depend on: those on its endpoints' networks. */
function routersOf(ctx: ScenarioContext, rp: ResolvedProperty): Set<string> {
  const nets = new Set<string>();
  const namespaces = new Set<string>();
  for (const s of rp.from.senders) if (s.rep.kind === 'port') nets.add(s.rep.station.network);
  for (const d of rp.to.dests) {
    if (d.kind === 'port') nets.add(d.station.network);
    if (d.kind === 'namespace') namespaces.add(d.namespace);
  }
  return new Set(ctx.haRouters.filter((r) => namespaces.has(r.namespace) || r.router.interfaces.some((i) => nets.has(i.network))).map((r) => r.router.name));
}

/** The property with the endpoints the scenario killed left out; null when a side is left empty. */
function alive(dp: Dataplane, rp: ResolvedProperty): ResolvedProperty | null {
  const live = new Set(dp.stations.filter((s): s is Extract<Station, { kind: 'vm-port' }> => s.kind === 'vm-port').map((s) => `${s.vm}:${s.index}`));
  const ok = (s: Station) => s.kind !== 'vm-port' || live.has(`${s.vm}:${s.index}`);
  const senders = rp.from.senders.filter((s) => ok(s.rep.station));
  const dests = rp.to.dests.filter((d: Dest) => d.kind !== 'port' || ok(d.station));
  if (senders.length === 0 || dests.length === 0) return null;
  return { ...rp, from: { ...rp.from, senders }, to: { ...rp.to, dests } };
}

/**
 * The property with each router or DHCP address it is sent to held by whichever namespace holds it in
 * `dp`: an HA router's address moves with its master (an address no one holds stays where it was, and
 * is reached by no packet).
 */
function rebound(rp: ResolvedProperty, dp: Dataplane): ResolvedProperty {
  const dests = rp.to.dests.map((d): Dest => {
    if (d.kind !== 'namespace') return d;
    const now = namespaceHolding(dp, d.ip);
    return now ? { ...d, host: now.host, namespace: now.namespace } : d;
  });
  return { ...rp, to: { ...rp.to, dests } };
}

async function userUnder(ctx: ScenarioContext, rp: ResolvedProperty, o: ScenarioVerifyOptions): Promise<PropertyResult> {
  const subject = `${rp.property.kind}:${rp.property.from}->${rp.property.to}`;
  const live = alive(ctx.dataplane, rp);
  if (live === null) {
    return { property: rp.property.name, subject, verdict: 'n/a', witness: null, trace: null, message: `nothing to check in this scenario: every ${rp.from.senders.length === 0 ? 'sender' : 'sender or destination'} is on a failed host` };
  }
  const plan = productVariants(ctx, routersOf(ctx, live));
  const rs: VariantResult[] = [];
  for (const v of plan.variants) {
    try {
      rs.push({ result: await checkUserProperty(vctx(ctx.topology, v, o.timeoutMs, o.progress), rebound(live, v.dataplane)), variant: v });
    } catch (e) {
      rs.push({ result: crashed(rp.property.name, subject, e), variant: v });
    }
  }
  const merged = mergeVariants(ctx, rs);
  return plan.complete ? merged : { ...merged, verdict: merged.verdict === 'violated' ? 'violated' : 'unknown', message: `${merged.message}; only ${plan.variants.length} of ${plan.combinations} combinations of masters checked` };
}

export async function verifyScenario(
  topo: Topology,
  base: Dataplane,
  spec: ScenarioSpec,
  builtins: readonly PropertyCheck[],
  user: readonly ResolvedProperty[],
  o: ScenarioVerifyOptions,
): Promise<PropertyResult[]> {
  const contexts = o.contexts ?? new ScenarioContexts(topo, base);
  const ctx = contexts.of(spec);
  const plan = diagonalVariants(ctx);
  const results: PropertyResult[] = [];
  const wanted = o.wanted ?? (() => true);
  const onStep = o.onStep ?? (() => {});
  const total = builtins.length + user.length;
  for (const [i, b] of builtins.entries()) {
    onStep(i, total, b.id, results.length);
    results.push(...(await builtinUnder(ctx, b, plan.variants, o)));
  }
  if (!plan.complete) {
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      if (r.verdict === 'holds' && r.elsewhere !== true) results[i] = { ...r, verdict: 'unknown', message: `${r.message}; not every combination of HA masters was checked (more than the limit)` };
    }
  }
  for (const [i, u] of user.entries()) {
    onStep(builtins.length + i, total, u.property.name, results.length);
    const subject = `${u.property.kind}:${u.property.from}->${u.property.to}`;
    const mine = ownerOf(spec, o, u.property.name);
    results.push(mine === undefined || mine(subject) ? await userUnder(ctx, u, o) : elsewhere(u.property.name, subject));
  }
  // The HA invariants are cheap next to the rest: each shard checks them all and keeps its own.
  const ha: PropertyResult[] = [];
  if (wanted('ha-single-master')) ha.push(...haSingleMaster(ctx, o.haInvariants));
  if (o.haInvariants) {
    if (wanted('ha-vrid-unique')) ha.push(...haVridUnique(ctx));
    if (wanted('ha-config')) ha.push(...haConfig(ctx));
    if (wanted('ha-failover')) ha.push(...haFailover(ctx, contexts));
  }
  for (const r of ha) results.push(ownerOf(spec, o, r.property)?.(r.subject) === false ? elsewhere(r.property, r.subject) : r);
  const tag = tagOf(spec);
  // No answer is reported that its own trace contradicts (guard.ts), as in every verify.
  return results.map((r) => (r.elsewhere === true ? { ...r, scenario: tag } : guardResult(r.scenario ? r : { ...r, scenario: tag })));
}
