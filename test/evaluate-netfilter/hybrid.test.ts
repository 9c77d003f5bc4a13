// The hybrid iptables firewall of a compute node's root namespace: raw zones per port, FORWARD →
// sg-chain → per-port ingress/egress chains, anti-spoofing, RELATED/ESTABLISHED, INVALID and the
// fallback, ipset remote groups. Bridged packets cross PREROUTING → FORWARD → POSTROUTING once.
import { describe, it, expect } from 'vitest';
import { createConntrack, newState, runHook, type Conntrack, type HookResult } from '../../src/evaluate/netfilter/index.ts';
import type { NetfilterRuleset } from '../../src/ir/netfilter.ts';
import type { Packet } from '../../src/ir/packet.ts';
import { ruleset, tcp, icmp, bridged } from './build.ts';

// Port A: tapaaa / qvbaaa on qbraaa, 10.0.0.5 fa:16:3e:aa:aa:aa, zone 4097.
// Port B: tapbbb / qvbbbb on qbrbbb, 10.0.0.7 fa:16:3e:bb:bb:bb, zone 4098; ingress by remote group only.
const HYBRID = `
*raw
:PREROUTING ACCEPT
:OUTPUT ACCEPT
:neutron-openvswi-PREROUTING -
-A PREROUTING -j neutron-openvswi-PREROUTING
-A neutron-openvswi-PREROUTING -m physdev --physdev-in qvbaaa -m comment --comment "Set zone for aaa" -j CT --zone 4097
-A neutron-openvswi-PREROUTING -i qvbaaa -j CT --zone 4097
-A neutron-openvswi-PREROUTING -m physdev --physdev-in tapaaa -j CT --zone 4097
-A neutron-openvswi-PREROUTING -m physdev --physdev-in qvbbbb -j CT --zone 4098
-A neutron-openvswi-PREROUTING -m physdev --physdev-in tapbbb -j CT --zone 4098
COMMIT
*filter
:INPUT ACCEPT
:FORWARD ACCEPT
:OUTPUT ACCEPT
:neutron-filter-top -
:neutron-openvswi-FORWARD -
:neutron-openvswi-local -
:neutron-openvswi-sg-chain -
:neutron-openvswi-sg-fallback -
:neutron-openvswi-iaaa -
:neutron-openvswi-oaaa -
:neutron-openvswi-saaa -
:neutron-openvswi-ibbb -
:neutron-openvswi-obbb -
:neutron-openvswi-sbbb -
-A FORWARD -j neutron-filter-top
-A FORWARD -j neutron-openvswi-FORWARD
-A neutron-filter-top -j neutron-openvswi-local
-A neutron-openvswi-FORWARD -m physdev --physdev-out tapaaa --physdev-is-bridged -j neutron-openvswi-sg-chain
-A neutron-openvswi-FORWARD -m physdev --physdev-in tapaaa --physdev-is-bridged -j neutron-openvswi-sg-chain
-A neutron-openvswi-FORWARD -m physdev --physdev-out tapbbb --physdev-is-bridged -j neutron-openvswi-sg-chain
-A neutron-openvswi-FORWARD -m physdev --physdev-in tapbbb --physdev-is-bridged -j neutron-openvswi-sg-chain
-A neutron-openvswi-sg-chain -m physdev --physdev-out tapaaa --physdev-is-bridged -j neutron-openvswi-iaaa
-A neutron-openvswi-sg-chain -m physdev --physdev-in tapaaa --physdev-is-bridged -j neutron-openvswi-oaaa
-A neutron-openvswi-sg-chain -m physdev --physdev-out tapbbb --physdev-is-bridged -j neutron-openvswi-ibbb
-A neutron-openvswi-sg-chain -m physdev --physdev-in tapbbb --physdev-is-bridged -j neutron-openvswi-obbb
-A neutron-openvswi-sg-chain -j ACCEPT
-A neutron-openvswi-iaaa -m state --state RELATED,ESTABLISHED -j RETURN
-A neutron-openvswi-iaaa -s 10.0.0.2/32 -p udp -m udp --sport 67 --dport 68 -j RETURN
-A neutron-openvswi-iaaa -p tcp -m tcp --dport 22 -j RETURN
-A neutron-openvswi-iaaa -p icmp -j RETURN
-A neutron-openvswi-iaaa -m state --state INVALID -j DROP
-A neutron-openvswi-iaaa -j neutron-openvswi-sg-fallback
-A neutron-openvswi-oaaa -s 0.0.0.0/32 -d 255.255.255.255/32 -p udp -m udp --sport 68 --dport 67 -j RETURN
-A neutron-openvswi-oaaa -j neutron-openvswi-saaa
-A neutron-openvswi-oaaa -p udp -m udp --sport 68 --dport 67 -j RETURN
-A neutron-openvswi-oaaa -p udp -m udp --sport 67 -m udp --dport 68 -j DROP
-A neutron-openvswi-oaaa -m state --state RELATED,ESTABLISHED -j RETURN
-A neutron-openvswi-oaaa -j RETURN
-A neutron-openvswi-oaaa -m state --state INVALID -j DROP
-A neutron-openvswi-oaaa -j neutron-openvswi-sg-fallback
-A neutron-openvswi-saaa -s 10.0.0.5/32 -m mac --mac-source FA:16:3E:AA:AA:AA -j RETURN
-A neutron-openvswi-saaa -j DROP
-A neutron-openvswi-ibbb -m state --state RELATED,ESTABLISHED -j RETURN
-A neutron-openvswi-ibbb -m set --match-set NIPv4sgweb src -j RETURN
-A neutron-openvswi-ibbb -m set --match-set NIPv4sgmissing src -p udp -j RETURN
-A neutron-openvswi-ibbb -m state --state INVALID -j DROP
-A neutron-openvswi-ibbb -j neutron-openvswi-sg-fallback
-A neutron-openvswi-obbb -j neutron-openvswi-sbbb
-A neutron-openvswi-obbb -m state --state RELATED,ESTABLISHED -j RETURN
-A neutron-openvswi-obbb -j RETURN
-A neutron-openvswi-sbbb -s 10.0.0.7/32 -m mac --mac-source FA:16:3E:BB:BB:BB -j RETURN
-A neutron-openvswi-sbbb -j DROP
-A neutron-openvswi-sg-fallback -m comment --comment "Default drop rule for unmatched traffic." -j DROP
COMMIT
`;

