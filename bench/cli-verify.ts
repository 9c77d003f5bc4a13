// `netproof verify` of a generated size as a user runs it: a whole process on the topology file, so
// the figure holds what the phase columns leave out — Node and module start-up, loading, rendering,
// parsing and converging the model, Z3's start — with the process's own peak RSS (GNU time's %M;
// without /usr/bin/time, wall time only).
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
  /** The process's exit code (0, 1, 3; 2 would be a generator bug). */
  readonly exit: number | null;
  /** Why there is no figure (killed after the budget …), else null. */
  readonly failure: string | null;
}

export function measureCliVerify(size: BenchSize, timeoutS: number): CliVerifyFigures {
  const dir = mkdtempSync(join(tmpdir(), `netproof-bench-cli-${process.pid}-`));
  try {
    const file = join(dir, `${size.name}.yaml`);
    writeFileSync(file, generateTopologyText(size));
    const args = [process.execPath, BIN, 'verify', file, '--format', 'json'];
    const timed = existsSync(TIME);
    const t0 = performance.now();
    const r = timed
      ? spawnSync(TIME, ['-f', 'NETPROOF_BENCH_TIME %M', ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutS * 1000, killSignal: 'SIGKILL', maxBuffer: 1 << 26 })
      : spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutS * 1000, killSignal: 'SIGKILL', maxBuffer: 1 << 26 });
    const wallMs = performance.now() - t0;
    const kb = /NETPROOF_BENCH_TIME (\d+)/.exec(r.stderr ?? '')?.[1];
    if (r.signal === 'SIGKILL' || r.error) return { wallMs, maxRssMiB: null, exit: null, failure: r.signal === 'SIGKILL' ? `killed after ${timeoutS} s` : String(r.error?.message) };
    return { wallMs, maxRssMiB: kb === undefined ? null : Number(kb) / 1024, exit: r.status, failure: r.status === 2 ? `exit 2: ${(r.stderr ?? '').split('\n')[0]}` : null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
