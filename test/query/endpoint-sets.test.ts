// `query` takes the property language's set endpoints — `project:NAME`, `network:NAME`, a CIDR,
// `external`, `external:NETWORK` — and asks whether ANY packet from any of the senders reaches any of
// the destinations. Each answer here is held to the evaluator (the witness's replay ends at a
// destination of the set, from a sender of the set), to the user property that asks the same question
// (`reach … expect: unreachable` is violated exactly when the query is reachable), and bad set
// endpoints are input errors naming --from or --to. A VIP (an allowed address pair) as --to without a
// choice of holder is refused with the reason, never answered `unreachable` by a model that has no VM
// answer ARP for it (query and trace choose holders: test/query/vip.test.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { planQuery, runQuery, type QueryParams } from '../../src/questions/query.ts';
import { loadModel } from '../../src/pipeline.ts';
import { tableRows } from '../docs/doc-tables.ts';
import { endpointSubjects, noteForEndpoints } from '../../src/cloud/taint.ts';
import { note } from '../../src/cloud/notes.ts';
import { checkUserProperty, resolveUserProperties } from '../../src/questions/user-properties/check.ts';
import type { UserProperty } from '../../src/questions/user-properties/model.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { context } from '../properties/build.ts';
import { runCli } from '../cli/run.ts';
import { fileURLToPath } from 'node:url';

afterAll(async () => {
  await shutdownZ3();
});

// two-projects: vm1 (demo, net1, ssh open), vm2 (demo, net2, default group, floating IP), vm3 (other, net3, all ingress open); one router.
const ctx = context('two-projects');

