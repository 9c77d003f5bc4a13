// `npm run bench:ha [-- --size large] [--runs N] [--solver-timeout S]`: verify-all of one generated size with
// every router an L3 HA router on two network nodes against the same size without HA, taken in one window and
// alternated run by run (HA first on every other pair), so a busy spell of a shared machine weighs on both alike.
// Each run is a child process of its own (bench/child.ts: the model built once, then verify; no queries, no
// cloud). Prints each run as it ends, then the medians of wall and CPU time (every thread) and their ratios, with
// the load average beside every figure: CPU time is what a shared machine inflates least.
import { loadavg } from 'node:os';
import { count, scanArgs, sizeNamed } from './args.ts';
import { measureInChild, type ChildOptions } from './child.ts';
import { describeSize } from './generate.ts';
import { median } from './stats.ts';
import { ms } from './table.ts';

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly load: number;
}

async function main(): Promise<void> {
  const v = scanArgs(process.argv.slice(2), { size: { type: 'string' }, runs: { type: 'string' }, 'solver-timeout': { type: 'string' } });
  const size = sizeNamed(v.size ?? 'large');
  const runs = count('runs', v.runs ?? '3');
  const base: ChildOptions = {
    runs: 1, tracePairs: 1, queryPairs: 0, noSolver: false, perProperty: false, cloud: false, failures: 0, tenant: 'vxlan', ha: false,
    solverTimeoutS: count('solver-timeout', v['solver-timeout'] ?? '1800'),
  };
  console.log(`verify-all of ${size.name} with and without HA, alternated, ${runs} run${runs === 1 ? '' : 's'} each`);
  console.log(`  without HA: ${describeSize({ ...size, ha: false })}\n  with HA:    ${describeSize({ ...size, ha: true })}`);
  const samples: Record<'plain' | 'ha', Sample[]> = { plain: [], ha: [] };
  for (let i = 0; i < runs; i++) {
    for (const ha of i % 2 === 0 ? [false, true] : [true, false]) {
      const load = loadavg()[0]!;
      const c = await measureInChild({ ...base, ha }, { ...size, ha });
      if (c.verify === null) throw new Error(`${ha ? 'HA' : 'non-HA'} run ${i + 1} did not finish: ${c.failure ?? 'no verify figure'}`);
      const s = { wallMs: c.verify.verifyMs, cpuMs: c.verify.verifyCpuMs, load };
      samples[ha ? 'ha' : 'plain'].push(s);
      console.log(`run ${i + 1} ${ha ? 'with HA   ' : 'without HA'}: ${ms(s.wallMs)} ms wall, ${ms(s.cpuMs)} ms CPU; ${c.verify.results} results, ${c.verify.violated} violated, ${c.verify.unknown} unknown (load ${load.toFixed(2)} at its start)`);
    }
  }
  const m = (k: 'plain' | 'ha', f: 'wallMs' | 'cpuMs') => median(samples[k].map((s) => s[f]));
  const loads = [...samples.plain, ...samples.ha].map((s) => s.load);
  console.log(`medians of ${runs}: without HA ${ms(m('plain', 'wallMs'))} ms wall, ${ms(m('plain', 'cpuMs'))} ms CPU; with HA ${ms(m('ha', 'wallMs'))} ms wall, ${ms(m('ha', 'cpuMs'))} ms CPU`);
  console.log(`ratio HA / without: ${(m('ha', 'wallMs') / m('plain', 'wallMs')).toFixed(2)}× wall, ${(m('ha', 'cpuMs') / m('plain', 'cpuMs')).toFixed(2)}× CPU (load average ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} at the runs' starts)`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
