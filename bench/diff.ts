// `npm run bench:diff [-- --sizes tiny,small] [--runs N] [--change first|last] [--prune off] [--classes off] [--cross off] [--split off]` (and the
// diff phase of `npm run bench`): `diff` of a generated size against itself with one security-group
// rule added (tcp/8080 into project p1's ssh group, whose members include a VM with a floating IP, so
// every sender's packets reach a changed firewall; `--change last`: into the last project's, whose
// members have none), beside one `verify` of the same size (the built-ins), in one process per size,
// verify and diff alternated run by run; medians of --runs runs, wall and CPU time (every thread of
// the process). Also the diff of one sender (`--from vm1`), which is what a change review of one VM
// asks, how many senders were settled on one side (their walk there visits no changed device;
// `--prune off` walks both sides of every sender), how many classes of senders were asked (one port
// standing for the ports alike in both models; `--classes off` asks every sender; `--cross off` follows
// every copy across an external network to its end, diff-crossing.ts; `--split off` walks the after
// side on its own instead of within the before side's walk, diff-split.ts), and how many
// sender-place pairs were settled without the solver (reached by the very same paths on both sides).
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadTopologyText } from '../src/topology/index.ts';
import { modelFromTopology } from '../src/pipeline.ts';
import { createEvaluator } from '../src/evaluate/index.ts';
import { runDiff } from '../src/questions/diff.ts';
import { runVerify } from '../src/questions/verify.ts';
import { BUILTIN_PROPERTIES } from '../src/questions/properties/index.ts';
import { getZ3, renewZ3IfOver, shutdownZ3 } from '../src/smt/index.ts';
import { EXTRA_SIZES, SIZES, generateTopologyText } from './generate.ts';

const TIMEOUT_MS = 10_000;

/** What one size's diff measurement gives (medians of its runs, ms). */
export interface DiffFigures {
  readonly size: string;
  readonly vms: number;
  readonly verifyMs: number;
  readonly diffMs: number;
  /** CPU time (user + system, all threads), medians. */
  readonly verifyCpuMs: number;
  readonly diffCpuMs: number;
  readonly diffOneMs: number;
  /** Senders settled on one side (their walk there visits no changed device). */
  readonly untouched: number;
  /** The classes the senders were asked in (one representative each), and whether classes were asked for. */
  readonly senderClasses: number;
  readonly classes: boolean;
  /** Whether copies crossing to a router with nothing changed beyond were cut (diff-crossing.ts). */
  readonly cross: boolean;
  /** Whether the after side was walked within the before side's walk (diff-split.ts). */
  readonly split: boolean;
  readonly change: Change;
  readonly prune: boolean;
  /** The verdict and what was found, in words. */
  readonly found: string;
  readonly senders: number;
  readonly places: number;
  readonly placesUnchanged: number;
  readonly runs: number;
  /** The 1-minute load average at the start and the end of the size's process. */
  readonly load: readonly [number, number];
}

