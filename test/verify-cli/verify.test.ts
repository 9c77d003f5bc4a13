// `verify`: the run (built-ins then user properties, a crashing check becomes unknown+error), exit
// codes of docs/exit-codes.md, the JSON contract, the JUnit XML (escaping) and the text table; one full CLI
// run on the seed with its example properties.
import { afterAll, describe, expect, it } from 'vitest';
import type { Packet } from '../../src/ir/packet.ts';
import type { Trace } from '../../src/evaluate/trace.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../../src/questions/property.ts';
import { runVerify, summarize, verifyExitCode, type VerifyReport } from '../../src/questions/verify.ts';
import { verifyJson } from '../../src/report/verify-json.ts';
import { verifyJunit } from '../../src/report/verify-junit.ts';
import { verifyText } from '../../src/report/verify-text.ts';
import { labelsFor } from '../../src/report/labels.ts';
import { loadModel } from '../../src/pipeline.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';

afterAll(async () => { await shutdownZ3(); });

const m = loadModel('topologies/seed.yaml');
if (!m.ok) throw new Error('seed');
const labels = labelsFor(m.value.topology);

const pkt: Packet = { eth_src: 'fa:16:3e:00:00:01', eth_dst: 'fa:16:3e:00:00:02', vlan: null, tun_id: null, eth_type: 0x0800, ip_src: '192.168.1.11', ip_dst: '192.168.2.14', proto: 6, sport: 40000, dport: 22, icmp_type: null, icmp_code: null };
const trace: Trace = { disposition: 'dropped', deliveredTo: null, droppedAt: { host: 'compute2', device: 'qbr1', rule: '-j DROP', origin: null }, packet: pkt, final: pkt, hops: [], branches: [], uncertain: [] };
const res = (verdict: PropertyResult['verdict'], extra: Partial<PropertyResult> = {}): PropertyResult => ({ property: 'p<&>"\'', subject: 'reach:a->b', verdict, witness: null, trace: null, message: `m ${verdict} <x>`, ...extra });
const report = (rs: PropertyResult[]): VerifyReport => ({ results: rs, summary: summarize(rs) });

describe('verify run and exit codes', () => {
  it('exit 1 if any violated, else 3 if any unknown or error, else 0', () => {
    expect(verifyExitCode(report([res('holds')]))).toBe(0);
    expect(verifyExitCode(report([res('holds'), res('unknown')]))).toBe(3);
    expect(verifyExitCode(report([res('unknown'), res('violated')]))).toBe(1);
    expect(verifyExitCode(report([]))).toBe(0);
  });

  it('runs built-ins in order; a check that throws becomes unknown with error, and the run goes on', async () => {
    const ok: PropertyCheck = { id: 'ok', description: 'd', check: async () => [res('holds', { property: 'ok', subject: 'host:h' })] };
    const boom: PropertyCheck = { id: 'boom', description: 'd', check: async () => { throw new Error('kaput'); } };
    const ctx = { topology: m.value.topology, dataplane: m.value.dataplane, evaluator: undefined, timeoutMs: 1 } as unknown as VerifyContext; // the fakes never read it
    const r = await runVerify(ctx, [boom, ok], []);
    expect(r.results.map((x) => [x.property, x.verdict])).toEqual([['boom', 'unknown'], ['ok', 'holds']]);
    expect(r.results[0]!.error).toBe('kaput');
    expect(r.summary).toEqual({ holds: 1, violated: 0, unknown: 1, 'n/a': 0, waived: 0 });
    expect(verifyExitCode(r)).toBe(3);
  });
});

