// The rules of a chain that may match in one hook context, for both engines' traversals: a rule with
// an interface or physdev match that fails there (`-i`/`-o` naming another device, `--physdev-in/out`
// another bridge port) never matches whatever the packet, and since a false match makes the whole rule
// not match (nor report an unknown one, in either engine), passing over it changes nothing but the
// time. A hybrid firewall's chains hold a rule or two per port of the host, so each hook scanned every
// port's rules.
import type { NfChain, NfRule } from '../ir/netfilter.ts';
import { ifaceMatches, physdevMatches, type NfContext } from './netfilter.ts';

/** Whether an interface or physdev match of `rule` fails in `ctx` (as both engines' matches decide each). */
export function failsInContext(rule: NfRule, ctx: NfContext): boolean {
  for (const m of rule.matches) {
    switch (m.kind) {
      case 'in-iface':
        if (ifaceMatches(m.name, ctx.inIface ?? '') === m.negate) return true;
        break;
      case 'out-iface':
        if (ifaceMatches(m.name, ctx.outIface ?? '') === m.negate) return true;
        break;
      case 'physdev':
        if (!physdevMatches(m, ctx)) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

/**
 * A chain's rules by the one name a rule needs of the context to hold (semantics/netfilter.ts): a rule
 * with `-i NAME`, `-o NAME` or `--physdev-out NAME` (no `!`, no `+`) fails in every context whose
 * interface or bridge port of that kind is another; one with `--physdev-in NAME` likewise, except in a
 * bridged context whose input port is unknown, where xt_physdev skips the option. A context's candidates
 * are then the rules of its names and those no name rules out, each still checked with failsInContext:
 * a new context (a port's first packet) costs its own rules, not a pass over every port's.
 */
interface ChainIndex {
  /** Rules not ruled out by a name alone, ascending. */
  readonly free: readonly number[];
  /** Rules by the name they need, one map per kind of option. */
  readonly inIface: ReadonlyMap<string, readonly number[]>;
  readonly outIface: ReadonlyMap<string, readonly number[]>;
  readonly physdevOut: ReadonlyMap<string, readonly number[]>;
  readonly physdevIn: ReadonlyMap<string, readonly number[]>;
  /** Every rule keyed by `--physdev-in`: each a candidate where the input port is unknown. */
  readonly anyPhysdevIn: readonly number[];
}

type Kind = 'inIface' | 'outIface' | 'physdevOut' | 'physdevIn';

const exact = (o: { readonly name: string; readonly negate: boolean }): boolean => !o.negate && !o.name.endsWith('+');

/** The name `rule` needs of a context and its kind, or null when no single name decides it. */
function neededName(rule: NfRule): { kind: Kind; name: string } | null {
  for (const m of rule.matches) {
    if (m.kind === 'in-iface' && exact(m)) return { kind: 'inIface', name: m.name };
    if (m.kind === 'out-iface' && exact(m)) return { kind: 'outIface', name: m.name };
    if (m.kind === 'physdev' && m.out !== null && exact(m.out)) return { kind: 'physdevOut', name: m.out.name };
  }
  for (const m of rule.matches) if (m.kind === 'physdev' && m.in !== null && exact(m.in)) return { kind: 'physdevIn', name: m.in.name };
  return null;
}

const indexes = new WeakMap<NfChain, ChainIndex>();

function indexOf(chain: NfChain): ChainIndex {
  let ix = indexes.get(chain);
  if (ix === undefined) {
    const free: number[] = [];
    const byKind: Record<Kind, Map<string, number[]>> = { inIface: new Map(), outIface: new Map(), physdevOut: new Map(), physdevIn: new Map() };
    const anyPhysdevIn: number[] = [];
    chain.rules.forEach((r, i) => {
      const k = neededName(r);
      if (k === null) return void free.push(i);
      const byName = byKind[k.kind];
      const l = byName.get(k.name);
      if (l === undefined) byName.set(k.name, [i]);
      else l.push(i);
      if (k.kind === 'physdevIn') anyPhysdevIn.push(i);
    });
    ix = { free, ...byKind, anyPhysdevIn };
    indexes.set(chain, ix);
  }
  return ix;
}

/** Builds `chain`'s index now rather than at its first new context (a resident model's load). */
export function prepareChain(chain: NfChain): void {
  indexOf(chain);
}

const NONE: readonly number[] = [];

/**
 * The rules of `chain` that may hold in `ctx` (a superset of those failsInContext passes), in parts that
 * share no rule: each rule is free or under one name (the physdev-in list stands for its names).
 */
function candidatesOf(chain: NfChain, ctx: NfContext): readonly (readonly number[])[] {
  const ix = indexOf(chain);
  return [
    ix.free,
    ix.inIface.get(ctx.inIface ?? '') ?? NONE,
    ix.outIface.get(ctx.outIface ?? '') ?? NONE,
    ctx.physdevOut === null ? NONE : ix.physdevOut.get(ctx.physdevOut) ?? NONE,
    ctx.physdevIn === null ? (ctx.bridged ? ix.anyPhysdevIn : NONE) : ix.physdevIn.get(ctx.physdevIn) ?? NONE,
  ];
}

const tables = new WeakMap<NfChain, Map<string, Int32Array>>();

/**
 * Below this many rules a chain's every rule is a candidate in every context: passing over a rule only
 * saves time, and for a chain of a rule or two (most of a router's, the root's FORWARD) a table made per
 * context (a port's first packet through it) cost more than trying them.
 */
export const INDEXED_FROM = 8;

const identities = new WeakMap<NfChain, Int32Array>();

/** next[i] = i: every rule of `chain` tried. */
function everyRule(chain: NfChain): Int32Array {
  let next = identities.get(chain);
  if (next === undefined) {
    next = new Int32Array(chain.rules.length + 1);
    for (let i = 0; i < next.length; i++) next[i] = i;
    identities.set(chain, next);
  }
  return next;
}

/**
 * What of a context the rules passed over depend on. An absent name is written as NUL, which no
 * interface name holds, so a device named `null` or `undefined` has a key of its own.
 */
const name = (n: string | null | undefined): string => n ?? '\u0000';
export const contextKey = (ctx: NfContext): string => `${name(ctx.inIface)}|${name(ctx.outIface)}|${name(ctx.physdevIn)}|${name(ctx.physdevOut)}|${ctx.bridged}`;

/**
 * For each rule index i of `chain`, the first index j >= i whose rule does not fail in the context
 * (the rule count when none): made once per chain and context key; for a chain of fewer than
 * INDEXED_FROM rules, i itself (every rule tried).
 */
export function nextCandidates(chain: NfChain, ctx: NfContext, key: string): Int32Array {
  if (chain.rules.length < INDEXED_FROM) return everyRule(chain);
  let m = tables.get(chain);
  if (!m) tables.set(chain, (m = new Map()));
  let next = m.get(key);
  if (!next) {
    const n = chain.rules.length;
    next = new Int32Array(n + 1);
    // First each candidate that holds is marked (i + 1, never 0: the array starts zeroed), then one pass
    // from the end turns the marks into the next candidate's index: no sorting of the parts.
    for (const part of candidatesOf(chain, ctx)) for (const i of part) if (!failsInContext(chain.rules[i]!, ctx)) next[i] = i + 1;
    let nx = n;
    next[n] = n;
    for (let i = n - 1; i >= 0; i--) {
      if (next[i] !== 0) nx = i;
      next[i] = nx;
    }
    m.set(key, next);
  }
  return next;
}
