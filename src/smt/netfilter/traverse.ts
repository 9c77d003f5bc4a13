// Traversal of one table's built-in chain over a symbolic packet, as src/evaluate/netfilter/traverse.ts:
// rules in order, each rule a branch (`match` → its target, `¬match` → the next rule); ACCEPT ends the
// table, DROP/REJECT drop, RETURN goes back to the caller (or the built-in chain's policy), `-j` calls,
// `-g` replaces the frame; MARK/CONNMARK/CT and count-only rules continue; SNAT/DNAT/REDIRECT bind the
// connection (the packet is rewritten at the hook's NAT stage) and accept. Guarantees: the branches
// partition the packets entering the table; an unmodelled match or target, a jump to a missing chain
// or a cycle yields an `unknown` end on the packets it concerns.
import { entered } from './watch.ts';
import type { NfChain, NfRule, NfTable, NetfilterRuleset } from '../../ir/netfilter.ts';
import { type Hook, type NfContext, applyConnmark, applyMark } from '../../semantics/netfilter.ts';
import type { Enc } from '../cond.ts';
import type { End } from '../path.ts';
import { assume, unknownEnd } from '../path.ts';
import { nfStateKey, type NfPath } from './state.ts';
import { mergeBy, mergeEnds } from '../merge.ts';
import { failsConcretely, symMatchRule } from './match.ts';
import { contextKey, nextCandidates } from '../../semantics/netfilter-candidates.ts';
import { type NatBinding, natBinding } from './nat.ts';

export type TableResult =
  | { readonly kind: 'accept'; readonly w: NfPath; readonly nat: NatBinding | null }
  | { readonly kind: 'drop'; readonly w: NfPath; readonly by: string };

interface Frame {
  readonly chain: NfChain;
  readonly index: number;
  readonly via: readonly string[];
}

export interface ChainOut {
  readonly results: readonly TableResult[];
  readonly unknown: readonly End[];
}

const chainMaps = new WeakMap<NfTable, ReadonlyMap<string, NfChain>>();

/** The table's chains by name (built once per table). */
function chainsOf(table: NfTable): ReadonlyMap<string, NfChain> {
  let m = chainMaps.get(table);
  if (!m) chainMaps.set(table, (m = new Map(table.chains.map((c) => [c.name, c] as const))));
  return m;
}

