// `npm run bench [-- --quick] [--sizes tiny,large] [--runs N] [--pairs N] [--queries N] [--no-solver]
// [--per-property] [--solver-timeout S] [--tenant vxlan|vlan] [--ha] [--failures N] [--startup-runs N] [--no-cloud] [--no-cli]
// [--no-diff] [--diff-runs N] [--jobs N]`:
// the CLI's start-up (bench/startup.ts), then the pipeline's timings on generated topologies (bench/generate.ts), one
// table row per size, each size as a cloud directory against its topology file (bench/cloud.ts), and `diff` of
// each size against itself with one security-group rule added beside one verify of that size (bench/diff.ts).
// Each size is measured in a child process of its own, so its peak RSS is its own and one z3 instance never
// outlives its size. The child writes one JSON line per finished stage (pipeline, verify, failures, query, cloud),
// synchronously, so a solver stage that fails, runs out of memory or overruns --solver-timeout costs only its own
// cells; each stage's figure is printed as it arrives, so a run stopped during a long stage (`--failures` at the
// large size) keeps what it measured before. Figures are medians of `--runs` runs.
import { cpus, totalmem } from 'node:os';
import { shutdownZ3 } from '../src/smt/index.ts';
import { QUICK_SIZES, SIZES, describeSize, type BenchSize } from './generate.ts';
import { count, scanArgs, sizeNamed, sizesNamed } from './args.ts';
import { measureSize } from './measure.ts';
import { measureFailures, measureQueries, measureVerify } from './solver-phase.ts';
import { emit, measureInChild, modelMs, type ChildOptions, type Collected } from './child.ts';
import { formatTable, ms } from './table.ts';
import { measureCloud, type CloudFigures } from './cloud.ts';
import { DIFF_HEADERS, diffRow, measureDiffInChild } from './diff.ts';

/** Z3's timeout per check in the cloud phase (as for verify). */
const CLOUD_TIMEOUT_MS = 10_000;

function cloudRow(size: BenchSize, c: CloudFigures): string[] {
  return [size.name, c.captureMiB.toFixed(1), ms(c.renderedLoadMs), ms(c.renderedVerifyMs), ms(c.collectedLoadMs), ms(c.collectedVerifyMs), `${c.ratio.toFixed(2)}×`, String(c.unknown)];
}
import { formatStartup, measureStartup } from './startup.ts';
import { measureCliVerify, type CliVerifyFigures } from './cli-verify.ts';
import { growthExponent } from './stats.ts';

interface Args extends ChildOptions {
  readonly sizes: readonly BenchSize[];
  /** Internal: measure this one size and write its figures as JSON lines. */
  readonly child: string | null;
  /** Runs of each CLI start-up measurement (0: none). */
  readonly startupRuns: number;
  /** Also time `netproof verify` of each size as a whole process (start-up and model building included). */
  readonly cli: boolean;
  /** `--jobs N`: the `netproof verify` process runs with `--jobs N` (1: on one thread). */
  readonly jobs: number;
  /** Runs of the diff measurement per size (0: `--no-diff`). */
  readonly diffRuns: number;
}

function parseArgs(argv: readonly string[]): Args {
  const v = scanArgs(argv, {
    quick: { type: 'boolean' }, sizes: { type: 'string' }, runs: { type: 'string' }, pairs: { type: 'string' },
    queries: { type: 'string' }, 'no-solver': { type: 'boolean' }, 'no-cloud': { type: 'boolean' }, 'no-cli': { type: 'boolean' },
    'no-diff': { type: 'boolean' }, 'diff-runs': { type: 'string' }, 'per-property': { type: 'boolean' },
    'solver-timeout': { type: 'string' }, tenant: { type: 'string' }, ha: { type: 'boolean' }, failures: { type: 'string' },
    'startup-runs': { type: 'string' }, child: { type: 'string' }, jobs: { type: 'string' },
  });
  const quick = v.quick === true;
  const tenant = tenantNamed(v.tenant ?? 'vxlan');
  const ha = v.ha === true;
  const sizes = v.sizes !== undefined ? sizesNamed(v.sizes) : quick ? QUICK_SIZES : SIZES;
  return {
    sizes: sizes.map((s) => ({ ...s, tenant, ha })),
    runs: count('runs', v.runs ?? '3'),
    tracePairs: count('pairs', v.pairs ?? '100'),
    queryPairs: count('queries', v.queries ?? '20', true),
    noSolver: v['no-solver'] === true,
    perProperty: v['per-property'] === true,
    solverTimeoutS: count('solver-timeout', v['solver-timeout'] ?? '600'),
    child: v.child ?? null,
    tenant,
    ha,
    failures: count('failures', v.failures ?? '0', true),
    startupRuns: count('startup-runs', v['startup-runs'] ?? (quick ? '5' : '11'), true),
    cloud: v['no-cloud'] !== true,
    cli: v['no-cli'] !== true,
    jobs: count('jobs', v.jobs ?? '1'),
    diffRuns: v['no-diff'] === true ? 0 : count('diff-runs', v['diff-runs'] ?? '1'),
  };
}

