// Is a fault killed? The built-in properties are run on the model and on the model with the fault in
// its artifacts (parsed back and assembled as a real node's dump would be), as `verify` runs them:
// with L3 HA routers, under every choice of masters it asks (and with the HA invariants). The fault is
// killed when some property's verdict on some subject turns violated, and the result that changed says
// which property caught it and with which witness (a result that turns unknown is reported apart:
// verify fails on it, without a proof). Whether a surviving fault changes behaviour at all is asked of
// the reference evaluator: a spread of packets (every VM port to every address the cloud uses, the
// outside world to every floating IP, gateway and port, DHCP broadcasts, and spoofed packets from each
// port) is traced through both dataplanes, under each of those choices of masters (a fault on a backup
// instance shows only once it is master; a choice only one side has counts where no choice of the other
// ends every probe alike), and the first packet whose ends differ is shown. A result
// violated without the fault that says another finding with it is no kill (`masked`); where it reads the
// same, violated under each choice of masters, its property is asked again under each choice alone, as
// verify's result says only the first choice's finding.
// Guarantees: a fault the parsers refuse is reported as such (`rejected`), never as killed; a
// survivor with no packet of the spread ending differently is reported as such, never as equivalent
// in general.
import { stationName } from '../../src/semantics/station-key.ts';
import type { Station } from '../../src/ir/dataplane.ts';
import type { Packet } from '../../src/ir/packet.ts';
import type { Model } from '../../src/pipeline.ts';
import type { PropertyResult } from '../../src/questions/property.ts';
import { assembleDataplane } from '../../src/dataplane/assemble.ts';
import type { Evaluator } from '../../src/evaluate/index.ts';
import { BUILTIN_PROPERTIES } from '../../src/questions/properties/index.ts';
import { verifyScenario } from '../../src/questions/verify-scenario.ts';
import { NO_SCENARIO, ScenarioContext, type Variant } from '../../src/scenario/context.ts';
import { diagonalVariants } from '../../src/scenario/variants.ts';
import { broadcastFramesToInternet, casesOf, dhcpBroadcasts, firstPackets, INTERNET } from '../agreement/cases.ts';
import { evaluatorKeys } from '../agreement/ends.ts';
import type { Fault } from './faults.ts';

const TIMEOUT_MS = 10_000;

export type Verdicts = ReadonlyMap<string, PropertyResult>;

const keyOf = (r: PropertyResult) => `${r.property} ${r.subject}`;

/**
 * Every built-in property's result on `m`'s topology and `dataplane` as `verify` gives it (under every
 * choice of HA masters it asks, the HA invariants included), by `property subject`.
 */
export async function verdictsOf(m: Pick<Model, 'topology' | 'dataplane'>): Promise<Verdicts> {
  const rs = await verifyScenario(m.topology, m.dataplane, NO_SCENARIO, BUILTIN_PROPERTIES, [], { timeoutMs: TIMEOUT_MS, haInvariants: true });
  return new Map(rs.map((x) => [keyOf(x), x]));
}

/** A dataplane under each choice of HA masters `verify` asks its built-ins under (one, without HA). */
interface Choices {
  readonly ctx: ScenarioContext;
  readonly variants: readonly Variant[];
}

const choicesOf = (topology: Model['topology'], dp: Model['dataplane']): Choices => {
  const ctx = new ScenarioContext(topology, dp, NO_SCENARIO);
  return { ctx, variants: diagonalVariants(ctx).variants };
};

/** The model's own choices, built once per dataplane (every fault is compared with them). */
const baseChoices = new WeakMap<Model['dataplane'], Choices>();

/** A packet of the behaviour spread: who sends it, as which station label. */
export interface Probe {
  readonly label: string;
  readonly station: string;
  readonly packet: Packet;
}

const stationLabel = stationName;

/** The spread of packets a fault's behaviour change is looked for with (see the top of this file). */
export function probesOf(m: Model, ev: Evaluator): Probe[] {
  const { built } = firstPackets(m.topology, ev, casesOf(m.topology, m.dataplane));
  const all = [...built, ...dhcpBroadcasts(m.dataplane), ...broadcastFramesToInternet(m.dataplane)];
  const probes = all.map((b) => ({ label: b.c.label, station: stationLabel(b.station), packet: b.packet }));
  // Spoofed: each port's packet to the internet from an address and from a MAC not its own.
  for (const b of built) {
    if (b.station.kind !== 'vm-port' || b.c.dst !== INTERNET || b.packet.proto !== 17) continue;
    const s = stationLabel(b.station);
    probes.push({ label: `${s} spoofing its source address`, station: s, packet: { ...b.packet, ip_src: '198.18.0.1' } });
    probes.push({ label: `${s} spoofing its source MAC`, station: s, packet: { ...b.packet, eth_src: 'fa:16:3e:00:00:01' } });
  }
  return probes;
}

