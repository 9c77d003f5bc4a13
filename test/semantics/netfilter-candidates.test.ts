// The candidates of a chain in a hook context (src/semantics/netfilter-candidates.ts), found through its
// index of the names rules need, are exactly those a pass over every rule with failsInContext finds (for
// a chain shorter than INDEXED_FROM, every rule, which is the same traversal's outcome: a rule passed
// over fails in the context, so trying it matches nothing): on
// random chains of interface and physdev matches (names exact, wildcard, negated, shared between kinds)
// and random contexts (bridged or not, ports known or not), each chain asked in several contexts so its
// index and kept tables are reused (fast-check, seeded).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { NfChain, NfMatch, NfRule } from '../../src/ir/netfilter.ts';
import type { NfContext } from '../../src/semantics/netfilter.ts';
import { contextKey, failsInContext, INDEXED_FROM, nextCandidates } from '../../src/semantics/netfilter-candidates.ts';

const NAMES = ['tap1', 'tap2', 'qvb1', 'qbr1', 'qr-1', 'eth0'];
const PATTERNS = [...NAMES, 'tap+', 'q+'];

const opt = fc.option(fc.record({ name: fc.constantFrom(...PATTERNS), negate: fc.boolean() }), { nil: null });
const flag = fc.option(fc.record({ negate: fc.boolean() }), { nil: null });
const match: fc.Arbitrary<NfMatch> = fc.oneof(
  fc.record({ kind: fc.constantFrom('in-iface' as const, 'out-iface' as const), name: fc.constantFrom(...PATTERNS), negate: fc.boolean() }),
  fc.record({ kind: fc.constant('physdev' as const), in: opt, out: opt, isBridged: flag, isIn: flag, isOut: flag }),
  fc.constant<NfMatch>({ kind: 'comment', text: 'x' }),
);
const rule: fc.Arbitrary<NfRule> = fc.array(match, { maxLength: 3 }).map((matches) => ({ matches, target: { kind: 'ACCEPT' }, origin: { file: 'f', line: 1, text: 't' } }));
const port = fc.option(fc.constantFrom(...NAMES), { nil: null });
const context: fc.Arbitrary<NfContext> = fc.record({ inIface: port, outIface: port, physdevIn: port, physdevOut: port, bridged: fc.boolean() });

/** The reference: every rule checked in turn. */
function scanned(chain: NfChain, ctx: NfContext): number[] {
  const n = chain.rules.length;
  const next = new Array<number>(n + 1);
  next[n] = n;
  if (n < INDEXED_FROM) return next.fill(0).map((_, i) => i);
  for (let i = n - 1; i >= 0; i--) next[i] = failsInContext(chain.rules[i]!, ctx) ? next[i + 1]! : i;
  return next;
}

describe('netfilter candidates by the names rules need', () => {
  it('the same as checking every rule (300 chains, 6 contexts each)', () => {
    let cases = 0;
    let passedOver = 0;
    let indexed = 0;
    fc.assert(
      fc.property(fc.oneof({ arbitrary: fc.array(rule, { maxLength: INDEXED_FROM - 1 }), weight: 1 }, { arbitrary: fc.array(rule, { minLength: INDEXED_FROM, maxLength: 30 }), weight: 3 }), fc.array(context, { minLength: 6, maxLength: 6 }), (rules, contexts) => {
        const chain: NfChain = { name: 'c', policy: null, rules };
        for (const ctx of contexts) {
          const want = scanned(chain, ctx);
          expect([...nextCandidates(chain, ctx, contextKey(ctx))]).toEqual(want);
          passedOver += want.filter((j, i) => i < rules.length && j !== i).length;
          if (rules.length >= INDEXED_FROM) indexed++;
          cases++;
        }
      }),
      { numRuns: 300, seed: 0xca11 },
    );
    expect(cases).toBe(1800);
    // The chains are not all trivially open: rules are passed over in many of the contexts.
    expect(passedOver).toBeGreaterThan(1000);
    // Most cases are chains long enough to be indexed.
    expect(indexed).toBeGreaterThan(1000);
  });
});
