// The netfilter meaning both engines share (src/semantics/netfilter.ts), held to the kernel's
// behaviour directly: a fault here would move both engines together, so no agreement test between
// them could see it.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { dnatPortMap, rangePortFor } from '../../src/semantics/dnat-port.ts';
import {
  HOOK_STAGES, ICMP_NEW_TYPES, applyConnmark, applyMark, ifaceMatches, natTargetAllowed, parseNatSpec, physdevMatches, redirectAddress,
  type Hook, type NfContext,
} from '../../src/semantics/netfilter.ts';
import type { NfMatch } from '../../src/ir/netfilter.ts';

const name = fc.stringMatching(/^[a-z0-9-]{0,14}$/);

describe('ifaceMatches (-i/-o and physdev names)', () => {
  it('a name matches itself only, a trailing + is a prefix wildcard, + alone matches any name', () => {
    expect(ifaceMatches('qg-1234', 'qg-1234')).toBe(true);
    expect(ifaceMatches('qg-1234', 'qg-12345')).toBe(false);
    expect(ifaceMatches('qg-1234', 'qg-123')).toBe(false);
    expect(ifaceMatches('qg-+', 'qg-1234')).toBe(true);
    expect(ifaceMatches('qg-+', 'qg-')).toBe(true);
    expect(ifaceMatches('qg-+', 'qr-1234')).toBe(false);
    expect(ifaceMatches('tap+', 'qvb1234')).toBe(false);
    expect(ifaceMatches('+', 'anything')).toBe(true);
    expect(ifaceMatches('+', '')).toBe(true);
    // No interface (before routing) is compared as "": only a wildcard matches it.
    expect(ifaceMatches('qr-1', '')).toBe(false);
  });

  it('equals the kernel rule on random names and prefixes (300 cases)', () => {
    fc.assert(fc.property(name, name, (p, n) =>
      ifaceMatches(p, n) === (p === n) && ifaceMatches(`${p}+`, n) === n.startsWith(p) && ifaceMatches(`${p}+`, `${p}${n}`)), { numRuns: 300 });
  });
});

describe('physdevMatches (xt_physdev)', () => {
  const pd = (o: Partial<Omit<Extract<NfMatch, { kind: 'physdev' }>, 'kind'>>): Extract<NfMatch, { kind: 'physdev' }> =>
    ({ kind: 'physdev', in: null, out: null, isBridged: null, isIn: null, isOut: null, ...o });
  const bridged = (physdevIn: string | null, physdevOut: string | null): NfContext => ({ inIface: 'qbr1', outIface: 'qbr1', physdevIn, physdevOut, bridged: true });
  const routed: NfContext = { inIface: 'qr-1', outIface: 'qg-1', physdevIn: null, physdevOut: null, bridged: false };

  it('outside a bridge every non-negated option fails and negated ones hold', () => {
    expect(physdevMatches(pd({ in: { name: 'tap1', negate: false } }), routed)).toBe(false);
    expect(physdevMatches(pd({ isBridged: { negate: false } }), routed)).toBe(false);
    expect(physdevMatches(pd({ in: { name: 'tap1', negate: true } }), routed)).toBe(true);
    expect(physdevMatches(pd({ isBridged: { negate: true } }), routed)).toBe(true);
  });

  it('--physdev-in is skipped when the input port is unknown; --physdev-out fails when the output is unknown, even negated', () => {
    expect(physdevMatches(pd({ in: { name: 'tap1', negate: false } }), bridged(null, 'qvb1'))).toBe(true);
    expect(physdevMatches(pd({ out: { name: 'tap1', negate: false } }), bridged('qvb1', null))).toBe(false);
    expect(physdevMatches(pd({ out: { name: 'tap1', negate: true } }), bridged('qvb1', null))).toBe(false);
  });

  it('the hybrid firewall’s two directions: from the VM (in tap) and to the VM (out tap)', () => {
    const fromVm = bridged('tap1', 'qvb1');
    const toVm = bridged('qvb1', 'tap1');
    const egress = pd({ in: { name: 'tap1', negate: false }, isBridged: { negate: false } });
    const ingress = pd({ out: { name: 'tap1', negate: false }, isBridged: { negate: false } });
    expect([physdevMatches(egress, fromVm), physdevMatches(egress, toVm)]).toEqual([true, false]);
    expect([physdevMatches(ingress, fromVm), physdevMatches(ingress, toVm)]).toEqual([false, true]);
    expect(physdevMatches(pd({ in: { name: 'tap+', negate: false } }), fromVm)).toBe(true);
    expect(physdevMatches(pd({ isBridged: { negate: false } }), bridged('tap1', null))).toBe(false);
    expect(physdevMatches(pd({ isIn: { negate: false } }), bridged(null, 'tap1'))).toBe(false);
    expect(physdevMatches(pd({ isOut: { negate: true } }), bridged('tap1', 'qvb1'))).toBe(false);
  });
});