const RS: NetfilterRuleset = ruleset(HYBRID, { NIPv4sgweb: ['10.0.0.5/32', '10.0.9.0/24'] });
const MAC_A = 'fa:16:3e:aa:aa:aa';
const MAC_B = 'fa:16:3e:bb:bb:bb';

/** One bridged pass through the root namespace: PREROUTING → FORWARD → POSTROUTING. */
function bridgePass(ct: Conntrack, p: Packet, br: string, inPort: string, outPort: string): { results: HookResult[]; final: HookResult } {
  const pre = runHook(RS, 'PREROUTING', newState(p), bridged(br, inPort, null), ct);
  const results = [pre];
  if (pre.verdict === 'drop') return { results, final: pre };
  const fwd = runHook(RS, 'FORWARD', pre.state, bridged(br, inPort, outPort), ct);
  results.push(fwd);
  if (fwd.verdict === 'drop') return { results, final: fwd };
  const post = runHook(RS, 'POSTROUTING', fwd.state, bridged(br, inPort, outPort), ct);
  results.push(post);
  return { results, final: post };
}
/** Egress from VM A: tap → qvb on qbraaa. */
const egressA = (ct: Conntrack, p: Packet) => bridgePass(ct, p, 'qbraaa', 'tapaaa', 'qvbaaa');
/** Ingress to VM A: qvb → tap on qbraaa. */
const ingressA = (ct: Conntrack, p: Packet) => bridgePass(ct, p, 'qbraaa', 'qvbaaa', 'tapaaa');
const ingressB = (ct: Conntrack, p: Packet) => bridgePass(ct, p, 'qbrbbb', 'qvbbbb', 'tapbbb');

