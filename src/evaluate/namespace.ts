// A network namespace (qrouter-, qdhcp-, root) receiving a frame on one of its interfaces.
// Guarantees (Linux): the frame is taken if eth_dst is the interface's MAC or a group address. An ARP
// request is answered as arp_process does (martian.ts: a local target, routed like an IPv4 packet from
// its sender, and with arp_ignore=1 — what the L3 agent sets in a router — only for the receiving
// interface's own address asked from one of its subnets; proxy ARP is not modelled). IPv4 goes
// PREROUTING → the input decision (martian.ts: martian sources and destinations dropped, a local
// address, broadcast or the all-hosts group → INPUT → delivered) → with forwarding on, longest-prefix
// route (none → no-route) → source validation for that route (rp_filter, local sources) → only a frame
// addressed to the interface's own MAC is forwarded → FORWARD → POSTROUTING → ARP for the next hop on
// the out interface (no answer → no-arp) → out with the interface's MAC as source.
import type { Ipv4, Mac, Packet } from '../ir/packet.ts';
import { ETH_TYPE } from '../ir/packet.ts';
import type { Namespace, Route } from '../ir/dataplane.ts';
import type { HopEvent, TraceStep } from './trace.ts';
import type { Copy } from './device.ts';
import { dropCopy, emitCopy, endCopy } from './device.ts';
import { broadcastOf, inPrefix, ipv4ToNumber } from '../net/ipv4.ts';
import type { NfEnv } from './hooks.ts';
import { runHookRecorded } from './hooks.ts';
import { answersArp, forwardRefusal, inputOutcome } from './martian.ts';
import { isGroupMac } from './addr.ts';
import { namespaceSysctls, sysctlWords } from '../semantics/martian.ts';

export interface NamespaceEnv {
  readonly host: string;
  readonly nf: NfEnv;
  /**
   * ARP resolution of `ip` from the namespace's interface `iface` (a walk of its own); `uncertain`: what
   * the unanswered request crossed that is not modelled (an answer may have come from beyond it).
   */
  resolveArp(iface: string, ip: Ipv4): { readonly mac: Mac | null; readonly note: string | null; readonly uncertain?: readonly string[] };
}

export interface NamespaceResult {
  readonly steps: readonly TraceStep[];
  readonly events: readonly HopEvent[];
  readonly uncertain: readonly string[];
  readonly copies: readonly Copy[];
}

/** `ip` is the directed broadcast of `addr/prefixLen` (subnets of /31 and /32 have none). */
function isSubnetBroadcast(ip: Ipv4, addr: Ipv4, prefixLen: number): boolean {
  return prefixLen < 31 && broadcastOf(ipv4ToNumber(addr), prefixLen) === ipv4ToNumber(ip);
}

/** Longest-prefix match; among equal prefixes the first route listed wins. */
export function lookupRoute(routes: readonly Route[], dst: Ipv4): Route | null {
  let best: Route | null = null;
  for (const r of routes) {
    if (!inPrefix(dst, r.dst.ip, r.dst.prefixLen)) continue;
    if (best === null || r.dst.prefixLen > best.dst.prefixLen) best = r;
  }
  return best;
}

const routeText = (r: Route) =>
  `${r.dst.prefixLen === 0 ? 'default' : `${r.dst.ip}/${r.dst.prefixLen}`}${r.via ? ` via ${r.via}` : ''} dev ${r.dev}${r.src ? ` src ${r.src}` : ''}`;

