// project-isolation after nat-egress (search-sites.ts): each check with a context of its own, as
// verify runs them, on one dataplane and evaluator. A sender whose earlier exploration delivered to
// no port the property asks about is answered without being walked again, and the results are those
// of the property run alone on a fresh dataplane — on two-routers (two projects, isolated: holds,
// every sender settled without a walk) and on two-projects (vm1 reaches the other project's vm3 by
// its fixed address: violated with the same message, so a sender whose sites pass the guard is
// still searched). segment-isolation likewise (on two-routers and basic; on basic with a flow that
// sends vm1's frames to vm2's port on another network, the crossing still found): a routed packet's
// source MAC is a router's, which the sent one — the sender's own, pinned where its start put it — is
// not, so its places tell (search-sites.ts `macKept`).
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { SymWalker } from '../../src/smt/walk.ts';
import { natEgress } from '../../src/questions/properties/nat-egress.ts';
import { projectIsolation } from '../../src/questions/properties/project-isolation.ts';
import { segmentIsolation } from '../../src/questions/properties/segment-isolation.ts';
import type { PropertyCheck, VerifyContext } from '../../src/questions/property.ts';
import { noneBySites, noteSites } from '../../src/questions/properties/search-sites.ts';
import type { End, SymPacket } from '../../src/smt/index.ts';
import { context, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });
afterEach(() => { vi.restoreAllMocks(); });

const brief = (rs: readonly { subject: string; verdict: string; message: string }[]) => rs.map((r) => `${r.subject} ${r.verdict}: ${r.message}`);

/** The check's results and how many senders' walks it started. */
async function run(check: PropertyCheck, ctx: VerifyContext): Promise<{ results: string[]; starts: number }> {
  const spy = vi.spyOn(SymWalker.prototype, 'fromStation');
  const results = brief(await check.check({ ...ctx }));
  const starts = spy.mock.calls.length;
  spy.mockRestore();
  return { results, starts };
}

/** basic with vm1's frames sent by br-int straight to vm2's port (on net2) with vm2's MAC: a crossing without a router. */
const leak = edit(/compute1\/br-int\.dump-flows$/, (t) => t.replace('priority=9,in_port="qvo1f2aaaa6-84" actions=resubmit(,25)', 'priority=9,in_port="qvo1f2aaaa6-84" actions=mod_dl_dst:fa:16:3e:80:70:e1,output:3'));

describe('isolation answered from an earlier exploration\'s sites', () => {
  const cases = [
    ['two-routers', projectIsolation, undefined, null],
    ['two-projects', projectIsolation, undefined, /^project:demo violated: .*vm3/],
    ['two-routers', segmentIsolation, undefined, null],
    ['basic', segmentIsolation, undefined, null],
    ['basic', segmentIsolation, leak, /^network:net1 violated: vm1:0 on net1 reaches vm2:0 on another network/],
  ] as const;
  for (const [name, check, mutate, violated] of cases) {
    it(`${check.id} on ${name}${mutate ? ' (a leak)' : ''}: the same results after nat-egress as alone`, { timeout: 120_000 }, async () => {
      const alone = await run(check, context(name, mutate));
      expect(alone.starts).toBeGreaterThan(0);
      const shared = context(name, mutate);
      await natEgress.check({ ...shared });
      const after = await run(check, shared);
      expect(after.results).toEqual(alone.results);
      if (violated === null) {
        expect(alone.results.every((r) => / holds: /.test(r)), alone.results.join('\n')).toBe(true);
        // Nothing to be found and nothing unfinished: no sender is walked again.
        expect(after.starts).toBe(0);
      } else {
        expect(alone.results.some((r) => violated.test(r)), alone.results.join('\n')).toBe(true);
        expect(after.starts).toBeGreaterThan(0);
      }
    });
  }
});

describe('noneBySites', () => {
  const delivered = (vm: string): End => ({ kind: 'end', disposition: 'delivered', delivery: { kind: 'vm', vm, port: 0, host: 'h' }, path: { pc: [], packet: { eth_src: 1 } } } as unknown as End);
  const ctx = context('two-routers');
  const { dataplane: dp, evaluator: ev } = ctx;
  it('answers only when no site passes the guard and no end is unfinished', () => {
    const sent = { eth_src: 1 } as unknown as SymPacket;
    noteSites(dp, ev, 'a', [delivered('x'), delivered('x'), delivered('y')].map((end) => ({ end, sent })), 2);
    noteSites(dp, ev, 'b', [delivered('x'), { kind: 'unknown', reason: 'r' } as unknown as End].map((end) => ({ end, sent })), 2);
    const toY = (s: { delivery: unknown }) => (s.delivery as { vm?: string } | null)?.vm === 'y';
    expect(noneBySites(dp, ev, 'a', toY)).toBeNull();
    expect(noneBySites(dp, ev, 'a', () => false)).toEqual({ ends: 3, followed: 2 });
    expect(noneBySites(dp, ev, 'b', () => false)).toBeNull();
    expect(noneBySites(dp, ev, 'c', () => false)).toBeNull();
    // Another evaluator (another converged state) knows nothing of these.
    expect(noneBySites(dp, context('two-routers').evaluator, 'a', () => false)).toBeNull();
  });
});
