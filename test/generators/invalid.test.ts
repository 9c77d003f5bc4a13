// Invalid topologies, one family per validation rule (netproof/testing): each family's cases are
// refused with exactly its code — no other code beside it — with the file, a line and the field
// path, and through the command line with exit code 2 and nothing on stdout.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopologyText } from '../../src/topology/index.ts';
import { ERROR_CODES, formatInputError, type ErrorCode } from '../../src/errors.ts';
import { arbitraryInvalidTopology, INVALID_FAMILY_CODES } from 'netproof/testing';
import { runCli } from '../cli/run.ts';

const PER_FAMILY = 40;
const THROUGH_CLI = 2;

/** Topology codes without a family, and why. */
const NO_FAMILY: Readonly<Partial<Record<ErrorCode, string>>> = {
  NP001: 'not about a topology\'s content: an unreadable file (test/topology/errors.test.ts)',
  NP004: 'not about a topology\'s content: a file over the size limit, read from disk (test/cli)',
  NP005: 'not about a topology\'s content: binary or non-UTF-8 bytes, read from disk (test/cli)',
  NP503: 'no longer given: a router on several hosts is an L3 HA router',
  NP404: 'an endpoint of trace/query, not a topology (test/cli)',
  NP405: 'an endpoint of trace/query, not a topology (test/cli)',
  NP505: 'an artifact of a real node, not a topology file',
};

const dir = mkdtempSync(join(tmpdir(), `netproof-invalid-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every topology error code has a family of invalid topologies', () => {
  it('the families cover the NP0xx–NP5xx codes', () => {
    const topologyCodes = (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => /^NP[0-5]/.test(c));
    expect(topologyCodes.filter((c) => !INVALID_FAMILY_CODES.includes(c) && NO_FAMILY[c] === undefined)).toEqual([]);
  });
});

describe.each(INVALID_FAMILY_CODES.map((c) => [c]))('%s', (code) => {
  const cases = fc.sample(arbitraryInvalidTopology(code), { numRuns: PER_FAMILY, seed: 9000 + Number(code.slice(2)) });

  it(`${PER_FAMILY} cases are refused with exactly ${code}, a line and the field`, () => {
    const wrong: string[] = [];
    const ways = new Set<string>();
    for (const c of cases) {
      ways.add(c.family);
      const r = loadTopologyText(c.text, 'bad.yaml');
      const errors = r.ok ? [] : r.errors;
      // An alias bomb (NP006) is a fault of the whole file, found before any field is read: no line.
      const located = errors.every((e) => e.file === 'bad.yaml' && (e.code === 'NP006' || (e.position !== null && e.position.line >= 1)));
      const atField = c.paths.length === 0 || errors.some((e) => c.paths.some((p) => e.path === p || e.path.startsWith(`${p}.`) || e.path.startsWith(`${p}[`)));
      if (errors.length === 0 || errors.some((e) => e.code !== code) || !located || !atField) {
        wrong.push(`${c.family} (expected at ${c.paths.join(' or ')}):\n  ${errors.length === 0 ? 'loaded without error' : errors.map(formatInputError).join('\n  ')}`);
      }
    }
    console.log(`${code}: ${cases.length} invalid topologies, ${ways.size} ways: ${[...ways].map((w) => w.slice(6)).join('; ')}`);
    expect(wrong).toEqual([]);
  });

  it(`the command line exits 2 with ${code} on stderr and nothing on stdout (${THROUGH_CLI} cases)`, async () => {
    for (const [i, c] of cases.slice(0, THROUGH_CLI).entries()) {
      const file = join(dir, `${code}-${i}.yaml`);
      writeFileSync(file, c.text);
      const r = await runCli('render', file, '--out', join(dir, 'out'));
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const where = code === 'NP006' ? '' : ':\\d+:\\d+';
      expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${where}: ${code} `));
    }
  });
});
