// NAT details: SNAT port ranges, ICMP errors (approximated). The --to-source/--to-destination text is
// test/semantics/netfilter.test.ts's.
import { describe, it, expect } from 'vitest';
import { createConntrack, newState, runHook } from '../../src/evaluate/netfilter/index.ts';
import { ruleset, tcp, icmp, routed } from './build.ts';

describe('NAT', () => {
  it('SNAT with a port range moves the source port into the range and avoids taken ones', () => {
    const rs = ruleset(`*nat\n:POSTROUTING ACCEPT\n-A POSTROUTING -o qg-a -j SNAT --to-source 203.0.113.2:2000-2001\nCOMMIT`);
    const ct = createConntrack();
    const send = (src: string) => {
      const pre = runHook(rs, 'PREROUTING', newState(tcp(src, '8.8.8.8', 5000, 53)), routed('qr-1', null), ct);
      return runHook(rs, 'POSTROUTING', pre.state, routed('qr-1', 'qg-a'), ct).state.packet.sport;
    };
    expect(send('10.0.0.6')).toBe(2000);
    expect(send('10.0.0.7')).toBe(2001);
  });

  it('DNAT with a port rewrites the destination port', () => {
    const rs = ruleset(`*nat\n:PREROUTING ACCEPT\n-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.5:8080\nCOMMIT`);
    const r = runHook(rs, 'PREROUTING', newState(tcp('1.1.1.1', '2.2.2.2', 1000, 80)), routed('qg-a', null), createConntrack());
    expect(r.state.packet).toMatchObject({ ip_dst: '10.0.0.5', dport: 8080 });
    expect(r.nat).toEqual([{ type: 'DNAT', field: 'dst', from: '2.2.2.2:80', to: '10.0.0.5:8080' }]);
  });

  it('an ICMP error for a known connection is RELATED, reported uncertain (quoted packet not modelled)', () => {
    const rs = ruleset(`*filter\n:FORWARD DROP\n-A FORWARD -m state --state RELATED -j ACCEPT\nCOMMIT`);
    const ct = createConntrack();
    const pre = runHook(rs, 'PREROUTING', newState(tcp('10.0.0.6', '8.8.8.8', 5000, 53)), routed('a', null), ct);
    runHook(rs, 'POSTROUTING', pre.state, routed('a', 'b'), ct);
    const err = runHook(rs, 'PREROUTING', newState(icmp('192.0.2.1', '10.0.0.6', 3)), routed('b', null), ct);
    expect(err.state.ctState).toBe('RELATED');
    expect(err.uncertain).toHaveLength(1);
    expect(runHook(rs, 'FORWARD', err.state, routed('b', 'a'), ct).verdict).toBe('accept');
    const stray = runHook(rs, 'PREROUTING', newState(icmp('192.0.2.1', '10.0.0.99', 3)), routed('b', null), ct);
    expect(stray.state.ctState).toBe('INVALID');
  });
});
