// Property `fault-kill`: on random topologies, one fault of every class of test/mutation/faults.ts
// (at a random site of the class) is put into the rendered artifacts, and the built-in properties
// must kill each one that changes how a packet of the behaviour spread ends (test/mutation/kill.ts),
// but for the known gaps of test/mutation/table.ts. Counts go per class: `killed CLASS`, `unknown
// CLASS` (only turned a result unknown), `masked CLASS` (a result violated without the fault says a
// further finding with it, or holds), `gap CLASS` (known gaps), `quiet CLASS` (no packet of the spread ends
// differently), so a campaign prints its kill table.
import fc from 'fast-check';
import { createEvaluator } from '../../../src/evaluate/index.ts';
import type { TopologyBounds } from '../../../src/testing/index.ts';
import { FAULT_CLASSES, faultSites, type FaultClass } from '../../mutation/faults.ts';
import { killCheck, probesOf, verdictsOf, type KillOutcome } from '../../mutation/kill.ts';
import { knownGap } from '../../mutation/table.ts';
import { bump, type FuzzProperty } from '../property.ts';
import { arbitraryCase, fromYaml, modelled, type TopologyCase } from './cases.ts';

export interface FaultCase extends TopologyCase {
  /** Picks the site of each class (modulo its number of sites). */
  readonly site: number;
  /**
   * Only these classes (a regression file's `# classes:`, the ones its case failed on): a regression keeps
   * its fault checked without asking every other class at that site again, which the campaign did.
   */
  readonly classes?: readonly FaultClass[];
}

/** A regression file's `classes` argument (`a, b`), each a class of faults.ts; throws on another name. */
export function classesArg(text: string | undefined): readonly FaultClass[] | undefined {
  if (text === undefined) return undefined;
  const names = text.split(/[\s,]+/).filter((x) => x !== '');
  for (const n of names) if (!(FAULT_CLASSES as readonly string[]).includes(n)) throw new Error(`classes: no fault class ${n} (one of ${FAULT_CLASSES.join(', ')})`);
  if (names.length === 0) throw new Error('classes: empty');
  return names as FaultClass[];
}

export interface FaultOptions {
  readonly bounds?: TopologyBounds;
  readonly classes?: readonly FaultClass[];
}

/** The classes a checked case failed on, for its regression file's `# classes:` line. */
const failedOn = new WeakMap<FaultCase, FaultClass[]>();

const show = (o: KillOutcome) => `${o.fault.cls}: ${o.fault.what}\n  ${o.behaviour ?? ''}`;

export function faultKillProperty(o: FaultOptions = {}): FuzzProperty<FaultCase> {
  const classes = o.classes ?? FAULT_CLASSES;
  return {
    name: 'fault-kill',
    checks: 'a fault of each class in the rendered artifacts that changes how some packet ends is killed by a built-in property (a verdict changes)',
    arbitrary: arbitraryCase(o.bounds ?? {}, fc.record({ site: fc.nat({ max: 10_000 }) })),
    async check(c, counts) {
      const { m } = modelled(c.g);
      bump(counts, 'topologies');
      const ev = createEvaluator(m.dataplane);
      const base = await verdictsOf(m);
      const probes = probesOf(m, ev);
      const missed: string[] = [];
      const failed: FaultClass[] = [];
      for (const cls of c.classes ?? classes) {
        const sites = faultSites(cls, m.artifacts, m.topology);
        // A class the case names must still have a site, or the regression would check nothing.
        if (sites.length === 0 && c.classes !== undefined) return `the case names ${cls}, which has no site in its topology`;
        if (sites.length === 0) continue;
        const out = await killCheck(m, base, probes, sites[c.site % sites.length]!);
        bump(counts, 'faults');
        if (out.status === 'killed') bump(counts, `killed ${cls}`);
        else if (out.status === 'rejected') {
          bump(counts, `refused ${cls}`);
          missed.push(`${cls}: ${out.fault.what}\n  the faulty artifacts do not parse: ${out.error ?? ''}`);
          failed.push(cls);
        } else if (out.behaviour === null) bump(counts, `quiet ${cls}`);
        else if (out.status === 'masked') bump(counts, `masked ${cls}`);
        else {
          bump(counts, `${out.status === 'unknown' ? 'unknown' : 'gap'} ${cls}`);
          if (knownGap(out) === null) { missed.push(show(out)); failed.push(cls); }
        }
      }
      failedOn.set(c, failed);
      return missed.length === 0 ? null : `${missed.length} fault${missed.length === 1 ? '' : 's'} changing behaviour survived every property:\n${missed.join('\n')}`;
    },
    toRegression(c) {
      // Its regression asks only the classes it failed on (add `# expect:` once fixed: test/regressions/README.md).
      const failed = failedOn.get(c) ?? c.classes ?? [];
      return { topology: c.g.yaml, args: { site: String(c.site), ...(failed.length > 0 ? { classes: failed.join(', ') } : {}) } };
    },
    fromRegression(r) {
      const only = classesArg(r.args.classes);
      return { g: fromYaml(r.topology), site: Number(r.args.site ?? 0), ...(only !== undefined ? { classes: only } : {}) };
    },
  };
}
