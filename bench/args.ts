// The bench scripts' command-line arguments: node:util's parseArgs does the scanning (strict, so an unknown option
// or one without its value is an error); this module turns the strings into what the benches measure — sizes by
// name, positive counts — with an error that names the option.
import { parseArgs } from 'node:util';
import { EXTRA_SIZES, SIZES, type BenchSize } from './generate.ts';

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** The options' values as parseArgs gives them (strings and booleans); throws on an unknown option. */
export function scanArgs<O extends Options>(argv: readonly string[], options: O) {
  return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
}

/** A size of bench/generate.ts by its name (`tiny`, `large`, …). */
export function sizeNamed(name: string): BenchSize {
  const all = [...SIZES, ...EXTRA_SIZES];
  const s = all.find((x) => x.name === name);
  if (!s) throw new Error(`unknown size ${name}; sizes: ${all.map((x) => x.name).join(', ')}`);
  return s;
}

/** A comma-separated list of size names. */
export const sizesNamed = (list: string): BenchSize[] => list.split(',').map(sizeNamed);

/** A positive integer option's value (or 0 where `zeroAllowed`). */
export function count(flag: string, v: string, zeroAllowed = false): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < (zeroAllowed ? 0 : 1)) throw new Error(`--${flag} wants a ${zeroAllowed ? 'non-negative' : 'positive'} integer, not ${v}`);
  return n;
}