describe('hybrid firewall', () => {
  it('egress from a port with its own IP and MAC passes the spoof chain and the egress rules', () => {
    const { results, final } = egressA(createConntrack(), tcp('10.0.0.5', '10.0.1.9', 40000, 80, { eth_src: MAC_A }));
    expect(final.verdict).toBe('accept');
    expect(results[0]!.state.zone).toBe(4097);
    expect(results[0]!.state.ctState).toBe('NEW');
    expect(results[1]!.hits.map((h) => `${h.chain}: ${h.action}`)).toEqual([
      'FORWARD: jump neutron-filter-top',
      'neutron-filter-top: jump neutron-openvswi-local',
      'FORWARD: jump neutron-openvswi-FORWARD',
      'neutron-openvswi-FORWARD: jump neutron-openvswi-sg-chain',
      'neutron-openvswi-sg-chain: jump neutron-openvswi-oaaa',
      'neutron-openvswi-oaaa: jump neutron-openvswi-saaa',
      'neutron-openvswi-saaa: RETURN',
      'neutron-openvswi-oaaa: RETURN',
      'neutron-openvswi-sg-chain: ACCEPT',
    ]);
  });

  it('anti-spoofing drops a foreign source IP and a foreign MAC', () => {
    const ip = egressA(createConntrack(), tcp('10.0.0.99', '10.0.1.9', 40000, 80, { eth_src: MAC_A })).final;
    expect(ip.verdict).toBe('drop');
    expect(ip.droppedBy?.chain).toBe('neutron-openvswi-saaa');
    expect(ip.droppedBy?.rule?.origin.text).toBe('-A neutron-openvswi-saaa -j DROP');
    const mac = egressA(createConntrack(), tcp('10.0.0.5', '10.0.1.9', 40000, 80, { eth_src: 'fa:16:3e:00:00:99' })).final;
    expect(mac.verdict).toBe('drop');
    expect(mac.droppedBy?.chain).toBe('neutron-openvswi-saaa');
  });

  it('ingress: an allowed port is accepted, others fall to sg-fallback', () => {
    const ct = createConntrack();
    expect(ingressA(ct, tcp('10.0.1.9', '10.0.0.5', 50000, 22)).final.verdict).toBe('accept');
    const web = ingressA(ct, tcp('10.0.1.9', '10.0.0.5', 50000, 80)).final;
    expect(web.verdict).toBe('drop');
    expect(web.droppedBy?.chain).toBe('neutron-openvswi-sg-fallback');
    expect(web.droppedBy?.rule?.origin.text).toContain('Default drop rule');
  });

  it('the reply of an egress connection comes back ESTABLISHED in the port zone and is accepted', () => {
    const ct = createConntrack();
    expect(egressA(ct, tcp('10.0.0.5', '10.0.1.9', 40000, 80, { eth_src: MAC_A })).final.verdict).toBe('accept');
    const reply = ingressA(ct, tcp('10.0.1.9', '10.0.0.5', 80, 40000));
    expect(reply.results[0]!.state.zone).toBe(4097);
    expect(reply.results[0]!.state.ctState).toBe('ESTABLISHED');
    expect(reply.final.verdict).toBe('accept');
    expect(reply.results[1]!.hits.some((h) => h.rule.origin.text.includes('RELATED,ESTABLISHED -j RETURN'))).toBe(true);
    // Without the earlier egress connection the same packet is NEW and dropped.
    expect(ingressA(createConntrack(), tcp('10.0.1.9', '10.0.0.5', 80, 40000)).final.verdict).toBe('drop');
  });

  it('a connection dropped before confirmation leaves nothing behind', () => {
    const ct = createConntrack();
    // Spoofed: dropped in FORWARD, never confirmed.
    egressA(ct, tcp('10.0.0.5', '10.0.1.9', 40000, 80, { eth_src: 'fa:16:3e:00:00:99' }));
    const reply = ingressA(ct, tcp('10.0.1.9', '10.0.0.5', 80, 40000));
    expect(reply.results[0]!.state.ctState).toBe('NEW');
    expect(reply.final.verdict).toBe('drop');
  });

  it('an ICMP echo reply without its request is INVALID and dropped by the INVALID rule', () => {
    const r = ingressB(createConntrack(), icmp('10.0.8.4', '10.0.0.7', 0));
    expect(r.results[0]!.state.ctState).toBe('INVALID');
    expect(r.final.droppedBy?.rule?.origin.text).toBe('-A neutron-openvswi-ibbb -m state --state INVALID -j DROP');
  });

  it('remote-group ipset: members accepted, others dropped, a missing set is uncertain', () => {
    expect(ingressB(createConntrack(), tcp('10.0.9.4', '10.0.0.7', 1, 2)).final.verdict).toBe('accept');
    expect(ingressB(createConntrack(), tcp('10.0.0.5', '10.0.0.7', 1, 2)).final.verdict).toBe('accept');
    const out = ingressB(createConntrack(), tcp('10.0.8.4', '10.0.0.7', 1, 2)).final;
    expect(out.verdict).toBe('drop');
    expect(out.uncertain).toEqual([]);
    const udp = ingressB(createConntrack(), tcp('10.0.8.4', '10.0.0.7', 1, 2, { proto: 17 })).final;
    expect(udp.verdict).toBe('drop');
    expect(udp.uncertain).toEqual(['-A neutron-openvswi-ibbb -m set --match-set NIPv4sgmissing src -p udp -j RETURN']);
  });

  it('two ports see the same tuple in different zones as different connections', () => {
    const ct = createConntrack();
    // A sends to B on the same host: egress of A (zone 4097), then ingress of B (zone 4098).
    const p = tcp('10.0.0.5', '10.0.0.7', 40000, 443, { eth_src: MAC_A });
    expect(egressA(ct, p).results[0]!.state.zone).toBe(4097);
    const atB = ingressB(ct, p);
    expect(atB.results[0]!.state.zone).toBe(4098);
    expect(atB.results[0]!.state.ctState).toBe('NEW'); // not the zone-4097 connection
    expect(atB.final.verdict).toBe('accept'); // 10.0.0.5 is in the remote group set
    // The reply is ESTABLISHED in both zones.
    const back = tcp('10.0.0.7', '10.0.0.5', 443, 40000, { eth_src: MAC_B });
    const outB = bridgePass(ct, back, 'qbrbbb', 'tapbbb', 'qvbbbb');
    expect(outB.results[0]!.state).toMatchObject({ zone: 4098, ctState: 'ESTABLISHED' });
    const inA = ingressA(ct, back);
    expect(inA.results[0]!.state).toMatchObject({ zone: 4097, ctState: 'ESTABLISHED' });
    expect(inA.final.verdict).toBe('accept');
  });
});

