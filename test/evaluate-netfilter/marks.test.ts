// skb marks and connection marks: MARK in mangle matched later in filter, --set-xmark arithmetic,
// CONNMARK save/restore across the two directions of a connection, connmark without a connection.
import { describe, it, expect } from 'vitest';
import { createConntrack, newState, runHook } from '../../src/evaluate/netfilter/index.ts';
import { ruleset, tcp, routed } from './build.ts';

describe('marks', () => {
  const RS = ruleset(`
*mangle
:PREROUTING ACCEPT
:POSTROUTING ACCEPT
-A PREROUTING -m connmark ! --ctmark 0x0/0xffff0000 -j CONNMARK --restore-mark --nfmask 0xffff0000 --ctmask 0xffff0000
-A PREROUTING -i qr-1 -j MARK --set-xmark 0x4000000/0xffff0000
-A PREROUTING -i qg-a -j MARK --set-xmark 0x2/0xffff
-A POSTROUTING -o qg-a -m connmark --ctmark 0x0/0xffff0000 -j CONNMARK --save-mark --nfmask 0xffff0000 --ctmask 0xffff0000
COMMIT
*filter
:FORWARD ACCEPT
-A FORWARD -o qr-2 -m mark ! --mark 0x4000000/0xffff0000 -j DROP
COMMIT`);

  it('a mark set in mangle PREROUTING is matched in filter FORWARD', () => {
    const ct = createConntrack();
    const pre = runHook(RS, 'PREROUTING', newState(tcp('10.0.0.6', '10.0.1.9', 1, 2)), routed('qr-1', null), ct);
    expect(pre.state.mark).toBe(0x4000000);
    expect(runHook(RS, 'FORWARD', pre.state, routed('qr-1', 'qr-2'), ct).verdict).toBe('accept');
    // From the gateway the scope mark is missing: dropped.
    const pre2 = runHook(RS, 'PREROUTING', newState(tcp('8.8.8.8', '10.0.1.9', 1, 2)), routed('qg-a', null), ct);
    expect(pre2.state.mark).toBe(0x2);
    const f2 = runHook(RS, 'FORWARD', pre2.state, routed('qg-a', 'qr-2'), ct);
    expect(f2.verdict).toBe('drop');
    expect(f2.droppedBy?.rule?.origin.text).toContain('! --mark 0x4000000/0xffff0000');
  });

  it('--set-xmark is (mark & ~mask) ^ value', () => {
    const rs = ruleset(`*mangle\n:PREROUTING ACCEPT\n-A PREROUTING -j MARK --set-xmark 0x1/0xff\n-A PREROUTING -j MARK --set-xmark 0x3/0x0\nCOMMIT`);
    const r = runHook(rs, 'PREROUTING', { ...newState(tcp('1.1.1.1', '2.2.2.2', 1, 2)), mark: 0x1234 }, routed('x', null), createConntrack());
    // (0x1234 & ~0xff) ^ 0x1 = 0x1201; then (0x1201 & ~0) ^ 0x3 = 0x1202
    expect(r.state.mark).toBe(0x1202);
  });

  it('CONNMARK saves the mark on the way out and restores it on the reply', () => {
    const ct = createConntrack();
    const pre = runHook(RS, 'PREROUTING', newState(tcp('10.0.0.6', '8.8.8.8', 1, 2)), routed('qr-1', null), ct);
    const post = runHook(RS, 'POSTROUTING', pre.state, routed('qr-1', 'qg-a'), ct);
    expect(post.hits.map((h) => h.action)).toEqual(['CONNMARK save-mark mask 0xffff0000']);
    const rep = runHook(RS, 'PREROUTING', newState(tcp('8.8.8.8', '10.0.0.6', 2, 1)), routed('qg-a', null), ct);
    expect(rep.state.ctState).toBe('ESTABLISHED');
    // Restored 0x4000000 from the connection, then the ingress mark 0x2 in the low bits.
    expect(rep.state.mark).toBe(0x4000002);
  });

  it('connmark matches nothing without a connection, even negated', () => {
    const rs = ruleset(`*raw\n:PREROUTING ACCEPT\n-A PREROUTING -j CT --notrack\nCOMMIT\n*mangle\n:PREROUTING ACCEPT\n-A PREROUTING -m connmark ! --ctmark 0x5 -j DROP\nCOMMIT`);
    expect(runHook(rs, 'PREROUTING', newState(tcp('1.1.1.1', '2.2.2.2', 1, 2)), routed('x', null), createConntrack()).verdict).toBe('accept');
    const tracked = ruleset(`*mangle\n:PREROUTING ACCEPT\n-A PREROUTING -m connmark ! --ctmark 0x5 -j DROP\nCOMMIT`);
    expect(runHook(tracked, 'PREROUTING', newState(tcp('1.1.1.1', '2.2.2.2', 1, 2)), routed('x', null), createConntrack()).verdict).toBe('drop');
  });
});

