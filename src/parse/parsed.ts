// What every artifact parser returns, and the warning codes parsers use. A parser never throws on
// bad or unknown input: what it does not understand becomes a Warning (with the line) and a
// conservative IR node, so nothing is silently dropped on the way to a proof.
import type { Warning } from '../ir/origin.ts';
import type { InputError } from '../errors.ts';

/**
 * The outcome of parsing one artifact text: the IR value and what was not understood. `errors` is
 * set only when the text as a whole cannot be used (e.g. lossy `iptables -L` output, NP505); the
 * value is then empty and must not be trusted as the device's configuration.
 */
export interface Parsed<T> {
  readonly value: T;
  readonly warnings: Warning[];
  readonly errors?: readonly InputError[];
}

/** Warning codes of the parsers (stable; the `Warning.code` strings). */
export const PARSE_WARNING = {
  /** A match (flow field, iptables match) netproof does not model: kept as an `unsupported` node. */
  unsupportedMatch: 'parse/unsupported-match',
  /** An action or target netproof does not model: kept as an `unsupported` node. */
  unsupportedAction: 'parse/unsupported-action',
  /** A `learn(...)` that is not the Neutron br-tun shape: kept with `spec: null`. */
  unsupportedLearn: 'parse/unsupported-learn',
  /** A line the parser does not recognise at all; it contributes nothing to the IR. */
  unrecognisedLine: 'parse/unrecognised-line',
  /** A recognised construct with a value that could not be read (bad number, address, …). */
  badValue: 'parse/bad-value',
  /** Something structurally incomplete: an undeclared chain, an interface without a MAC, … */
  incomplete: 'parse/incomplete',
} as const;

export type ParseWarningCode = (typeof PARSE_WARNING)[keyof typeof PARSE_WARNING];

/** Collects warnings for one file. */
export class WarningSink {
  readonly warnings: Warning[] = [];
  constructor(readonly file: string) {}
  add(code: ParseWarningCode, line: number, message: string): void {
    this.warnings.push({ code, file: this.file, line, message });
  }
}