function tenantNamed(v: string): 'vxlan' | 'vlan' {
  if (v !== 'vxlan' && v !== 'vlan') throw new Error(`--tenant wants vxlan or vlan, not ${v}`);
  return v;
}

async function runChild(a: Args, size: BenchSize): Promise<void> {
  // Milliseconds since the process started (performance's time origin): Node and every module loaded.
  const startMs = performance.now();
  const { figures, model } = measureSize(size, a);
  emit({ kind: 'pipeline', figures: { ...figures, startMs } });
  if (a.noSolver) return;
  try {
    emit({ kind: 'verify', figures: await measureVerify(model, a.perProperty) });
    if (a.failures > 0) emit({ kind: 'failures', figures: await measureFailures(model, a.failures, (done, of, ms, cpuMs) => emit({ kind: 'scenario', done, of, ms, cpuMs })) });
    if (a.queryPairs > 0) emit({ kind: 'query', figures: await measureQueries(model, a.queryPairs) });
    if (a.cloud) emit({ kind: 'cloud', figures: await measureCloud(size, a.runs, CLOUD_TIMEOUT_MS) });
  } finally {
    await shutdownZ3();
  }
}


function row(c: Collected, solver: boolean, size: BenchSize, cli: CliVerifyFigures | null): string[] {
  const p = c.pipeline;
  const stopped = c.failure === null ? '—' : 'fail';
  const pipeline = p
    ? [String(p.vms), String(p.routers), String(p.hosts), String(p.flows), String(p.rules), p.startMs === undefined ? '—' : ms(p.startMs), ms(p.loadMs), ms(p.renderMs), ms(p.assembleMs), ms(p.convergeMs), ms(modelMs(p)), ms(p.traceP50), ms(p.traceP95)]
    : Array<string>(13).fill(stopped);
  const v = c.verify;
  const q = c.query;
  const solverCells = !solver
    ? ['skip', 'skip', 'skip']
    : [v ? `${ms(v.verifyMs)}${v.unknown > 0 ? ` (${v.unknown}?)` : ''}` : stopped, q ? ms(q.queryP50) : c.failure === null ? 'skip' : stopped, q ? ms(q.queryP95) : c.failure === null ? 'skip' : stopped];
  const rss = Math.max(p?.maxRssMiB ?? 0, v?.maxRssMiB ?? 0, q?.maxRssMiB ?? 0);
  const cliCells = cli === null ? ['skip', 'skip'] : cli.failure !== null ? ['fail', '—'] : [ms(cli.wallMs), cli.maxRssMiB === null ? '—' : cli.maxRssMiB.toFixed(0)];
  return [size.name, ...pipeline, ...solverCells, rss > 0 ? rss.toFixed(0) : '—', ...cliCells];
}

