// `ownersIn` finds the owners of a prefix by binary search in a sorted copy of the addresses. Held to the
// definition it replaces — every owner whose address shares the prefix's first `prefixLen` bits, in the
// list's own order — on random owner lists (duplicate addresses, addresses clustered in a few /24s so
// that narrow prefixes hit, the ends of the address space) and random prefixes from /0 to /32.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ownersIn, type Owner } from '../../src/smt/owners.ts';

const RUNS = 500;

/** The definition: a filter of the whole list. */
const byFilter = (owners: readonly Owner[], net: number, prefixLen: number): readonly Owner[] => {
  const size = 2 ** (32 - prefixLen);
  return owners.filter((o) => Math.floor(o.ip / size) === Math.floor(net / size));
};

const address = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  fc.tuple(fc.constantFrom(0x0a000000, 0xc0a80100, 0xc0a80200, 0xac100000, 0xffffff00), fc.integer({ min: 0, max: 255 })).map(([n, h]) => n + h),
);
const owner = fc.record({ ip: address, mac: fc.integer({ min: 0, max: 2 ** 48 - 1 }), where: fc.string({ maxLength: 6 }) });

describe('ownersIn', () => {
  it(`returns exactly the owners a whole-list filter returns, in the same order (${RUNS} random lists and prefixes)`, () => {
    let ran = 0;
    let searched = 0;
    fc.assert(
      fc.property(fc.array(owner, { minLength: 1, maxLength: 300, size: 'max' }), fc.nat(), address, fc.boolean(), fc.integer({ min: 0, max: 32 }), (owners, k, other, ownAddress, len) => {
        ran++;
        // Half the prefixes around an owner's address, so that narrow ones hit.
        const net = ownAddress ? owners[k % owners.length]!.ip : other;
        const want = byFilter(owners, net, len);
        // A search whose hits the list holds out of address order: only putting them back in order passes.
        const outOfOrder = want.some((o, i) => i > 0 && o.ip < want[i - 1]!.ip);
        if (outOfOrder && want.length <= owners.length / 8) searched++;
        // Twice: the second call reads the sorted copy made by the first.
        expect(ownersIn(owners, net, len)).toEqual(want);
        expect(ownersIn(owners, net, len)).toEqual(want);
      }),
      { numRuns: RUNS, seed: 20261206 },
    );
    expect(ran).toBe(RUNS);
    // Cases answered by the binary search (several owners hit out of address order, too few of the list
    // to filter: an eighth, `ownersIn`'s bound): without them the property would hold of the filter alone.
    expect(searched).toBeGreaterThan(RUNS / 10);
  });

  it('keeps each owner of a shared address, in the list order', () => {
    const owners: Owner[] = [
      { ip: 0xc0a80105, mac: 1, where: 'b' },
      { ip: 0xc0a80101, mac: 2, where: 'a' },
      { ip: 0xc0a80105, mac: 3, where: 'c' },
      { ip: 0xc0a80201, mac: 4, where: 'd' },
      { ip: 0x0a000001, mac: 5, where: 'e' },
      { ip: 0x0a000002, mac: 6, where: 'f' },
      { ip: 0x0a000003, mac: 7, where: 'g' },
      { ip: 0x0a000004, mac: 8, where: 'h' },
      { ip: 0x0a000005, mac: 9, where: 'i' },
    ];
    expect(ownersIn(owners, 0xc0a80100, 24).map((o) => o.where)).toEqual(['b', 'a', 'c']);
    expect(ownersIn(owners, 0xc0a80105, 32).map((o) => o.where)).toEqual(['b', 'c']);
    expect(ownersIn(owners, 0, 0)).toHaveLength(owners.length);
  });
});
