// `netproof drift CLOUD [--format text|json] [--timeout-ms N] [--no-rules]`: what Neutron's agents should
// have programmed for the API's intent against what each captured node runs, in Neutron's terms, then the
// built-in verdicts on both side by side. Exit codes: 2 bad input (or no node captures to compare); 1 any
// difference; 3 a host not captured or a verdict unknown; 0 otherwise.
import { computeDrift } from '../cloud/drift/index.ts';
import { verdictPairs } from '../cloud/drift/verdicts.ts';
import { isCloudDirectory, loadCloud } from '../cloud/load.ts';
import { labelsFor } from '../report/labels.ts';
import { driftJson, driftText, type DriftReport } from '../report/drift.ts';
import { shutdownZ3 } from '../smt/index.ts';
import { EXIT, reportInputErrors, type Io } from './exit.ts';
import { parseFormat, parseInputLimit, UsageError } from './options.ts';
import { parseTimeout } from './query-command.ts';

export interface DriftOptions {
  format: string;
  timeoutMs?: string;
  rules: boolean;
  maxInputMb?: string;
}

export async function runDriftCommand(io: Io, dir: string, o: DriftOptions): Promise<number> {
  const format = parseFormat(o.format, ['text', 'json'] as const);
  const timeoutMs = parseTimeout(o.timeoutMs);
  const limits = parseInputLimit(o.maxInputMb);
  if (!isCloudDirectory(dir)) throw new UsageError(`drift compares a cloud directory (api/ and hosts/, docs/cloud-directory.md); ${dir} is not a directory`);
  const cloud = loadCloud(dir, limits);
  if (!cloud.ok) return reportInputErrors(io, cloud.errors);
  if (cloud.value.source !== 'collected') throw new UsageError(`${dir} has no hosts/: drift compares the API's intent with node captures (netproof collect-script)`);
  try {
    const drift = computeDrift(cloud.value);
    const verdicts = await verdictPairs(cloud.value.topology, drift.intent, cloud.value.dataplane, cloud.value.notes, timeoutMs);
    const report: DriftReport = {
      items: drift.items,
      verdicts,
      uncompared: drift.uncompared,
      hosts: drift.intent.hosts.map((h) => h.name),
      notes: cloud.value.notes,
    };
    io.out(format === 'json' ? JSON.stringify(driftJson(report), null, 2) : driftText(report, labelsFor(cloud.value.topology), { rules: o.rules }));
    if (drift.items.length > 0) return EXIT.violated;
    if (drift.uncompared.length > 0 || verdicts.some((p) => p.collected === 'unknown' || p.intent === 'unknown')) return EXIT.unknown;
    return EXIT.ok;
  } finally {
    await shutdownZ3();
  }
}