describe('conntrack zones and states', () => {
  const RS = ruleset(`
*raw
:PREROUTING ACCEPT
-A PREROUTING -i eth1 -j CT --zone 1
-A PREROUTING -i eth2 -j CT --zone 2
-A PREROUTING -i eth9 -j CT --notrack
COMMIT`);
  const pass = (ct: ReturnType<typeof createConntrack>, src: string, dst: string, sp: number, dp: number, inIf: string) => {
    const pre = runHook(RS, 'PREROUTING', newState(tcp(src, dst, sp, dp)), routed(inIf, null), ct);
    runHook(RS, 'POSTROUTING', pre.state, routed(inIf, 'out'), ct);
    return pre.state;
  };

  it('the same tuple in two zones makes two connections; replies are ESTABLISHED only in their zone', () => {
    const ct = createConntrack();
    expect(pass(ct, '10.0.0.5', '10.0.0.9', 1000, 80, 'eth1')).toMatchObject({ zone: 1, ctState: 'NEW' });
    expect(pass(ct, '10.0.0.5', '10.0.0.9', 1000, 80, 'eth2')).toMatchObject({ zone: 2, ctState: 'NEW' });
    expect(pass(ct, '10.0.0.9', '10.0.0.5', 80, 1000, 'eth1')).toMatchObject({ zone: 1, ctState: 'ESTABLISHED' });
    expect(pass(ct, '10.0.0.9', '10.0.0.5', 80, 1000, 'eth3')).toMatchObject({ zone: 0, ctState: 'NEW' });
  });

  it('CT --notrack makes the packet UNTRACKED and stores no connection', () => {
    const ct = createConntrack();
    expect(pass(ct, '10.0.0.5', '10.0.0.9', 1000, 80, 'eth9')).toMatchObject({ ctState: 'UNTRACKED', ct: null });
    expect(pass(ct, '10.0.0.9', '10.0.0.5', 80, 1000, 'eth0').ctState).toBe('NEW');
  });

  it('an unconfirmed connection (no POSTROUTING yet) is not found by a reply', () => {
    const ct = createConntrack();
    runHook(RS, 'PREROUTING', newState(tcp('10.0.0.5', '10.0.0.9', 1000, 80)), routed('eth0', null), ct);
    expect(pass(ct, '10.0.0.9', '10.0.0.5', 80, 1000, 'eth0').ctState).toBe('NEW');
  });

  it('non-IPv4 frames pass untouched; IPv6 is reported uncertain', () => {
    const drop = ruleset(`*filter\n:FORWARD DROP\nCOMMIT`);
    const arp = runHook(drop, 'FORWARD', newState(tcp('1.1.1.1', '2.2.2.2', 1, 2, { eth_type: 0x0806 })), routed('a', 'b'), createConntrack());
    expect(arp).toMatchObject({ verdict: 'accept', uncertain: [] });
    const v6 = runHook(drop, 'FORWARD', newState(tcp('1.1.1.1', '2.2.2.2', 1, 2, { eth_type: 0x86dd })), routed('a', 'b'), createConntrack());
    expect(v6.uncertain).toHaveLength(1);
  });
});
