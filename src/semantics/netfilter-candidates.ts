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
  /** Rules by the name they need, under a key of the option's kind: `i`, `o`, `pi`, `po`. */
  readonly byName: ReadonlyMap<string, readonly number[]>;
  /** The rules keyed by `--physdev-in`, ascending: each a candidate where the input port is unknown. */
  readonly physdevIn: readonly number[];
}

const exact = (o: { readonly name: string; readonly negate: boolean }): boolean => !o.negate && !o.name.endsWith('+');

/** The name `rule` needs of a context, under its kind's key, or null when no single name decides it. */
function neededName(rule: NfRule): string | null {
  for (const m of rule.matches) {
    if (m.kind === 'in-iface' && exact(m)) return `i\u0000${m.name}`;
    if (m.kind === 'out-iface' && exact(m)) return `o\u0000${m.name}`;
    if (m.kind === 'physdev' && m.out !== null && exact(m.out)) return `po\u0000${m.out.name}`;
  }
  for (const m of rule.matches) if (m.kind === 'physdev' && m.in !== null && exact(m.in)) return `pi\u0000${m.in.name}`;
  return null;
}

const indexes = new WeakMap<NfChain, ChainIndex>();

function indexOf(chain: NfChain): ChainIndex {
  let ix = indexes.get(chain);
  if (ix === undefined) {
    const free: number[] = [];
    const byName = new Map<string, number[]>();
    const physdevIn: number[] = [];
    chain.rules.forEach((r, i) => {
      const k = neededName(r);
      if (k === null) return void free.push(i);
      const l = byName.get(k);
      if (l === undefined) byName.set(k, [i]);
      else l.push(i);
      if (k.startsWith('pi\u0000')) physdevIn.push(i);
    });
    ix = { free, byName, physdevIn };
    indexes.set(chain, ix);
  }
  return ix;
}

/** Builds `chain`'s index now rather than at its first new context (a resident model's load). */
export function prepareChain(chain: NfChain): void {
  indexOf(chain);
}

const NONE: readonly number[] = [];

/** The rules of `chain` that may hold in `ctx`, ascending: a superset of those failsInContext passes. */
function candidatesOf(chain: NfChain, ctx: NfContext): number[] {
  const ix = indexOf(chain);
  const named = (k: string) => ix.byName.get(k) ?? NONE;
  const parts = [
    ix.free,
    named(`i\u0000${ctx.inIface ?? ''}`),
    named(`o\u0000${ctx.outIface ?? ''}`),
    ctx.physdevOut === null ? NONE : named(`po\u0000${ctx.physdevOut}`),
    ctx.physdevIn === null ? (ctx.bridged ? ix.physdevIn : NONE) : named(`pi\u0000${ctx.physdevIn}`),
  ];
  const out: number[] = [];
  for (const p of parts) for (const i of p) out.push(i);
  // Each rule is in one part only (one key each, or free; the physdev-in list stands for its keys).
  return out.sort((a, b) => a - b);
}

const tables = new WeakMap<NfChain, Map<string, Int32Array>>();

/**
 * What of a context the rules passed over depend on. An absent name is written as NUL, which no
 * interface name holds, so a device named `null` or `undefined` has a key of its own.
 */
const name = (n: string | null | undefined): string => n ?? '\u0000';
export const contextKey = (ctx: NfContext): string => `${name(ctx.inIface)}|${name(ctx.outIface)}|${name(ctx.physdevIn)}|${name(ctx.physdevOut)}|${ctx.bridged}`;

/**
 * For each rule index i of `chain`, the first index j >= i whose rule does not fail in the context
 * (the rule count when none): made once per chain and context key.
 */
export function nextCandidates(chain: NfChain, ctx: NfContext, key: string): Int32Array {
  let m = tables.get(chain);
  if (!m) tables.set(chain, (m = new Map()));
  let next = m.get(key);
  if (!next) {
    const n = chain.rules.length;
    next = new Int32Array(n + 1);
    const c = candidatesOf(chain, ctx);
    let k = c.length - 1;
    let nx = n;
    next[n] = n;
    for (let i = n - 1; i >= 0; i--) {
      if (k >= 0 && c[k] === i) {
        k--;
        if (!failsInContext(chain.rules[i]!, ctx)) nx = i;
      }
      next[i] = nx;
    }
    m.set(key, next);
  }
  return next;
}
