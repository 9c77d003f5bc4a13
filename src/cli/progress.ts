// Progress of a long `verify` on stderr, only when stderr is a terminal (and never in CI logs or
// pipes): a spinner (ora) saying which property is being checked, how far that property is through
// its subjects (or the questions it batches), how many results there are so far, and for how long.
// Properties that work synchronously between awaits (evaluator traces) would leave the spinner's
// timer no turn to draw, so a change of count draws a frame itself, at most every 100 ms.
import ora, { type Ora } from 'ora';
import type { Io } from './exit.ts';

export interface Progress {
  /** Called before each property is checked: its index (from 0), the number of properties, its id, the results so far. */
  readonly step: (index: number, total: number, id: string, results: number) => void;
  /** Called as the current property advances: `done` of `total` `what` ("projects", "port classes explored" …). */
  readonly subjects: (done: number, total: number, what: string) => void;
  readonly stop: () => void;
}

const NONE: Progress = { step: () => {}, subjects: () => {}, stop: () => {} };

/** The spinner's line: `verify: nat-egress (1 of 8) — 37 of 100 port classes explored, 12 results so far, 4 s`. */
export function progressText(p: { index: number; total: number; id: string; results: number; within: { done: number; total: number; what: string } | null; seconds: number }): string {
  const within = p.within === null ? '' : ` — ${p.within.done} of ${p.within.total} ${p.within.what}`;
  return `verify: ${p.id} (${p.index + 1} of ${p.total})${within}, ${p.results} result${p.results === 1 ? '' : 's'} so far, ${p.seconds} s`;
}

export function startProgress(io: Io): Progress {
  if (io.progress !== true) return NONE;
  const t0 = Date.now();
  let spinner: Ora | null = ora({ stream: process.stderr, text: 'verify: loading', discardStdin: false }).start();
  let at = { index: 0, total: 0, id: '', results: 0 };
  let drawn = 0;
  const show = (within: { done: number; total: number; what: string } | null) => {
    if (spinner === null) return;
    spinner.text = progressText({ ...at, within, seconds: Math.round((Date.now() - t0) / 1000) });
    const now = Date.now();
    if (now - drawn >= 100) {
      drawn = now;
      spinner.render();
    }
  };
  return {
    step: (index, total, id, results) => {
      at = { index, total, id, results };
      show(null);
    },
    subjects: (done, total, what) => show({ done, total, what }),
    stop: () => {
      spinner?.stop();
      spinner = null;
    },
  };
}
