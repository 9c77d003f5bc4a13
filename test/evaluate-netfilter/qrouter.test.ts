// A legacy qrouter namespace (Train+ rule set): floating IP DNAT in PREROUTING, float-snat, default
// SNAT to the gateway on `-o qg-…`, the `! -o qg-… ! --ctstate DNAT -j ACCEPT` rule that keeps
// east-west traffic un-NATed, the external-ingress mark, metadata REDIRECT; replies translated back.
import { describe, it, expect } from 'vitest';
import { createConntrack, connections, newState, runHook, type Conntrack, type HookResult } from '../../src/evaluate/netfilter/index.ts';
import type { Packet } from '../../src/ir/packet.ts';
import { ruleset, tcp, icmp, routed } from './build.ts';

const QG = 'qg-aaa';
const QROUTER = ruleset(`
*mangle
:PREROUTING ACCEPT
:INPUT ACCEPT
:FORWARD ACCEPT
:OUTPUT ACCEPT
:POSTROUTING ACCEPT
:neutron-l3-agent-PREROUTING -
:neutron-l3-agent-mark -
-A PREROUTING -j neutron-l3-agent-PREROUTING
-A neutron-l3-agent-PREROUTING -j neutron-l3-agent-mark
-A neutron-l3-agent-mark -i ${QG} -j MARK --set-xmark 0x2/0xffff
COMMIT
*nat
:PREROUTING ACCEPT
:INPUT ACCEPT
:OUTPUT ACCEPT
:POSTROUTING ACCEPT
:neutron-l3-agent-PREROUTING -
:neutron-l3-agent-OUTPUT -
:neutron-l3-agent-POSTROUTING -
:neutron-l3-agent-snat -
:neutron-l3-agent-float-snat -
:neutron-postrouting-bottom -
-A PREROUTING -j neutron-l3-agent-PREROUTING
-A OUTPUT -j neutron-l3-agent-OUTPUT
-A POSTROUTING -j neutron-l3-agent-POSTROUTING
-A POSTROUTING -j neutron-postrouting-bottom
-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697
-A neutron-l3-agent-PREROUTING -d 203.0.113.10/32 -j DNAT --to-destination 10.0.0.5
-A neutron-l3-agent-OUTPUT -d 203.0.113.10/32 -j DNAT --to-destination 10.0.0.5
-A neutron-l3-agent-POSTROUTING ! -o ${QG} -m conntrack ! --ctstate DNAT -j ACCEPT
-A neutron-l3-agent-snat -j neutron-l3-agent-float-snat
-A neutron-l3-agent-snat -o ${QG} -j SNAT --to-source 203.0.113.2 --random-fully
-A neutron-l3-agent-snat -m mark ! --mark 0x2/0xffff -m conntrack --ctstate DNAT -j SNAT --to-source 203.0.113.2 --random-fully
-A neutron-l3-agent-float-snat -s 10.0.0.5/32 -j SNAT --to-source 203.0.113.10 --random-fully
-A neutron-postrouting-bottom -m comment --comment "Perform source NAT on outgoing traffic." -j neutron-l3-agent-snat
COMMIT
`);

interface Routed { pre: HookResult; post: HookResult | null; out: Packet | null; nat: HookResult['nat']; natHits: string[] }

/** A routed packet through the namespace: PREROUTING → (routing by the caller) → FORWARD → POSTROUTING. */
function route(ct: Conntrack, p: Packet, inIf: string, outIf: string, localAddress: string | null = null): Routed {
  const pre = runHook(QROUTER, 'PREROUTING', newState(p), routed(inIf, null, { localAddress }), ct);
  if (pre.verdict === 'drop') return { pre, post: null, out: null, nat: pre.nat, natHits: [] };
  const fwd = runHook(QROUTER, 'FORWARD', pre.state, routed(inIf, outIf), ct);
  const post = runHook(QROUTER, 'POSTROUTING', fwd.state, routed(inIf, outIf), ct);
  const natHits = [...pre.hits, ...post.hits].filter((h) => h.table === 'nat').map((h) => h.action);
  return { pre, post, out: post.verdict === 'accept' ? post.state.packet : null, nat: [...pre.nat, ...post.nat], natHits };
}
const addr = (p: Packet | null) => (p ? `${p.ip_src}:${p.sport} > ${p.ip_dst}:${p.dport}` : 'dropped');