/** The first probe whose ends differ between the two evaluators, with both sides; null when none does. */
function endsChange(probes: readonly Probe[], a: { dp: Model['dataplane']; ev: Evaluator }, b: { dp: Model['dataplane']; ev: Evaluator }): string | null {
  const station = (dp: Model['dataplane'], l: string) => dp.stations.find((s) => stationLabel(s) === l);
  for (const p of probes) {
    const sa = station(a.dp, p.station);
    const sb = station(b.dp, p.station);
    if (!sa || !sb) return `${p.station} is a station of only one of the dataplanes`;
    const ka = [...evaluatorKeys(a.ev.trace(sa, p.packet))].sort();
    const kb = [...evaluatorKeys(b.ev.trace(sb, p.packet))].sort();
    if (ka.join('|') !== kb.join('|')) return `${p.label}: ${ka.join(', ')} before, ${kb.join(', ')} with the fault`;
  }
  return null;
}

/**
 * The first probe whose ends differ, under the first choice of HA masters where one does; null when none
 * does under any. Choices are paired by their masters, not their order: the observed state comes first,
 * and a fault that changes what is observed (a keepalived address deleted on the master) reorders them.
 */
export function behaviourChange(probes: readonly Probe[], before: Choices, after: Choices): string | null {
  const on = (v: Variant) => ({ dp: v.dataplane, ev: v.evaluator });
  // A choice only one side has (the fault takes a master away, or makes a new one possible) changes what
  // is seen only where no choice of the other side ends every probe as it does: an HA router that routes
  // nothing (no interface, no gateway) whose instance can no longer be master changes no packet.
  const unmatched = (xs: Choices, ys: Choices, before: boolean): string | null => {
    const others = new Set(ys.variants.map((w) => ys.ctx.describeMasters(w)));
    for (const v of xs.variants) {
      const masters = xs.ctx.describeMasters(v);
      if (others.has(masters)) continue;
      const same = ys.variants.some((w) => (before ? endsChange(probes, on(v), on(w)) : endsChange(probes, on(w), on(v))) === null);
      if (!same) return `the choices of HA masters differ: ${masters} only ${before ? 'before' : 'with'} the fault, where some probe ends as under no choice ${before ? 'with the fault' : 'before it'}`;
    }
    return null;
  };
  const lost = unmatched(before, after, true) ?? unmatched(after, before, false);
  if (lost !== null) return lost;
  const byMasters = new Map(after.variants.map((w) => [after.ctx.describeMasters(w), w]));
  for (const v of before.variants) {
    const masters = before.ctx.describeMasters(v);
    const w = byMasters.get(masters);
    if (w === undefined) continue;
    const d = endsChange(probes, { dp: v.dataplane, ev: v.evaluator }, { dp: w.dataplane, ev: w.evaluator });
    if (d !== null) return before.variants.length > 1 ? `${d} (masters: ${masters})` : d;
  }
  return null;
}

/**
 * For results `keys` (`property subject`) violated with and without the fault, under more than one choice
 * of HA masters: each property asked again under each choice alone, and each subject whose violation says
 * something else with the fault under some choice, as `key: violated → violated under MASTERS, now: …`.
 */
async function refoundPerChoice(topology: Model['topology'], keys: ReadonlySet<string>, before: Choices, after: Choices): Promise<string[]> {
  if (keys.size === 0 || before.variants.length < 2) return [];
  const byMasters = new Map(after.variants.map((w) => [after.ctx.describeMasters(w), w]));
  const out: string[] = [];
  for (const b of BUILTIN_PROPERTIES) {
    const mine = [...keys].filter((k) => k.startsWith(`${b.id} `));
    if (mine.length === 0) continue;
    const subjects = new Set(mine.map((k) => k.slice(b.id.length + 1)));
    const owns = (subject: string) => subjects.has(subject);
    for (const v of before.variants) {
      const masters = before.ctx.describeMasters(v);
      const w = byMasters.get(masters);
      if (w === undefined) continue;
      const ask = async (x: Variant) => new Map((await b.check({ topology, dataplane: x.dataplane, evaluator: x.evaluator, timeoutMs: TIMEOUT_MS, owns })).filter((r) => owns(r.subject) && r.elsewhere !== true).map((r) => [r.subject, r]));
      const [xs, ys] = [await ask(v), await ask(w)];
      for (const [subject, x] of xs) {
        const y = ys.get(subject);
        if (x.verdict === 'violated' && y?.verdict === 'violated' && y.message !== x.message) out.push(`${b.id} ${subject}: violated → violated under ${masters}, now: ${y.message}`);
      }
      if (out.length > 0) return out;
    }
  }
  return out;
}

