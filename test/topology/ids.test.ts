import { describe, it, expect } from 'vitest';
import { assignMacs, canonicalMac, deriveId, formatNeutronMac, macSuffixFor } from '../../src/topology/ids.ts';

describe('deriveId', () => {
  it('is a version-5, RFC 4122 variant UUID, stable and distinct per kind and name', () => {
    const a = deriveId('port', 'vm1:0');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deriveId('port', 'vm1:0')).toBe(a);
    expect(deriveId('vm', 'vm1:0')).not.toBe(a);
    expect(deriveId('port', 'vm1:1')).not.toBe(a);
  });
});

describe('assignMacs', () => {
  it('keeps written MACs and derives fa:16:3e MACs from the port id', () => {
    const macs = assignMacs([{ id: 'p1', mac: 'fa:16:3e:00:00:01' }, { id: 'p2', mac: null }]);
    expect(macs[0]).toBe('fa:16:3e:00:00:01');
    expect(macs[1]).toBe(formatNeutronMac(macSuffixFor('p2')));
    expect(macs[1]).toMatch(/^fa:16:3e(:[0-9a-f]{2}){3}$/);
  });

  it('bumps a derived MAC that collides with a written one', () => {
    const wanted = formatNeutronMac(macSuffixFor('p2'));
    const macs = assignMacs([{ id: 'p1', mac: wanted }, { id: 'p2', mac: null }]);
    expect(macs[1]).toBe(formatNeutronMac(macSuffixFor('p2') + 1));
  });

  it('bumps a derived MAC that collides with an earlier derived one (same id twice)', () => {
    const macs = assignMacs([{ id: 'x', mac: null }, { id: 'x', mac: null }]);
    expect(macs[0]).not.toBe(macs[1]);
    expect(new Set(macs).size).toBe(2);
  });

  it('canonicalises MAC text', () => {
    expect(canonicalMac('FA-16-3E-0A-0B-0C')).toBe('fa:16:3e:0a:0b:0c');
    expect(canonicalMac('fa:16:3e:0a:0b')).toBeNull();
  });
});
