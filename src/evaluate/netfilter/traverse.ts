// Traversal of one table's built-in chain for one hook, as ipt_do_table: rules in order, a rule
// acts when all its matches hold; ACCEPT ends the table (the next table of the hook runs), DROP and
// REJECT drop, RETURN goes back to the caller (or to the built-in chain's policy), `-j` calls,
// `-g` replaces the current frame (a RETURN then goes to the caller of the chain that did the goto),
// non-terminating targets (MARK, CONNMARK, CT, no target) continue, SNAT/DNAT/REDIRECT bind the
// connection and end the table with ACCEPT. Guarantees: terminates on every ruleset (a jump or goto
// into a chain already on the current path is a cycle: reported as uncertain and skipped), and every
// matched rule is recorded in order.
import type { Packet } from '../../ir/packet.ts';
import type { CtState, NfChain, NfRule, NfTable, NfTarget, NetfilterRuleset } from '../../ir/netfilter.ts';
import { type Conntrack, type ConnectionRef, getConnection } from './conntrack.ts';
import { matchRule } from './match.ts';
import { bindDst, bindSrc } from './nat.ts';
import { applyConnmark, applyMark, natTargetAllowed, parseNatSpec, redirectAddress } from '../../semantics/netfilter.ts';
import { dnatPortMap, rangePortFor } from '../../semantics/dnat-port.ts';
import { describeTarget } from './describe.ts';
import { contextKey, nextCandidates, prepareChain } from '../../semantics/netfilter-candidates.ts';
import type { Hook, NatEvent, NfContext, RuleHit } from './types.ts';

/** The mutable working state of one hook evaluation (runHook copies it into an NfState at the end). */
export interface Work {
  packet: Packet;
  mark: number;
  zone: number;
  notrack: boolean;
  ctState: CtState;
  ct: ConnectionRef | null;
  readonly hits: RuleHit[];
  readonly uncertain: string[];
  readonly nat: NatEvent[];
}

export type TableOutcome =
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop'; readonly chain: string; readonly rule: NfRule | null };

export function noteUncertain(w: Work, text: string): void {
  if (!w.uncertain.includes(text)) w.uncertain.push(text);
}

interface Frame {
  chain: NfChain;
  index: number;
  /** The chains this frame has been through (its own and those it went to by goto). */
  via: string[];
  /** The chain's next rule that may match in this context, per rule index (semantics/netfilter-candidates.ts). */
  next: Int32Array;
}

/** What a matched rule's target tells the traversal to do next. */
type Step =
  | { readonly kind: 'continue' }
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'return' }
  | { readonly kind: 'call' | 'goto'; readonly chain: string };

/**
 * A table's chains by name, made once per table: a host's filter table has chains per port, and a
 * trace runs several tables per hop (a map per run was most of a concrete trace's netfilter time).
 * A jump goes to the last chain of its name, the built-in chain run is the first (as a parsed ruleset
 * never has two of a name, this only keeps what the traversal did).
 */
interface Chains {
  readonly byName: ReadonlyMap<string, NfChain>;
  readonly firstByName: ReadonlyMap<string, NfChain>;
}
const chainMaps = new WeakMap<NfTable, Chains>();

function chainsOf(table: NfTable): Chains {
  let m = chainMaps.get(table);
  if (m === undefined) {
    const firstByName = new Map<string, NfChain>();
    for (const c of table.chains) if (!firstByName.has(c.name)) firstByName.set(c.name, c);
    m = { byName: new Map(table.chains.map((c) => [c.name, c] as const)), firstByName };
    chainMaps.set(table, m);
  }
  return m;
}

/**
 * Builds now what the first packet through `ruleset` would: each table's chains by name and each chain's
 * candidate index. A resident model does it at load for every namespace (a router's first packet otherwise pays it).
 */
export function prepareRuleset(ruleset: NetfilterRuleset): void {
  for (const table of ruleset.tables) {
    chainsOf(table);
    for (const chain of table.chains) prepareChain(chain);
  }
}

