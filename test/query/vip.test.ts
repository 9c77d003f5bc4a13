// A VIP (an allowed address pair that no port holds as its own) as the destination of `query` and
// `trace` (src/questions/vip.ts, query-vip.ts). On test/query/topologies/vip-holders.yaml lb1 and lb2
// may both hold 192.168.1.200; lb1 lets tcp/443 in, lb2 only tcp/22. Checked here:
// - query asks under each holder: tcp/443 is unreachable (under lb2, named), tcp/22 reachable under
//   both; --holder lb1 pins the holder and tcp/443 is reachable; --holder refuses a port that cannot
//   hold the VIP, and a --to that is no VIP;
// - the port's rules decide whether the holder answers ARP: with br-int's ARP spoofing flow for the
//   VIP deleted on lb1's host, lb1 answers no one and the VIP is unreachable under it, in both engines;
// - the engines held to each other with each holder holding the VIP: every path end of the senders
//   explored by the solver, a model of each replayed through the evaluator (the fuzz suites' check);
// - the trace to the VIP, milestone by milestone as WALKTHROUGHS.md's across-subnets walkthrough.
import { afterAll, describe, expect, it } from 'vitest';
import type { Dataplane } from '../../src/ir/dataplane.ts';
import type { Topology } from '../../src/topology/model.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { runQuery, type QueryAnswer, type QueryParams } from '../../src/questions/query.ts';
import { queryOverHolders } from '../../src/questions/query-vip.ts';
import { holdVip, portLabel, vipTarget } from '../../src/questions/vip.ts';
import { traceQuestion } from '../../src/questions/trace.ts';
import { traceHits } from '../../src/questions/reach-set.ts';
import { labelsFor } from '../../src/report/labels.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { context, dropLines, edit } from '../properties/build.ts';
import { milestones } from '../golden/milestones.ts';
import { symbolicAgreement, zeroCounts } from '../fuzz/agreement.ts';
import { runCli } from '../cli/run.ts';

afterAll(async () => {
  await shutdownZ3();
});

const FILE = 'test/query/topologies/vip-holders.yaml';
const VIP = '192.168.1.200';
const base = context('../../query/topologies/vip-holders');

