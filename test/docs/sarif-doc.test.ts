// docs/sarif.md against what `--format sarif` prints: every field of a result that verify and query
// print is in the page's table, and every field there is printed by one of these runs unless its
// description says when it appears.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';
import { tableRows, ticked } from './doc-tables.ts';

afterAll(async () => {
  await shutdownZ3();
});

/** `ruleId`, `locations`, `properties.subject`, …: a result's own fields, and those of its property bag. */
function resultFields(result: Record<string, unknown>): string[] {
  return Object.entries(result).flatMap(([k, v]) => (k === 'properties' ? Object.keys(v as object).map((p) => `properties.${p}`) : [k]));
}

describe('docs/sarif.md and the SARIF the commands print', async () => {
  const seed = 'topologies/seed.yaml';
  const runs = [
    await runCli('verify', seed, '--properties', 'properties/seed-isolation.yaml', '--select', 'demo-isolated-from-outside', '--format', 'sarif'),
    await runCli('query', seed, '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22', '--expect', 'unreachable', '--format', 'sarif'),
  ];
  const printed = new Set<string>();
  for (const r of runs) {
    const log = JSON.parse(r.stdout) as { runs: { results: Record<string, unknown>[] }[] };
    for (const x of log.runs[0]!.results) for (const f of resultFields(x)) printed.add(f);
  }
  const documented = new Map(tableRows('sarif.md', 'Result fields').map((row) => [ticked(row[0])!, row[1] ?? '']));

  it(`documents every result field printed (${printed.size})`, () => {
    expect(printed.size).toBeGreaterThan(10);
    expect([...printed].filter((p) => !documented.has(p))).toEqual([]);
  });

  it('prints every documented field, or says when it appears', () => {
    expect([...documented].filter(([p, meaning]) => !printed.has(p) && !/\bwhen\b/.test(meaning)).map(([p]) => p)).toEqual([]);
  });
});
