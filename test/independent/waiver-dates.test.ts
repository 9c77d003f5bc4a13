// A waiver whose expiry is no day of the calendar (month 13, February 30) is bad input, refused with its
// file, line and field — not kept as text that compares after every real date and so never expires.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWaivers } from '../../src/questions/waivers.ts';
import { runCli } from '../cli/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'np-waivers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const waiver = (expires: string) => `- property: nat-egress\n  subject: router:web-router\n  reason: vpn1 is the VPN gateway, port security off on purpose\n  expires: ${expires}\n`;

describe('waiver expiry dates', () => {
  it.each(['2026-13-40', '2026-02-30', '2027-00-10', '2027-04-31'])('%s is refused at its line and field (NP802)', (d) => {
    const r = parseWaivers(waiver(d), 'waivers.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([expect.objectContaining({ code: 'NP802', path: '[0].expires', position: { line: 4, column: 12 } })]);
  });

  it.each(['2028-02-29', '2027-12-31'])('%s is a day and is kept', (d) => {
    const r = parseWaivers(waiver(d), 'waivers.yaml');
    expect(r.ok && r.value[0]?.expires).toBe(d);
  });

  it('verify exits 2 on it, before checking anything, with the file and line', async () => {
    const file = join(dir, 'waivers.yaml');
    writeFileSync(file, waiver('2026-13-40'));
    const r = await runCli('verify', join(import.meta.dirname, 'topologies', 'two-projects.yaml'), '--waivers', file);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}:4:12: NP802`);
    expect(r.stderr).toContain('[0].expires');
  });
});
