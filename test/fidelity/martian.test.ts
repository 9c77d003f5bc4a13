// The kernel's input path in a router namespace, in both engines (src/semantics/martian.ts): each
// case was found by the real-dataplane oracle (test/oracle/router.test.ts), where the kernel dropped,
// delivered or answered what netproof did not. The evaluator is asked for one concrete packet, the
// solver over every packet of the case.
import { afterAll, describe, expect, it } from 'vitest';
import { getZ3, reach, shutdownZ3 } from '../../src/smt/index.ts';
import { SymWalker } from '../../src/smt/walk.ts';
import { symNamespace } from '../../src/smt/namespace.ts';
import { pathCond } from '../../src/smt/path.ts';
import { checkSat } from '../../src/smt/solve.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import type { Dataplane, Namespace } from '../../src/ir/dataplane.ts';
import { MAC, OUTSIDE, ROUTER_NAT, VM1, cloud, ipv4 } from '../smt/build.ts';

afterAll(async () => { await shutdownZ3(); });

/** The small cloud with the router's sysctls changed. */
function withSysctls(sysctls: Namespace['sysctls']): Dataplane {
  const dp = cloud(ROUTER_NAT);
  return { ...dp, hosts: dp.hosts.map((h) => ({ ...h, namespaces: h.namespaces.map((n) => (n.name === 'qrouter-r1' ? { ...n, sysctls } : n)) })) };
}

const fromOutside = (fields: Parameters<typeof ipv4>[0]) => ipv4({ eth_src: MAC.up, eth_dst: MAC.qg, ...fields });
const toRouter = { kind: 'namespace', host: 'h1', namespace: 'qrouter-r1' } as const;

