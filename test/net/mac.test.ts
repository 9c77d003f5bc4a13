import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { formatMac, macBytes, macLinkLocal, macToNumber, parseMac } from '../../src/net/mac.ts';

const mac48 = fc.integer({ min: 0, max: 2 ** 48 - 1 });

describe('macBytes / macToNumber', () => {
  it('reads six hex bytes of one or two digits in any case', () => {
    expect(macBytes('fa:16:3e:00:0a:FF')).toEqual([0xfa, 0x16, 0x3e, 0, 0x0a, 0xff]);
    expect(macBytes('0:1:2:3:4:5')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(macToNumber('ff:ff:ff:ff:ff:ff')).toBe(2 ** 48 - 1);
    expect(macToNumber('fa:16:3e:00:00:01')).toBe(0xfa163e000001);
  });

  it('rejects what is not a MAC (null, or a thrown error naming it)', () => {
    for (const bad of ['', 'fa:16:3e:00:00', 'fa:16:3e:00:00:01:02', 'fa:16:3e:00:00:100', 'fa:16:3e:00:00:zz', 'fa-16-3e-00-00-01', 'fa:16:3e::00:01']) {
      expect(macBytes(bad), bad).toBeNull();
      expect(() => macToNumber(bad), bad).toThrow(`not a MAC: ${bad}`);
    }
  });

  it('keeps all 48 bits (beyond 32-bit arithmetic) and round-trips with formatMac', () => {
    expect(formatMac(0xfa163e000001)).toBe('fa:16:3e:00:00:01');
    expect(formatMac(2 ** 48 - 1)).toBe('ff:ff:ff:ff:ff:ff');
    fc.assert(fc.property(mac48, (n) => macToNumber(formatMac(n)) === n));
  });
});

describe('parseMac', () => {
  it('canonicalises two-digit MACs and refuses other spellings', () => {
    expect(parseMac(' FA:16:3E:AA:bb:0C ')).toBe('fa:16:3e:aa:bb:0c');
    expect(parseMac('0:1:2:3:4:5')).toBeNull();
    expect(parseMac('fa-16-3e-aa-bb-0c')).toBeNull();
    expect(parseMac('fa:16:3e:aa:bb')).toBeNull();
  });
});

describe('macLinkLocal', () => {
  it('derives the EUI-64 link-local address as the kernel prints it', () => {
    expect(macLinkLocal('fa:16:3e:50:09:42')).toBe('fe80::f816:3eff:fe50:942');
    expect(macLinkLocal('fa:16:3e:12:00:00')).toBe('fe80::f816:3eff:fe12:0');
  });

  it('compresses the longest zero run, including zeros of the interface id (RFC 5952)', () => {
    // 02:00:… flips to a zero first group of the interface id, joining the link-local zeros.
    expect(macLinkLocal('02:00:5e:00:00:01')).toBe('fe80::5eff:fe00:1');
  });

  it('throws on text that is not a MAC', () => {
    expect(() => macLinkLocal('fa:16:3e')).toThrow('not a MAC address: fa:16:3e');
  });
});