describe('physdev semantics', () => {
  const rs = (m: string) => ruleset(`*raw\n:PREROUTING ACCEPT\n-A PREROUTING ${m} -j DROP\nCOMMIT\n*filter\n:FORWARD ACCEPT\n-A FORWARD ${m} -j DROP\nCOMMIT`);
  const pre = (m: string) => runHook(rs(m), 'PREROUTING', newState(tcp('1.1.1.1', '2.2.2.2', 1, 2)), bridged('qbr1', 'tap1', null), createConntrack());
  const fwd = (m: string) => runHook(rs(m), 'FORWARD', newState(tcp('1.1.1.1', '2.2.2.2', 1, 2)), bridged('qbr1', 'tap1', 'qvb1'), createConntrack());
  const routedFwd = (m: string) =>
    runHook(rs(m), 'FORWARD', newState(tcp('1.1.1.1', '2.2.2.2', 1, 2)), { inIface: 'eth0', outIface: 'eth1', physdevIn: null, physdevOut: null, bridged: false }, createConntrack());

  it('physdev-out is unknown at PREROUTING: a rule requiring it does not match, even negated', () => {
    expect(pre('-m physdev --physdev-out qvb1').verdict).toBe('accept');
    expect(pre('-m physdev ! --physdev-out qvb1').verdict).toBe('accept');
    expect(fwd('-m physdev --physdev-out qvb1').verdict).toBe('drop');
    expect(fwd('-m physdev ! --physdev-out qvb1').verdict).toBe('accept');
    expect(fwd('-m physdev --physdev-out qvb+').verdict).toBe('drop');
  });

  it('physdev-in and is-bridged', () => {
    expect(pre('-m physdev --physdev-in tap1').verdict).toBe('drop');
    expect(pre('-m physdev ! --physdev-in tap1').verdict).toBe('accept');
    expect(fwd('-m physdev --physdev-in tap1 --physdev-is-bridged').verdict).toBe('drop');
    // xt_physdev: is-bridged needs the output port, unknown at PREROUTING.
    expect(pre('-m physdev --physdev-is-bridged').verdict).toBe('accept');
  });

  it('routed (not bridged) traffic: positive physdev options fail, negated ones hold', () => {
    expect(routedFwd('-m physdev --physdev-in tap1').verdict).toBe('accept');
    expect(routedFwd('-m physdev --physdev-is-bridged').verdict).toBe('accept');
    expect(routedFwd('-m physdev ! --physdev-is-bridged').verdict).toBe('drop');
  });
});