describe('verify reports', () => {
  const rep = report([res('holds'), res('violated', { witness: pkt, trace }), res('unknown', { error: 'solver: reaches vm4; evaluator: dropped' })]);

  it('JSON: results with the contract fields, error only when set, summary counts', () => {
    const j = verifyJson(rep, labels);
    expect(Object.keys(j)).toEqual(['results', 'summary', 'assumptions']);
    // The contract's fields, then `scenario` (an addition: { failed, cut }, empty for none).
    expect(Object.keys(j.results[0]!)).toEqual(['property', 'subject', 'verdict', 'witness', 'trace', 'message', 'scenario']);
    expect(j.results[0]!.scenario).toEqual({ failed: [], cut: [] });
    expect(j.results[1]!.witness).toMatchObject({ ip_src: '192.168.1.11', proto: 'tcp', dport: 22 });
    expect(j.results[1]!.trace).toMatchObject({ disposition: 'dropped', dropped_at: { rule: '-j DROP' } });
    expect(j.results[2]!.error).toContain('evaluator');
    expect(j.summary).toEqual({ holds: 1, violated: 1, unknown: 1, 'n/a': 0, waived: 0 });
  });

  it('JUnit: one testcase per result, failure/error, everything escaped', () => {
    const x = verifyJunit(rep, labels);
    expect(x.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(x.match(/<testcase /g)).toHaveLength(3);
    expect(x.match(/<failure /g)).toHaveLength(1);
    expect(x.match(/<error /g)).toHaveLength(1);
    expect(x).toContain('classname="p&lt;&amp;&gt;&quot;&apos;"');
    expect(x).toContain('failures="1" errors="1"');
    expect(x).not.toMatch(/<x>/);
    // Well-formed enough: every opened element closes, no raw & outside entities.
    expect(x.replace(/&(amp|lt|gt|quot|apos);/g, '')).not.toContain('&');
    expect((x.match(/<testcase [^>]*[^/]>/g) ?? []).length).toBe((x.match(/<\/testcase>/g) ?? []).length);
  });

  it('text: a table, then the violation with its witness and numbered trace, then the summary', () => {
    const t = verifyText(rep, labels);
    const lines = t.split('\n');
    expect(lines[0]).toMatch(/^PROPERTY\s+SUBJECT\s+VERDICT\s+MESSAGE$/);
    expect(t).toContain('VIOLATED');
    expect(t).toContain('witness: tcp 192.168.1.11 → 192.168.2.14 40000 → 22');
    expect(t).toContain('INTERNAL ERROR: solver: reaches vm4; evaluator: dropped');
    expect(lines.at(-1)).toBe('3 results: 1 hold, 1 violated, 1 unknown');
  });
});

describe('netproof verify on the seed', () => {
  it('JSON with the example properties: built-ins first, then the user properties by name; exit 0', async () => {
    const r = await runCli('verify', 'topologies/seed.yaml', '--properties', 'properties/seed.yaml', '--format', 'json');
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout) as { results: { property: string; subject: string; verdict: string }[]; summary: { holds: number; violated: number; unknown: number; 'n/a': number; waived: number } };
    const names = j.results.map((x) => x.property);
    expect(names[0]).toBe('nat-egress');
    expect(names.slice(-2)).toEqual(['project-demo-isolated-from-outside-by-fixed-address-except-ssh', 'demo-ports-reach-each-other-on-net1']);
    expect(j.results.find((x) => x.property === 'vm1-ssh-vm4')).toMatchObject({ subject: 'reach:vm1->vm4', verdict: 'holds' });
    expect(j.summary.holds + j.summary.violated + j.summary.unknown + j.summary['n/a'] + j.summary.waived).toBe(j.results.length);
    expect(r.code).toBe(j.summary.violated > 0 ? 1 : j.summary.unknown > 0 ? 3 : 0);
    expect(j.summary.violated).toBe(0);
  }, 120_000);

  it('the shipped violation example: the outside reaches vm1 over ssh by its fixed address, with a replayed witness; exit 1', async () => {
    const r = await runCli('verify', 'topologies/seed.yaml', '--properties', 'properties/seed-isolation.yaml', '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { results: { property: string; verdict: string; witness: { ip_src: string; ip_dst: string; proto: string; dport: number } | null; trace: { disposition: string; delivered_to: { vm?: string } | null } | null }[] };
    const v = j.results.find((x) => x.property === 'demo-isolated-from-outside');
    expect(v?.verdict).toBe('violated');
    // From an address a reader recognises as an internet host (the outside may send from any).
    expect(v?.witness).toMatchObject({ ip_src: '8.8.8.8', ip_dst: '192.168.1.11', proto: 'tcp', dport: 22 });
    expect(v?.trace).toMatchObject({ disposition: 'delivered', delivered_to: { vm: 'vm1' } });
    // Everything else holds, or is n/a (project-isolation: the seed has one project).
    expect(j.results.filter((x) => x.verdict !== 'holds' && x.verdict !== 'n/a').map((x) => x.property)).toEqual(['demo-isolated-from-outside']);
  }, 120_000);
});
