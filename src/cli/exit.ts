// Exit codes (docs/exit-codes.md), and the one place that turns input errors into output.
import { formatInputError, type InputError } from '../errors.ts';
import { styleFor, type TextStyle } from '../report/style.ts';

export const EXIT = { ok: 0, violated: 1, badInput: 2, unknown: 3 } as const;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** How text for `out` is dressed (colour, width); plain when absent. */
  readonly style?: TextStyle;
  /** Whether progress may be shown on stderr (it is a terminal with a width). */
  readonly progress?: boolean;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  get style() {
    return styleFor(process.stdout, process.env);
  },
  get progress() {
    // A terminal that reports no width (a pseudo-terminal nobody sized) would have the spinner clear
    // lines without end: no progress there.
    return process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0 && process.env.CI === undefined;
  },
};


export function reportInputErrors(io: Io, errors: readonly InputError[]): number {
  for (const e of errors) io.err(formatInputError(e));
  return EXIT.badInput;
}

export function usageError(io: Io, message: string): number {
  io.err(`netproof: NP601 command-line usage: ${message}`);
  return EXIT.badInput;
}