/** Run `table`'s chain for `hook`; a missing table or chain accepts. */
export function runTable(
  ruleset: NetfilterRuleset,
  table: NfTable | undefined,
  hook: Hook,
  w: Work,
  ctx: NfContext,
  conntrack: Conntrack,
): TableOutcome {
  if (!table) return { kind: 'accept' };
  const { byName: chains, firstByName } = chainsOf(table);
  const base = firstByName.get(hook);
  if (!base) return { kind: 'accept' };
  const policy = (): TableOutcome =>
    base.policy === 'DROP' ? { kind: 'drop', chain: base.name, rule: null } : { kind: 'accept' };

  const key = contextKey(ctx);
  const frame = (chain: NfChain, via: string[]): Frame => ({ chain, index: 0, via, next: nextCandidates(chain, ctx, key) });
  const stack: Frame[] = [frame(base, [base.name])];
  for (;;) {
    const top = stack[stack.length - 1]!;
    // Rules whose interface or physdev match fails in this context are passed over (semantics/netfilter-candidates.ts).
    top.index = top.next[top.index]!;
    const rule = top.chain.rules[top.index];
    if (rule === undefined) {
      // End of a user chain is an implicit RETURN; end of the built-in chain is its policy.
      stack.pop();
      if (stack.length === 0) return policy();
      continue;
    }
    top.index++;
    const conn = w.ct ? getConnection(conntrack, w.ct) : null;
    const m = matchRule(rule, { packet: w.packet, mark: w.mark, ctState: w.ctState, conn, ctx, ipsets: ruleset.ipsets });
    if (m.kind === 'unknown') noteUncertain(w, rule.origin.text);
    if (m.kind !== 'match') continue;

    w.hits.push({ table: table.name, chain: top.chain.name, rule, action: describeTarget(rule.target) });
    const step = applyTarget(rule, rule.target, table.name, hook, w, ctx, conntrack);
    switch (step.kind) {
      case 'continue':
        break;
      case 'accept':
        return { kind: 'accept' };
      case 'drop':
        return { kind: 'drop', chain: top.chain.name, rule };
      case 'return':
        stack.pop();
        if (stack.length === 0) return policy();
        break;
      case 'call':
      case 'goto': {
        const next = chains.get(step.chain);
        if (!next) {
          noteUncertain(w, rule.origin.text); // the kernel refuses a jump to a missing chain
          break;
        }
        if (stack.some((f) => f.via.includes(next.name))) {
          noteUncertain(w, rule.origin.text); // a cycle: the kernel refuses such a ruleset (ELOOP)
          break;
        }
        if (step.kind === 'call') stack.push(frame(next, [next.name]));
        else stack[stack.length - 1] = frame(next, [...top.via, next.name]);
        break;
      }
      default: {
        const never: never = step;
        throw new Error(`internal: unknown step ${String(never)}`);
      }
    }
  }
}

function applyTarget(rule: NfRule, t: NfTarget, table: string, hook: Hook, w: Work, ctx: NfContext, conntrack: Conntrack): Step {
  switch (t.kind) {
    case 'ACCEPT':
      return { kind: 'accept' };
    case 'DROP':
    case 'REJECT':
      return { kind: 'drop' };
    case 'RETURN':
      return { kind: 'return' };
    case 'jump':
      return { kind: 'call', chain: t.chain };
    case 'goto':
      return { kind: 'goto', chain: t.chain };
    case 'none':
      return { kind: 'continue' };
    case 'MARK':
      w.mark = applyMark(w.mark, t.op, t.value, t.mask);
      return { kind: 'continue' };
    case 'CONNMARK': {
      if (!w.ct) return { kind: 'continue' }; // no connection: CONNMARK does nothing
      const c = getConnection(conntrack, w.ct);
      const r = applyConnmark(t, { mark: w.mark, ctMark: c.mark });
      w.mark = r.mark;
      c.mark = r.ctMark;
      return { kind: 'continue' };
    }
    case 'CT':
      // Only meaningful in raw before the lookup; the kernel refuses CT elsewhere.
      if (table !== 'raw' || w.ct) {
        noteUncertain(w, rule.origin.text);
        return { kind: 'continue' };
      }
      if (t.notrack) w.notrack = true;
      if (t.zone !== null) w.zone = t.zone;
      return { kind: 'continue' };
    case 'SNAT':
    case 'DNAT':
    case 'REDIRECT':
      return natTarget(rule, t, table, hook, w, ctx, conntrack);
    case 'unsupported':
      noteUncertain(w, rule.origin.text);
      return { kind: 'continue' };
    default: {
      const never: never = t;
      throw new Error(`internal: unknown target ${String(never)}`);
    }
  }
}

type NatTarget = Extract<NfTarget, { kind: 'SNAT' | 'DNAT' | 'REDIRECT' }>;

function natTarget(rule: NfRule, t: NatTarget, table: string, hook: Hook, w: Work, ctx: NfContext, conntrack: Conntrack): Step {
  // Outside its table or hook the kernel refuses the rule; only NEW connections reach here.
  if (!natTargetAllowed(t, table, hook) || !w.ct) {
    noteUncertain(w, rule.origin.text);
    return { kind: 'continue' };
  }
  const c = getConnection(conntrack, w.ct);
  switch (t.kind) {
    case 'DNAT': {
      const spec = parseNatSpec(t.to);
      if (!spec) break;
      const map = dnatPortMap(t, spec);
      let port: number | null = map.kind === 'set' ? map.port : null;
      if (map.kind === 'range' && w.packet.dport !== null) {
        const choice = rangePortFor(map.range, w.packet.dport);
        // The kernel may pick any port of the range: the replay shows its first, and the trace says it is not the only one.
        if (choice.kind === 'any') noteUncertain(w, `${rule.origin.text} (${choice.why})`);
        port = choice.kind === 'port' ? choice.port : choice.range[0];
      }
      bindDst(c, spec.ip, port, 'DNAT');
      return { kind: 'accept' };
    }
    case 'SNAT': {
      const spec = parseNatSpec(t.to);
      if (!spec) break;
      bindSrc(conntrack, c, spec, t.fully_random);
      return { kind: 'accept' };
    }
    case 'REDIRECT': {
      const ip = redirectAddress(hook, ctx);
      if (ip === null) {
        noteUncertain(w, rule.origin.text); // the kernel drops when the interface has no address
        return { kind: 'drop' };
      }
      bindDst(c, ip, t.toPort, 'REDIRECT');
      return { kind: 'accept' };
    }
    default: {
      const never: never = t;
      throw new Error(`internal: unknown NAT target ${String(never)}`);
    }
  }
  noteUncertain(w, rule.origin.text); // a NAT address netproof cannot read
  return { kind: 'continue' };
}