async function ask(p: Omit<QueryParams, 'via'>) {
  const r = await runQuery(ctx.topology, ctx.dataplane, ctx.evaluator, { via: null, ...p }, 20_000);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.code} ${e.path}: ${e.message}`).join('; '));
  return r.value;
}

async function refused(p: Omit<QueryParams, 'via'>) {
  const r = await runQuery(ctx.topology, ctx.dataplane, ctx.evaluator, { via: null, ...p }, 20_000);
  if (r.ok) throw new Error(`answered ${r.value.verdict}`);
  return r.errors;
}

/** The same question as a user property: no packet from `from` reaches `to`. */
async function propertyVerdict(from: string, to: string, fields: { proto?: 'tcp'; dport?: number }) {
  const p: UserProperty = { kind: 'reach', name: 'q', file: 'inline', position: null, index: 0, from, to, expect: 'unreachable', bidirectional: false, ...fields };
  const r = resolveUserProperties(ctx.topology, ctx.dataplane, [p]);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return (await checkUserProperty(ctx, r.value[0]!)).verdict;
}

const cases: { from: string; to: string; fields: { proto?: 'tcp'; dport?: number }; verdict: 'reachable' | 'unreachable'; from_: RegExp; at: RegExp }[] = [
  // Another project's port through the shared router: vm1 or vm2 reaches vm3.
  { from: 'project:demo', to: 'project:other', fields: {}, verdict: 'reachable', from_: /^vm[12]:0$/, at: /^vm3:0$/ },
  // ssh from the internet reaches vm1 (the upstream router routes the tenant subnets to the router's gateway).
  { from: 'external', to: 'project:demo', fields: { proto: 'tcp', dport: 22 }, verdict: 'reachable', from_: /^outside:public$/, at: /^vm1:0$/ },
  { from: 'network:net3', to: 'external', fields: {}, verdict: 'reachable', from_: /^vm3:0$/, at: /^outside:public$/ },
  { from: '192.168.1.0/24', to: 'vm3', fields: { proto: 'tcp', dport: 443 }, verdict: 'reachable', from_: /^vm1:0$/, at: /^vm3:0$/ },
  { from: 'external:public', to: '192.168.3.0/24', fields: {}, verdict: 'reachable', from_: /^outside:public$/, at: /./ },
  // vm2 has only the default group: nothing from outside its group gets in.
  { from: 'external', to: 'network:net2', fields: { proto: 'tcp', dport: 23 }, verdict: 'unreachable', from_: /./, at: /./ },
  { from: 'project:other', to: 'network:net2', fields: { proto: 'tcp', dport: 23 }, verdict: 'unreachable', from_: /./, at: /./ },
  // vm3 is in no group of demo's ports: only vm1's ssh is open to it.
  { from: 'vm3', to: 'project:demo', fields: { proto: 'tcp', dport: 23 }, verdict: 'unreachable', from_: /./, at: /./ },
  { from: 'vm3', to: 'project:demo', fields: { proto: 'tcp', dport: 22 }, verdict: 'reachable', from_: /^vm3:0$/, at: /^vm1:0$/ },
];

const where = (s: { kind: string; vm?: string; index?: number; port?: number; network?: string } | null | undefined) =>
  s == null ? '-' : s.kind === 'vm-port' ? `${s.vm}:${s.index}` : s.kind === 'vm' ? `${s.vm}:${s.port}` : `outside:${s.network}`;

describe('query with set endpoints', () => {
  for (const c of cases) {
    it(`${c.from} → ${c.to} ${JSON.stringify(c.fields)}: ${c.verdict}, and the user property asking the same agrees`, async () => {
      const a = await ask({ from: c.from, to: c.to, ...c.fields });
      expect(a.verdict).toBe(c.verdict);
      expect(a.plan.senders.length).toBeGreaterThan(0);
      if (c.verdict === 'reachable') {
        const src = ctx.dataplane.stations.find((s) => s.mac === a.trace.packet.eth_src) ?? null;
        expect(where(src)).toMatch(c.from_);
        expect(where(a.trace.deliveredTo as never)).toMatch(c.at);
      } else {
        expect(a.failed).toBe('request');
      }
      expect(await propertyVerdict(c.from, c.to, c.fields)).toBe(c.verdict === 'reachable' ? 'violated' : 'holds');
    });
  }

  it('--bidirectional from a set: the reply comes back to the sender that sent the witness', async () => {
    const a = await ask({ from: 'project:demo', to: 'external', bidirectional: true });
    expect(a.verdict).toBe('reachable');
    expect(a.reply?.deliveredTo).toMatchObject({ kind: 'vm' });
    expect(a.reply?.final.ip_dst).toBe(a.trace.packet.ip_src);
  });

  it('bad set endpoints are input errors naming the option', async () => {
    expect(await refused({ from: 'project:nope', to: 'vm1' })).toMatchObject([{ code: 'NP405', path: '--from', message: expect.stringMatching(/project:nope: no VM port belongs to project "nope"/) }]);
    expect(await refused({ from: 'vm1', to: 'network:nonet' })).toMatchObject([{ code: 'NP405', path: '--to', message: expect.stringMatching(/no network named "nonet"/) }]);
    expect(await refused({ from: 'external:net1', to: 'vm1' })).toMatchObject([{ code: 'NP405', path: '--from', message: expect.stringMatching(/"net1" is not a network with an outside world/) }]);
    // A tenant prefix holding no VM port has no sender.
    expect(await refused({ from: '192.168.2.128/25', to: 'vm1' })).toMatchObject([{ code: 'NP405', path: '--from', message: expect.stringMatching(/no VM port or outside host has an address in 192.168.2.128\/25/) }]);
    // Both sides wrong: both said.
    expect((await refused({ from: 'project:nope', to: 'project:none' })).map((e) => e.path)).toEqual(['--from', '--to']);
    // A bare prefix sends no replies.
    expect(await refused({ from: 'vm1', to: '192.168.3.0/24', bidirectional: true })).toMatchObject([{ code: 'NP601', path: '--bidirectional' }]);
  });

  it('a VIP as --to without a choice of holder is refused with the reason and the holders, not answered', async () => {
    const vip = context('../../query/topologies/vip');
    const r = await runQuery(vip.topology, vip.dataplane, vip.evaluator, { from: 'vm3', to: '192.168.1.200', via: null }, 20_000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toMatchObject([{ code: 'NP405', path: '--to', message: expect.stringMatching(/192\.168\.1\.200 is a VIP \(an allowed address pair of lb1:0, lb2:0\): which VM holds it is decided inside the VMs.*--holder/) }]);
  });

  it('on the command line: a set query prints its answer; an unreachable one says its trace is one packet of many', async () => {
    const file = fileURLToPath(new URL('../properties/topologies/two-projects.yaml', import.meta.url));
    const reach = await runCli('query', file, '--from', 'project:demo', '--to', 'project:other', '--format', 'json');
    expect(reach.code).toBe(0);
    expect(JSON.parse(reach.stdout)).toMatchObject({ verdict: 'reachable' });
    const none = await runCli('query', file, '--from', 'vm3', '--to', 'project:demo', '--proto', 'tcp', '--dport', '23', '--expect', 'unreachable');
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/verdict: UNREACHABLE/);
    expect(none.stdout).toMatch(/one packet of the query \(from vm3:0 to 192\.168\.1\.11\), and where it stops:/);
    const bad = await runCli('query', file, '--from', 'project:nope', '--to', 'vm1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/NP405 .*--from: project:nope/);
  });

  it("takes every endpoint of the property language's reference (docs/properties.md, Endpoints), as --from and --to", () => {
    const model = loadModel('topologies/seed.yaml');
    if (!model.ok) throw new Error('seed.yaml does not load');
    const { topology, dataplane } = model.value;
    const examples = tableRows('properties.md', 'Endpoints').map((r) => /`([^`]+)`/.exec(r[1]!)![1]!);
    expect(examples.length).toBeGreaterThanOrEqual(9);
    for (const e of examples) {
      const to = planQuery(topology, dataplane, { from: 'vm1', to: e, via: null });
      expect(to.ok, `--to ${e}: ${to.ok ? '' : to.errors.map((x) => x.message).join('; ')}`).toBe(true);
    }
    // As senders, all but an address no port holds (a router's, a floating IP) and the prefix forms that hold none.
    for (const e of ['vm1', 'vm1:0', '192.168.1.11', 'net1/192.168.1.12', '192.168.2.0/24', 'project:demo', 'network:net2', 'external', 'external:public']) {
      const from = planQuery(topology, dataplane, { from: e, to: 'vm3', via: null });
      expect(from.ok, `--from ${e}: ${from.ok ? '' : from.errors.map((x) => x.message).join('; ')}`).toBe(true);
    }
  });

  it("a cloud's note about a port in a set reaches a query of that set (its answer is then unknown, not a proof)", () => {
    const topo = ctx.topology;
    expect(endpointSubjects(topo, 'project:other')).toEqual(expect.arrayContaining(['project:other', 'port:vm3:0', 'network:net3', 'host:compute1']));
    expect(endpointSubjects(topo, 'network:net2')).toEqual(expect.arrayContaining(['network:net2', 'port:vm2:0']));
    expect(endpointSubjects(topo, 'network:net2')).not.toContain('port:vm3:0');
    expect(endpointSubjects(topo, '192.168.3.0/24')).toEqual(expect.arrayContaining(['port:vm3:0']));
    expect(endpointSubjects(topo, '192.168.3.0/24')).not.toContain('port:vm1:0');
    const uncaptured = note('cloud/coverage', { file: 'hosts/x', line: 1 }, 'vm3 was not captured', ['port:vm3:0']);
    expect(noteForEndpoints(topo, 'project:demo', 'project:other', [uncaptured])).toBe(uncaptured);
    expect(noteForEndpoints(topo, 'external', '192.168.3.0/24', [uncaptured])).toBe(uncaptured);
    expect(noteForEndpoints(topo, 'project:demo', 'network:net2', [uncaptured])).toBeNull();
  });
});
