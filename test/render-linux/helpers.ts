// Helpers for the Linux renderer tests: find an artifact, the `-A` rules of one chain, and a
// structural check that an iptables-save text is well formed for iptables-restore.
import { expect } from 'vitest';
import type { Artifact } from '../../src/render/artifacts.ts';
import { loadTopologyFile } from '../../src/topology/index.ts';
import type { Topology } from '../../src/topology/model.ts';

export function loadSeed(): Topology {
  const r = loadTopologyFile('topologies/seed.yaml');
  if (!r.ok) throw new Error(`seed did not load: ${JSON.stringify(r.errors)}`);
  return r.value;
}

export function artifact(arts: readonly Artifact[], suffix: string): Artifact {
  const a = arts.find((x) => x.path.endsWith(suffix));
  if (!a) throw new Error(`no artifact ending in ${suffix}: ${arts.map((x) => x.path).join(', ')}`);
  return a;
}

/** The rules of `chain` in `table`, without the `-A <chain> ` prefix, in order. */
export function chainRules(text: string, table: string, chain: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) current = line.slice(1);
    else if (current === table && line.startsWith(`-A ${chain} `)) out.push(line.slice(`-A ${chain} `.length));
  }
  return out;
}

const TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'SNAT', 'REDIRECT', 'MARK', 'CONNMARK', 'CT', 'MASQUERADE']);

/**
 * Asserts the iptables-restore structure: `*table` … `COMMIT` blocks, chain declarations before
 * rules, every `-A` chain declared, every `-j` target a built-in target or a declared chain.
 */
export function expectRestorable(text: string): void {
  let table: string | null = null;
  let declared = new Set<string>();
  let seenRule = false;
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      expect(table).toBeNull();
      table = line.slice(1);
      declared = new Set();
      seenRule = false;
    } else if (line === 'COMMIT') {
      expect(table).not.toBeNull();
      table = null;
    } else if (line.startsWith(':')) {
      expect(seenRule, `declaration after rules: ${line}`).toBe(false);
      expect(line).toMatch(/^:\S+ (ACCEPT|DROP|-) \[0:0\]$/);
      declared.add(line.slice(1).split(' ')[0] ?? '');
    } else if (line.startsWith('-A ')) {
      seenRule = true;
      const [, chain = ''] = line.split(' ');
      expect(declared.has(chain), `undeclared chain ${chain}`).toBe(true);
      const target = /-j (\S+)/.exec(line)?.[1];
      if (target !== undefined && !TARGETS.has(target)) expect(declared.has(target), `undeclared target ${target}`).toBe(true);
      // Quotes must balance, or iptables-restore splits the comment.
      expect((line.match(/"/g) ?? []).length % 2).toBe(0);
    } else {
      throw new Error(`unexpected line in iptables-save: ${line}`);
    }
  }
  expect(table).toBeNull();
}
