// Impossible packet sets are input errors (exit 2, a coded error naming the option or field), never
// questions answered vacuously: before, `query --proto icmp --dport 22 --expect unreachable` exited 0
// and a user property on `dport: "2000-1000"` held.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { packetSetConflict, type FieldSpec } from '../../src/questions/packet.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

afterAll(async () => { await shutdownZ3(); });

describe('query and trace', () => {
  const cases: [string[], string, RegExp][] = [
    [['--proto', 'icmp', '--dport', '22', '--expect', 'unreachable'], '--dport', /--proto icmp packets have none/],
    [['--dport', '22', '--icmp-type', '8'], '--icmp-type', /no packet is both/],
    [['--proto', '47', '--sport', '5'], '--sport', /--proto 47 packets have none/],
    [['--proto', 'udp', '--icmp-type', '3'], '--icmp-type', /--proto is udp/],
  ];
  for (const [args, option, why] of cases) {
    it(`query ${args.join(' ')}: exit 2, NP605 at ${option}`, async () => {
      const r = await runCli('query', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm4', ...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`NP605 no packet has these fields at ${option}`);
      expect(r.stderr).toMatch(why);
    });
  }

  it('trace --proto icmp --dport 22: exit 2, NP605; trace --dport 22 alone follows a TCP packet', async () => {
    const bad = await runCli('trace', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm4', '--proto', 'icmp', '--dport', '22');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('NP605');
    const ok = await runCli('trace', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm4', '--dport', '22', '--format', 'json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ packet: { proto: 'tcp', dport: 22 } });
  });
});

describe('user properties', () => {
  it('an empty port range and ports on ICMP are NP707 errors at the field, with file and line; nothing is verified', async () => {
    const dir = mkdtempSync(join(tmpdir(), `netproof-impossible-${process.pid}-`));
    try {
      const file = join(dir, 'p.yaml');
      writeFileSync(file, [
        '- name: empty-range',
        '  reach: { from: vm1, to: vm4, dport: "2000-1000" }',
        '  expect: reachable',
        '- name: icmp-ports',
        '  reach: { from: vm1, to: vm4, proto: icmp, sport: 5 }',
        '  expect: unreachable',
        '- name: fine',
        '  reach: { from: vm1, to: vm4, proto: udp, dport: "1000-2000" }',
        '  expect: unreachable',
      ].join('\n'));
      const r = await runCli('verify', 'topologies/seed.yaml', '--properties', file);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${file}:2:`);
      expect(r.stderr).toContain('NP707 property: no packet has these fields at [0].reach.dport: dport 2000-1000 is an empty range');
      expect(r.stderr).toContain(`${file}:5:`);
      expect(r.stderr).toContain('at [1].reach.sport: sport asks for a port, but proto icmp packets have none');
      expect(r.stderr).not.toContain('[2]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('packetSetConflict', () => {
  const name = (f: string) => f;
  it('accepts every combination some packet has', () => {
    const fine: FieldSpec[] = [{}, { proto: 'any', dport: 22 }, { dport: [1, 65535] }, { proto: 'tcp', sport: 1, dport: [80, 80] }, { proto: 17, dport: 53 },
      { icmpType: 8 }, { proto: 'icmp', icmpType: 3, icmpCode: 1 }, { proto: 'any', icmpType: 0 }, { proto: 47 }, { dport: [0, 0] }];
    for (const f of fine) expect(packetSetConflict(f, name), JSON.stringify(f)).toBeNull();
  });

  it('a range reaching past 65535 is no range of ports', () => {
    expect(packetSetConflict({ dport: [0, 65536] }, name)).toEqual({ field: 'dport', message: 'dport 0-65536: ports are 0-65535' });
  });

  // An independent reading of the same rule: search a small universe of packets for one with every field.
  const universe = (f: FieldSpec) => {
    const protos = [1, 6, 17, 33, 47, 132, 136];
    const ports = (r: FieldSpec['dport']) => (r === undefined ? [null] : typeof r === 'number' ? [r] : [r[0], r[1], Math.floor((r[0] + r[1]) / 2)]);
    return protos.some((p) => {
      if (f.proto !== undefined && f.proto !== 'any' && ({ tcp: 6, udp: 17, icmp: 1, dccp: 33, sctp: 132, udplite: 136 } as Record<string, number>)[String(f.proto)] !== p && f.proto !== p) return false;
      const hasPorts = p === 6 || p === 17 || p === 33 || p === 132 || p === 136;
      const inRange = (v: number | null, r: FieldSpec['dport']) => r === undefined || (v !== null && (typeof r === 'number' ? v === r : v >= r[0] && v <= r[1] && v >= 0 && v <= 65535));
      const portsOk = (f.sport === undefined && f.dport === undefined) || (hasPorts && ports(f.sport).some((s) => inRange(s, f.sport)) && ports(f.dport).some((d) => inRange(d, f.dport)));
      const icmpOk = (f.icmpType === undefined && f.icmpCode === undefined) || p === 1;
      return portsOk && icmpOk;
    });
  };

  it('says "no packet" exactly when none of a small universe of packets has the fields (400 cases)', () => {
    const port = fc.integer({ min: 0, max: 65535 });
    const range = fc.oneof(port, fc.tuple(port, port));
    const spec = fc.record({
      proto: fc.constantFrom<FieldSpec['proto']>('tcp', 'udp', 'icmp', 'any', 47, 6, 'sctp', 136),
      sport: range, dport: range, icmpType: fc.integer({ min: 0, max: 255 }), icmpCode: fc.integer({ min: 0, max: 255 }),
    }, { requiredKeys: [] }) as fc.Arbitrary<FieldSpec>;
    fc.assert(fc.property(spec, (f) => (packetSetConflict(f, name) === null) === universe(f)), { numRuns: 400 });
  });
});
