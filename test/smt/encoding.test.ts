// Unit tests of the encoding: OpenFlow priorities, VLAN actions, netfilter RETURN/goto, ipset matches (negated too), NAT rewriting,
// longest-prefix routing, and Z3's timeout becoming `unknown`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getZ3, shutdownZ3 } from '../../src/smt/z3.ts';
import type { Ctx } from '../../src/smt/z3.ts';
import { Enc, type Cond } from '../../src/smt/cond.ts';
import { concretePacket, ipToNum, macToNum, symbolicPacket } from '../../src/smt/headers.ts';
import { symRunBridge } from '../../src/smt/openflow.ts';
import { flowTables } from '../../src/semantics/ovs-bridge.ts';
import { symRunHook } from '../../src/smt/netfilter/hook.ts';
import { newNfPath } from '../../src/smt/netfilter/state.ts';
import { lpmBranches } from '../../src/smt/route.ts';
import { checkSat } from '../../src/smt/solve.ts';
import type { Path, Step } from '../../src/smt/path.ts';
import { MAC, bridge, chain, flow, ipv4, port, router, rule, ruleset } from './build.ts';

let ctx: Ctx;
let e: Enc;
beforeAll(async () => { ctx = await getZ3(); e = new Enc(ctx); });
afterAll(async () => { await shutdownZ3(); });

const sym = (): Path => ({ pc: [], packet: symbolicPacket(ctx, `t${Math.random()}`, null) });
const sat = async (...cs: Cond[]) => (await checkSat(ctx, e, e.and(...cs), 5000)).status;
const emits = (steps: Step[]) => steps.filter((s): s is Extract<Step, { kind: 'emit' }> => s.kind === 'emit');

describe('OpenFlow priorities', () => {
  const br = bridge('br', [port('p1', 1), port('p2', 2), port('p3', 3)], [
    flow(0, 5, { dl_type: 0x0800, nw_proto: 6 }, [{ kind: 'output', port: { kind: 'name', name: 'p3' } }]),
    flow(0, 10, { dl_dst: { mac: MAC.vm2, mask: null } }, [{ kind: 'output', port: { kind: 'name', name: 'p2' } }]),
    flow(0, 0, {}, [{ kind: 'drop' }]),
  ]);
  const env = () => ({ host: 'h', bridge: br, tables: flowTables(br.flows), fdb: [] });

  it('a lower-priority flow only gets what higher ones do not match', async () => {
    const out = emits(symRunBridge(e, env(), 'p1', sym()));
    const toP3 = out.find((s) => s.port === 'p3')!;
    // A TCP packet to vm2's MAC takes the priority-10 flow, never the priority-5 one.
    expect(await sat(...toP3.path.pc, e.eq(symbolicPacketField(toP3), macToNum(MAC.vm2), 48))).toBe('unsat');
    expect(await sat(...toP3.path.pc)).toBe('sat');
  });

  it('the match on in_port is cut without the solver', () => {
    const steps = symRunBridge(e, { ...env(), tables: flowTables([flow(0, 1, { in_port: { kind: 'name', name: 'p2' } }, [{ kind: 'normal' }])]) }, 'p1', sym());
    expect(steps.every((s) => s.kind === 'end' && s.disposition === 'dropped' && s.path.pc.length === 0)).toBe(true);
  });
});

function symbolicPacketField(s: Extract<Step, { kind: 'emit' }>) {
  return s.path.packet.eth_dst;
}

describe('VLAN actions', () => {
  const run = (action: Parameters<typeof flow>[3][number], vlan: number | null) => {
    const br = bridge('br', [port('p1', 1), port('p2', 2)], [flow(0, 1, {}, [action, { kind: 'output', port: { kind: 'name', name: 'p2' } }])]);
    const p: Path = { pc: [], packet: concretePacket({ ...ipv4(), vlan }) };
    return emits(symRunBridge(e, { host: 'h', bridge: br, tables: flowTables(br.flows), fdb: [] }, 'p1', p))[0]!.path.packet.vlan;
  };
  it('OF1.0 mod_vlan_vid pushes a tag on an untagged frame', () => expect(run({ kind: 'mod_vlan_vid', vid: 7 }, null)).toBe(7));
  it('OF1.3 set_field vlan_vid does not push one', () => expect(run({ kind: 'set_vlan_vid', vid: 7 }, null)).toBe(null));
  it('set_field vlan_vid rewrites a present tag', () => expect(run({ kind: 'set_vlan_vid', vid: 7 }, 3)).toBe(7));
  it('strip_vlan pops it', () => expect(run({ kind: 'strip_vlan' }, 3)).toBe(null));
});

