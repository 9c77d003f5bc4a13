// `npm run bench:diff [-- --sizes tiny,small] [--runs N]` (and the diff phase of `npm run bench`): `diff`
// of a generated size against itself with one security-group rule added (tcp/8080 into project p1's
// ssh group), beside one `verify` of the same size (the built-ins), in one process per size; medians
// of --runs runs. Also the diff of one sender (`--from vm1`), which is what a change review of one VM
// asks, and how many sender-place pairs were settled without the solver (reached by the very same
// paths on both sides).
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadTopologyText } from '../src/topology/index.ts';
import { modelFromTopology } from '../src/pipeline.ts';
import { createEvaluator } from '../src/evaluate/index.ts';
import { runDiff } from '../src/questions/diff.ts';
import { runVerify } from '../src/questions/verify.ts';
import { BUILTIN_PROPERTIES } from '../src/questions/properties/index.ts';
import { getZ3, shutdownZ3 } from '../src/smt/index.ts';
import { EXTRA_SIZES, SIZES, generateTopologyText } from './generate.ts';

const TIMEOUT_MS = 10_000;

/** What one size's diff measurement gives (medians of its runs, ms). */
export interface DiffFigures {
  readonly size: string;
  readonly vms: number;
  readonly verifyMs: number;
  readonly diffMs: number;
  readonly diffOneMs: number;
  /** The verdict and what was found, in words. */
  readonly found: string;
  readonly senders: number;
  readonly places: number;
  readonly placesUnchanged: number;
  readonly runs: number;
  /** The 1-minute load average at the start and the end of the size's process. */
  readonly load: readonly [number, number];
}

function party(text: string) {
  const t = loadTopologyText(text, 'bench.yaml');
  if (!t.ok) throw new Error(t.errors.map((e) => e.message).join('; '));
  const model = modelFromTopology(t.value);
  return { model, ev: createEvaluator(model.dataplane) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The size's topology with one security-group rule added: tcp/8080 into project p1's ssh group. */
export function withOneRuleAdded(text: string): string {
  const rule = '      - direction: ingress\n        protocol: icmp\n';
  if (!text.includes(rule)) throw new Error('the generated ssh group has changed: update bench/diff.ts');
  return text.replace(rule, `${rule}      - direction: ingress\n        protocol: tcp\n        port: 8080\n`);
}

async function child(sizeName: string, runs: number): Promise<void> {
  const start = loadavg()[0]!;
  const size = [...SIZES, ...EXTRA_SIZES].find((s) => s.name === sizeName)!;
  const text = generateTopologyText(size);
  const changed = withOneRuleAdded(text);
  await getZ3();
  const verify: number[] = [];
  const diff: number[] = [];
  const one: number[] = [];
  let found = '';
  let counts = { senders: 0, places: 0, placesUnchanged: 0 };
  for (let i = 0; i < runs; i++) {
    const v = party(text);
    let t = performance.now();
    await runVerify({ topology: v.model.topology, dataplane: v.model.dataplane, evaluator: v.ev, timeoutMs: TIMEOUT_MS }, BUILTIN_PROPERTIES, []);
    verify.push(performance.now() - t);
    const [b, a] = [party(text), party(changed)];
    t = performance.now();
    const r = await runDiff(b, a, { from: null, to: null, via: null }, TIMEOUT_MS);
    diff.push(performance.now() - t);
    if (!r.ok) throw new Error('diff refused its input');
    const s = r.value.senders;
    found = `${r.value.verdict}, ${r.value.differences.length} changes from ${new Set(r.value.differences.map((d) => d.from)).size} senders, ${s.filter((x) => x.unknown !== null).length} senders unknown`;
    counts = { senders: s.length, places: s.reduce((n, x) => n + x.places, 0), placesUnchanged: s.reduce((n, x) => n + x.placesUnchanged, 0) };
    const [b1, a1] = [party(text), party(changed)];
    t = performance.now();
    await runDiff(b1, a1, { from: 'vm1', to: null, via: null }, TIMEOUT_MS);
    one.push(performance.now() - t);
  }
  const figures: DiffFigures = { size: sizeName, vms: size.vms, verifyMs: median(verify), diffMs: median(diff), diffOneMs: median(one), found, ...counts, runs, load: [start, loadavg()[0]!] };
  console.log(JSON.stringify(figures));
  await shutdownZ3();
}

/** One size measured in a process of its own (killed after `timeoutS`): its figures, or why it has none. */
export function measureDiffInChild(sizeName: string, runs: number, timeoutS: number): DiffFigures | { readonly failure: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', sizeName, String(runs)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutS * 1000, killSignal: 'SIGKILL', maxBuffer: 1 << 24,
  });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status === 0 && line.startsWith('{')) return JSON.parse(line) as DiffFigures;
  return { failure: r.signal === 'SIGKILL' ? `killed after ${timeoutS} s` : `exit ${r.status ?? r.signal}: ${(r.stderr ?? '').split('\n').find((l) => /Error/.test(l))?.trim().slice(0, 200) ?? ''}` };
}

export const DIFF_HEADERS = ['size', 'VMs', 'verify (built-ins)', 'diff, every sender', 'ratio', 'diff --from vm1', 'sender-place pairs settled as the same', 'found', 'load 1 min'];

export function diffRow(sizeName: string, f: DiffFigures | { readonly failure: string }): string[] {
  if ('failure' in f) return [sizeName, '—', '—', 'fail', '—', '—', '—', f.failure, '—'];
  const s = (x: number) => `${(x / 1000).toFixed(1)} s`;
  return [sizeName, String(f.vms), s(f.verifyMs), s(f.diffMs), `${(f.diffMs / f.verifyMs).toFixed(2)}×`, s(f.diffOneMs), `${f.placesUnchanged} of ${f.places} (${f.senders} senders)`, f.found, `${f.load[0].toFixed(1)} → ${f.load[1].toFixed(1)}`];
}

const args = process.argv.slice(2);
const opt = (name: string, d: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : d; };
// Only as the entry script: bench/run.ts imports this module, and its own children are also run with --child.
const isEntry = process.argv[1] === fileURLToPath(import.meta.url);
if (isEntry && args[0] === '--child') await child(args[1]!, Number(args[2]));
else if (isEntry) {
  const runs = Number(opt('--runs', '3'));
  console.log(DIFF_HEADERS.join(' | '));
  for (const s of opt('--sizes', 'tiny,small').split(',')) console.log(diffRow(s, measureDiffInChild(s, runs, Number(opt('--timeout', '3600')))).join(' | '));
}
