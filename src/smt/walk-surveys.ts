// ARP surveys shared between alike router exits: a router's survey of an external network (who would
// answer its broadcast, walk.ts `arp`) made from another router's survey instead of walked again.
// Why: every router surveys the external network from its gateway port once per walker (to resolve the
// addresses of its connected external subnet), and each survey walks to every other router's gateway
// port: routers × routers namespace visits (at 10,000 VMs, 1,000 surveys of 1,001 stations, about
// 0.1 s each; docs/performance.md).
// Soundness: take two router exits R and S that are alike as alike-exits.ts requires of a crossing — their
// gateway ports internal ports of the same OVS bridge on the same host, with the same port record but
// for name and number, named by no flow of that bridge — in different namespaces. R's survey is a
// concrete walk of R's broadcast request (R's MAC and address as sender, 0.0.0.0 asked for). When every
// place it entered reads neither the frame's source MAC nor the ARP sender fields — OVS bridges none of
// whose flows (own and learned) match `dl_src`, `nw_src` or `arp_spa` or act on anything but the
// destination, VLAN, tunnel key and registers (`surveyBlind`); the
// physical wires, the underlay and the upstream routers (which decide by destination); VMs; and router
// or DHCP namespaces, which take an ARP request and send nothing on — then S's walk is R's with R's
// and S's ports and MACs swapped: the first bridge floods R's frame to S's port as it floods S's frame
// to R's, and nothing after reads who sent it. So S's stations are R's with S's namespace (heard by its
// gateway port) in R's place, each heard by the same interface. What a namespace answers for depends
// on the request's sender address (its input decision, semantics/martian.ts `arpAnswers`): taken as
// heard for R where the namespace's every test of the sender gives the same for S's address as for R's
// (`senderView`), else asked again for S's address, as namespace.ts asks it during a walk. The order differs (a flood skips
// the port it came by), and a survey's answer is the first station in walk order that owns the address:
// so the list is taken only when no address is held by two of its stations, where any order gives the
// same answers. A survey whose walk was unreliable, or that R's own namespace heard, is not shared.
import type { Namespace } from '../ir/dataplane.ts';
import type { Flow, FlowAction } from '../ir/openflow.ts';
import { arpAnswers, LIMITED_BROADCAST, localTable, LOOPBACK, MULTICAST, namespaceSysctls, ZERONET } from '../semantics/martian.ts';
import { concreteLogic } from '../semantics/logic.ts';
import { ipToNum } from './headers.ts';

/** Off only in tests that hold every survey to its own walk; `shared`: surveys made from an alike exit's, in the process. */
export const alikeSurveysSwitch = { on: true, shared: 0 };

/** A station a survey heard: the addresses it would answer for and its MAC; for a namespace, where it heard the request. */
export interface Hearer {
  readonly ips: readonly number[];
  readonly mac: number;
  readonly at: { readonly host: string; readonly ns: Namespace; readonly iface: string } | null;
}

/** A router exit a survey may be shared from: its class (alike-exits.ts terms), its namespace and gateway interface. */
export interface SurveyExit {
  readonly cls: string;
  readonly host: string;
  readonly ns: Namespace;
  readonly iface: Namespace['interfaces'][number];
}

/** A survey kept for its class: the exit it was walked from and what it heard, in walk order. */
export interface SharedSurvey {
  readonly exit: SurveyExit;
  /** The sender address it was walked with (the exit's). */
  readonly sip: number;
  readonly heard: readonly Hearer[];
}

/**
 * What a namespace's answer to an ARP request can read of the sender address `sip`: every test
 * semantics/martian.ts `arpAnswers` makes of it (through `inputDecision` and `sourceRefusals`) is one of
 * these — equal to 0.0.0.0 or 255.255.255.255, within the multicast, loopback or zero network, equal to
 * one of the namespace's own addresses, within an entry of its local table or the prefix of one of its
 * routes — each asked as concreteLogic asks it. Two senders with the same view are answered alike.
 */