describe('netfilter chains', () => {
  const ctx0 = { inIface: 'qr-1', outIface: 'qg-1', physdevIn: null, physdevOut: null, bridged: false };
  const rs = ruleset({
    filter: [
      chain('FORWARD', [rule([], { kind: 'jump', chain: 'A' }), rule([{ kind: 'proto', proto: 17, negate: false }], { kind: 'ACCEPT' })], 'DROP'),
      // A: TCP returns, everything else goes to B; B accepts dport 53 and otherwise falls off (back to FORWARD).
      chain('A', [rule([{ kind: 'proto', proto: 6, negate: false }], { kind: 'RETURN' }), rule([], { kind: 'goto', chain: 'B' }), rule([], { kind: 'DROP' })]),
      chain('B', [rule([{ kind: 'dport', from: 53, to: 53, negate: false }], { kind: 'ACCEPT' })]),
    ],
  });
  const verdict = (p: ReturnType<typeof ipv4>) => {
    const r = symRunHook(e, rs, 'FORWARD', newNfPath({ pc: [], packet: concretePacket(p) }), ctx0, 'ns');
    return r.accepted.length > 0 ? 'accept' : 'drop';
  };
  it('RETURN goes back to the caller, which then hits its policy', () => expect(verdict(ipv4({ proto: 6 }))).toBe('drop'));
  it('goto replaces the frame: falling off B returns to FORWARD, not to A (whose DROP is skipped)', () => expect(verdict(ipv4({ proto: 17, dport: 99 }))).toBe('accept'));
  it('a match in the goto target accepts', () => expect(verdict(ipv4({ proto: 17, dport: 53 }))).toBe('accept'));
  it('symbolically: no TCP packet is accepted', async () => {
    const r = symRunHook(e, rs, 'FORWARD', newNfPath(sym()), ctx0, 'ns');
    for (const a of r.accepted) expect(await sat(...a.path.pc, e.eq(a.path.packet.proto, 6, 8), e.eq(a.path.packet.eth_type, 0x0800, 16))).toBe('unsat');
  });
});

describe('ipset matches', () => {
  const ctx0 = { inIface: 'qr-1', outIface: 'qg-1', physdevIn: null, physdevOut: null, bridged: false };
  // `! -m set --match-set allowed src -j DROP`, then `-m set --match-set blocked dst -j DROP`, policy ACCEPT.
  const rs = ruleset({
    filter: [chain('FORWARD', [
      rule([{ kind: 'set', name: 'allowed', flags: ['src'], negate: true }], { kind: 'DROP' }),
      rule([{ kind: 'set', name: 'blocked', flags: ['dst'], negate: false }], { kind: 'DROP' }),
    ], 'ACCEPT')],
  }, { allowed: [{ ip: '10.0.0.0', prefixLen: 29 }], blocked: [{ ip: '192.0.2.9', prefixLen: 32 }] });
  const verdict = (p: ReturnType<typeof ipv4>) => (symRunHook(e, rs, 'FORWARD', newNfPath({ pc: [], packet: concretePacket(p) }), ctx0, 'ns').accepted.length > 0 ? 'accept' : 'drop');
  it('`! --match-set` drops a source outside the set and lets a member past', () => {
    expect(verdict(ipv4({ ip_src: '10.0.0.5', ip_dst: '192.0.2.1' }))).toBe('accept');
    expect(verdict(ipv4({ ip_src: '10.0.0.9', ip_dst: '192.0.2.1' }))).toBe('drop');
  });
  it('`--match-set … dst` drops a member destination', () => expect(verdict(ipv4({ ip_src: '10.0.0.5', ip_dst: '192.0.2.9' }))).toBe('drop'));
  it('symbolically: every accepted packet is from a member of the allowed set, and some is', async () => {
    const r = symRunHook(e, rs, 'FORWARD', newNfPath(sym()), ctx0, 'ns');
    expect(r.accepted.length).toBeGreaterThan(0);
    for (const a of r.accepted) expect(await sat(...a.path.pc, e.eq(a.path.packet.eth_type, 0x0800, 16), e.not(e.prefix(a.path.packet.ip_src, ipToNum('10.0.0.0'), 29)))).toBe('unsat');
    expect(await sat(e.or(...r.accepted.map((a) => e.and(...a.path.pc))))).toBe('sat');
  });
});

