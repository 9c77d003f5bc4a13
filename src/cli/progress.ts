// Progress of a long `verify` on stderr, only when stderr is a terminal (and never in CI logs or
// pipes): a spinner (ora) saying which property is being checked, how far along, and for how long.
import ora, { type Ora } from 'ora';
import type { Io } from './exit.ts';

export interface Progress {
  /** Called before each property is checked: its index (from 0), the number of properties, its id, the results so far. */
  readonly step: (index: number, total: number, id: string, results: number) => void;
  readonly stop: () => void;
}

const NONE: Progress = { step: () => {}, stop: () => {} };

export function startProgress(io: Io): Progress {
  if (io.progress !== true) return NONE;
  const t0 = Date.now();
  let spinner: Ora | null = ora({ stream: process.stderr, text: 'verify: loading', discardStdin: false }).start();
  return {
    step: (i, n, id, results) => {
      if (spinner !== null) spinner.text = `verify: ${id} (${i + 1} of ${n}), ${results} result${results === 1 ? '' : 's'} so far, ${Math.round((Date.now() - t0) / 1000)} s`;
    },
    stop: () => {
      spinner?.stop();
      spinner = null;
    },
  };
}
