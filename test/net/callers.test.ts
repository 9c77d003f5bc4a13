// The callers of src/net/ keep their own contracts: null or a thrown error on bad text, canonical
// text, spaces around written topology addresses.
import { describe, it, expect } from 'vitest';
import { parseCidr as parseArtifactCidr, parseIpv4 as parseArtifactIpv4, parseMac as parseArtifactMac } from '../../src/parse/values.ts';
import { parseCidr as parseTopologyCidr, parseIpv4 as parseTopologyIpv4 } from '../../src/topology/ipv4.ts';
import { broadcast, canonicalCidr, cidrContains } from '../../src/render/linux/addr.ts';
import { arpSpa, ipv4Hex, linkLocal, macHex } from '../../src/render/ovs/addr.ts';
import { ipToNum, macToNum, numToIp, numToMac } from '../../src/smt/headers.ts';
import { ipNum, macNum } from '../../src/questions/properties/search.ts';
import { macMatches, isGroupMac } from '../../src/evaluate/addr.ts';

describe('artifact parsers (null on bad text, canonical text otherwise)', () => {
  it('reads addresses, CIDRs and MACs', () => {
    expect(parseArtifactIpv4(' 010.0.0.01 ')).toBe('10.0.0.1');
    expect(parseArtifactIpv4('10.0.0.256')).toBeNull();
    expect(parseArtifactCidr('10.0.0.0/255.255.255.0')).toEqual({ ip: '10.0.0.0', prefixLen: 24 });
    expect(parseArtifactCidr('10.0.0.0/255.0.255.0')).toBeNull();
    expect(parseArtifactCidr('10.0.0.7')).toEqual({ ip: '10.0.0.7', prefixLen: 32 });
    expect(parseArtifactMac('FA:16:3E:00:00:01')).toBe('fa:16:3e:00:00:01');
  });
});

describe('topology addresses (spaces around ignored, host bits refused)', () => {
  it('trims and checks', () => {
    expect(parseTopologyIpv4(' 10.0.0.1 ')).toBe(0x0a000001);
    expect(parseTopologyCidr('192.168.1.5/24')).toEqual({ ok: false, reason: '"192.168.1.5/24" has host bits set; 192.168.1.0/24 is recommended' });
    expect(parseTopologyCidr('10.0.0.5', true)).toEqual({ ok: true, cidr: { network: 0x0a000005, prefix: 32 } });
  });
});

describe('renderers (addresses as written in the topology)', () => {
  it('Linux spellings', () => {
    expect(broadcast('192.168.1.10', 24)).toBe('192.168.1.255');
    expect(canonicalCidr('10.0.0.5')).toBe('10.0.0.5/32');
    expect(canonicalCidr(' 10.0.0.77 /24')).toBe('10.0.0.0/24');
    expect(cidrContains('10.0.0.0', 24, ' 10.0.0.9')).toBe(true);
    expect(cidrContains('10.0.0.0', 24, '10.0.1.9')).toBe(false);
  });

  it('OVS spellings', () => {
    expect(ipv4Hex('192.168.1.1')).toBe('0xc0a80101');
    expect(macHex('fa:16:3e:00:00:01')).toBe('0xfa163e000001');
    expect(arpSpa('10.0.0.77 /24')).toBe('10.0.0.0/24');
    expect(arpSpa('10.0.0.5')).toBe('10.0.0.5');
    expect(linkLocal('fa:16:3e:50:09:42')).toBe('fe80::f816:3eff:fe50:942');
    expect(() => ipv4Hex('10.0.0')).toThrow('not an IPv4 address: 10.0.0');
  });
});

describe('solver numbers (malformed text throws)', () => {
  it('keeps the SMT core\'s names and errors', () => {
    expect(ipToNum('10.0.0.1')).toBe(0x0a000001);
    expect(numToIp(0x0a000001)).toBe('10.0.0.1');
    expect(macToNum('ff:ff:ff:ff:ff:fe')).toBe(2 ** 48 - 2);
    expect(numToMac(2 ** 48 - 2)).toBe('ff:ff:ff:ff:ff:fe');
    expect(() => ipToNum('10.0.0.1 ')).toThrow('not an IPv4 address');
    expect(() => macToNum('fa:16:3e')).toThrow('not a MAC: fa:16:3e');
    expect(ipNum(' 10.0.0.1')).toBe(0x0a000001);
    expect(macNum('fa:16:3e:00:00:01')).toBe(0xfa163e000001);
  });
});

describe('walker MAC matching (malformed never matches)', () => {
  it('masks and group bits', () => {
    expect(macMatches('fa:16:3e:aa:bb:cc', 'fa:16:3e:00:00:00', 'ff:ff:ff:00:00:00')).toBe(true);
    expect(macMatches('fa:16:3f:aa:bb:cc', 'fa:16:3e:00:00:00', 'ff:ff:ff:00:00:00')).toBe(false);
    expect(macMatches('nonsense', 'nonsense', null)).toBe(false);
    expect(isGroupMac('01:00:5e:00:00:01')).toBe(true);
    expect(isGroupMac('fa:16:3e:00:00:01')).toBe(false);
  });
});
