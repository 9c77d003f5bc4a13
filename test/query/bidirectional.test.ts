// --bidirectional when the way back is cut: the router drops established traffic coming in from the
// external network, so every packet vm1 sends to the internet gets there and no reply comes back.
// The answer is `unknown` (no proof covers the packets not tried), the failed direction is the reply,
// the trace is the failing reply, and several different packets were tried before concluding. On the
// intact cloud the same question is reachable with its reply. The same holds for a user property.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runQuery } from '../../src/questions/query.ts';
import type { VerifyContext } from '../../src/questions/property.ts';
import { loadPropertyText } from '../../src/questions/user-properties/load.ts';
import { checkUserProperty, resolveUserProperties } from '../../src/questions/user-properties/check.ts';
import { context, edit } from '../properties/build.ts';

afterAll(async () => { await shutdownZ3(); });

const cut = () => context('basic', edit(/qrouter-.*\.iptables-save$/, (t) => t.replace('-A FORWARD -j neutron-filter-top', '-A FORWARD -i qg-+ -m state --state ESTABLISHED -j DROP\n-A FORWARD -j neutron-filter-top')));

async function ask(ctx: VerifyContext) {
  const r = await runQuery(ctx.topology, ctx.dataplane, ctx.evaluator, { from: 'vm1', to: '8.8.8.8', via: null, bidirectional: true }, 20_000);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.value;
}

describe('--bidirectional with the way back cut', () => {
  it('is reachable with its reply on the intact cloud', async () => {
    const a = await ask(context('basic'));
    expect(a.verdict).toBe('reachable');
    expect(a.reply?.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm1' });
  });

  it('is unknown, not unreachable, when every reply tried is dropped: the trace is the dropped reply', async () => {
    const a = await ask(cut());
    expect(a.verdict).toBe('unknown');
    expect(a.failed).toBe('reply');
    expect(a.trace.disposition).not.toBe('dropped'); // the request got there
    expect(a.reply?.disposition).toBe('dropped');
    expect(a.reply?.droppedAt?.rule).toContain('-i qg-+ -m state --state ESTABLISHED -j DROP');
    expect(a.reason).toMatch(/the replies to [2-9] different packets that get there did not come back/);
  });

  it('a user property expecting the round trip is unknown too, naming the failed reply', async () => {
    const ctx = cut();
    const props = loadPropertyText('- { name: web, reach: { from: vm1, to: 8.8.8.8 }, expect: reachable, bidirectional: true }', 't.yaml');
    if (!props.ok) throw new Error(props.errors.map((e) => e.message).join('; '));
    const r = resolveUserProperties(ctx.topology, ctx.dataplane, props.value);
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
    const res = await checkUserProperty(ctx, r.value[0]!);
    expect(res.verdict).toBe('unknown');
    expect(res.message).toMatch(/reaches 8\.8\.8\.8, but the replies to [2-9] different packets/);
    expect(res.trace?.disposition).toBe('dropped');
    const intact = context('basic');
    const ok = resolveUserProperties(intact.topology, intact.dataplane, props.value);
    if (!ok.ok) throw new Error('resolve');
    expect((await checkUserProperty(intact, ok.value[0]!)).verdict).toBe('holds');
  });
});
