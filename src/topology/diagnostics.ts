// The error collector shared by the loader's phases: every problem becomes an InputError with its
// stable code, the file, the source position of the field and its path. Errors are returned in file
// order (then in the order found), so a user reads them top to bottom.
import type { ErrorCode, InputError, SourcePosition } from '../errors.ts';
import type { Path } from './path.ts';
import { formatPath } from './path.ts';
import type { Anchor, Locator } from './source.ts';

export interface Diagnostics {
  /** Records one error at `path` (pointing at the field's value unless `anchor` says its key). */
  add(code: ErrorCode, path: Path, message: string, anchor?: Anchor): void;
  readonly count: number;
  /** Where `path` is in the file (for a message that names a second place). */
  locate(path: Path): SourcePosition | null;
  /** The errors so far, sorted by source position; errors without a position come last. */
  sorted(): InputError[];
}

export function createDiagnostics(file: string, locator: Locator): Diagnostics {
  const errors: InputError[] = [];
  return {
    add(code, path, message, anchor = 'value') {
      errors.push({ code, file, position: locator.locate(path, anchor), path: formatPath(path), message });
    },
    get count() {
      return errors.length;
    },
    locate(path) {
      return locator.locate(path);
    },
    sorted() {
      return sortInFileOrder(errors);
    },
  };
}

export function sortInFileOrder(errors: readonly InputError[]): InputError[] {
  const key = (e: InputError) => (e.position ? e.position.line * 1e6 + e.position.column : Number.MAX_SAFE_INTEGER);
  // Array.prototype.sort is stable, so errors at one place keep the order they were found in.
  return [...errors].sort((a, b) => key(a) - key(b));
}
