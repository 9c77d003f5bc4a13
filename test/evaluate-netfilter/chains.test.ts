// Chain traversal: policies, RETURN, jump vs goto, table order inside a hook, unsupported input; negated matches (`! --mac-source`, `! --match-set`).
import { describe, it, expect } from 'vitest';
import { createConntrack, newState, runHook } from '../../src/evaluate/netfilter/index.ts';
import { ruleset, tcp, routed } from './build.ts';

const pkt = tcp('10.0.0.5', '10.0.1.9', 40000, 22);
const fwd = (text: string, p = pkt) => runHook(ruleset(text), 'FORWARD', newState(p), routed('qr-a', 'qr-b'), createConntrack());

describe('chain traversal', () => {
  it('falls to the built-in policy at the end of the chain and after a RETURN from it', () => {
    const end = fwd(`*filter\n:FORWARD DROP\n-A FORWARD -s 192.168.0.0/16 -j ACCEPT\nCOMMIT`);
    expect(end.verdict).toBe('drop');
    expect(end.droppedBy).toEqual({ table: 'filter', chain: 'FORWARD', rule: null });
    const ret = fwd(`*filter\n:FORWARD DROP\n-A FORWARD -j RETURN\n-A FORWARD -j ACCEPT\nCOMMIT`);
    expect(ret.verdict).toBe('drop');
    expect(ret.droppedBy?.rule).toBeNull();
    const acc = fwd(`*filter\n:FORWARD ACCEPT\n-A FORWARD -s 192.168.0.0/16 -j DROP\nCOMMIT`);
    expect(acc.verdict).toBe('accept');
  });

  it('RETURN from a user chain resumes the caller after the jump', () => {
    const r = fwd(`*filter
:FORWARD ACCEPT
:a -
-A FORWARD -j a
-A FORWARD -j DROP
-A a -p tcp -j RETURN
-A a -j ACCEPT
COMMIT`);
    expect(r.verdict).toBe('drop');
    expect(r.droppedBy?.rule?.origin.text).toBe('-A FORWARD -j DROP');
    expect(r.hits.map((h) => h.action)).toEqual(['jump a', 'RETURN', 'DROP']);
  });

  it('goto replaces the frame: a RETURN goes back to the caller of the chain that did the goto', () => {
    const base = `*filter
:FORWARD ACCEPT
:a -
:b -
-A FORWARD -j a
-A FORWARD -j ACCEPT
-A a X b
-A a -j DROP
-A b -j RETURN
COMMIT`;
    const viaGoto = fwd(base.replace('X', '-g'));
    expect(viaGoto.verdict).toBe('accept');
    expect(viaGoto.hits.map((h) => h.action)).toEqual(['jump a', 'goto b', 'RETURN', 'ACCEPT']);
    const viaJump = fwd(base.replace('X', '-j'));
    expect(viaJump.verdict).toBe('drop');
    expect(viaJump.droppedBy?.chain).toBe('a');
  });

  it('goto from the built-in chain ends in its policy when the target chain ends', () => {
    const r = fwd(`*filter\n:FORWARD DROP\n:b -\n-A FORWARD -g b\n-A FORWARD -j ACCEPT\n-A b -s 1.2.3.4 -j ACCEPT\nCOMMIT`);
    expect(r.verdict).toBe('drop');
    expect(r.droppedBy).toMatchObject({ chain: 'FORWARD', rule: null });
  });

  it('ACCEPT ends only its table: the next table of the hook still runs', () => {
    const r = fwd(`*mangle\n:FORWARD ACCEPT\n-A FORWARD -j ACCEPT\nCOMMIT\n*filter\n:FORWARD ACCEPT\n-A FORWARD -p tcp --dport 22 -j DROP\nCOMMIT`);
    expect(r.verdict).toBe('drop');
    expect(r.droppedBy?.table).toBe('filter');
    expect(r.hits.map((h) => `${h.table}:${h.action}`)).toEqual(['mangle:ACCEPT', 'filter:DROP']);
  });

  it('a missing table or chain accepts', () => {
    expect(fwd(`*filter\n:INPUT DROP\nCOMMIT`).verdict).toBe('accept');
    expect(fwd(``).verdict).toBe('accept');
  });

  it('REJECT drops', () => {
    expect(fwd(`*filter\n:FORWARD ACCEPT\n-A FORWARD -j REJECT --reject-with icmp-port-unreachable\nCOMMIT`).verdict).toBe('drop');
  });

  it('a jump cycle terminates and is reported uncertain', () => {
    const r = fwd(`*filter
:FORWARD ACCEPT
:a -
:b -
-A FORWARD -j a
-A a -j b
-A b -g a
-A b -j DROP
COMMIT`);
    expect(r.uncertain).toEqual(['-A b -g a']);
    expect(r.verdict).toBe('drop'); // the cyclic rule is skipped, the next one applies
  });

  it('a cycle made of gotos alone terminates too', () => {
    const r = fwd(`*filter\n:FORWARD ACCEPT\n:a -\n:b -\n-A FORWARD -g a\n-A a -g b\n-A b -g a\nCOMMIT`);
    expect(r.uncertain).toEqual(['-A b -g a']);
    expect(r.verdict).toBe('accept'); // b ends: the built-in chain's policy
  });

  it('an unsupported match makes the rule not match, reported only when it decides', () => {
    const decides = fwd(`*filter\n:FORWARD ACCEPT\n-A FORWARD -p tcp --unsupported "-m hashlimit" -j DROP\nCOMMIT`);
    expect(decides.verdict).toBe('accept');
    expect(decides.uncertain).toEqual(['-A FORWARD -p tcp --unsupported "-m hashlimit" -j DROP']);
    const moot = fwd(`*filter\n:FORWARD ACCEPT\n-A FORWARD -p udp --unsupported "-m hashlimit" -j DROP\nCOMMIT`);
    expect(moot.uncertain).toEqual([]);
  });

  it('an unsupported target is reported and traversal continues', () => {
    const r = fwd(`*filter\n:FORWARD ACCEPT\n-A FORWARD -j CHECKSUM --checksum-fill\n-A FORWARD -j DROP\nCOMMIT`);
    expect(r.verdict).toBe('drop');
    expect(r.uncertain).toHaveLength(1);
  });

  it('interface wildcards and negation', () => {
    const text = (m: string) => `*filter\n:FORWARD ACCEPT\n-A FORWARD ${m} -j DROP\nCOMMIT`;
    expect(fwd(text('-o qr-+')).verdict).toBe('drop');
    expect(fwd(text('! -o qr-+')).verdict).toBe('accept');
    expect(fwd(text('-o qr-')).verdict).toBe('accept');
    expect(fwd(text('-i qr-a')).verdict).toBe('drop');
    expect(fwd(text('-o +')).verdict).toBe('drop');
  });

  it('ports, multiport and protocol matches', () => {
    const text = (m: string) => `*filter\n:FORWARD ACCEPT\n-A FORWARD ${m} -j DROP\nCOMMIT`;
    expect(fwd(text('-p tcp --dport 20:30')).verdict).toBe('drop');
    expect(fwd(text('-p tcp ! --dport 20:30')).verdict).toBe('accept');
    expect(fwd(text('-p udp --dport 22')).verdict).toBe('accept');
    expect(fwd(text('-p tcp -m multiport --dports 80,443,1:22')).verdict).toBe('drop');
    expect(fwd(text('-p tcp -m multiport --sports 80,443')).verdict).toBe('accept');
    expect(fwd(text('-p tcp -m multiport --ports 40000')).verdict).toBe('drop');
    expect(fwd(text('-p all')).verdict).toBe('drop');
    expect(fwd(text('! -p tcp')).verdict).toBe('accept');
    expect(fwd(text('-s 10.0.0.0/24 -d 10.0.1.9')).verdict).toBe('drop');
    expect(fwd(text('! -s 10.0.0.0/24')).verdict).toBe('accept');
  });
});