describe('NAT rewriting', () => {
  it('DNAT in PREROUTING rewrites the destination and port; the DNAT ctstate follows', async () => {
    const rs = ruleset({
      nat: [chain('PREROUTING', [rule([{ kind: 'dst', cidr: { ip: '203.0.113.50', prefixLen: 32 }, negate: false }], { kind: 'DNAT', to: '10.0.0.6', port: 8080 })], 'ACCEPT')],
    });
    const r = symRunHook(e, rs, 'PREROUTING', newNfPath(sym()), { inIface: 'qg-1', outIface: null, physdevIn: null, physdevOut: null, bridged: false }, 'ns');
    const natted = r.accepted.filter((a) => a.dstNat !== false);
    expect(natted.length).toBe(1);
    const a = natted[0]!;
    expect(a.path.packet.ip_dst).toBe(ipToNum('10.0.0.6'));
    // A TCP packet leaves with port 8080 whatever it was sent to.
    expect(await sat(...a.path.pc, e.eq(a.path.packet.proto, 6, 8), e.not(e.eq(a.path.packet.dport, 8080, 16)))).toBe('unsat');
  });

  it('SNAT with a port range keeps an in-range source port and maps the others to its start', async () => {
    const rs = ruleset({ nat: [chain('POSTROUTING', [rule([], { kind: 'SNAT', to: '203.0.113.5:2000-3000', fully_random: false })], 'ACCEPT')] });
    const st = { ...newNfPath(sym()), looked: true, hasConn: true };
    const r = symRunHook(e, rs, 'POSTROUTING', st, { inIface: null, outIface: 'qg-1', physdevIn: null, physdevOut: null, bridged: false }, 'ns');
    const a = r.accepted.find((x) => x.path.packet.ip_src === ipToNum('203.0.113.5'))!;
    const p = a.path.packet;
    const tcp = e.and(e.eq(p.eth_type, 0x0800, 16), e.eq(p.proto, 6, 8));
    expect(await sat(...a.path.pc, tcp, e.not(e.range(p.sport, 2000, 3000, 16)))).toBe('unsat');
  });
});

describe('longest-prefix routing', () => {
  const routes = router({ tables: [], ipsets: {} }).routes;
  it('a more specific route always wins', async () => {
    const v = symbolicPacket(ctx, 'lpm', null).ip_dst;
    const bs = lpmBranches(e, routes, v);
    const dflt = bs.find((b) => b.route?.dst.prefixLen === 0)!;
    expect(await sat(dflt.guard.cond, e.prefix(v, ipToNum('10.0.0.0'), 24))).toBe('unsat');
    expect(await sat(dflt.guard.cond, e.eq(v, ipToNum('8.8.8.8'), 32))).toBe('sat');
    expect(bs.some((b) => b.route === null)).toBe(false); // a default route leaves no "no route"
  });
  it('folds for a concrete destination', () => {
    const bs = lpmBranches(e, routes, ipToNum('203.0.113.9'));
    expect(bs.length).toBe(1);
    expect(bs[0]!.route!.dev).toBe('qg-1');
  });
});

describe('timeouts', () => {
  it('a hard query with a 1 ms timeout is unknown, not unsat', async () => {
    // Factoring a 64-bit semiprime: far beyond 1 ms.
    const x = ctx.BitVec.const('fx', 64);
    const y = ctx.BitVec.const('fy', 64);
    const n = 0xfffffffbn * 0xffffffefn;
    const hard = ctx.And(x.mul(y).eq(ctx.BitVec.val(n, 64)), x.ugt(ctx.BitVec.val(1n, 64)), y.ugt(ctx.BitVec.val(1n, 64)), x.ult(ctx.BitVec.val(1n << 32n, 64)), y.ult(ctx.BitVec.val(1n << 32n, 64)));
    const r = await checkSat(ctx, e, hard, 1);
    expect(r.status).toBe('unknown');
  });
});
