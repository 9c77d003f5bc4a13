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
    next[n] = n;
    for (let i = n - 1; i >= 0; i--) next[i] = failsInContext(chain.rules[i]!, ctx) ? next[i + 1]! : i;
    m.set(key, next);
  }
  return next;
}
