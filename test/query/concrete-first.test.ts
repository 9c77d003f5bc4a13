// The concrete-first answer (src/questions/concrete-first.ts: the preferred packet's replay as the proof of
// `reachable`, no symbolic walk, no solver check) held to the solver's way: on the shipped topologies and
// generated ones, queries of several kinds (VM → VM tcp/22, any packet and udp/53, VM → an internet
// address tcp/443, VM → the outside world as a set, the outside world → a floating IP tcp/22 and any
// packet) give the very same JSON answers, witness, trace and reason included, with the
// shortcut and without it. Each topology is asked both ways on models loaded anew (no answer kept from the
// other way); the shortcut must have answered some of the questions, or the comparison says nothing.
import diagnostics from 'node:diagnostics_channel';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load, type ResidentModel } from '../../src/index.ts';
import { CHECK_CHANNEL, shutdownZ3 } from '../../src/smt/index.ts';
import { concreteFirstShortcut } from '../../src/questions/reach-set.ts';
import { arbitraryTopology } from '../../src/testing/index.ts';
import { answersOf, namedSources, queryMix, SHIPPED } from './query-mix.ts';

let checksMade = 0;
const countCheck = () => { checksMade++; };
diagnostics.subscribe(CHECK_CHANNEL, countCheck);

// A model kept open for the whole file: closing the last open model ends Z3, and starting it again for
// every model loaded below would be most of this file's time.
let keeper: ResidentModel | null = null;
beforeAll(() => {
  const r = load(join(import.meta.dirname, '..', '..', 'topologies', 'seed.yaml'));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  keeper = r.value;
});

afterAll(async () => {
  diagnostics.unsubscribe(CHECK_CHANNEL, countCheck);
  concreteFirstShortcut.on = true;
  await keeper?.close();
  await shutdownZ3();
});

const GENERATED = fc.sample(arbitraryTopology({ minRouters: 1, minVms: 2 }), { numRuns: 4, seed: 2207 });


async function answers(source: Parameters<typeof load>[0], shortcut: boolean): Promise<{ json: string[]; checks: number; taken: number }> {
  concreteFirstShortcut.on = shortcut;
  const r = load(source);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const m = r.value;
  try {
    const c0 = checksMade;
    const t0 = concreteFirstShortcut.taken;
    const json = await answersOf(m, queryMix(m, { senders: 2, udpAndExternal: true, floatingAny: true }));
    return { json, checks: checksMade - c0, taken: concreteFirstShortcut.taken - t0 };
  } finally {
    await m.close();
    concreteFirstShortcut.on = true;
  }
}

describe('the concrete-first answer', () => {
  const sources = namedSources(SHIPPED, GENERATED);
  let taken = 0;
  it.each(sources)('%s: the same answers as the solver\'s way', async (name, source) => {
    const solver = await answers(source, false);
    const concrete = await answers(source, true);
    expect(solver.taken).toBe(0);
    // Told briefly: the first answer that differs, by its question's place, verdict, packet and reason.
    const brief = (j: string) => { const a = JSON.parse(j) as { verdict?: string; packet?: unknown; reason?: string }; return JSON.stringify([a.verdict, a.packet, a.reason]); };
    const differs = concrete.json.findIndex((j, i) => j !== solver.json[i]);
    expect(differs === -1 ? 'the same' : `#${differs}: ${brief(concrete.json[differs]!)} against ${brief(solver.json[differs]!)}`).toBe('the same');
    expect(concrete.json).toEqual(solver.json);
    console.log(`${name}: ${concrete.json.length} queries, ${concrete.taken} answered concretely; ${solver.checks} checks the solver's way, ${concrete.checks} with the shortcut`);
    expect(concrete.checks).toBeLessThanOrEqual(solver.checks);
    taken += concrete.taken;
  }, 120_000);
  it('answers many of the questions concretely', () => {
    expect(taken).toBeGreaterThanOrEqual(sources.length * 3);
  });
});