describe('qrouter NAT', () => {
  it('DNAT of a floating IP inbound; the reply leaves with the floating IP as source, ESTABLISHED', () => {
    const ct = createConntrack();
    const inb = route(ct, tcp('198.51.100.7', '203.0.113.10', 40000, 22), QG, 'qr-1');
    expect(addr(inb.out)).toBe('198.51.100.7:40000 > 10.0.0.5:22');
    expect(inb.pre.state.ctState).toBe('NEW');
    expect(inb.pre.state.mark).toBe(0x2);
    expect(inb.nat).toEqual([{ type: 'DNAT', field: 'dst', from: '203.0.113.10', to: '10.0.0.5' }]);
    // The external-ingress mark keeps the DNAT-state SNAT rule from firing.
    expect(inb.natHits).toEqual(['jump neutron-l3-agent-PREROUTING', 'DNAT to 10.0.0.5', 'jump neutron-l3-agent-POSTROUTING', 'jump neutron-postrouting-bottom', 'jump neutron-l3-agent-snat', 'jump neutron-l3-agent-float-snat']);
    expect(connections(ct)).toHaveLength(1);

    const rep = route(ct, tcp('10.0.0.5', '198.51.100.7', 22, 40000), 'qr-1', QG);
    expect(rep.pre.state.ctState).toBe('ESTABLISHED');
    expect(addr(rep.out)).toBe('203.0.113.10:22 > 198.51.100.7:40000');
    expect(rep.nat).toEqual([{ type: 'DNAT', field: 'src', from: '10.0.0.5', to: '203.0.113.10' }]);
    expect(rep.natHits).toEqual([]); // replies never traverse nat
  });

  it('default SNAT to the gateway for a VM without a floating IP; the reply is un-SNATed at PREROUTING', () => {
    const ct = createConntrack();
    const out = route(ct, tcp('10.0.0.6', '8.8.8.8', 5000, 53), 'qr-1', QG);
    expect(addr(out.out)).toBe('203.0.113.2:5000 > 8.8.8.8:53');
    // --random-fully: the port shown stands for the kernel's draw from 1024–65535, and the event says so.
    expect(out.nat).toEqual([{ type: 'SNAT', field: 'src', from: '10.0.0.6:5000', to: '203.0.113.2:5000', randomPortIn: [1024, 65535] }]);
    const rep = route(ct, tcp('8.8.8.8', '203.0.113.2', 53, 5000), QG, 'qr-1');
    // The destination is restored before routing, in PREROUTING.
    expect(rep.pre.state.packet.ip_dst).toBe('10.0.0.6');
    expect(rep.pre.state.ctState).toBe('ESTABLISHED');
    expect(rep.nat).toEqual([{ type: 'SNAT', field: 'dst', from: '203.0.113.2', to: '10.0.0.6' }]);
    expect(addr(rep.out)).toBe('8.8.8.8:53 > 10.0.0.6:5000');
  });

  it('a VM with a floating IP goes out with its floating IP (float-snat first)', () => {
    const r = route(createConntrack(), tcp('10.0.0.5', '8.8.8.8', 5000, 53), 'qr-1', QG);
    expect(addr(r.out)).toBe('203.0.113.10:5000 > 8.8.8.8:53');
  });

  it('east-west traffic between router interfaces is not NATed', () => {
    const r = route(createConntrack(), tcp('10.0.0.6', '10.0.1.9', 5000, 80), 'qr-1', 'qr-2');
    expect(addr(r.out)).toBe('10.0.0.6:5000 > 10.0.1.9:80');
    expect(r.nat).toEqual([]);
    expect(r.post?.hits.at(-1)?.rule.origin.text).toBe(`-A neutron-l3-agent-POSTROUTING ! -o ${QG} -m conntrack ! --ctstate DNAT -j ACCEPT`);
  });

  it('hairpin to a floating IP from inside: DNAT state makes the internal-traffic ACCEPT skip, the gateway SNAT applies', () => {
    const ct = createConntrack();
    const r = route(ct, tcp('10.0.0.6', '203.0.113.10', 5000, 22), 'qr-1', 'qr-1');
    expect(addr(r.out)).toBe('203.0.113.2:5000 > 10.0.0.5:22');
    expect(r.post?.hits.some((h) => h.rule.origin.text.includes('--ctstate DNAT -j SNAT'))).toBe(true);
    const rep = route(ct, tcp('10.0.0.5', '203.0.113.2', 22, 5000), 'qr-1', 'qr-1');
    expect(addr(rep.out)).toBe('203.0.113.10:22 > 10.0.0.6:5000');
    expect(rep.nat.map((n) => `${n.type} ${n.field}`)).toEqual(['SNAT dst', 'DNAT src']);
  });

  it('further packets of a connection are translated without traversing nat: NEW before a reply, ESTABLISHED after', () => {
    const ct = createConntrack();
    route(ct, tcp('198.51.100.7', '203.0.113.10', 40000, 22), QG, 'qr-1');
    const again = route(ct, tcp('198.51.100.7', '203.0.113.10', 40000, 22), QG, 'qr-1');
    expect(again.pre.state.ctState).toBe('NEW');
    expect(again.natHits).toEqual([]);
    expect(addr(again.out)).toBe('198.51.100.7:40000 > 10.0.0.5:22');
    route(ct, tcp('10.0.0.5', '198.51.100.7', 22, 40000), 'qr-1', QG);
    const after = route(ct, tcp('198.51.100.7', '203.0.113.10', 40000, 22), QG, 'qr-1');
    expect(after.pre.state.ctState).toBe('ESTABLISHED');
    expect(addr(after.out)).toBe('198.51.100.7:40000 > 10.0.0.5:22');
    expect(connections(ct)).toHaveLength(1);
  });

  it('two VMs behind the gateway SNAT with the same source port get distinct ports; replies find their VM', () => {
    const ct = createConntrack();
    const a = route(ct, tcp('10.0.0.6', '8.8.8.8', 5000, 53), 'qr-1', QG);
    const b = route(ct, tcp('10.0.0.7', '8.8.8.8', 5000, 53), 'qr-1', QG);
    expect(addr(a.out)).toBe('203.0.113.2:5000 > 8.8.8.8:53');
    expect(addr(b.out)).toBe('203.0.113.2:5001 > 8.8.8.8:53');
    expect(b.nat).toEqual([{ type: 'SNAT', field: 'src', from: '10.0.0.7:5000', to: '203.0.113.2:5001', randomPortIn: [1024, 65535] }]);
    expect(addr(route(ct, tcp('8.8.8.8', '203.0.113.2', 53, 5001), QG, 'qr-1').out)).toBe('8.8.8.8:53 > 10.0.0.7:5000');
    expect(addr(route(ct, tcp('8.8.8.8', '203.0.113.2', 53, 5000), QG, 'qr-1').out)).toBe('8.8.8.8:53 > 10.0.0.6:5000');
  });

  it('ICMP echo through SNAT: the echo reply is ESTABLISHED and un-NATed; a reversed request is a new connection', () => {
    const ct = createConntrack();
    const req = route(ct, icmp('10.0.0.6', '8.8.8.8', 8), 'qr-1', QG);
    expect(req.out?.ip_src).toBe('203.0.113.2');
    const rep = route(ct, icmp('8.8.8.8', '203.0.113.2', 0), QG, 'qr-1');
    expect(rep.pre.state.ctState).toBe('ESTABLISHED');
    expect(rep.out?.ip_dst).toBe('10.0.0.6');
    const reverse = route(ct, icmp('8.8.8.8', '203.0.113.2', 8), QG, 'qr-1');
    expect(reverse.pre.state.ctState).toBe('NEW');
    expect(reverse.out?.ip_dst).toBe('203.0.113.2');
  });

  it('metadata REDIRECT goes to the incoming interface address and port; without one it drops, uncertain', () => {
    const ct = createConntrack();
    const pre = runHook(QROUTER, 'PREROUTING', newState(tcp('10.0.0.6', '169.254.169.254', 5000, 80)), routed('qr-1', null, { localAddress: '10.0.0.1' }), ct);
    expect(addr(pre.state.packet)).toBe('10.0.0.6:5000 > 10.0.0.1:9697');
    expect(pre.nat).toEqual([{ type: 'REDIRECT', field: 'dst', from: '169.254.169.254:80', to: '10.0.0.1:9697' }]);
    const inp = runHook(QROUTER, 'INPUT', pre.state, routed('qr-1', null), ct);
    expect(inp.verdict).toBe('accept');
    expect(connections(ct)).toHaveLength(1); // confirmed at the end of INPUT
    const none = runHook(QROUTER, 'PREROUTING', newState(tcp('10.0.0.7', '169.254.169.254', 5000, 80)), routed('qr-1', null), createConntrack());
    expect(none.verdict).toBe('drop');
    expect(none.uncertain).toHaveLength(1);
  });

  it('OUTPUT DNAT for locally generated packets to a floating IP', () => {
    const r = runHook(QROUTER, 'OUTPUT', newState(tcp('203.0.113.2', '203.0.113.10', 6000, 22)), routed(null, QG), createConntrack());
    expect(r.state.packet.ip_dst).toBe('10.0.0.5');
    expect(r.state.ctState).toBe('NEW');
  });

  it('an UNTRACKED packet is never NATed', () => {
    const rs = ruleset(`*raw\n:PREROUTING ACCEPT\n-A PREROUTING -j CT --notrack\nCOMMIT\n*nat\n:PREROUTING ACCEPT\n-A PREROUTING -j DNAT --to-destination 10.0.0.5\nCOMMIT`);
    const ct = createConntrack();
    const r = runHook(rs, 'PREROUTING', newState(tcp('1.1.1.1', '2.2.2.2', 1, 2)), routed('eth0', null), ct);
    expect(r.state.ctState).toBe('UNTRACKED');
    expect(r.state.ct).toBeNull();
    expect(r.state.packet.ip_dst).toBe('2.2.2.2');
  });
});
