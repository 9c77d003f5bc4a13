// Input that could hurt is refused before it does: each case exits 2 with its code, names the file
// (and the field or option), prints one short line and nothing else, writes nothing outside --out,
// and returns promptly (the bound is a guard against the minutes these cases once took, not a
// benchmark: they take well under a second).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'netproof-refused-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const seed = readFileSync('topologies/seed.yaml', 'utf8');
const GUARD_MS = 10_000;

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function timed(...argv: string[]): Promise<CliRun & { ms: number }> {
  const t0 = performance.now();
  const r = await runCli(...argv);
  return { ...r, ms: performance.now() - t0 };
}

function refused(r: CliRun & { ms: number }, code: string, where: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines.length).toBe(1);
  expect(lines[0]).toContain(code);
  expect(lines[0]).toContain(where);
  expect(lines[0]!.length).toBeLessThan(800);
  expect(r.ms).toBeLessThan(GUARD_MS);
}

describe('names outside the safe character set (NP104), and nothing written outside --out', () => {
  const escape = `netproof-escape-${process.pid}`;
  const cases: readonly (readonly [string, string, string])[] = [
    ['a host named with a path', seed.replace(/^ {2}compute1:/m, `  "../../../../../../tmp/${escape}":`).replaceAll('host: compute1', `host: "../../../../../../tmp/${escape}"`), 'hosts.'],
    ['a VM named with a slash', seed.replace(/^ {2}vm1:/m, '  "vm/1":'), 'vms.vm/1'],
    ['a network named with a colon', seed.replace(/^ {2}net1:/m, '  "net:1":').replaceAll('network: net1', 'network: "net:1"'), 'networks.net:1'],
    ['a router named with a space', seed.replace(/^ {2}router1:/m, '  "router 1":'), 'routers.router 1'],
    ['a project with an escape sequence', seed.replaceAll('project: demo', 'project: "demo\\e[31m"'), 'networks.net1.project'],
    ['a security group named ".."', seed.replace('ssh:\n', '"..":\n').replace('[default, ssh]', '[default, ".."]'), 'security_groups.demo...'],
  ];
  for (const [what, text, path] of cases) {
    it(what, async () => {
      const topo = file(`${what.replaceAll(' ', '-')}.yaml`, text);
      const out = join(dir, 'out');
      const r = await timed('render', topo, '--out', out);
      expect(r.stderr).toContain('NP104');
      expect(r.stderr).toContain(`at ${path}`);
      expect(r.stderr).toContain('not a safe name');
      expect(r.stderr).not.toMatch(/\x1b/); // the escape sequence is shown, not sent to the terminal
      expect(r.code).toBe(2);
      expect(existsSync(`/tmp/${escape}`)).toBe(false);
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('--out that cannot be a directory (NP604)', () => {
  it('a directory under /proc, where a recursive mkdir never returns', async () => {
    refused(await timed('render', 'topologies/seed.yaml', '--out', '/proc/netproof-x/y'), 'NP604', 'at --out');
  });
  it('an existing file', async () => {
    const f = file('a-file', 'x');
    refused(await timed('render', 'topologies/seed.yaml', '--out', f), 'NP604', 'is a file');
  });
  it('a file in the way further up', async () => {
    const f = file('another-file', 'x');
    refused(await timed('render', 'topologies/seed.yaml', '--out', join(f, 'sub', 'dir')), 'NP604', 'is a file');
  });
});

describe('files that are not what they claim', () => {
  it('a YAML alias bomb (NP006)', async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    refused(await timed('trace', file('bomb.yaml', `${levels.join('\n')}\n${seed}`), '--from', 'vm1', '--to', 'vm2'), 'NP006', 'bomb.yaml');
  });

  it('2 MB of binary (NP005), without a byte of it on the terminal', async () => {
    const bytes = Buffer.alloc(2 * 2 ** 20);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
    const r = await timed('trace', file('binary.yaml', bytes), '--from', 'vm1', '--to', 'vm2');
    refused(r, 'NP005', 'binary.yaml');
  });

  it('text that is not UTF-8 (NP005), naming its line', async () => {
    const r = await timed('trace', file('latin1.yaml', Buffer.concat([Buffer.from(seed.slice(0, 40)), Buffer.from([0xe9, 0x0a])])), '--from', 'vm1', '--to', 'vm2');
    refused(r, 'NP005', 'line');
  });

  it('a file larger than the input limit (NP004), refused before it is parsed; --max-input-mb names the way out', async () => {
    const big = file('big.yaml', `${seed}\nbogus: "${'x'.repeat(17 * 2 ** 20)}"\n`);
    const r = await timed('trace', big, '--from', 'vm1', '--to', 'vm2');
    refused(r, 'NP004', '--max-input-mb');
  });

  it('a device that never ends (NP004): read no further than the limit', async () => {
    refused(await timed('trace', '/dev/zero', '--from', 'vm1', '--to', 'vm2', '--max-input-mb', '1'), 'NP004', '/dev/zero');
  });

  it('a 200 KB value under the limit: its error quotes at most a line of it', async () => {
    const r = await timed('trace', file('longvalue.yaml', seed.replace(/release: "[^"]*"/, `release: "${'k'.repeat(200_000)}"`)), '--from', 'vm1', '--to', 'vm2');
    refused(r, 'NP102', 'more characters');
  });
});

describe('what Neutron refuses (overlapping subnets), naming both places', () => {
  it('two overlapping subnets in one network (NP314)', async () => {
    const text = seed.replace('      subnet1: { cidr: 192.168.1.0/24 }', '      subnet1: { cidr: 192.168.1.0/24 }\n      subnet1b: { cidr: 192.168.1.128/25 }');
    const r = await timed('trace', file('net-overlap.yaml', text), '--from', 'vm1', '--to', 'vm2');
    refused(r, 'NP314', 'at networks.net1.subnets.subnet1b.cidr');
    expect(r.stderr).toMatch(/overlaps subnet subnet1 \(192\.168\.1\.0\/24\) of network net1, line \d+/);
  });

  it('two overlapping subnets on one router (NP315)', async () => {
    const text = seed.replace('subnet2: { cidr: 192.168.2.0/24 }', 'subnet2: { cidr: 192.168.0.0/16 }').replace('ip: 192.168.2.13', 'ip: 192.168.3.13').replace('ip: 192.168.2.14', 'ip: 192.168.3.14');
    const r = await timed('trace', file('router-overlap.yaml', text), '--from', 'vm1', '--to', 'vm2');
    refused(r, 'NP315', 'at routers.router1.interfaces[1]');
    expect(r.stderr).toMatch(/subnet subnet2 \(192\.168\.0\.0\/16\) of network net2, line \d+ overlaps subnet subnet1 \(192\.168\.1\.0\/24\) of network net1, line \d+/);
  });

  it('a tenant subnet overlapping the external subnet its router routes to (NP316)', async () => {
    const text = seed.replace('subnet2: { cidr: 192.168.2.0/24 }', 'subnet2: { cidr: 203.0.113.0/25 }').replace('ip: 192.168.2.13', 'ip: 203.0.113.13').replace('ip: 192.168.2.14', 'ip: 203.0.113.14');
    const r = await timed('verify', file('ext-overlap.yaml', text));
    refused(r, 'NP316', 'at routers.router1.interfaces[1]');
    expect(r.stderr).toMatch(/overlaps subnet public-v4 \(203\.0\.113\.0\/24\) of network public, line \d+/);
  });
});

describe('option values refused with the option named', () => {
  it('--expect yes names --expect', async () => {
    refused(await timed('query', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm2', '--expect', 'yes'), 'NP601', '--expect must be one of reachable, unreachable');
  });
  it('--via nonet is said once', async () => {
    const r = await timed('trace', 'topologies/seed.yaml', '--from', '8.8.8.8', '--to', 'vm1', '--via', 'nonet');
    refused(r, 'NP405', 'at --via');
  });
});