describe('MARK and CONNMARK arithmetic', () => {
  it('--set-xmark V/M clears M then xors V; and/or/xor apply V', () => {
    expect(applyMark(0xff00, 'set', 0x1, 0xffff)).toBe(0x1);
    expect(applyMark(0xff00, 'set', 0x1, 0x00ff)).toBe(0xff01);
    expect(applyMark(0xff00, 'and', 0x0f00, 0)).toBe(0x0f00);
    expect(applyMark(0xff00, 'or', 0x1, 0)).toBe(0xff01);
    expect(applyMark(0xff00, 'xor', 0x0100, 0)).toBe(0xfe00);
    expect(applyMark(0, 'set', 0x80000000, 0xffffffff)).toBe(0x80000000); // unsigned
  });

  it('CONNMARK set/save change the connection’s mark, restore the packet’s, each under the mask', () => {
    const marks = { mark: 0x12, ctMark: 0x3400 };
    expect(applyConnmark({ kind: 'CONNMARK', op: 'set', value: 0x1, mask: 0xff }, marks)).toEqual({ mark: 0x12, ctMark: 0x3401 });
    expect(applyConnmark({ kind: 'CONNMARK', op: 'save', value: 0, mask: 0xff }, marks)).toEqual({ mark: 0x12, ctMark: 0x3412 });
    expect(applyConnmark({ kind: 'CONNMARK', op: 'restore', value: 0, mask: 0xff00 }, marks)).toEqual({ mark: 0x3412, ctMark: 0x3400 });
  });
});

describe('NAT targets', () => {
  it('parses ip[-ip][:port[-port]] and takes the first ip', () => {
    expect(parseNatSpec('203.0.113.2')).toEqual({ ip: '203.0.113.2', ports: null });
    expect(parseNatSpec('203.0.113.2-203.0.113.9:1024-2048')).toEqual({ ip: '203.0.113.2', ports: [1024, 2048] });
    expect(parseNatSpec('10.0.0.5:8080')).toEqual({ ip: '10.0.0.5', ports: [8080, 8080] });
    expect(parseNatSpec(' 10.0.0.5 ')).toEqual({ ip: '10.0.0.5', ports: null });
    expect(parseNatSpec('not-an-ip')).toBeNull();
    expect(parseNatSpec('10.0.0.300')).toBeNull();
  });

  it('SNAT belongs to POSTROUTING/INPUT, DNAT and REDIRECT to PREROUTING/OUTPUT, all in the nat table only', () => {
    const hooks: Hook[] = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];
    const snat = { kind: 'SNAT', to: '1.2.3.4', fully_random: false } as const;
    const dnat = { kind: 'DNAT', to: '1.2.3.4', port: null } as const;
    const redirect = { kind: 'REDIRECT', toPort: 80 } as const;
    expect(hooks.filter((h) => natTargetAllowed(snat, 'nat', h))).toEqual(['INPUT', 'POSTROUTING']);
    expect(hooks.filter((h) => natTargetAllowed(dnat, 'nat', h))).toEqual(['PREROUTING', 'OUTPUT']);
    expect(hooks.filter((h) => natTargetAllowed(redirect, 'nat', h))).toEqual(['PREROUTING', 'OUTPUT']);
    expect(hooks.some((h) => natTargetAllowed(snat, 'filter', h) || natTargetAllowed(dnat, 'mangle', h))).toBe(false);
  });

  it('DNAT binds the written port, maps a port range (by its base port\'s offset, else keeping a port within it), else leaves the port; REDIRECT goes to the incoming address (127.0.0.1 from OUTPUT)', () => {
    expect(dnatPortMap({ kind: 'DNAT', to: '10.0.0.5:8080-8090', port: null }, parseNatSpec('10.0.0.5:8080-8090')!)).toEqual({ kind: 'range', range: { from: 8080, to: 8090, base: null } });
    expect(dnatPortMap({ kind: 'DNAT', to: '10.0.0.5', port: 22 }, parseNatSpec('10.0.0.5')!)).toEqual({ kind: 'set', port: 22 });
    expect(dnatPortMap({ kind: 'DNAT', to: '10.0.0.5', port: null }, parseNatSpec('10.0.0.5')!)).toEqual({ kind: 'keep' });
    const offset = { from: 80, to: 90, base: 8080 };
    expect([8080, 8085, 8090, 8091, 8102].map((p) => rangePortFor(offset, p))).toEqual([80, 85, 90, 80, 80].map((port) => ({ kind: 'port', port })));
    expect(rangePortFor(offset, 8079).kind).toBe('any');
    const plain = { from: 100, to: 110, base: null };
    expect(rangePortFor(plain, 105)).toEqual({ kind: 'port', port: 105 });
    expect(rangePortFor(plain, 9050)).toMatchObject({ kind: 'any', range: [100, 110] });
    const ctx: NfContext = { inIface: 'qr-1', outIface: null, physdevIn: null, physdevOut: null, bridged: false, localAddress: '192.168.1.1' };
    expect(redirectAddress('PREROUTING', ctx)).toBe('192.168.1.1');
    expect(redirectAddress('OUTPUT', ctx)).toBe('127.0.0.1');
    expect(redirectAddress('PREROUTING', { ...ctx, localAddress: null })).toBeNull();
  });
});

describe('hook stages and conntrack', () => {
  it('each hook runs its tables in the kernel’s priority order', () => {
    const text = (h: Hook) => HOOK_STAGES[h].map((s) => (s.kind === 'table' ? s.table : s.kind === 'nat' ? `nat-${s.manip}` : s.kind)).join(' ');
    expect(text('PREROUTING')).toBe('raw lookup mangle nat-dst');
    expect(text('INPUT')).toBe('mangle filter security nat-src confirm');
    expect(text('FORWARD')).toBe('mangle filter security');
    expect(text('OUTPUT')).toBe('raw lookup mangle nat-dst filter security');
    expect(text('POSTROUTING')).toBe('mangle nat-src confirm');
  });

  it('only ICMP requests (echo, timestamp, information, address mask) open a connection', () => {
    expect([...ICMP_NEW_TYPES].sort((a, b) => a - b)).toEqual([8, 13, 15, 17]);
  });
});
