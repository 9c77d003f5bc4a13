// Evaluate ≡ encode: for fixed packets the symbolic encoding (folded concretely, and through the solver
// with `reach`) gives what the reference evaluator gives. Devices are compared one by one with the
// evaluator modules that exist (OpenFlow pipeline, netfilter hooks); the whole walk is compared with
// the evaluator's `trace` when src/evaluate/index.ts provides it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getZ3, shutdownZ3, reach } from '../../src/smt/index.ts';
import type { Ctx } from '../../src/smt/z3.ts';
import { Enc } from '../../src/smt/cond.ts';
import { concretePacket, numToIp } from '../../src/smt/headers.ts';
import { symRunBridge } from '../../src/smt/openflow.ts';
import { flowTables } from '../../src/semantics/ovs-bridge.ts';
import { runBridge } from '../../src/evaluate/openflow.ts';
import { LearningState } from '../../src/evaluate/state.ts';
import type { Packet } from '../../src/ir/packet.ts';
import { MAC, ROUTER_NAT, VM1, VM2, bridge, chain, cloud, flow, ipv4, port, rule, ruleset } from './build.ts';
import { throughHooks } from './hooks-both.ts';

let ctx: Ctx;
let e: Enc;
beforeAll(async () => { ctx = await getZ3(); e = new Enc(ctx); });
afterAll(async () => { await shutdownZ3(); });

const packets = fc.record({
  proto: fc.constantFrom(1, 6, 17),
  dport: fc.constantFrom(22, 53, 80, 443, 8080),
  sport: fc.integer({ min: 1, max: 65535 }),
  dst: fc.constantFrom('10.0.0.6', '10.0.0.1', '203.0.113.50', '8.8.8.8', '10.1.2.3'),
  src: fc.constantFrom('10.0.0.5', '10.0.0.6', '192.0.2.1'),
  icmpType: fc.constantFrom(0, 3, 8),
  vlan: fc.constantFrom(null, 1, 7),
  ethDst: fc.constantFrom(MAC.vm2, MAC.qr, 'ff:ff:ff:ff:ff:ff'),
}).map((r): Packet => ipv4({
  proto: r.proto, ip_dst: r.dst, ip_src: r.src, vlan: r.vlan, eth_dst: r.ethDst,
  sport: r.proto === 1 ? null : r.sport, dport: r.proto === 1 ? null : r.dport,
  icmp_type: r.proto === 1 ? r.icmpType : null, icmp_code: r.proto === 1 ? 0 : null,
}));

describe('OpenFlow pipeline agrees with src/evaluate/openflow.ts', () => {
  const br = bridge('br', [port('p1', 1), port('p2', 2), port('p3', 3, 5)], [
    flow(0, 20, { vlan_tci: { value: 0x1007, mask: 0x1fff } }, [{ kind: 'strip_vlan' }, { kind: 'resubmit', port: null, table: 1 }]),
    flow(0, 10, { dl_type: 0x0800, nw_proto: 6, tp_dst: { value: 22, mask: null } }, [{ kind: 'drop' }]),
    flow(0, 5, { dl_dst: { mac: MAC.vm2, mask: null } }, [{ kind: 'mod_vlan_vid', vid: 9 }, { kind: 'output', port: { kind: 'name', name: 'p2' } }]),
    flow(0, 1, {}, [{ kind: 'normal' }]),
    flow(1, 1, { nw_dst: { ip: '10.0.0.0', prefixLen: 24 } }, [{ kind: 'set_vlan_vid', vid: 3 }, { kind: 'output', port: { kind: 'number', ofport: 3 } }]),
  ]);
  it('same ports and same packets out, for random packets', () => {
    fc.assert(fc.property(packets, (p) => {
      const ref = runBridge({ host: 'h', bridge: br, tables: flowTables(br.flows), state: new LearningState(), learn: false }, 'p1', p);
      const refOut = ref.copies.filter((c) => c.kind === 'emit').map((c) => `${c.port}:${c.packet.vlan}`).sort();
      const sym = symRunBridge(e, { host: 'h', bridge: br, tables: flowTables(br.flows), fdb: [] }, 'p1', { pc: [], packet: concretePacket(p) });
      const symOut = sym.flatMap((s) => (s.kind === 'emit' ? [`${s.port}:${s.path.packet.vlan}`] : [])).sort();
      expect(symOut).toEqual(refOut);
      // Every folded branch is concrete: nothing for the solver.
      expect(sym.every((s) => s.path.pc.length === 0)).toBe(true);
    }), { numRuns: 200, seed: 42 });
  });
});

