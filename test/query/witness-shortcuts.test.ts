// Checks a witness saves (src/smt/witness.ts, `witnessShortcuts`): a preference the question's own pins
// contradict (dport 80 when the query asks tcp/443, 8.8.8.8 for an outside sender the query names
// 203.0.113.7) is dropped without asking Z3, and the random draws (--random-fully ports) are asked at their
// replayed values in the question's first check instead of one of their own. Held to the straightforward way
// (both off): on the shipped topologies and generated ones, the same queries give the very same JSON answers
// (witnesses included) with the shortcuts and without them, never with more solver checks, and with fewer on
// most topologies.
import diagnostics from 'node:diagnostics_channel';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { load } from '../../src/index.ts';
import { CHECK_CHANNEL, shutdownZ3, witnessShortcuts } from '../../src/smt/index.ts';
import { arbitraryTopology } from '../../src/testing/index.ts';
import { answersOf, namedSources, queryMix, SHIPPED } from './query-mix.ts';
import { concreteFirstShortcut } from '../../src/questions/reach-set.ts';

// Every solver check of the process, as the library tells them.
let checksMade = 0;
const countCheck = () => { checksMade++; };
diagnostics.subscribe(CHECK_CHANNEL, countCheck);

// The solver's witnesses are what this file holds: the concrete-first answer (src/questions/concrete-first.ts,
// held to them in concrete-first.test.ts) would answer reachable questions without the solver.
concreteFirstShortcut.on = false;
afterAll(async () => {
  concreteFirstShortcut.on = true;
  diagnostics.unsubscribe(CHECK_CHANNEL, countCheck);
  witnessShortcuts.questionPins = true;
  witnessShortcuts.replayInFirstCheck = true;
  await shutdownZ3();
});

// seed-vlan differs from the seed only below the routers, where no witness preference looks.
const GENERATED = fc.sample(arbitraryTopology({ minRouters: 1, minVms: 2 }), { numRuns: 3, seed: 6062 });


/** Every query's answer (JSON or errors) on a freshly loaded model, and the checks Z3 made for them. */
async function answers(source: Parameters<typeof load>[0], shortcuts: boolean): Promise<{ json: string[]; checks: number }> {
  witnessShortcuts.questionPins = shortcuts;
  witnessShortcuts.replayInFirstCheck = shortcuts;
  const r = load(source);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const m = r.value;
  try {
    const c0 = checksMade;
    const json = await answersOf(m, queryMix(m, { senders: 3 }));
    return { json, checks: checksMade - c0 };
  } finally {
    await m.close();
    witnessShortcuts.questionPins = true;
    witnessShortcuts.replayInFirstCheck = true;
  }
}

describe('the checks a witness saves', () => {
  const sources = namedSources(SHIPPED, GENERATED);
  let fewer = 0;
  it.each(sources)('%s: the same answers, no more checks', async (_name, source) => {
    const asked = await answers(source, false);
    const skipped = await answers(source, true);
    expect(asked.json.length).toBeGreaterThan(0);
    expect(skipped.json).toEqual(asked.json);
    console.log(`${_name}: ${asked.checks} checks asked the straightforward way, ${skipped.checks} with the shortcuts`);
    expect(skipped.checks).toBeLessThanOrEqual(asked.checks);
    if (skipped.checks < asked.checks) fewer++;
  }, 120_000);
  it('makes fewer checks on most of the topologies', () => {
    // Every topology with a reachable tcp query has a witness whose dport 80 (or 443, 22) preference is pinned away.
    expect(fewer).toBeGreaterThanOrEqual(Math.ceil(sources.length / 2));
  });
});