export function senderView(ns: Namespace, sip: number): string {
  const L = concreteLogic;
  let bits = '';
  const bit = (b: boolean) => (bits += b ? '1' : '0');
  bit(sip === 0);
  bit(sip === LIMITED_BROADCAST);
  for (const p of [MULTICAST, LOOPBACK, ZERONET]) bit(L.prefix(sip, p.net, p.len));
  for (const i of ns.interfaces) for (const a of i.addresses) bit(sip === ipToNum(a.ip));
  for (const r of localTable(ns)) bit(L.prefix(sip, r.net, r.len));
  for (const r of ns.routes) bit(L.prefix(sip, ipToNum(r.dst.ip), r.dst.prefixLen));
  return bits;
}

/** The addresses of `ns` it answers an ARP request for when asked by `sip` on `inIface` (as namespace.ts's survey hearing). */
export function heardBy(ns: Namespace, inIface: string, sip: number): number[] {
  const sys = namespaceSysctls(ns);
  return ns.interfaces.flatMap((i) => i.addresses.map((a) => ipToNum(a.ip))).filter((tip) => arpAnswers(concreteLogic, ns, sys, inIface, sip, tip));
}

/**
 * Actions a survey's walk takes alike whoever sent the request: they read or write neither its source
 * MAC nor its ARP fields. `learn` among them: the walk takes the flows it installs from the converged
 * state and passes over it (openflow.ts; one it cannot read is an unknown end, and such a survey is not shared).
 */
const SURVEY_BLIND: ReadonlySet<FlowAction['kind']> = new Set<FlowAction['kind']>([
  'output', 'in_port', 'normal', 'drop', 'resubmit', 'goto_table', 'mod_vlan_vid', 'push_vlan', 'set_vlan_vid', 'strip_vlan', 'set_tun_id', 'set_reg', 'mod_dl_dst', 'learn',
]);

/** No flow reads the sender of an ARP request — its source MAC or its sender address — or rewrites ARP fields. */
export function surveyBlind(flows: readonly Flow[]): boolean {
  return flows.every((f) => f.match.dl_src === undefined && f.match.nw_src === undefined && f.match.arp_spa === undefined && f.actions.every((a) => SURVEY_BLIND.has(a.kind)));
}

/**
 * S's survey from R's (`rep`), for S's exit and sender address `sip`; null when it cannot be taken: the
 * same namespace, R's stations heard by S's namespace other than by its gateway port, or an address
 * held by two stations.
 */
export function fromAlike(rep: SharedSurvey, exit: SurveyExit, sip: number, macOf: (iface: Namespace['interfaces'][number]) => number): { ips: readonly number[]; mac: number }[] | null {
  if (rep.exit.host === exit.host && rep.exit.ns.name === exit.ns.name) return null;
  const out: { ips: readonly number[]; mac: number }[] = [];
  const held = new Set<number>();
  for (const h of rep.heard) {
    let ips = h.ips;
    let mac = h.mac;
    if (h.at !== null) {
      let at: { host: string; ns: Namespace; iface: string } = h.at;
      if (at.host === exit.host && at.ns.name === exit.ns.name) {
        // S heard R's request by its gateway port: in S's survey, R hears S's by its own.
        if (at.iface !== exit.iface.name) return null;
        at = { host: rep.exit.host, ns: rep.exit.ns, iface: rep.exit.iface.name };
        mac = macOf(rep.exit.iface);
      }
      // A namespace that sees both senders alike answers S as it answered R.
      ips = at === h.at && senderView(at.ns, rep.sip) === senderView(at.ns, sip) ? h.ips : heardBy(at.ns, at.iface, sip);
    }
    for (const ip of ips) {
      if (held.has(ip)) return null;
      held.add(ip);
    }
    out.push({ ips, mac });
  }
  return out;
}
