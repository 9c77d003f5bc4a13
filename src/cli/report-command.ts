// `netproof report TOPOLOGY --out FILE [verify's options]`: `verify --format html` written to a file —
// one self-contained page with the picture of the cloud, every result and each violation's path on the
// picture — and a line saying what it holds. Exit codes as verify's (docs/exit-codes.md).
import { statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EXIT, reportInputErrors, type Io } from './exit.ts';
import { UsageError } from './options.ts';
import { pageCounts } from '../report/html/page.ts';
import { runVerifyCommand, type VerifyOptions } from './verify-command.ts';

export type ReportOptions = Omit<VerifyOptions, 'format' | 'rules'> & { out: string };

export async function runReportCommand(io: Io, file: string, o: ReportOptions): Promise<number> {
  // The file to write is checked before anything is verified, so a typo costs nothing.
  if (o.out.trim() === '') throw new UsageError('--out needs the path of the HTML file to write');
  let parent: ReturnType<typeof statSync> | undefined;
  try {
    parent = statSync(dirname(o.out));
  } catch {
    parent = undefined;
  }
  if (!parent?.isDirectory()) throw new UsageError(`--out ${o.out}: ${dirname(o.out)} is not a directory to write into`);
  const page: string[] = [];
  const code = await runVerifyCommand({ out: (t) => page.push(t), err: (t) => io.err(t), ...(io.progress !== undefined ? { progress: io.progress } : {}) }, file, { ...o, format: 'html', rules: true, reportOut: o.out });
  // Bad input: verify said why on stderr and there is no page to write.
  if (code === EXIT.badInput || page.length === 0) return code;
  const html = page.join('');
  try {
    writeFileSync(o.out, html);
  } catch (e) {
    return reportInputErrors(io, [{ code: 'NP604', file: o.out, position: null, path: '', message: `cannot write --out: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  const { rows, paths } = pageCounts(html);
  io.out(`wrote ${o.out}: ${rows} result${rows === 1 ? '' : 's'}, ${paths} with a path on the picture (${Math.round(html.length / 1024)} KiB, self-contained)`);
  return code;
}
