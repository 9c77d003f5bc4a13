// `fromDnatTarget` (netfilter/hook.ts): whether a confirmed connection's source is one of the cloud's DNAT
// targets, asked at every new connection's confirmation. It must give what the disjunction of comparisons it
// replaces gives: the same boolean for a concrete source (members, non-members, values taken modulo 2^32, no
// targets at all), and for a symbolic one an equivalent term made of the very comparison terms `e.eq` gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getZ3, shutdownZ3, type Ctx } from '../../src/smt/z3.ts';
import { Enc, termKey, type Cond } from '../../src/smt/cond.ts';
import { ipToNum, symbolicPacket } from '../../src/smt/headers.ts';
import { fromDnatTarget } from '../../src/smt/netfilter/hook.ts';
import { checkSat } from '../../src/smt/solve.ts';

let ctx: Ctx;
let e: Enc;
beforeAll(async () => { ctx = await getZ3(); e = new Enc(ctx); });
afterAll(async () => { await shutdownZ3(); });

const targets = ['10.0.0.5', '10.0.1.7', '192.168.3.9', '255.255.255.255'].map(ipToNum);
/** What the confirmation asked before: one comparison per target, their disjunction. */
const reference = (src: number | ReturnType<typeof symbolicPacket>['ip_src'], ts: readonly number[]): Cond => e.or(...ts.map((t) => e.eq(src, t, 32)));

describe('fromDnatTarget', () => {
  it('gives the disjunction\'s boolean for a concrete source', () => {
    const sources = [...targets, ipToNum('10.0.0.6'), 0, ipToNum('10.0.1.7') + 2 ** 32, 2 ** 32 - 2, ipToNum('192.168.3.9') + 2 * 2 ** 32];
    for (const src of sources) {
      for (const ts of [targets, [], [targets[1]!]]) {
        const got = fromDnatTarget(e, src, ts);
        expect(typeof got).toBe('boolean');
        expect(got, `source ${src}, ${ts.length} targets`).toBe(reference(src, ts));
      }
    }
    // Both answers occur: the comparison is not vacuous.
    expect(fromDnatTarget(e, ipToNum('10.0.1.7'), targets)).toBe(true);
    expect(fromDnatTarget(e, ipToNum('10.0.1.8'), targets)).toBe(false);
  });

  it('gives an equivalent term, of the same comparison terms, for a symbolic source', async () => {
    const p = symbolicPacket(ctx, 'dnat', null);
    const got = fromDnatTarget(e, p.ip_src, targets);
    const ref = reference(p.ip_src, targets);
    expect(typeof got).not.toBe('boolean');
    const differ = e.or(e.and(got, e.not(ref)), e.and(ref, e.not(got)));
    expect((await checkSat(ctx, e, differ, 5000)).status).toBe('unsat');
    // Asked again (every confirmation of the same packet asks it): equivalent again, and the comparisons are
    // the hash-consed ones, so path conditions name them as they did.
    const again = fromDnatTarget(e, p.ip_src, targets);
    expect((await checkSat(ctx, e, e.and(again, e.not(ref)), 5000)).status).toBe('unsat');
    for (const t of targets) expect(termKey(e.eq(p.ip_src, t, 32))).toBe(termKey(e.eq(p.ip_src, t, 32)));
    // Another list of targets for the same source is not answered from the first.
    expect((await checkSat(ctx, e, e.and(fromDnatTarget(e, p.ip_src, [targets[0]!]), e.eq(p.ip_src, targets[1]!, 32)), 5000)).status).toBe('unsat');
    expect(fromDnatTarget(e, p.ip_src, [])).toBe(false);
  });
});
