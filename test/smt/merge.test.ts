// Path merging and the walker's memo: a merged path stands for exactly the packets of the paths it
// replaces, paths that pinned a field to different values are never merged, and terms are hash-consed
// (the same operation on the same operands is the same term, which merging and the memo key on).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getZ3, shutdownZ3, type Ctx } from '../../src/smt/z3.ts';
import { Enc, type Cond } from '../../src/smt/cond.ts';
import { symbolicPacket } from '../../src/smt/headers.ts';
import { assume, ended, pathCond, type Path } from '../../src/smt/path.ts';
import { mergeEnds, mergePaths, pathKey } from '../../src/smt/merge.ts';
import { checkSat } from '../../src/smt/solve.ts';

let ctx: Ctx;
let e: Enc;
beforeAll(async () => { ctx = await getZ3(); e = new Enc(ctx); });
afterAll(async () => { await shutdownZ3(); });

const status = async (c: Cond) => (await checkSat(ctx, e, c, 5000)).status;

describe('path merging', () => {
  it('a merged path is the disjunction of the paths it replaces, factored over their shared conjuncts', async () => {
    const p = symbolicPacket(ctx, 'm', null);
    const root = assume({ pc: [], packet: p }, e.eq(p.eth_type, 0x0800, 16))!;
    const tcp22 = assume(root, e.and(e.eq(p.proto, 6, 8), e.eq(p.dport, 22, 16)))!;
    const udp = assume(root, e.eq(p.proto, 17, 8))!;
    // Without bindings the packets are the same object: one key, one merged path.
    expect(pathKey(tcp22)).toBe(pathKey(udp));
    const merged = mergePaths(e, [tcp22, udp]);
    expect(merged.pc.length).toBe(2);
    expect(merged.pc[0]).toBe(root.pc[0]);
    const either = e.or(pathCond(e, tcp22), pathCond(e, udp));
    // Equivalent: neither side holds without the other.
    expect(await status(e.and(pathCond(e, merged), e.not(either)))).toBe('unsat');
    expect(await status(e.and(either, e.not(pathCond(e, merged))))).toBe('unsat');
  });

  it('paths that pinned a field to different values keep different keys (a router must still see which address)', () => {
    const p = symbolicPacket(ctx, 'k', null);
    const base: Path = { pc: [], packet: p };
    const a = assume(base, e.eq(p.ip_dst, 1, 32), [{ field: 'ip_dst', value: 1 }])!;
    const b = assume(base, e.eq(p.ip_dst, 2, 32), [{ field: 'ip_dst', value: 2 }])!;
    expect(a.packet.ip_dst).toBe(1);
    expect(pathKey(a)).not.toBe(pathKey(b));
    const ends = mergeEnds(e, [ended('delivered', a, 'x'), ended('delivered', b, 'x'), ended('delivered', a, 'y')]);
    expect(ends).toHaveLength(3);
  });

  it('ends at the same place with the same packet become one end', () => {
    const p = symbolicPacket(ctx, 'j', null);
    const base: Path = { pc: [], packet: p };
    const a = assume(base, e.eq(p.proto, 6, 8))!;
    const b = assume(base, e.eq(p.proto, 17, 8))!;
    const ends = mergeEnds(e, [ended('dropped', a, 'fw'), ended('dropped', b, 'fw'), ended('dropped', b, 'elsewhere')]);
    expect(ends.map((x) => (x.kind === 'end' ? x.where : ''))).toEqual(['fw', 'elsewhere']);
  });

  it('terms are hash-consed: the same operation on the same operands is the same object', () => {
    const p = symbolicPacket(ctx, 'h', null);
    expect(e.eq(p.dport, 22, 16)).toBe(e.eq(p.dport, 22, 16));
    expect(e.and(e.eq(p.proto, 6, 8), e.eq(p.dport, 22, 16))).toBe(e.and(e.eq(p.proto, 6, 8), e.eq(p.dport, 22, 16)));
    expect(e.not(e.eq(p.proto, 6, 8))).toBe(e.not(e.eq(p.proto, 6, 8)));
    expect(e.eq(p.dport, 22, 16)).not.toBe(e.eq(p.dport, 23, 16));
  });
});
