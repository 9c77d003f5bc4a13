// `netproof verify TOPOLOGY [--properties FILE|DIR]… [--format text|json|junit] [--timeout-ms N]`:
// the built-in invariants, then the user properties. Bad topology or property files exit 2 before
// anything is checked; otherwise 1 if any property is violated, else 3 if any verdict is unknown or an
// internal error occurred, else 0 (DESIGN §4). Z3 starts once (on the first check) and is shut down
// at the end of the run, whatever happens.
import { createEvaluator } from '../evaluate/index.ts';
import { loadModel } from '../pipeline.ts';
import { BUILTIN_PROPERTIES } from '../questions/properties/index.ts';
import { resolveUserProperties } from '../questions/user-properties/check.ts';
import { loadProperties } from '../questions/user-properties/load.ts';
import { runVerify, verifyExitCode } from '../questions/verify.ts';
import { labelsFor } from '../report/labels.ts';
import { verifyJson } from '../report/verify-json.ts';
import { verifyJunit } from '../report/verify-junit.ts';
import { verifyText } from '../report/verify-text.ts';
import { shutdownZ3 } from '../smt/index.ts';
import { reportInputErrors, type Io } from './exit.ts';
import { parseFormat, parseInputLimit } from './options.ts';
import { parseTimeout } from './query-command.ts';

export interface VerifyOptions {
  properties?: string[];
  format: string;
  timeoutMs?: string;
  rules: boolean;
  maxInputMb?: string;
}

export async function runVerifyCommand(io: Io, file: string, o: VerifyOptions): Promise<number> {
  const format = parseFormat(o.format, ['text', 'json', 'junit'] as const);
  const timeoutMs = parseTimeout(o.timeoutMs);
  const limits = parseInputLimit(o.maxInputMb);
  const model = loadModel(file, limits);
  if (!model.ok) return reportInputErrors(io, model.errors);
  const props = loadProperties(o.properties ?? [], limits);
  if (!props.ok) return reportInputErrors(io, props.errors);
  const { topology, dataplane } = model.value;
  const resolved = resolveUserProperties(topology, dataplane, props.value);
  if (!resolved.ok) return reportInputErrors(io, resolved.errors);
  try {
    const ctx = { topology, dataplane, evaluator: createEvaluator(dataplane), timeoutMs };
    const report = await runVerify(ctx, BUILTIN_PROPERTIES, resolved.value);
    const labels = labelsFor(topology);
    io.out(
      format === 'json' ? JSON.stringify(verifyJson(report, labels), null, 2)
      : format === 'junit' ? verifyJunit(report, labels, `netproof verify ${file}`)
      : verifyText(report, labels, { rules: o.rules }),
    );
    return verifyExitCode(report);
  } finally {
    await shutdownZ3();
  }
}
