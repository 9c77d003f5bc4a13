// The Linux IPv4 input path's own decisions for a concrete packet in a namespace, as
// src/semantics/martian.ts defines them once for both engines: the input decision after PREROUTING
// (martian source or destination, multicast, broadcast, a local address, or on to routing), the source
// validation once a route is chosen, and whether an ARP request gets an answer.
import type { Namespace } from '../ir/dataplane.ts';
import type { Packet } from '../ir/packet.ts';
import { ipv4ToNumber, prefixMask } from '../net/ipv4.ts';
import { concreteLogic as L, taken } from '../semantics/logic.ts';
import { arpAnswers, forwardDecision, inputDecision, localTable, namespaceSysctls, type InputOutcome } from '../semantics/martian.ts';

export type { InputOutcome };

/** What the input path does with `p` (after PREROUTING) arriving on `inIface`. */
export function inputOutcome(ns: Namespace, inIface: string, p: Packet): InputOutcome {
  return taken(inputDecision(L, ns, namespaceSysctls(ns), inIface, ipv4ToNumber(p.ip_src), ipv4ToNumber(p.ip_dst), p.proto));
}

/** Why the chosen route is refused for `p`'s source (martian, reverse path), or null when it is taken. */
export function forwardRefusal(ns: Namespace, inIface: string, outIface: string, p: Packet): string | null {
  const d = taken(forwardDecision(L, ns, namespaceSysctls(ns), inIface, outIface, ipv4ToNumber(p.ip_src)));
  return d.kind === 'drop' ? d.why : null;
}

/** The namespace answers the ARP request `p` (op 1) arriving on `inIface`. */
export function answersArp(ns: Namespace, inIface: string, p: Packet): boolean {
  // arpAnswers answers only a local target (a probe asks the local table, a request the input path's
  // local-address branch): a namespace holding no such address, as most a flood reaches, answers nothing.
  const tip = ipv4ToNumber(p.ip_dst);
  if (!localTable(ns).some((r) => r.type === 'local' && ((tip & prefixMask(r.len)) >>> 0) === r.net)) return false;
  return arpAnswers(L, ns, namespaceSysctls(ns), inIface, ipv4ToNumber(p.ip_src), tip);
}