describe('negated matches', () => {
  const rules = `*filter
:FORWARD ACCEPT
-A FORWARD -m mac ! --mac-source FA:16:3E:AA:AA:AA -j DROP
-A FORWARD -m set ! --match-set allowed src -j DROP
COMMIT`;
  const sets = { allowed: ['10.0.0.0/29'] };
  const run = (over: Parameters<typeof tcp>[4]) => runHook(ruleset(rules, sets), 'FORWARD', newState(tcp('10.0.0.5', '10.0.1.9', 40000, 22, over)), routed('qr-a', 'qr-b'), createConntrack()).verdict;
  it('`! --mac-source` drops every other source MAC and lets that one past', () => {
    expect(run({ eth_src: 'fa:16:3e:aa:aa:aa' })).toBe('accept');
    expect(run({ eth_src: 'fa:16:3e:bb:bb:bb' })).toBe('drop');
  });
  it('`! --match-set` drops a source outside the set', () => {
    expect(run({ eth_src: 'fa:16:3e:aa:aa:aa', ip_src: '10.0.0.9' })).toBe('drop');
  });
});

describe('rules passed over by their interface match', () => {
  // The same ruleset object across runs, so the table of rules passed over per context is reused.
  const rs = ruleset(`*filter\n:FORWARD ACCEPT\n-A FORWARD -i null -j DROP\n-A FORWARD -o undefined -j DROP\nCOMMIT`);
  const run = (ctx: ReturnType<typeof routed>) => runHook(rs, 'FORWARD', newState(pkt), ctx, createConntrack()).verdict;

  it('a device named `null` or `undefined` is not taken for a context with no device', () => {
    // The contexts without a device come first: their tables of rules passed over must not be reused.
    expect(run(routed(null, 'qr-b'))).toBe('accept');
    expect(run(routed('null', 'qr-b'))).toBe('drop');
    expect(run(routed('qr-a', null))).toBe('accept');
    expect(run(routed('qr-a', 'undefined'))).toBe('drop');
  });
});
