// The size of V8's young generation for the commands that sweep a cloud (verify, report, diff, drift), and
// for verify's worker threads. A sweep allocates a great deal that dies young (paths, packets, terms) while
// one sender's walk holds its paths and ends; with V8's default semi-space (16 MiB on 64-bit Node) much of
// that is promoted when a scavenge comes before the walk is done, and then dies in the old generation, whose
// collections cost far more: at 10,000 VMs the collector took a quarter to a half of the CPU
// (docs/performance.md, "The young generation"). A semi-space of SEMI_SPACE_MB cuts that. Node can only set
// it when a thread's heap is made: the process's own by the `--max-semi-space-size` flag (so the launcher
// runs a sweep's command in a child process with it, bin/netproof.cjs), a worker's by `resourceLimits`.
// Whoever set it already — the flag on node's command line or in NODE_OPTIONS — is left alone, and
// NETPROOF_SEMI_SPACE_MB chooses another size (0: V8's own default, no child process).
// Plain JavaScript (CommonJS): the launcher decides before any TypeScript is loaded.
'use strict';

/** The semi-space, in MiB, a sweep runs with unless told otherwise (measured: docs/performance.md). */
const SEMI_SPACE_MB = 64;
/** The environment variable that overrides it: a whole number of MiB, 0 for V8's default. */
const SEMI_SPACE_ENV = 'NETPROOF_SEMI_SPACE_MB';
/** The commands whose work is a sweep of the cloud's subjects; the others (query, trace, serve, …) start as they are. */
const SWEEP_COMMANDS = new Set(['verify', 'report', 'diff', 'drift']);

/** Whether node's options (its command line or NODE_OPTIONS, split) set the semi-space themselves. */
function setsSemiSpace(options) {
  return options.some((o) => /^--max[-_]semi[-_]space[-_]size(=|$)/.test(o));
}

/**
 * The semi-space to give a heap made now, in MiB, or null to leave V8's default (or the size already set by
 * `execArgv` or NODE_OPTIONS in `env`), and a warning when NETPROOF_SEMI_SPACE_MB could not be read (then
 * the default size is used).
 * @param {readonly string[]} execArgv
 * @param {Readonly<Record<string, string | undefined>>} env
 * @returns {{ mb: number | null, warning: string | null }}
 */
function semiSpaceChoice(execArgv, env) {
  if (setsSemiSpace(execArgv) || setsSemiSpace((env.NODE_OPTIONS ?? '').split(/\s+/))) return { mb: null, warning: null };
  const given = env[SEMI_SPACE_ENV];
  if (given === undefined || given.trim() === '') return { mb: SEMI_SPACE_MB, warning: null };
  const n = Number(given);
  if (!Number.isInteger(n) || n < 0 || n > 4096) {
    return { mb: SEMI_SPACE_MB, warning: `netproof: ${SEMI_SPACE_ENV}=${given} is not a number of MiB from 0 to 4096 (0: V8's default); using ${SEMI_SPACE_MB}` };
  }
  return { mb: n === 0 ? null : n, warning: null };
}

/** What the launcher does for `argv`: the semi-space to run its command with in a child process, or null (run here). */
function semiSpaceForCommand(argv, execArgv, env) {
  if (!SWEEP_COMMANDS.has(argv[0] ?? '')) return { mb: null, warning: null };
  return semiSpaceChoice(execArgv, env);
}

/**
 * A worker's `resourceLimits.maxYoungGenerationSizeMb` for a semi-space of `mb`: V8's young generation is
 * its two semi-spaces and a large-object space of one semi-space's size.
 */
function youngGenerationMb(mb) {
  return 3 * mb;
}

exports.SEMI_SPACE_MB = SEMI_SPACE_MB;
exports.SEMI_SPACE_ENV = SEMI_SPACE_ENV;
exports.SWEEP_COMMANDS = SWEEP_COMMANDS;
exports.semiSpaceChoice = semiSpaceChoice;
exports.semiSpaceForCommand = semiSpaceForCommand;
exports.youngGenerationMb = youngGenerationMb;
