// `netproof verify` of a generated size as a user runs it: a whole process on the topology file, so
// the figure holds what the phase columns leave out — Node and module start-up, loading, rendering,
// parsing and converging the model, Z3's start — with the process's own peak RSS and CPU time (GNU
// time's %M, %U and %S: every thread of the process, `--jobs N`'s workers included; without
// /usr/bin/time, wall time only). `jobs` > 1 runs it with `--jobs N`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTopologyText, type BenchSize } from './generate.ts';

const BIN = fileURLToPath(new URL('../bin/netproof.cjs', import.meta.url));
const TIME = '/usr/bin/time';

export interface CliVerifyFigures {
  /** Wall milliseconds of the whole process. */
  readonly wallMs: number;
  /** Peak RSS of the process, MiB; null when not measurable. */
  readonly maxRssMiB: number | null;
  /** User + system CPU milliseconds of the process (every thread); null when not measurable. */
  readonly cpuMs: number | null;
  /** The process's exit code (0, 1, 3; 2 would be a generator bug). */
  readonly exit: number | null;
  /** Why there is no figure (killed after the budget …), else null. */
  readonly failure: string | null;
}

export function measureCliVerify(size: BenchSize, timeoutS: number, jobs = 1): CliVerifyFigures {
  const dir = mkdtempSync(join(tmpdir(), `netproof-bench-cli-${process.pid}-`));
  try {
    const file = join(dir, `${size.name}.yaml`);
    writeFileSync(file, generateTopologyText(size));
    return measureCliVerifyOf(file, timeoutS, jobs).figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `netproof verify FILE --format json [--jobs N]` as a process of its own: its figures and its JSON (null when it failed). */
export function measureCliVerifyOf(file: string, timeoutS: number, jobs = 1): { figures: CliVerifyFigures; json: string | null } {
  const args = [process.execPath, BIN, 'verify', file, '--format', 'json', ...(jobs > 1 ? ['--jobs', String(jobs)] : [])];
  const timed = existsSync(TIME);
  const t0 = performance.now();
  const r = timed
    ? spawnSync(TIME, ['-f', 'NETPROOF_BENCH_TIME %M %U %S', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutS * 1000, killSignal: 'SIGKILL', maxBuffer: 1 << 28 })
    : spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutS * 1000, killSignal: 'SIGKILL', maxBuffer: 1 << 28 });
  const wallMs = performance.now() - t0;
  const t = /NETPROOF_BENCH_TIME (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  const maxRssMiB = t === null ? null : Number(t[1]) / 1024;
  const cpuMs = t === null ? null : (Number(t[2]) + Number(t[3])) * 1000;
  if (r.signal === 'SIGKILL' || r.error) return { figures: { wallMs, maxRssMiB: null, cpuMs: null, exit: null, failure: r.signal === 'SIGKILL' ? `killed after ${timeoutS} s` : String(r.error?.message) }, json: null };
  // Exit 3 is also a run with unknown verdicts; an internal error (a worker that failed) says so on stderr.
  const failure = r.status === 2 || r.status === null || /internal error/.test(r.stderr ?? '') ? `exit ${r.status ?? r.signal}: ${(r.stderr ?? '').split('\n')[0]}` : null;
  return { figures: { wallMs, maxRssMiB, cpuMs, exit: r.status, failure }, json: failure === null ? r.stdout : null };
}