/** Per phase, the growth exponent in VMs over the sizes of at least 250 VMs measured (null: too few). */
function exponents(measured: readonly { size: BenchSize; c: Collected; cli: CliVerifyFigures | null }[]): string | null {
  const big = measured.filter((m) => m.c.pipeline !== null && m.c.pipeline.vms >= 250);
  if (big.length < 2) return null;
  const fit = (y: (m: (typeof big)[number]) => number | null | undefined): string => {
    const pts = big.map((m) => ({ n: m.c.pipeline!.vms, y: y(m) ?? NaN }));
    const k = growthExponent(pts);
    return k === null ? '—' : k.toFixed(2);
  };
  const phases: [string, (m: (typeof big)[number]) => number | null | undefined][] = [
    ['start', (m) => m.c.pipeline!.startMs], ['load', (m) => m.c.pipeline!.loadMs], ['render', (m) => m.c.pipeline!.renderMs],
    ['parse+asm', (m) => m.c.pipeline!.assembleMs], ['converge', (m) => m.c.pipeline!.convergeMs], ['model', (m) => modelMs(m.c.pipeline!)],
    ['trace p50', (m) => m.c.pipeline!.traceP50], ['verify', (m) => m.c.verify?.verifyMs], ['query p50', (m) => m.c.query?.queryP50],
    ['rss', (m) => Math.max(m.c.pipeline!.maxRssMiB, m.c.verify?.maxRssMiB ?? 0, m.c.query?.maxRssMiB ?? 0)],
    ['netproof verify', (m) => (m.cli?.failure === null ? m.cli.wallMs : null)], ['its rss', (m) => m.cli?.maxRssMiB],
  ];
  return `growth exponent k of time ≈ c·VMsᵏ (least squares on log-log over ${big.map((m) => `${m.size.name} ${m.c.pipeline!.vms}`).join(', ')} VMs): ${phases.map(([name, y]) => `${name} ${fit(y)}`).join(', ')}`;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.child !== null) return runChild(a, { ...sizeNamed(a.child), tenant: a.tenant, ha: a.ha });
  const cpu = cpus();
  console.log(`netproof bench — node ${process.version}, ${cpu.length} cores (${cpu[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB`);
  if (a.startupRuns > 0) console.log(`${formatStartup(measureStartup(a.startupRuns))}\n`);
  console.log(`medians of ${a.runs} runs; traces over ${a.tracePairs} VM pairs, queries (tcp/22) over ${a.queryPairs}; times in ms\n`);
  const headers = ['size', 'vms', 'routers', 'hosts', 'flows', 'nf rules', 'start', 'load', 'render', 'parse+asm', 'converge', 'model', 'trace p50', 'trace p95', 'verify', 'query p50', 'query p95', 'rss MiB', 'netproof verify', 'its rss MiB'];
  const rows: string[][] = [];
  const measured: { size: BenchSize; c: Collected; cli: CliVerifyFigures | null }[] = [];
  const notes: string[] = [];
  const cloudRows: string[][] = [];
  for (const size of a.sizes) {
    console.log(`  ${size.name}: ${describeSize(size)}`);
    const c = await measureInChild(a, size);
    const cli = a.cli && !a.noSolver ? measureCliVerify(size, a.solverTimeoutS, a.jobs) : null;
    if (cli?.failure) notes.push(`${size.name}: netproof verify as a process — ${cli.failure}`);
    else if (cli !== null) notes.push(`${size.name}: netproof verify${a.jobs > 1 ? ` --jobs ${a.jobs}` : ''} as a process: ${ms(cli.wallMs)} ms wall, ${cli.cpuMs === null ? '—' : ms(cli.cpuMs)} ms CPU (every thread), ${cli.maxRssMiB === null ? '—' : cli.maxRssMiB.toFixed(0)} MiB peak RSS`);
    rows.push(row(c, !a.noSolver, size, cli));
    measured.push({ size, c, cli });
    if (c.verify && notes.length === 0) {
      notes.push(`verify: wall time of the built-in checks (${c.verify.properties.join(', ')}) once Z3 is up (Z3 start-up ${ms(c.verify.z3StartMs)} ms); (N?) = N unknown verdicts`);
    }
    if (c.verify) notes.push(`${size.name}: verify ${ms(c.verify.verifyMs)} ms wall, ${ms(c.verify.verifyCpuMs)} ms CPU (every thread)`);
    if (c.failures) {
      const f = c.failures;
      notes.push(`${size.name}: verify --failures ${f.failures} (${f.scenarios} scenarios): ${ms(f.wallMs)} ms wall, ${ms(f.cpuMs)} ms CPU; ${f.results} results, ${f.violated} violated, ${f.unknown} unknown`);
    }
    if (c.verify && a.perProperty) {
      notes.push(`${size.name} per property (ms): ${Object.entries(c.verify.perProperty).map(([k, v]) => `${k} ${ms(v)}`).join(', ')}`);
    }
    if (c.cloud) cloudRows.push(cloudRow(size, c.cloud));
    if (c.failure) notes.push(`${size.name}: stopped early — ${c.failure}`);
  }
  console.log(`\n${formatTable(headers, rows)}`);
  if (cloudRows.length > 0) {
    console.log(`\nA cloud directory (API view + node captures in the collect script's layout, synthesised from the rendered artifacts with the tools' counters) against the same size from its topology file; medians of ${a.runs} runs, ms:\n`);
    console.log(formatTable(['size', 'capture MiB', 'file: load+render+parse', 'file: verify', 'cloud: read+parse', 'cloud: verify', 'ratio', 'unknown'], cloudRows));
  }
  notes.unshift('start: Node and the modules loaded, as the size\'s process begins; model: load + render + parse+asm + converge; netproof verify: the command as a process on the size\'s file (everything, Z3 start included), with its own peak RSS');
  if (a.diffRuns > 0 && !a.noSolver && !a.ha && a.tenant === 'vxlan') {
    // One process per size, after the table: its own Z3, its own memory.
    console.log(`\ndiff of each size against itself with one security-group rule added (tcp/8080 into p1's ssh group), beside one verify of that size in the same process; medians of ${a.diffRuns} run${a.diffRuns === 1 ? '' : 's'}:\n`);
    console.log(formatTable(DIFF_HEADERS, a.sizes.map((size) => diffRow(size.name, measureDiffInChild(size.name, a.diffRuns, a.solverTimeoutS * 6)))));
  }
  const k = exponents(measured);
  if (k !== null) notes.push(k);
  if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
