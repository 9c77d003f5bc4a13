// `npm run bench:phases [-- --sizes large,xlarge,huge] [--runs N]`: the pipeline in front of the solver alone —
// load, render, parse+assemble, converge — per generated size, with wall and CPU time of each phase and nothing
// after it (no traces, no Z3), so sizes far beyond what verify can take are measured in minutes. Each size runs in
// a process of its own (its peak RSS its own, no JIT or heap left over from a smaller size); the process builds
// the model `--runs` times and reports medians. The growth exponent of each phase over the sizes measured is
// printed under the table: the figure the pipeline's linearity is judged by.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadTopologyText } from '../src/topology/index.ts';
import { renderTopology } from '../src/render/index.ts';
import { assembleDataplane } from '../src/dataplane/assemble.ts';
import { createEvaluator } from '../src/evaluate/index.ts';
import { generateTopologyText, describeSize, type BenchSize } from './generate.ts';
import { count, scanArgs, sizeNamed, sizesNamed } from './args.ts';
import { growthExponent, median } from './stats.ts';
import { formatTable, ms } from './table.ts';

const PHASES = ['load', 'render', 'parse+asm', 'converge'] as const;
type Phase = (typeof PHASES)[number];

interface PhaseFigures {
  readonly size: string;
  readonly vms: number;
  /** Median wall and CPU milliseconds of each phase. */
  readonly wallMs: Record<Phase, number>;
  readonly cpuMs: Record<Phase, number>;
  readonly maxRssMiB: number;
  readonly loadAvgStart: number;
  readonly loadAvgEnd: number;
}

/** `fn` timed by the wall clock and by the process's CPU time (user + system). */
function timedCpu<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms: wall, cpuMs: (c.user + c.system) / 1000, value };
}

function measure(size: BenchSize, runs: number): PhaseFigures {
  const loadAvgStart = loadavg()[0]!;
  const text = generateTopologyText(size);
  const wall: Record<Phase, number[]> = { load: [], render: [], 'parse+asm': [], converge: [] };
  const cpu: Record<Phase, number[]> = { load: [], render: [], 'parse+asm': [], converge: [] };
  let vms = 0;
  for (let i = 0; i < runs; i++) {
    const t = timedCpu(() => loadTopologyText(text, `${size.name}.yaml`));
    if (!t.value.ok) throw new Error(`generated size ${size.name} does not load: ${JSON.stringify(t.value.errors.slice(0, 3))}`);
    const topology = t.value.value;
    vms = topology.vms.length;
    const r = timedCpu(() => renderTopology(topology));
    const a = timedCpu(() => assembleDataplane(topology, r.value));
    const c = timedCpu(() => createEvaluator(a.value));
    for (const [p, x] of [['load', t], ['render', r], ['parse+asm', a], ['converge', c]] as const) {
      wall[p].push(x.ms);
      cpu[p].push(x.cpuMs);
    }
  }
  const med = (m: Record<Phase, number[]>) => Object.fromEntries(PHASES.map((p) => [p, median(m[p])])) as Record<Phase, number>;
  return { size: size.name, vms, wallMs: med(wall), cpuMs: med(cpu), maxRssMiB: process.resourceUsage().maxRSS / 1024, loadAvgStart, loadAvgEnd: loadavg()[0]! };
}

function main(): void {
  const v = scanArgs(process.argv.slice(2), { sizes: { type: 'string' }, runs: { type: 'string' }, child: { type: 'string' }, tenant: { type: 'string' } });
  const runs = count('runs', v.runs ?? '1');
  const tenant = v.tenant ?? 'vxlan';
  if (tenant !== 'vxlan' && tenant !== 'vlan') throw new Error(`--tenant wants vxlan or vlan, not ${tenant}`);
  if (v.child !== undefined) {
    process.stdout.write(`${JSON.stringify(measure({ ...sizeNamed(v.child), tenant }, runs))}\n`);
    return;
  }
  const sizes = sizesNamed(v.sizes ?? 'medium,large,xlarge');
  const script = fileURLToPath(import.meta.url);
  const got: PhaseFigures[] = [];
  console.log(`pipeline phases, medians of ${runs} run${runs === 1 ? '' : 's'} per size, each size a process of its own; ms wall / ms CPU`);
  for (const size of sizes) {
    console.error(`  ${size.name}: ${describeSize({ ...size, tenant })} (load ${loadavg()[0]!.toFixed(2)})`);
    const child = spawnSync(process.execPath, [...process.execArgv, script, '--child', size.name, '--runs', String(runs), '--tenant', tenant], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
    const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
    if (child.status !== 0 || line === undefined) {
      console.error(`  ${size.name}: failed (exit ${child.status ?? child.signal})`);
      continue;
    }
    const f = JSON.parse(line) as PhaseFigures;
    console.error(`  ${size.name}: ${PHASES.map((p) => `${p} ${ms(f.wallMs[p])}/${ms(f.cpuMs[p])}`).join(', ')} (load ${f.loadAvgStart.toFixed(2)} → ${f.loadAvgEnd.toFixed(2)})`);
    got.push(f);
  }
  const rows = got.map((f) => [f.size, String(f.vms), ...PHASES.map((p) => `${ms(f.wallMs[p])} / ${ms(f.cpuMs[p])}`), f.maxRssMiB.toFixed(0), `${f.loadAvgStart.toFixed(2)} → ${f.loadAvgEnd.toFixed(2)}`]);
  console.log(formatTable(['size', 'vms', ...PHASES, 'rss MiB', 'load avg'], rows));
  if (got.length >= 2) {
    const k = (pick: (f: PhaseFigures) => number) => {
      const e = growthExponent(got.map((f) => ({ n: f.vms, y: pick(f) })));
      return e === null ? '—' : e.toFixed(2);
    };
    console.log(`growth exponent k of CPU time ≈ c·VMsᵏ over ${got.map((f) => f.vms).join(', ')} VMs: ${PHASES.map((p) => `${p} ${k((f) => f.cpuMs[p])}`).join(', ')}`);
  }
}

main();