async function ask(topo: Topology, dp: Dataplane, p: Omit<QueryParams, 'via'>, holder?: string) {
  const r = await queryOverHolders<QueryAnswer>(topo, dp, { via: null, ...p }, holder === undefined ? {} : { holder }, {
    ask: async (d, q) => runQuery(topo, d, createEvaluator(d), q, 20_000),
    answerOf: (a) => a,
    withAnswer: (_, a) => a,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

describe('query to a VIP: each port that may hold it, or --holder', () => {
  it('finds the VIP and the ports that may hold it; any other --to is no VIP', () => {
    const v = vipTarget(base.topology, base.dataplane, VIP, null);
    expect(v?.holders.map(portLabel)).toEqual(['lb1:0', 'lb2:0']);
    expect(vipTarget(base.topology, base.dataplane, 'lb1', null)).toBeNull();
    expect(vipTarget(base.topology, base.dataplane, '192.168.1.11', null)).toBeNull();
    expect(vipTarget(base.topology, base.dataplane, '192.168.1.1', null)).toBeNull(); // the router's address
  });

  it('tcp/443 is unreachable: under lb2, which lets only tcp/22 in, named with the rule that stops it', async () => {
    const r = await ask(base.topology, base.dataplane, { from: 'vm3', to: VIP, proto: 'tcp', dport: 443 });
    expect(r.value.verdict).toBe('unreachable');
    expect(r.vip && portLabel(r.vip.held.holder)).toBe('lb2:0');
    expect(r.vip?.asked).toBe(2);
    expect(r.value.reason).toMatch(/held by lb2:0, one of 2 ports that may hold it/);
    expect(r.value.trace.droppedAt?.device).toMatch(/^qbr/);
    expect(r.value.trace.droppedAt?.host).toBe('compute2');
  });

  it('tcp/22 is reachable whichever holds it, and the witness is delivered to the holder at the VIP', async () => {
    const r = await ask(base.topology, base.dataplane, { from: 'vm3', to: VIP, proto: 'tcp', dport: 22 });
    expect(r.value.verdict).toBe('reachable');
    expect(r.vip?.asked).toBe(2);
    expect(r.value.reason).toMatch(/whichever of lb1:0, lb2:0 holds 192\.168\.1\.200/);
    expect(r.value.trace.deliveredTo).toMatchObject({ kind: 'vm', vm: 'lb1', port: 0 });
    expect(r.value.trace.final.ip_dst).toBe(VIP);
  });

  it('--holder lb1: tcp/443 is reachable, delivered to lb1', async () => {
    const r = await ask(base.topology, base.dataplane, { from: 'vm3', to: VIP, proto: 'tcp', dport: 443 }, 'lb1');
    expect(r.value.verdict).toBe('reachable');
    expect(r.vip).toMatchObject({ pinned: true, asked: 1 });
    expect(r.value.trace.deliveredTo).toMatchObject({ kind: 'vm', vm: 'lb1' });
    expect(r.value.plan.dests.every((d) => traceHits(r.value.trace, d))).toBe(true);
  });

  it('a port that holds the VIP nowhere but the question is refused as a destination without a holder (property files, diff)', async () => {
    const r = await runQuery(base.topology, base.dataplane, base.evaluator, { from: 'vm3', to: VIP, via: null }, 20_000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toMatchObject([{ code: 'NP405', path: '--to', message: expect.stringMatching(/is a VIP \(an allowed address pair of lb1:0, lb2:0\)/) }]);
  });
});

describe("the holder's port decides whether it answers ARP for the VIP", () => {
  // br-int's ARP spoofing flow that lets lb1's ARP from the VIP out, deleted on compute1.
  const cut = context('../../query/topologies/vip-holders', edit(/^compute1\/br-int\.dump-flows$/, dropLines(/arp_spa=192\.168\.1\.200\b/)));

  it('with the flow, lb1 announces the VIP; without it, nobody hears lb1 and it answers no one', () => {
    const v = vipTarget(base.topology, base.dataplane, VIP, null)!;
    expect(holdVip(base.dataplane, base.evaluator, v, v.holders[0]!).announced).toBe(true);
    const vc = vipTarget(cut.topology, cut.dataplane, VIP, null)!;
    const h = holdVip(cut.dataplane, cut.evaluator, vc, vc.holders[0]!);
    expect(h.announced).toBe(false);
    expect(h.announcement.droppedAt).toMatchObject({ host: 'compute1', device: 'br-int' });
    expect(h.dataplane.stations.some((s) => s.kind === 'vm-port' && (s.vips ?? []).length > 0)).toBe(false);
  });

  it('query --holder lb1 tcp/443 is then unreachable in both engines, and says why', async () => {
    const r = await ask(cut.topology, cut.dataplane, { from: 'vm3', to: VIP, proto: 'tcp', dport: 443 }, 'lb1');
    expect(r.value.verdict).toBe('unreachable');
    expect(r.value.reason).toMatch(/lb1:0 answers no ARP for 192\.168\.1\.200: its ARP for 192\.168\.1\.200 stops at br-int on compute1/);
    expect(r.value.trace.deliveredTo).toBeNull();
  });
});

describe('the engines held to each other with each holder holding the VIP', () => {
  const v = vipTarget(base.topology, base.dataplane, VIP, null)!;
  for (const holder of v.holders) {
    it(`held by ${portLabel(holder)}: every end the solver finds from vm3 and the other port is where the evaluator takes its packet`, async () => {
      const held = holdVip(base.dataplane, base.evaluator, v, holder);
      expect(held.announced).toBe(true);
      const model = { topology: base.topology, dataplane: held.dataplane, artifacts: [] };
      const ev = createEvaluator(held.dataplane);
      const sources = held.dataplane.stations.filter((s) => s.kind === 'vm-port' && (s.vm === 'vm3' || (s.network === 'net1' && s.vm !== holder.vm)));
      expect(sources).toHaveLength(2);
      const counts = zeroCounts();
      const bad = await symbolicAgreement(model as never, ev, sources, { timeoutMs: 20_000, maxEndsPerSource: 16 }, counts);
      console.log(`VIP held by ${portLabel(holder)}: ${counts.sources} sources, ${counts.ends} ends, ${counts.empty} empty, ${counts.replayed} replayed, ${counts.compared} compared, ${counts.unknown} unknown, ${counts.unchecked} unchecked`);
      expect(bad).toEqual([]);
      expect(counts.compared).toBeGreaterThan(0);
      // And the evaluator resolves the VIP to the holder's MAC from the other port on its network, through the dataplane.
      const other = sources.find((s) => s.kind === 'vm-port' && s.vm !== 'vm3')!;
      expect(ev.resolveArp(other, VIP).mac).toBe(holder.mac);
    }, 300_000);
  }
});

describe('the trace to a VIP, as an operator walks it', () => {
  it('vm3 → the VIP held by lb1: the across-subnets walkthrough, delivered to lb1', () => {
    const v = vipTarget(base.topology, base.dataplane, VIP, null)!;
    const held = holdVip(base.dataplane, base.evaluator, v, v.holders[0]!);
    const r = traceQuestion(base.topology, held.dataplane, createEvaluator(held.dataplane), { from: 'vm3', to: VIP, proto: 'tcp', dport: 443, via: null });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(milestones(r.value.trace, labelsFor(base.topology))).toEqual([
      'send:vm3',
      'sg:compute1:vm3:0:egress:accept',
      'internal-vlan:compute1:net2',
      'encap:compute1:102->10.0.0.21',
      'decap:network1:102',
      'internal-vlan:network1:net2',
      'router-in:router1:subnet2',
      'route:router1:subnet1',
      'internal-vlan:network1:net1',
      'encap:network1:101->10.0.0.11',
      'decap:compute1:101',
      'internal-vlan:compute1:net1',
      'sg:compute1:lb1:0:ingress:accept',
      'delivered:lb1',
    ]);
  });
});

describe('the CLI', () => {
  it('query names the holder in text and JSON, with the vip-holder assumption', async () => {
    const text = await runCli('query', FILE, '--from', 'vm3', '--to', VIP, '--proto', 'tcp', '--dport', '443', '--no-rules');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^vip: 192\.168\.1\.200 held by lb2:0 \(a holder under which it does not get there, of 2\)$/m);
    expect(text.stdout).toMatch(/verdict: UNREACHABLE/);
    const json = await runCli('query', FILE, '--from', 'vm3', '--to', VIP, '--proto', 'tcp', '--dport', '443', '--holder', 'lb1', '--format', 'json');
    const out = JSON.parse(json.stdout) as { verdict: string; vip: unknown; assumptions: { id: string; text: string }[] };
    expect(out.verdict).toBe('reachable');
    expect(out.vip).toEqual({ address: VIP, holder: 'lb1:0', holders: ['lb1:0', 'lb2:0'], pinned: true, announced: true });
    expect(out.assumptions.find((a) => a.id === 'vip-holder')?.text).toMatch(/held by lb1:0 \(--holder\)/);
  }, 120_000);

  it('trace follows the first holder, or --holder, and says which', async () => {
    const first = await runCli('trace', FILE, '--from', 'vm3', '--to', VIP, '--proto', 'tcp', '--dport', '443', '--no-rules', '--expect', 'delivered');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^vip: 192\.168\.1\.200 held by lb1:0 \(the first of lb1:0, lb2:0; --holder picks another\)$/m);
    const second = await runCli('trace', FILE, '--from', 'vm3', '--to', VIP, '--proto', 'tcp', '--dport', '443', '--no-rules', '--holder', 'lb2:0', '--expect', 'dropped');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/held by lb2:0 \(as --holder pins it\)/);
  }, 120_000);

  it('--holder is refused for a port that cannot hold the VIP, and for a --to that is no VIP', async () => {
    const wrong = await runCli('query', FILE, '--from', 'vm3', '--to', VIP, '--holder', 'vm3');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/NP405 .*--holder: vm3 cannot hold 192\.168\.1\.200: the ports with it among their allowed address pairs are lb1:0, lb2:0/);
    const none = await runCli('trace', FILE, '--from', 'vm3', '--to', 'lb1', '--holder', 'lb1');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--holder picks which VM holds a VIP, and --to lb1 is no VIP/);
  }, 60_000);
});
