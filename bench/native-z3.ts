// `node --import tsx bench/native-z3.ts [--size large] [--queries N]`: does a native Z3 (Debian's `z3`
// package, one process kept running and fed SMT-LIB over a pipe) pay for itself against the WebAssembly
// build netproof uses, on the same checks? A resident model of the size asks first-time queries (VM → VM
// tcp/22 and VM → the outside world tcp/443, as bench:resident does); every check the WebAssembly build
// runs is timed and written out as SMT-LIB (the solver's own `toString`, whose cost a native back end would
// pay too); then each is sent to `z3 -in` after a `(reset)`, and its round trip timed. The answers must
// agree. A measurement, not a test; needs `z3` on the PATH (apt-get install z3).
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { load } from '../src/index.ts';
import { getZ3 } from '../src/smt/index.ts';
import { generateTopology, SIZES } from './generate.ts';
import { median, percentile, samplePairs } from './stats.ts';

interface Captured {
  readonly smt: string;
  readonly wasmMs: number;
  readonly toStringMs: number;
  readonly result: string;
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}

async function capture(sizeName: string, queries: number): Promise<Captured[]> {
  const size = SIZES.find((s) => s.name === sizeName);
  if (!size) throw new Error(`unknown size ${sizeName}`);
  const loaded = load({ topology: generateTopology(size) });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors.slice(0, 3)));
  const np = loaded.value;
  const ctx = await getZ3();
  const out: Captured[] = [];
  const proto = ctx.Solver.prototype as { check: (...a: unknown[]) => Promise<unknown>; toString(): string };
  const check = proto.check;
  proto.check = async function (this: { toString(): string }, ...a: unknown[]) {
    const t0 = performance.now();
    const r = await check.apply(this, a);
    const wasmMs = performance.now() - t0;
    const t1 = performance.now();
    const smt = this.toString();
    out.push({ smt, wasmMs, toStringMs: performance.now() - t1, result: String(r) });
    return r;
  };
  try {
    const vms = np.model.topology.vms.map((v) => v.name);
    for (const [i, j] of samplePairs(vms.length, queries)) {
      await np.query({ from: vms[i]!, to: vms[j]!, proto: 'tcp', dport: 22 });
      await np.query({ from: vms[j]!, to: '8.8.8.8', proto: 'tcp', dport: 443 });
    }
  } finally {
    proto.check = check;
    await np.close();
  }
  return out;
}

/** One `z3 -in` process; each check is `(reset)`, the assertions, `(check-sat)`, answered by one line. */
async function nativeTimes(checks: readonly Captured[]): Promise<{ ms: number[]; disagree: number; startMs: number }> {
  const t0 = performance.now();
  const z3 = spawn('z3', ['-in', '-smt2'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  let waiting: ((line: string) => void) | null = null;
  z3.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl = buf.indexOf('\n');
    while (nl >= 0 && waiting) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      const w = waiting;
      waiting = null;
      w(line);
      nl = buf.indexOf('\n');
    }
  });
  const ask = (text: string) => new Promise<string>((resolve) => {
    waiting = resolve;
    z3.stdin.write(text);
  });
  await ask('(echo "ready")\n');
  const startMs = performance.now() - t0;
  const ms: number[] = [];
  let disagree = 0;
  for (const c of checks) {
    const t = performance.now();
    const r = await ask(`(reset)\n(set-option :timeout 10000)\n${c.smt}\n(check-sat)\n`);
    ms.push(performance.now() - t);
    if (r !== c.result) disagree++;
  }
  z3.stdin.end();
  return { ms, disagree, startMs };
}

const f = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

const size = arg('--size', 'large');
const queries = Number(arg('--queries', '20'));
console.log(`native z3 vs WebAssembly on the checks of ${2 * queries} first-time queries at ${size}; load average ${loadavg()[0]!.toFixed(1)}`);
const checks = await capture(size, queries);
const wasm = checks.map((c) => c.wasmMs);
const native = await nativeTimes(checks);
const nativeWithText = native.ms.map((m, i) => m + checks[i]!.toStringMs);
console.log(`checks: ${checks.length}; SMT-LIB per check p50 ${median(checks.map((c) => c.smt.length)).toFixed(0)} characters`);
console.log(`WebAssembly check:              total ${f(sum(wasm))} ms, p50 ${f(median(wasm))}, p95 ${f(percentile(wasm, 95))}`);
console.log(`native z3 over a pipe:          total ${f(sum(native.ms))} ms, p50 ${f(median(native.ms))}, p95 ${f(percentile(native.ms, 95))} (start ${f(native.startMs)} ms once)`);
console.log(`native + writing the SMT-LIB:   total ${f(sum(nativeWithText))} ms, p50 ${f(median(nativeWithText))}, p95 ${f(percentile(nativeWithText, 95))}`);
console.log(`answers that differ: ${native.disagree}; load average at the end ${loadavg()[0]!.toFixed(1)}`);