/** One side of a diff: a generated topology's model and its evaluator (the benches of diff share it). */
export function party(text: string) {
  const t = loadTopologyText(text, 'bench.yaml');
  if (!t.ok) throw new Error(t.errors.map((e) => e.message).join('; '));
  const model = modelFromTopology(t.value);
  return { model, ev: createEvaluator(model.dataplane) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Which project's ssh group gets the rule: p1's (members with a floating IP) or the last project's (none at the bench's sizes but tiny). */
export type Change = 'first' | 'last';

/** The size's topology with one security-group rule added: tcp/8080 into project p1's ssh group (or the last project's). */
export function withOneRuleAdded(text: string, change: Change = 'first'): string {
  const rule = '      - direction: ingress\n        protocol: icmp\n';
  const at = change === 'first' ? text.indexOf(rule) : text.lastIndexOf(rule);
  if (at < 0) throw new Error('the generated ssh group has changed: update bench/diff.ts');
  const end = at + rule.length;
  return `${text.slice(0, end)}      - direction: ingress\n        protocol: tcp\n        port: 8080\n${text.slice(end)}`;
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/**
 * Before each timed question: an instance that has used more than half of Z3's fixed 2 GiB heap is
 * renewed, and started outside the clock (verify and diff of the large size in one process ran out of it).
 */
async function freshZ3(): Promise<void> {
  if (await renewZ3IfOver()) await getZ3();
}

async function child(sizeName: string, runs: number, change: Change, prune: boolean, classes: boolean, cross: boolean, split: boolean): Promise<void> {
  const start = loadavg()[0]!;
  const size = [...SIZES, ...EXTRA_SIZES].find((s) => s.name === sizeName)!;
  const text = generateTopologyText(size);
  const changed = withOneRuleAdded(text, change);
  await getZ3();
  const verify: number[] = [];
  const diff: number[] = [];
  const verifyCpu: number[] = [];
  const diffCpu: number[] = [];
  const one: number[] = [];
  let found = '';
  let untouched = 0;
  let senderClasses = 0;
  let counts = { senders: 0, places: 0, placesUnchanged: 0 };
  for (let i = 0; i < runs; i++) {
    const v = party(text);
    await freshZ3();
    let t = performance.now();
    let c = process.cpuUsage();
    await runVerify({ topology: v.model.topology, dataplane: v.model.dataplane, evaluator: v.ev, timeoutMs: TIMEOUT_MS }, BUILTIN_PROPERTIES, []);
    verify.push(performance.now() - t);
    verifyCpu.push(cpuMs(process.cpuUsage(c)));
    const [b, a] = [party(text), party(changed)];
    await freshZ3();
    t = performance.now();
    c = process.cpuUsage();
    const r = await runDiff(b, a, { from: null, to: null, via: null }, TIMEOUT_MS, { incremental: true, prune, classes, cross, split });
    diff.push(performance.now() - t);
    diffCpu.push(cpuMs(process.cpuUsage(c)));
    if (!r.ok) throw new Error('diff refused its input');
    const s = r.value.senders;
    const perSender = r.value.differences.reduce((n, d) => n + 1 + (d.standsFor?.length ?? 0), 0);
    const differing = new Set(r.value.differences.flatMap((d) => [d.from, ...(d.standsFor ?? [])])).size;
    found = `${r.value.verdict}, ${perSender} changes from ${differing} senders (${r.value.differences.length} asked), ${s.filter((x) => x.unknown !== null).length} senders unknown`;
    senderClasses = r.value.senderClasses;
    counts = { senders: s.length, places: s.reduce((n, x) => n + x.places, 0), placesUnchanged: s.reduce((n, x) => n + x.placesUnchanged, 0) };
    untouched = s.filter((x) => x.untouched).length;
    const [b1, a1] = [party(text), party(changed)];
    await freshZ3();
    t = performance.now();
    await runDiff(b1, a1, { from: 'vm1', to: null, via: null }, TIMEOUT_MS, { incremental: true, prune, classes, cross, split });
    one.push(performance.now() - t);
    // Each run as it ends (stderr): a size that does not finish still leaves its runs.
    console.error(`run ${i + 1}: verify ${(verify[i]! / 1000).toFixed(1)} s (CPU ${(verifyCpu[i]! / 1000).toFixed(1)} s), diff ${(diff[i]! / 1000).toFixed(1)} s (CPU ${(diffCpu[i]! / 1000).toFixed(1)} s), load ${loadavg()[0]!.toFixed(1)}`);
  }
  const figures: DiffFigures = { size: sizeName, vms: size.vms, verifyMs: median(verify), diffMs: median(diff), verifyCpuMs: median(verifyCpu), diffCpuMs: median(diffCpu), diffOneMs: median(one), untouched, senderClasses, classes, cross, split, change, prune, found, ...counts, runs, load: [start, loadavg()[0]!] };
  console.log(JSON.stringify(figures));
  await shutdownZ3();
}

/** One size measured in a process of its own (killed after `timeoutS`): its figures, or why it has none. */
export function measureDiffInChild(sizeName: string, runs: number, timeoutS: number, change: Change = 'first', prune = true, classes = true, cross = true, split = true): DiffFigures | { readonly failure: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', sizeName, String(runs), change, prune ? 'on' : 'off', classes ? 'on' : 'off', cross ? 'on' : 'off', split ? 'on' : 'off'], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: timeoutS * 1000, killSignal: 'SIGKILL', maxBuffer: 1 << 24,
  });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status === 0 && line.startsWith('{')) return JSON.parse(line) as DiffFigures;
  return { failure: r.signal === 'SIGKILL' ? `killed after ${timeoutS} s` : `exit ${r.status ?? r.signal}: ${(r.stderr ?? '').split('\n').find((l) => /Error/.test(l))?.trim().slice(0, 200) ?? ''}` };
}

export const DIFF_HEADERS = ['size', 'VMs', 'verify (built-ins), wall / CPU', 'diff, every sender, wall / CPU', 'ratio wall / CPU', 'diff --from vm1', 'classes of senders asked', 'senders settled on one side', 'sender-place pairs settled as the same', 'found', 'load 1 min'];

export function diffRow(sizeName: string, f: DiffFigures | { readonly failure: string }): string[] {
  if ('failure' in f) return [sizeName, '—', '—', 'fail', '—', '—', '—', '—', '—', f.failure, '—'];
  const s = (x: number) => `${(x / 1000).toFixed(1)} s`;
  return [sizeName, String(f.vms), `${s(f.verifyMs)} / ${s(f.verifyCpuMs)}`, `${s(f.diffMs)} / ${s(f.diffCpuMs)}`, `${(f.diffMs / f.verifyMs).toFixed(2)}× / ${(f.diffCpuMs / f.verifyCpuMs).toFixed(2)}×`, s(f.diffOneMs),
    f.classes ? `${f.senderClasses} of ${f.senders}` : 'off', f.prune ? `${f.untouched} of ${f.senders}` : 'off', `${f.placesUnchanged} of ${f.places} (${f.senders} senders)`, f.found, `${f.load[0].toFixed(1)} → ${f.load[1].toFixed(1)}`];
}

const args = process.argv.slice(2);
const opt = (name: string, d: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : d; };
// Only as the entry script: bench/run.ts imports this module, and its own children are also run with --child.
const isEntry = process.argv[1] === fileURLToPath(import.meta.url);
if (isEntry && args[0] === '--child') await child(args[1]!, Number(args[2]), args[3] === 'last' ? 'last' : 'first', args[4] !== 'off', args[5] !== 'off', args[6] !== 'off', args[7] !== 'off');
else if (isEntry) {
  const runs = Number(opt('--runs', '3'));
  const change = opt('--change', 'first');
  if (change !== 'first' && change !== 'last') throw new Error(`--change ${change}: first or last`);
  console.log(DIFF_HEADERS.join(' | '));
  for (const s of opt('--sizes', 'tiny,small').split(',')) console.log(diffRow(s, measureDiffInChild(s, runs, Number(opt('--timeout', '3600')), change, opt('--prune', 'on') !== 'off', opt('--classes', 'on') !== 'off', opt('--cross', 'on') !== 'off', opt('--split', 'on') !== 'off')).join(' | '));
}
