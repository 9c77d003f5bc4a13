// Process helpers for the real-dataplane oracles: run a command with a hard timeout and collect its
// output, or run it and throw with its stderr in the message; wait for a daemon (known only by PID)
// to die. Guarantees: never uses a shell (arguments are passed as-is), never leaves a child running
// past its timeout, and never signals anything but the PID it is given.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface RunOptions {
  /** Text written to the child's stdin (closed afterwards; an empty stdin otherwise). */
  readonly input?: string;
  /** Milliseconds before the child is sent SIGKILL. */
  readonly timeoutMs?: number;
  /** Extra environment on top of the current one. */
  readonly env?: Readonly<Record<string, string>>;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/** ip, ipset, iptables-*, ovs-vswitchd and ovsdb-server live in sbin, which a non-login PATH may lack. */
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];
function childEnv(extra: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  const path = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SBIN.filter((d) => !(process.env.PATH ?? '').split(':').includes(d))];
  return { ...process.env, ...extra, PATH: path.join(':') };
}

/** Runs `cmd args…` without a shell; resolves with whatever happened (never rejects on a non-zero exit). */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], {
      env: childEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    // A missing binary surfaces here (ENOENT) rather than as an exit code.
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
    // EPIPE when the child exits before reading its stdin is not our failure: the exit code tells.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** The command line as a person would retype it, for error messages. */
export function commandLine(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Runs and returns stdout; throws with the command line, exit status and stderr unless it exited 0. */
export async function runOk(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0 || r.timedOut) {
    const how = r.timedOut ? `timed out after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms` : r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
    throw new Error(`${commandLine(cmd, args)}: ${how}\n${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
}

/**
 * The `State:` letter of a process from /proc, or null when it no longer exists. PID 1 here does not reap
 * orphans, so a killed detached daemon lingers as a zombie (`Z`): `kill -0` would still succeed on it.
 */
export function processState(pid: number): string | null {
  try {
    const m = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ?? null;
  } catch {
    return null;
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const s = processState(pid);
  return s !== null && s !== 'Z' && s !== 'X';
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Sends SIGTERM to exactly this PID, waits for it to die, then SIGKILL if it did not. Resolves true if it died. */
export async function terminate(pid: number, graceMs = 3000): Promise<boolean> {
  if (!isAlive(pid)) return true;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return !isAlive(pid);
  }
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await sleep(20);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  await sleep(50);
  return !isAlive(pid);
}

/** Polls `probe` until it returns true or the time is up; resolves to the last answer. */
export async function waitFor(probe: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= until) return false;
    await sleep(everyMs);
  }
}
