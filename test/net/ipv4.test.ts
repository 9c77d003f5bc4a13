import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  broadcastOf, formatIpv4, inCidr, inPrefix, ipv4ToNumber, isIpv4, maskPrefixLen, networkOf, parseIpv4, prefixMask,
} from '../../src/net/ipv4.ts';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const len = fc.integer({ min: 0, max: 32 });

describe('parseIpv4 / ipv4ToNumber', () => {
  it('reads dotted quads as unsigned numbers', () => {
    expect(parseIpv4('10.0.0.5')).toBe(0x0a000005);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('010.000.0.1')).toBe(0x0a000001);
  });

  it('rejects everything that is not exactly a dotted quad', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1..2.3', '0x1.0.0.1', '1e2.0.0.1', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.4/32', '1.2.3.-4', '1234.0.0.1', 'fe80::1']) {
      expect(parseIpv4(bad), bad).toBeNull();
      expect(isIpv4(bad), bad).toBe(false);
      expect(() => ipv4ToNumber(bad), bad).toThrow(`not an IPv4 address: ${bad}`);
    }
  });

  it('accepts exactly what the dotted-quad pattern accepts, with its value (3,000 random texts)', () => {
    const QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
    const byPattern = (t: string): number | null => {
      const m = QUAD.exec(t);
      if (!m) return null;
      const o = m.slice(1).map(Number);
      return o.some((x) => x > 255) ? null : o.reduce((a, x) => a * 256 + x, 0);
    };
    const chars = fc.constantFrom('0', '1', '2', '5', '9', '.', '.', ' ', 'a', '/', '-', '\u0660');
    const text = fc.oneof(fc.string({ unit: chars, maxLength: 18 }), fc.tuple(u32, fc.string({ unit: chars, maxLength: 2 })).map(([n, s]) => formatIpv4(n) + s));
    let quads = 0;
    fc.assert(fc.property(text, (t) => {
      const want = byPattern(t);
      if (want !== null) quads++;
      return parseIpv4(t) === want;
    }), { numRuns: 3000, seed: 7 });
    expect(quads).toBeGreaterThan(100);
  });

  it('round-trips with formatIpv4', () => {
    fc.assert(fc.property(u32, (n) => parseIpv4(formatIpv4(n)) === n && ipv4ToNumber(formatIpv4(n)) === n));
  });
});

describe('formatIpv4', () => {
  it('spells the four octets', () => {
    expect(formatIpv4(0xc0a80101)).toBe('192.168.1.1');
    expect(formatIpv4(0)).toBe('0.0.0.0');
  });

  it('equals octet-by-division on every non-negative integer (the spelling the callers used before)', () => {
    const byDivision = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (n) => formatIpv4(n) === byDivision(n)));
  });

  it('reads a negative number as two\'s complement', () => {
    expect(formatIpv4(-1)).toBe('255.255.255.255');
  });
});

describe('prefix masks', () => {
  it('gives the mask of every length, clamping outside 0..32', () => {
    expect(prefixMask(0)).toBe(0);
    expect(prefixMask(8)).toBe(0xff000000);
    expect(prefixMask(24)).toBe(0xffffff00);
    expect(prefixMask(32)).toBe(0xffffffff);
    expect(prefixMask(-3)).toBe(0);
    expect(prefixMask(40)).toBe(0xffffffff);
  });

  it('maskPrefixLen inverts prefixMask and refuses non-contiguous masks', () => {
    fc.assert(fc.property(len, (l) => maskPrefixLen(prefixMask(l)) === l));
    expect(maskPrefixLen(0xff00ff00)).toBeNull();
    expect(maskPrefixLen(0x00ffffff)).toBeNull();
  });

  it('networkOf and broadcastOf bound the prefix', () => {
    expect(formatIpv4(networkOf(parseIpv4('192.168.1.77')!, 24))).toBe('192.168.1.0');
    expect(formatIpv4(broadcastOf(parseIpv4('192.168.1.77')!, 24))).toBe('192.168.1.255');
    expect(broadcastOf(parseIpv4('10.1.2.3')!, 0)).toBe(0xffffffff);
    expect(networkOf(parseIpv4('10.1.2.3')!, 32)).toBe(0x0a010203);
    fc.assert(fc.property(u32, len, (ip, l) => {
      const net = networkOf(ip, l);
      const brd = broadcastOf(ip, l);
      return net <= ip && ip <= brd && brd - net === 2 ** (32 - l) - 1;
    }));
  });
});

describe('inPrefix / inCidr', () => {
  it('tests membership, ignoring host bits of the network', () => {
    expect(inPrefix('10.0.0.5', '10.0.0.0', 24)).toBe(true);
    expect(inPrefix('10.0.1.5', '10.0.0.0', 24)).toBe(false);
    expect(inPrefix('10.0.0.5', '10.0.0.99', 24)).toBe(true);
    expect(inPrefix('8.8.8.8', '0.0.0.0', 0)).toBe(true);
    expect(inPrefix('10.0.0.5', '10.0.0.5', 32)).toBe(true);
    expect(inPrefix('10.0.0.6', '10.0.0.5', 32)).toBe(false);
    expect(inCidr('172.16.5.4', { ip: '172.16.0.0', prefixLen: 12 })).toBe(true);
    expect(inCidr('172.32.0.1', { ip: '172.16.0.0', prefixLen: 12 })).toBe(false);
  });

  it('puts malformed text in no prefix, not even /0', () => {
    expect(inPrefix('10.0.0.300', '0.0.0.0', 0)).toBe(false);
    expect(inPrefix('10.0.0.1', 'x', 0)).toBe(false);
    expect(inCidr('', { ip: '0.0.0.0', prefixLen: 0 })).toBe(false);
  });

  it('agrees with membership by division', () => {
    fc.assert(fc.property(u32, u32, len, (a, b, l) => {
      const size = 2 ** (32 - l);
      return inPrefix(formatIpv4(a), formatIpv4(b), l) === (Math.floor(a / size) === Math.floor(b / size));
    }));
  });
});
