// The Linux IPv4 input path's own decisions over a symbolic packet, as src/evaluate/martian.ts takes
// them for a concrete one: both instantiate the decisions src/semantics/martian.ts writes once (the
// input decision after PREROUTING, source validation for the chosen route, ARP answers) — here with
// the encoder's terms, which fold to booleans while the values are concrete.
import type { Namespace } from '../ir/dataplane.ts';
import type { Branch, Logic } from '../semantics/logic.ts';
import { arpAnswers, forwardDecision, inputDecision, namespaceSysctls, type InputOutcome } from '../semantics/martian.ts';
import type { Cond, Enc, Val } from './cond.ts';
import type { SymPacket } from './headers.ts';

const logics = new WeakMap<Enc, Logic<Cond, Val>>();

/** The encoder as the Boolean algebra the shared decisions are written over. */
export function encLogic(e: Enc): Logic<Cond, Val> {
  let L = logics.get(e);
  if (!L) {
    L = {
      yes: true,
      no: false,
      and: (...cs) => e.and(...cs),
      or: (...cs) => e.or(...cs),
      not: (c) => e.not(c),
      eq: (v, n, bits) => e.eq(v, n, bits),
      prefix: (v, net, len) => e.prefix(v, net, len),
    };
    logics.set(e, L);
  }
  return L;
}

/** The input decision's branches for `p` (after PREROUTING) arriving on `inIface`. */
export function inputBranches(e: Enc, ns: Namespace, inIface: string, p: SymPacket): Branch<Cond, InputOutcome>[] {
  return inputDecision(encLogic(e), ns, namespaceSysctls(ns), inIface, p.ip_src, p.ip_dst, p.proto);
}

/** The branches of source validation once the route out of `outIface` is chosen. */
export function forwardBranches(e: Enc, ns: Namespace, inIface: string, outIface: string, p: SymPacket): Branch<Cond, { kind: 'forward' } | { kind: 'drop'; why: string }>[] {
  return forwardDecision(encLogic(e), ns, namespaceSysctls(ns), inIface, outIface, p.ip_src);
}

/** The condition that the namespace answers the ARP request `p` (op 1) arriving on `inIface`. */
export function arpAnswered(e: Enc, ns: Namespace, inIface: string, p: SymPacket): Cond {
  return arpAnswers(encLogic(e), ns, namespaceSysctls(ns), inIface, p.ip_src, p.ip_dst);
}
