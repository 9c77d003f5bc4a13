// SNAT with --random-fully (every SNAT rule the L3 agent writes since Train): the kernel draws the
// source port at random from a range set by the original port's class (src/semantics/snat-port.ts),
// as the real router namespace did in every TCP and UDP case the oracle sent (test/oracle/router.test.ts).
// The evaluator shows a representative draw and says so; the solver treats the port as any port of
// the range; and a witness never relies on a particular draw.
import { afterAll, describe, expect, it } from 'vitest';
import { exists, shutdownZ3 } from '../../src/smt/index.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { snatPortRange } from '../../src/semantics/snat-port.ts';
import type { NetfilterRuleset } from '../../src/ir/netfilter.ts';
import type { End } from '../../src/smt/index.ts';
import { VM1, chain, cloud, ipv4, rule, ruleset } from '../smt/build.ts';

afterAll(async () => { await shutdownZ3(); });

const RANDOM_SNAT: NetfilterRuleset = ruleset({
  nat: [chain('POSTROUTING', [rule([{ kind: 'out-iface', name: 'qg-1', negate: false }], { kind: 'SNAT', to: '203.0.113.5', fully_random: true })], 'ACCEPT')],
});
const exited = (end: End) => end.kind === 'end' && end.disposition === 'exited';

describe('the port range the kernel draws from', () => {
  it('is set by the original port\'s class unless the rule gives one', () => {
    expect(snatPortRange(40000, null)).toEqual([1024, 65535]);
    expect(snatPortRange(80, null)).toEqual([1, 511]);
    expect(snatPortRange(700, null)).toEqual([600, 1023]);
    expect(snatPortRange(40000, [2000, 3000])).toEqual([2000, 3000]);
  });
});

describe('the evaluator', () => {
  it('shows a representative port and the range it stands for, in the trace', () => {
    const t = createEvaluator(cloud(RANDOM_SNAT)).trace(VM1, ipv4({ sport: 40000 }));
    expect(t.disposition).toBe('exited');
    expect(t.final.ip_src).toBe('203.0.113.5');
    expect(t.final.sport).toBe(40000);
    const nat = t.hops.flatMap((h) => h.events).find((e) => e.kind === 'nat');
    expect(nat?.kind === 'nat' && nat.randomPortIn).toEqual([1024, 65535]);
    const low = createEvaluator(cloud(RANDOM_SNAT)).trace(VM1, ipv4({ sport: 550 }));
    // 550 is not in 600–1023, the range its class draws from: the range's first port stands for the draw.
    expect(low.final.sport).toBe(600);
  });
});

describe('the solver', () => {
  it('lets the translated port be any port of the range, and no other', async () => {
    const dp = cloud(RANDOM_SNAT);
    const endsWith = (port: number, sent: number) => exists(dp, [VM1], { proto: 6, sport: sent }, (e, f, end) => (exited(end) ? e.eq(f.sport, port, 16) : false));
    expect((await endsWith(40000, 40000)).verdict).toBe('yes');
    expect((await endsWith(1024, 40000)).verdict).not.toBe('no');
    expect((await endsWith(65535, 40000)).verdict).not.toBe('no');
    expect((await endsWith(1023, 40000)).verdict).toBe('no');
    expect((await endsWith(80, 40000)).verdict).toBe('no');
    expect((await endsWith(511, 80)).verdict).not.toBe('no');
    expect((await endsWith(600, 80)).verdict).toBe('no');
  });

  it('never gives a witness that only a particular draw makes one: the answer is unknown, saying why', async () => {
    const dp = cloud(RANDOM_SNAT);
    // Leaving with source port 5555 after SNAT: possible (the kernel may draw it), but for a packet sent
    // from port 40000 a replay shows 40000, so no witness can be claimed.
    const r = await exists(dp, [VM1], { proto: 6, sport: 40000 }, (e, f, end) => (exited(end) ? e.eq(f.sport, 5555, 16) : false));
    expect(r.verdict).toBe('unknown');
    expect(r.reason).toMatch(/random-fully/);
    // Sent from 5555 itself, the replayed draw is 5555: a witness, which replays.
    const w = await exists(dp, [VM1], { proto: 6 }, (e, f, end) => (exited(end) ? e.eq(f.sport, 5555, 16) : false));
    expect(w.verdict).toBe('yes');
    expect(w.witness?.sport).toBe(5555);
    expect(createEvaluator(dp).trace(VM1, w.witness!).final.sport).toBe(5555);
  });
});