export function runNamespace(env: NamespaceEnv, ns: Namespace, inIface: string, packet: Packet): NamespaceResult {
  const { host } = env;
  const steps: TraceStep[] = [];
  const events: HopEvent[] = [];
  const uncertain: string[] = [];
  const where = { host, device: ns.name, namespace: ns.name };
  const result = (copy: Copy): NamespaceResult => ({ steps, events, uncertain, copies: [copy] });
  const drop = (rule: string, kind: 'rule' | 'default' | 'quiet', p: Packet = packet) => result(dropCopy(p, { host, device: ns.name, rule, origin: null }, kind));
  const iface = ns.interfaces.find((i) => i.name === inIface);
  if (!iface) return drop(`no interface ${inIface} in ${ns.name}`, 'default');
  // The interface takes frames to its own MAC and to group addresses (PACKET_BROADCAST/MULTICAST).
  if (packet.eth_dst !== iface.mac && !isGroupMac(packet.eth_dst)) return drop(`${inIface}: frame not addressed to ${iface.mac}`, 'quiet');

  if (packet.eth_type === ETH_TYPE.arp) {
    if (packet.proto !== 1) return result(endCopy('delivered', packet, { kind: 'namespace', namespace: ns.name, host }));
    const sys = namespaceSysctls(ns);
    if (!answersArp(ns, inIface, packet)) return drop(`ARP request for ${packet.ip_dst} from ${packet.ip_src}: no answer on ${inIface} (arp_process; ${sysctlWords(sys, ['arpIgnore', 'routeLocalnet'])})`, 'quiet');
    events.push({ kind: 'arp', ip: packet.ip_dst, mac: iface.mac });
    steps.push({ where: 'arp', rule: `${packet.ip_dst} is local, asked on ${inIface} (${sysctlWords(sys, ['arpIgnore'])})`, action: `reply ${iface.mac}`, origin: null });
    return result(endCopy('delivered', packet, { kind: 'namespace', namespace: ns.name, host }, { arpOwner: iface.mac }));
  }
  if (packet.eth_type !== ETH_TYPE.ipv4) return drop(`ethertype 0x${packet.eth_type.toString(16)} not modelled`, 'default');

  const localAddress = iface.addresses[0]?.ip ?? null;
  const pre = runHookRecorded(env.nf, where, ns.netfilter, 'PREROUTING', env.nf.engine.newState(packet), {
    inIface, outIface: null, physdevIn: null, physdevOut: null, bridged: false, localAddress,
  });
  steps.push(...pre.steps);
  events.push(...pre.events, { kind: 'conntrack', zone: pre.state.zone, state: pre.state.ctState });
  uncertain.push(...pre.uncertain);
  if (pre.drop) return result(dropCopy(pre.state.packet, pre.drop, 'rule'));
  let p = pre.state.packet;

  // The input decision (martian.ts): martians dropped; an address of the namespace, the broadcast
  // address of one of its subnets (with bc_forwarding off it is delivered, never forwarded), the
  // limited broadcast or the all-hosts group taken locally; anything else routed.
  const decision = inputOutcome(ns, inIface, p);
  if (decision.kind === 'drop') {
    steps.push({ where: 'route', rule: decision.why, action: 'drop', origin: null });
    return drop(`${decision.why}: ${p.ip_src} → ${p.ip_dst} on ${inIface}`, 'default', p);
  }
  if (decision.kind === 'local') {
    const owner = ns.interfaces.find((i) => i.addresses.some((a) => a.ip === p.ip_dst)) ?? ns.interfaces.find((i) => i.addresses.some((a) => isSubnetBroadcast(p.ip_dst, a.ip, a.prefixLen)));
    const inp = runHookRecorded(env.nf, where, ns.netfilter, 'INPUT', pre.state, { inIface, outIface: null, physdevIn: null, physdevOut: null, bridged: false });
    steps.push(...inp.steps);
    events.push(...inp.events);
    uncertain.push(...inp.uncertain);
    if (inp.drop) return result(dropCopy(inp.state.packet, inp.drop, 'rule'));
    events.push({ kind: 'local-delivery', iface: owner?.name ?? inIface });
    return result(endCopy('delivered', inp.state.packet, { kind: 'namespace', namespace: ns.name, host }));
  }
  if (!ns.forwarding) return drop(`${ns.name} does not forward (not a local address: ${p.ip_dst})`, 'default', p);
  // Linux's ip_forward routes only frames addressed to the interface (pkt_type PACKET_HOST), never a
  // link-layer broadcast.
  if (packet.eth_dst !== iface.mac) return drop(`${inIface}: link-layer broadcast to ${p.ip_dst}, not forwarded`, 'quiet', p);

  const route = lookupRoute(ns.routes, p.ip_dst);
  if (!route) {
    steps.push({ where: 'route', rule: `no route to ${p.ip_dst}`, action: 'drop', origin: null });
    return result(endCopy('no-route', p, null, { drop: { host, device: ns.name, rule: `no route to ${p.ip_dst}`, origin: null } }));
  }
  steps.push({ where: 'route', rule: routeText(route), action: `out ${route.dev}`, origin: route.origin });
  events.push({ kind: 'route', route });
  const refused = forwardRefusal(ns, inIface, route.dev, p);
  if (refused !== null) {
    steps.push({ where: 'route', rule: refused, action: 'drop', origin: null });
    return drop(`${refused}: ${p.ip_src} → ${p.ip_dst}, ${inIface} → ${route.dev}`, 'default', p);
  }
  const ctx = { inIface, outIface: route.dev, physdevIn: null, physdevOut: null, bridged: false };
  const fwd = runHookRecorded(env.nf, where, ns.netfilter, 'FORWARD', pre.state, ctx);
  steps.push(...fwd.steps);
  events.push(...fwd.events);
  uncertain.push(...fwd.uncertain);
  if (fwd.drop) return result(dropCopy(fwd.state.packet, fwd.drop, 'rule'));
  const post = runHookRecorded(env.nf, where, ns.netfilter, 'POSTROUTING', fwd.state, ctx);
  steps.push(...post.steps);
  events.push(...post.events);
  uncertain.push(...post.uncertain);
  if (post.drop) return result(dropCopy(post.state.packet, post.drop, 'rule'));
  p = post.state.packet;

  const out = ns.interfaces.find((i) => i.name === route.dev);
  if (!out) return drop(`route via ${route.dev}: no such interface`, 'default', p);
  const nextHop = route.via ?? p.ip_dst;
  const arp = env.resolveArp(out.name, nextHop);
  events.push({ kind: 'arp', ip: nextHop, mac: arp.mac });
  if (arp.note) events.push({ kind: 'note', text: arp.note });
  if (arp.mac === null) {
    // No answer is a fact only where the request crossed nothing unmodelled.
    uncertain.push(...(arp.uncertain ?? []));
    return result(endCopy('no-arp', p, null, { drop: { host, device: ns.name, rule: `no ARP reply for ${nextHop} on ${out.name}`, origin: null } }));
  }
  return result(emitCopy(out.name, { ...p, eth_src: out.mac, eth_dst: arp.mac, vlan: null, tun_id: null }));
}