describe('netfilter hooks agree with src/evaluate/netfilter/', () => {
  const rs = ruleset({
    ...Object.fromEntries(ROUTER_NAT.tables.map((t) => [t.name, [...t.chains]])),
    filter: [
      chain('FORWARD', [rule([], { kind: 'jump', chain: 'sg' }), rule([{ kind: 'ctstate', states: ['INVALID'], negate: false }], { kind: 'DROP' })], 'ACCEPT'),
      chain('sg', [
        rule([{ kind: 'proto', proto: 6, negate: false }, { kind: 'dport', from: 22, to: 22, negate: false }], { kind: 'DROP' }),
        rule([{ kind: 'ctstate', states: ['DNAT'], negate: false }], { kind: 'RETURN' }),
        rule([{ kind: 'multiport', which: 'dports', ranges: [[50, 60], [8080, 8080]], negate: false }], { kind: 'goto', chain: 'deny' }),
      ]),
      chain('deny', [rule([{ kind: 'src', cidr: { ip: '10.0.0.0', prefixLen: 24 }, negate: true }], { kind: 'DROP' })]),
    ],
  });
  const hooks = [
    ['PREROUTING', { inIface: 'qg-1', outIface: null }],
    ['FORWARD', { inIface: 'qg-1', outIface: 'qr-1' }],
    ['POSTROUTING', { inIface: 'qr-1', outIface: 'qg-1' }],
  ] as const;
  it('same verdict and same rewritten packet through PREROUTING, FORWARD, POSTROUTING', () => {
    fc.assert(fc.property(packets, (p0) => {
      const p = { ...p0, vlan: null };
      const { refVerdict, ref, sym } = throughHooks(e, rs, hooks, p);
      expect(sym.length > 0 ? 'accept' : 'drop').toBe(refVerdict);
      if (refVerdict === 'accept') {
        expect(sym.length).toBe(1);
        const out = sym[0]!.path.packet;
        expect(numToIp(out.ip_dst as number)).toBe(ref.packet.ip_dst);
        expect(numToIp(out.ip_src as number)).toBe(ref.packet.ip_src);
        if (ref.packet.dport !== null) expect(out.dport).toBe(ref.packet.dport);
      }
    }), { numRuns: 200, seed: 7 });
  });
});

describe('reach with the packet fixed agrees with the hand-derived disposition', () => {
  it('vm1 → vm2 HTTP is delivered, and a fixed packet to another MAC is not', async () => {
    const ok = ipv4({ eth_dst: MAC.vm2, ip_dst: '10.0.0.6' });
    expect((await reach(cloud(), { sources: [VM1], sent: { packet: ok }, target: { kind: 'station', station: VM2 } })).verdict).toBe('reachable');
    const wrongMac = ipv4({ eth_dst: MAC.qr, ip_dst: '10.0.0.6' }); // not what ARP gives the sender
    expect((await reach(cloud(), { sources: [VM1], sent: { packet: wrongMac }, target: { kind: 'station', station: VM2 } })).verdict).toBe('unreachable');
  });
});

// The whole walk against the evaluator's trace (src/evaluate/index.ts), with its converged state.
describe('whole walk agrees with the evaluator trace', () => {
  it('same disposition and same VM for a spread of fixed packets', async () => {
    const { createEvaluator } = await import('../../src/evaluate/index.ts');
    for (const dp of [cloud(), cloud(ruleset({}))]) {
      const ev = createEvaluator(dp);
      const cases: Packet[] = [
        ipv4({ eth_dst: MAC.vm2, ip_dst: '10.0.0.6' }),
        ipv4({ ip_dst: '8.8.8.8' }),
        ipv4({ ip_dst: '8.8.8.8', proto: 1, sport: null, dport: null, icmp_type: 8, icmp_code: 0 }),
        ipv4({ ip_dst: '203.0.113.50' }),
        ipv4({ ip_dst: '10.0.0.1', dport: 22 }),
        ipv4({ eth_dst: MAC.qg, ip_dst: '8.8.8.8' }),
      ];
      for (const p of cases) {
        const t = ev.session().trace(VM1, p);
        const all = [t, ...t.branches];
        const refOk = all.some((x) => x.disposition === 'delivered' || x.disposition === 'exited');
        const r = await reach(dp, { sources: [VM1], sent: { packet: p }, target: { kind: 'any' } }, { converged: ev.converged });
        expect({ p: p.ip_dst, reach: r.verdict }).toEqual({ p: p.ip_dst, reach: refOk ? 'reachable' : 'unreachable' });
        const toVm2 = all.some((x) => x.disposition === 'delivered' && x.deliveredTo?.kind === 'vm' && x.deliveredTo.vm === 'vm2');
        const r2 = await reach(dp, { sources: [VM1], sent: { packet: p }, target: { kind: 'station', station: VM2 } }, { converged: ev.converged });
        expect({ p: p.ip_dst, vm2: r2.verdict }).toEqual({ p: p.ip_dst, vm2: toVm2 ? 'reachable' : 'unreachable' });
      }
    }
  });
});
