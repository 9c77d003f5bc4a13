// Bad input at the command line: every malformed topology and every bad option value is a clear
// one-line error naming the file, line and field with its code, exit code 2, and no stack trace.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'netproof-cli-'));
const seed = readFileSync('topologies/seed.yaml', 'utf8');

function topo(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const cases: readonly { name: string; text: string; code: string; path: string; line: number }[] = [
  { name: 'syntax', text: seed.replace('hosts:', 'hosts: [oops'), code: 'NP002', path: '', line: 7 },
  { name: 'unknown-field', text: seed.replace('vm2: { project', 'vm2: { prject: x, project'), code: 'NP101', path: 'vms.vm2.prject', line: 44 },
  { name: 'dangling-host', text: seed.replace('vm3: { project: demo, host: compute1', 'vm3: { project: demo, host: compute9'), code: 'NP201', path: 'vms.vm3.host', line: 45 },
  { name: 'ip-outside-subnet', text: seed.replace('ip: 192.168.1.12', 'ip: 192.168.9.12'), code: 'NP301', path: 'vms.vm2.ports[0].ip', line: 44 },
  { name: 'vni-range', text: seed.replace('segmentation_id: 101', 'segmentation_id: 16777216'), code: 'NP304', path: 'networks.net1.segmentation_id', line: 21 },
  { name: 'fip-outside', text: seed.replace('ip: 203.0.113.101', 'ip: 198.51.100.5'), code: 'NP305', path: 'floating_ips[0].ip', line: 48 },
  { name: 'dvr', text: seed.replace('    project: demo\n    hosts: [network1]', '    project: demo\n    distributed: true\n    hosts: [network1]'), code: 'NP501', path: 'routers.router1.distributed', line: 33 },
];

describe('malformed topologies through the CLI exit 2 with code, file, line and field', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.code}`, async () => {
      const file = topo(`${c.name}.yaml`, c.text);
      for (const argv of [['trace', file, '--from', 'vm1', '--to', 'vm2'], ['render', file, '--out', join(dir, 'out')]]) {
        const r = await runCli(...argv);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        const first = r.stderr.split('\n')[0] ?? '';
        expect(first).toContain(`${file}:${c.line}:`);
        expect(first).toContain(c.code);
        if (c.path) expect(first).toContain(`at ${c.path}`);
        expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
      }
    });
  }

  it('a missing file is NP001', async () => {
    const r = await runCli('trace', join(dir, 'nope.yaml'), '--from', 'vm1', '--to', 'vm2');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('NP001');
  });
});

describe('bad command lines exit 2', () => {
  it.each([
    [['trace', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm9'], 'NP405'],
    [['trace', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm2', '--proto', 'sctpx'], 'NP601'],
    [['trace', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm2', '--dport', '70000'], 'NP601'],
    [['trace', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm2', '--format', 'xml'], 'NP601'],
    [['trace', 'topologies/seed.yaml', '--from', '192.168.1.1', '--to', 'vm2'], 'NP405'],
    [['trace', 'topologies/seed.yaml', '--from', 'vm1'], 'required option'],
    [['frobnicate'], 'unknown command'],
  ])('%j → %s', async (argv, expected) => {
    const r = await runCli(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(expected);
  });
});