describe('martian sources and destinations', () => {
  it('a packet from outside whose source is the router\'s own address is dropped, never forwarded to the floating IP\'s VM', async () => {
    const dp = cloud();
    const t = createEvaluator(dp).trace(OUTSIDE, fromOutside({ ip_src: '203.0.113.5', ip_dst: '203.0.113.50' }));
    expect(t.disposition).toBe('dropped');
    expect(t.droppedAt?.rule).toMatch(/source address is the namespace's own.*accept_local=0/);
    const own = await reach(dp, { sources: [OUTSIDE], sent: { ipSrc: [{ ip: '203.0.113.5', prefixLen: 32 }], ipDst: [{ ip: '203.0.113.50', prefixLen: 32 }] }, target: { kind: 'any' } });
    expect(own.verdict).toBe('unreachable');
    const other = await reach(dp, { sources: [OUTSIDE], sent: { ipSrc: [{ ip: '198.51.100.7', prefixLen: 32 }], ipDst: [{ ip: '203.0.113.50', prefixLen: 32 }] }, target: { kind: 'any' } });
    expect(other.verdict).toBe('reachable');
  });

  it('a loopback destination or source arriving on an interface is martian (route_localnet=0): neither delivered nor forwarded', async () => {
    const dp = cloud();
    const ev = createEvaluator(dp);
    for (const p of [fromOutside({ ip_dst: '127.0.0.1' }), fromOutside({ ip_src: '127.0.0.9', ip_dst: '203.0.113.50' })]) {
      const t = ev.trace(OUTSIDE, p);
      expect(t.disposition).toBe('dropped');
      expect(t.droppedAt?.rule).toMatch(/martian (source|destination).*route_localnet=0/);
    }
    const r = await reach(dp, { sources: [OUTSIDE], sent: { ipSrc: [{ ip: '127.0.0.0', prefixLen: 8 }] }, target: { kind: 'any' } });
    expect(r.verdict).toBe('unreachable');
    const d = await reach(dp, { sources: [OUTSIDE], sent: { ipDst: [{ ip: '127.0.0.0', prefixLen: 8 }] }, target: toRouter });
    expect(d.verdict).toBe('unreachable');
  });

  it('0.0.0.0 is martian as a source unless sent to the limited broadcast; the rest of 0.0.0.0/8 is routed (Linux ≥ 5.3)', async () => {
    const dp = cloud();
    const ev = createEvaluator(dp);
    expect(ev.trace(OUTSIDE, fromOutside({ ip_src: '0.0.0.0', ip_dst: '203.0.113.50' })).disposition).toBe('dropped');
    expect(ev.trace(OUTSIDE, fromOutside({ ip_src: '0.1.2.3', ip_dst: '203.0.113.50' })).disposition).toBe('delivered');
    const zero = await reach(dp, { sources: [OUTSIDE], sent: { ipSrc: [{ ip: '0.0.0.0', prefixLen: 32 }], ipDst: [{ ip: '203.0.113.50', prefixLen: 32 }] }, target: { kind: 'any' } });
    expect(zero.verdict).toBe('unreachable');
    const net0 = await reach(dp, { sources: [OUTSIDE], sent: { ipSrc: [{ ip: '0.1.2.3', prefixLen: 32 }], ipDst: [{ ip: '203.0.113.50', prefixLen: 32 }] }, target: { kind: 'any' } });
    expect(net0.verdict).toBe('reachable');
  });

  it('a multicast destination is taken only for the all-hosts group 224.0.0.1, and never forwarded', async () => {
    const dp = cloud();
    const ev = createEvaluator(dp);
    expect(ev.trace(OUTSIDE, fromOutside({ ip_dst: '224.0.0.1' })).disposition).toBe('delivered');
    const other = ev.trace(OUTSIDE, fromOutside({ ip_dst: '239.1.2.3' }));
    expect(other.disposition).toBe('dropped');
    expect(other.droppedAt?.rule).toMatch(/multicast destination the interface has not joined/);
    // The solver's namespace over every IPv4 packet to a multicast group arriving on qg-1.
    const w = new SymWalker(await getZ3(), dp, {});
    const e = w.e;
    const p = w.symbolic('m', null);
    const start = { pc: [e.eq(p.eth_type, 0x0800, 16), e.prefix(p.ip_dst, 0xe0000000, 4)], packet: p };
    const ns = dp.hosts[0]!.namespaces.find((n) => n.name === 'qrouter-r1')!;
    const steps = symNamespace(w, 'h1', ns, 'qg-1', start);
    const delivered = steps.filter((s) => s.kind === 'end' && s.disposition === 'delivered').map((s) => pathCond(e, s.path));
    const routed = steps.filter((s) => s.kind === 'route' || s.kind === 'emit').map((s) => pathCond(e, s.path));
    const z3 = await getZ3();
    expect((await checkSat(z3, e, e.or(...delivered), 5_000)).status).toBe('sat');
    expect((await checkSat(z3, e, e.and(e.or(...delivered), e.not(e.eq(p.ip_dst, 0xe0000001, 32))), 5_000)).status).toBe('unsat');
    expect((await checkSat(z3, e, e.or(...routed), 5_000)).status).toBe('unsat');
  });
});

describe('reverse-path filtering (rp_filter, left to the host by the L3 agent)', () => {
  // vm1 without port security sends from an address the router does not route back through qr-1.
  const spoofer = { station: VM1, anySource: true } as const;
  const spoofed = { ipSrc: [{ ip: '8.8.4.4', prefixLen: 32 }] };

  it('off (0, the kernel default): a spoofed source is routed out and SNATed', async () => {
    const r = await reach(withSysctls({ rpFilter: 0 }), { sources: [spoofer], sent: spoofed, target: { kind: 'external' } });
    expect(r.verdict).toBe('reachable');
  });

  it('strict (1): a source routed back through another interface is dropped, in the evaluator with the reason and sysctl', async () => {
    const dp = withSysctls({ rpFilter: 1 });
    const r = await reach(dp, { sources: [spoofer], sent: spoofed, target: { kind: 'external' } });
    expect(r.verdict).toBe('unreachable');
    const t = createEvaluator(dp).trace(VM1, ipv4({ ip_src: '8.8.4.4' }));
    expect(t.disposition).toBe('dropped');
    expect(t.droppedAt?.rule).toMatch(/reverse-path filter.*rp_filter=1/);
    // The VM's own subnet routes back through qr-1: allowed.
    expect(createEvaluator(dp).trace(VM1, ipv4()).disposition).toBe('exited');
  });

  it('loose (2): any routable source passes (the default route covers it)', async () => {
    const r = await reach(withSysctls({ rpFilter: 2 }), { sources: [spoofer], sent: spoofed, target: { kind: 'external' } });
    expect(r.verdict).toBe('reachable');
  });
});

describe('ARP answers (arp_process with arp_ignore=1, set by the L3 agent)', () => {
  it('the router answers for its own address on the interface asked, whoever asks, but not for another interface\'s', () => {
    const dp = cloud();
    const ev = createEvaluator(dp);
    const arp = (spa: string, tpa: string) => ({ ...ipv4(), eth_type: 0x0806, eth_dst: 'ff:ff:ff:ff:ff:ff', ip_src: spa, ip_dst: tpa, proto: 1, sport: null, dport: null });
    // A sender outside the interface's subnet is answered too (arp_ignore=1 clears the sender before checking).
    expect(ev.trace(VM1, arp('169.254.169.254', '10.0.0.1')).branches.concat([ev.trace(VM1, arp('169.254.169.254', '10.0.0.1'))])
      .some((t) => t.disposition === 'delivered' && t.deliveredTo?.kind === 'namespace')).toBe(true);
    expect(ev.resolveArp(VM1, '10.0.0.1').mac).toBe(MAC.qr);
    expect(ev.resolveArp(VM1, '203.0.113.5').mac).toBeNull();
  });
});
