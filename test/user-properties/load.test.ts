// Property files: the language's shape, coded errors with line/column/path, directories, and the
// endpoint resolution errors that stop `verify` before anything is checked (exit 2).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProperties, loadPropertyText } from '../../src/questions/user-properties/load.ts';
import { resolveUserProperties } from '../../src/questions/user-properties/check.ts';
import { complement } from '../../src/questions/user-properties/cidr.ts';
import { loadModel } from '../../src/pipeline.ts';
import { runCli } from '../cli/run.ts';

describe('loading property files', () => {
  it('reads reach and isolate items, with port ranges and defaults', () => {
    const r = loadPropertyText(
      `- { name: a, reach: { from: vm1, to: vm4, proto: tcp, dport: "1000-2000" }, expect: reachable }\n- name: b\n  isolate: { from: "project:x", to: "project:y" }\n`,
      'p.yaml',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value[0]).toMatchObject({ kind: 'reach', name: 'a', dport: [1000, 2000], proto: 'tcp', bidirectional: false, position: { line: 1 } });
    expect(r.value[1]).toMatchObject({ kind: 'isolate', name: 'b', from: 'project:x', to: 'project:y', position: { line: 2 } });
  });

  it('unknown field NP701 at its key, wrong value NP702, missing field NP703, with line and path', () => {
    const text = [
      '- name: a',
      '  reach: { from: vm1, to: vm4, port: 22 }',
      '  expect: reachable',
      '- name: b',
      '  reach: { from: vm1, to: vm4 }',
      '  expect: maybe',
      '- name: c',
      '  reach: { from: vm1 }',
      '  expect: reachable',
      '- { name: d }',
    ].join('\n');
    const r = loadPropertyText(text, 'bad.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const by = (code: string) => r.errors.find((e) => e.code === code);
    expect(by('NP701')).toMatchObject({ file: 'bad.yaml', path: '[0].reach.port', position: { line: 2, column: 32 } });
    expect(by('NP702')).toMatchObject({ path: '[1].expect', position: { line: 6 } });
    expect(by('NP703')).toMatchObject({ path: '[2].reach.to', position: { line: 8 } });
    expect(r.errors.find((e) => e.path === '[3]')).toMatchObject({ code: 'NP703', message: expect.stringContaining('"reach" or "isolate"') });
  });

  it('syntax errors are NP002 with a position; a map instead of a list is NP702', () => {
    const s = loadPropertyText('- name: [unclosed\n', 's.yaml');
    expect(s.ok).toBe(false);
    if (!s.ok) expect(s.errors[0]).toMatchObject({ code: 'NP002', position: { line: expect.any(Number) } });
    const m = loadPropertyText('name: a\n', 'm.yaml');
    expect(!m.ok && m.errors[0]!.code).toBe('NP702');
  });

  it('a directory contributes its *.yaml/*.yml sorted; duplicate names across files are NP705', () => {
    const dir = mkdtempSync(join(tmpdir(), 'np-props-'));
    writeFileSync(join(dir, 'b.yml'), '- { name: two, isolate: { from: vm1, to: vm2 } }\n');
    writeFileSync(join(dir, 'a.yaml'), '- { name: one, isolate: { from: vm1, to: vm2 } }\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a property file');
    const r = loadProperties([dir]);
    expect(r.ok && r.value.map((p) => p.name)).toEqual(['one', 'two']);
    writeFileSync(join(dir, 'c.yaml'), '- { name: one, isolate: { from: vm3, to: vm4 } }\n');
    const d = loadProperties([dir]);
    expect(!d.ok && d.errors[0]).toMatchObject({ code: 'NP705', file: join(dir, 'c.yaml'), path: '[0].name' });
    const missing = loadProperties([join(dir, 'nope.yaml')]);
    expect(!missing.ok && missing.errors[0]!.code).toBe('NP001');
  });

  it('endpoints are resolved up front: unknown ones are NP704, a non-sender as from is NP706', () => {
    const m = loadModel('topologies/seed.yaml');
    if (!m.ok) throw new Error('seed');
    const props = loadPropertyText(
      '- { name: a, reach: { from: vm9, to: vm4 }, expect: reachable }\n- { name: b, isolate: { from: 203.0.113.101, to: vm1 } }\n- { name: c, isolate: { from: "project:demo", to: "network:nope" } }\n',
      'e.yaml',
    );
    if (!props.ok) throw new Error('should parse');
    const r = resolveUserProperties(m.value.topology, m.value.dataplane, props.value);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.code, e.path])).toEqual([['NP704', '[0].reach.from'], ['NP706', '[1].isolate.from'], ['NP704', '[2].isolate.to']]);
    expect(r.errors[0]!.position?.line).toBe(1);
  });

  it('verify exits 2 on a bad property file, naming code, file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'np-props-'));
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, '- name: a\n  reach: { from: vm1, to: vm4 }\n  expect: yes\n');
    const r = await runCli('verify', 'topologies/seed.yaml', '--properties', f);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:3:11: NP702`);
    expect(r.stdout).toBe('');
  });
});

describe('outside addresses', () => {
  it('the complement of prefixes is exact', () => {
    const c = complement([{ ip: '10.0.0.0', prefixLen: 8 }, { ip: '0.0.0.0', prefixLen: 1 }]);
    expect(c).toEqual([{ ip: '128.0.0.0', prefixLen: 1 }]);
    const d = complement([{ ip: '192.168.1.7', prefixLen: 32 }]);
    expect(d).toHaveLength(32);
    expect(d.some((x) => x.ip === '192.168.1.6' && x.prefixLen === 32)).toBe(true);
  });
});