export function symRunTable(e: Enc, ruleset: NetfilterRuleset, table: NfTable | undefined, hook: Hook, w0: NfPath, ctx: NfContext, where: string): ChainOut {
  const base = table?.chains.find((c) => c.name === hook);
  if (!table || !base) return { results: [{ kind: 'accept', w: w0, nat: null }], unknown: [] };
  const chains = chainsOf(table);
  const ctxKey = contextKey(ctx);
  const results: TableResult[] = [];
  const unknown: End[] = [];
  const policy = (w: NfPath): TableResult =>
    base.policy === 'DROP' ? { kind: 'drop', w, by: `${where} ${table.name}/${base.name} policy DROP` } : { kind: 'accept', w, nat: null };
  const work: { stack: readonly Frame[]; w: NfPath }[] = [{ stack: [{ chain: base, index: 0, via: [base.name] }], w: w0 }];
  entered(base);

  while (work.length > 0) {
    const { stack, w } = work.pop()!;
    let top = stack[stack.length - 1]!;
    // Rules whose interface, physdev, mark or state matches already fail are passed over without a
    // branch (most of a hybrid firewall's rules name another port's device).
    const next = nextCandidates(top.chain, ctx, ctxKey);
    let skip = next[top.index]!;
    while (skip < top.chain.rules.length && failsConcretely(top.chain.rules[skip]!, w, ctx)) skip = next[skip + 1]!;
    if (skip !== top.index) top = { ...top, index: skip };
    const rule = top.chain.rules[top.index];
    if (rule === undefined) {
      const rest = stack.slice(0, -1);
      if (rest.length === 0) results.push(policy(w));
      else work.push({ stack: rest, w });
      continue;
    }
    const advanced = [...stack.slice(0, -1), { ...top, index: top.index + 1 }];
    const m = symMatchRule(e, rule, w, ctx, ruleset.ipsets);
    if (m.unknown) {
      const u = assume(w.path, m.cond, m.binds);
      if (u) unknown.push(unknownEnd(`${where}: ${rule.origin.text}`, u));
      const miss = assume(w.path, e.not(m.cond));
      if (miss) work.push({ stack: advanced, w: { ...w, path: miss } });
      continue;
    }
    const miss = assume(w.path, e.not(m.cond));
    if (miss) work.push({ stack: advanced, w: { ...w, path: miss } });
    const hitPath = assume(w.path, m.cond, m.binds);
    if (!hitPath) continue;
    const hit: NfPath = { ...w, path: hitPath };
    const t = rule.target;
    switch (t.kind) {
      case 'ACCEPT': results.push({ kind: 'accept', w: hit, nat: null }); break;
      case 'DROP':
      case 'REJECT': results.push({ kind: 'drop', w: hit, by: `${where} ${table.name}/${top.chain.name}: ${rule.origin.text}` }); break;
      case 'RETURN': {
        const rest = advanced.slice(0, -1);
        if (rest.length === 0) results.push(policy(hit));
        else work.push({ stack: rest, w: hit });
        break;
      }
      case 'jump':
      case 'goto': {
        const next = chains.get(t.chain);
        if (!next) { unknown.push(badEnd(where, 'jump to a missing chain', rule, hit.path)); break; }
        if (stack.some((f) => f.via.includes(next.name))) { unknown.push(badEnd(where, 'chain cycle', rule, hit.path)); break; }
        const frame: Frame = { chain: next, index: 0, via: t.kind === 'jump' ? [next.name] : [...top.via, next.name] };
        entered(next);
        work.push({ stack: t.kind === 'jump' ? [...advanced, frame] : [...advanced.slice(0, -1), frame], w: hit });
        break;
      }
      case 'none': work.push({ stack: advanced, w: hit }); break;
      case 'MARK': work.push({ stack: advanced, w: { ...hit, mark: applyMark(hit.mark, t.op, t.value, t.mask) } }); break;
      case 'CONNMARK': {
        if (!hit.hasConn) { work.push({ stack: advanced, w: hit }); break; }
        const r = applyConnmark(t, hit);
        work.push({ stack: advanced, w: { ...hit, mark: r.mark, ctMark: r.ctMark } });
        break;
      }
      case 'CT':
        if (table.name !== 'raw' || hit.looked) { unknown.push(badEnd(where, 'CT outside raw', rule, hit.path)); break; }
        work.push({ stack: advanced, w: { ...hit, notrack: hit.notrack || t.notrack, zone: t.zone ?? hit.zone } });
        break;
      case 'SNAT':
      case 'DNAT':
      case 'REDIRECT': {
        const b = natBinding(t, table.name, hook, hit, ctx);
        if (b.kind === 'bad') unknown.push(badEnd(where, b.why, rule, hit.path));
        else if (b.kind === 'drop') results.push({ kind: 'drop', w: hit, by: `${where}: ${rule.origin.text}` });
        else results.push({ kind: 'accept', w: hit, nat: b.binding });
        break;
      }
      case 'unsupported': unknown.push(badEnd(where, 'unsupported target', rule, hit.path)); break;
      default: {
        const never: never = t;
        throw new Error(`unknown target ${JSON.stringify(never)}`);
      }
    }
  }
  // Rules that accept (or drop) alike leave the table as one path each (merge.ts).
  const merged = mergeBy(e, results, (r) => (r.kind === 'accept' ? `a|${nfStateKey(r.w)}|${JSON.stringify(r.nat)}` : `d|${r.by}|${nfStateKey(r.w)}`), (r) => r.w.path, (r, path) => ({ ...r, w: { ...r.w, path } }));
  return { results: merged, unknown: mergeEnds(e, unknown) };
}

/** A rule netproof cannot follow: the paths it concerns end `unknown`. */
function badEnd(where: string, why: string, rule: NfRule, path: NfPath['path']): End {
  return unknownEnd(`${where}: ${why}: ${rule.origin.text}`, path);
}

export type { NfRule };