export interface KillOutcome {
  readonly fault: Fault;
  /**
   * `killed`: some result became violated (with its witness); `unknown`: none did, but some became
   * unknown (verify then exits 3, without a proof either way); `masked`: neither, but a result violated
   * without the fault says another finding with it, or holds (the fault's effect lands on a subject
   * already failing, which one result cannot fail twice; under one choice of HA masters, where verify's
   * result, violated under each, says the first choice's message — or the fault takes away what made it fail:
   * a router without tenant ports that no longer SNATs what another router routes through it, where
   * nat-egress counted that second SNAT as the leak); `survived`: none of these; `rejected`: the
   * faulty artifacts do not parse.
   */
  readonly status: 'killed' | 'unknown' | 'masked' | 'survived' | 'rejected';
  /** The results that changed: `property subject: before → after (witness …)`. */
  readonly killedBy: readonly string[];
  /** The properties that killed it (a result of theirs became violated). */
  readonly properties: readonly string[];
  /** For a survivor (or unknown): the first probe that ends differently (the fault changes behaviour), or null. */
  readonly behaviour: string | null;
  readonly error?: string;
}

const witnessText = (p: Packet | null) => (p === null ? 'no witness' : `witness ${p.proto === 6 ? 'tcp' : p.proto === 17 ? 'udp' : p.proto === 1 ? 'icmp' : `proto ${p.proto}`} ${p.ip_src} → ${p.ip_dst}${p.dport !== null ? `:${p.dport}` : ''}`);

/** Applies `fault` to `m` and runs the built-in properties on the result (see the top of this file). */
export async function killCheck(m: Model, baseline: Verdicts, probes: readonly Probe[], fault: Fault): Promise<KillOutcome> {
  let dp: Model['dataplane'];
  try {
    dp = assembleDataplane(m.topology, fault.apply(m.artifacts));
  } catch (e) {
    return { fault, status: 'rejected', killedBy: [], properties: [], behaviour: null, error: e instanceof Error ? e.message : String(e) };
  }
  const after = await verdictsOf({ topology: m.topology, dataplane: dp });
  const killedBy: string[] = [];
  const properties = new Set<string>();
  let unknown = false;
  const refound: string[] = [];
  // A result that turns violated or unknown says something is wrong; one that merely appears holding
  // (a port now checked on its own) or goes says nothing.
  for (const key of new Set([...baseline.keys(), ...after.keys()])) {
    const x = baseline.get(key);
    const y = after.get(key);
    // A violated result that says something else with the fault (another finding, or holds) judged what
    // the fault changed on a subject already failing: not a kill, and no gap either.
    if (x?.verdict === 'violated' && y !== undefined && (y.verdict === 'holds' || (y.verdict === 'violated' && x.message !== y.message))) refound.push(`${key}: violated → ${y.verdict}, now: ${y.message}`);
    if (y === undefined || x?.verdict === y.verdict || (y.verdict !== 'violated' && y.verdict !== 'unknown')) continue;
    if (y.verdict === 'violated') properties.add(y.property);
    else unknown = true;
    killedBy.push(`${key}: ${x?.verdict ?? '-'} → ${y.verdict}${y.verdict === 'violated' ? ` (${witnessText(y.witness)})` : ` (${y.message})`}`);
  }
  if (properties.size > 0) return { fault, status: 'killed', killedBy, properties: [...properties].sort(), behaviour: null };
  let before = baseChoices.get(m.dataplane);
  if (!before) baseChoices.set(m.dataplane, (before = choicesOf(m.topology, m.dataplane)));
  const afterChoices = choicesOf(m.topology, dp);
  const behaviour = behaviourChange(probes, before, afterChoices);
  if (behaviour !== null && !unknown && refound.length === 0) {
    // Violated the same way under every choice of masters, as verify says it: its message is the first
    // choice's, and a further finding under another choice (the fault on that choice's master) is not in it.
    const same = [...baseline].filter(([k, x]) => x.verdict === 'violated' && after.get(k)?.verdict === 'violated' && after.get(k)?.message === x.message).map(([k]) => k);
    refound.push(...await refoundPerChoice(m.topology, new Set(same), before, afterChoices));
  }
  if (behaviour !== null && !unknown && refound.length > 0) return { fault, status: 'masked', killedBy: refound, properties: [], behaviour };
  return { fault, status: unknown ? 'unknown' : 'survived', killedBy, properties: [], behaviour };
}
