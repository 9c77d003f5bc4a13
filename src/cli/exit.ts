// Exit codes of DESIGN §4, and the one place that turns input errors into output.
import { formatInputError, type InputError } from '../errors.ts';

export const EXIT = { ok: 0, violated: 1, badInput: 2, unknown: 3 } as const;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

export function reportInputErrors(io: Io, errors: readonly InputError[]): number {
  for (const e of errors) io.err(formatInputError(e));
  return EXIT.badInput;
}

export function usageError(io: Io, message: string): number {
  io.err(`netproof: NP601 command-line usage: ${message}`);
  return EXIT.badInput;
}
