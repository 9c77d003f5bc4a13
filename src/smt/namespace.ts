// A network namespace over a symbolic packet (a qrouter, a qdhcp, or a host's root namespace reached
// as a router), as src/evaluate/namespace.ts: frames not for the arriving interface (unicast to another
// MAC) are not taken; an ARP request is answered as arp_process does (martian.ts); IPv4 runs
// PREROUTING, then the input decision (martian.ts): martians dropped, a local address, a subnet's or
// the limited broadcast or the all-hosts group delivered locally (INPUT), anything else routed by
// longest prefix, its source validated for the chosen route (rp_filter, the namespace's own
// addresses), then FORWARD, POSTROUTING and out of the route's interface to the next hop's MAC,
// resolved by ARP. Only a frame addressed to the interface's own MAC is routed: Linux's ip_forward
// drops what arrived as link-layer broadcast or multicast (pkt_type != PACKET_HOST).
// Guarantees: the results partition the packets arriving; a routed copy leaves with the outgoing
// interface's MAC as source, no VLAN and no tunnel key; a next hop no one answers for is `no-arp`.
import type { Namespace } from '../ir/dataplane.ts';
import type { NfContext } from '../semantics/netfilter.ts';
import { ETH_TYPE } from '../ir/packet.ts';
import { ipToNum, isArp, isGroupDst, isIpv4, macToNum } from './headers.ts';
import type { Cond } from './cond.ts';
import type { Path, Step } from './path.ts';
import { assume, ended, unknownEnd, withPacket } from './path.ts';
import { newNfPath, type NfPath } from './netfilter/state.ts';
import { symRunHook } from './netfilter/hook.ts';
import { lpmBranches } from './route.ts';
import { formatIpv4 } from '../net/ipv4.ts';
import { ownersIn } from './owners.ts';
import type { WalkCtx } from './walk-ctx.ts';
import { arpAnswered, forwardBranches, inputBranches } from './martian.ts';
import { arpAnswers, namespaceSysctls } from '../semantics/martian.ts';
import { concreteLogic } from '../semantics/logic.ts';

/**
 * A routed copy whose next hop is not resolved yet: the walker resolves it with `toNextHop`, once per
 * packet state (every sender behind a router leaves through its gateway with the same SNATed packet).
 */
export interface RouteStep {
  readonly kind: 'route';
  readonly oif: Namespace['interfaces'][number];
  readonly route: Namespace['routes'][number];
  readonly path: Path;
}

export type NamespaceStep = Step | RouteStep;

export function symNamespace(w: WalkCtx, host: string, ns: Namespace, inIface: string, path: Path): NamespaceStep[] {
  const { e } = w;
  const where = `${host}/${ns.name}`;
  const iface = ns.interfaces.find((i) => i.name === inIface);
  if (!iface) return [ended('dropped', path, `${where}: no interface ${inIface}`)];
  const pk = path.packet;
  const out: NamespaceStep[] = [];
  const forMe = e.or(e.eq(pk.eth_dst, macToNum(iface.mac), 48), isGroupDst(e, pk));
  const notMe = assume(path, e.not(forMe));
  if (notMe) out.push(ended('dropped', notMe, `${where}:${inIface}: frame for another MAC`));
  const mine = assume(path, forMe);
  if (!mine) return out;

  const p = mine.packet;
  const request = e.and(isArp(e, p), e.eq(p.proto, 1, 8));
  // A survey asks with a concrete sender: the addresses whose request it would answer (martian.ts).
  if (w.surveying && request === true && typeof p.ip_src === 'number') {
    const sip = p.ip_src;
    const heard = ns.interfaces.flatMap((i) => i.addresses.map((a) => ipToNum(a.ip))).filter((tip) => arpAnswers(concreteLogic, ns, namespaceSysctls(ns), inIface, sip, tip));
    w.arpHeard(heard, macToNum(iface.mac));
  }
  const arpHit = e.and(request, arpAnswered(e, ns, inIface, p));
  const arp = assume(mine, arpHit);
  if (arp) out.push(ended('delivered', arp, `${where}:${inIface}: ARP reply`, { kind: 'namespace', namespace: ns.name, host }, macToNum(iface.mac)));
  const unanswered = assume(mine, e.and(request, e.not(arpHit)));
  if (unanswered) out.push(ended('dropped', unanswered, `${where}:${inIface}: ARP request not answered (arp_process)`));
  // Other ARP (replies) is taken by the namespace, as in the evaluator.
  const otherArp = assume(mine, e.and(isArp(e, p), e.not(e.eq(p.proto, 1, 8))));
  if (otherArp) out.push(ended('delivered', otherArp, `${where}:${inIface}: ARP`, { kind: 'namespace', namespace: ns.name, host }));
  const otherL3 = assume(mine, e.and(e.not(isArp(e, p)), e.not(isIpv4(e, p))));
  if (otherL3) out.push(ended('dropped', otherL3, `${where}:${inIface}: not IPv4`));
  const v4 = assume(mine, isIpv4(e, p), [{ field: 'eth_type', value: ETH_TYPE.ipv4 }]);
  if (!v4) return out;

  const ctx: NfContext = { inIface, outIface: null, physdevIn: null, physdevOut: null, bridged: false, localAddress: iface.addresses[0]?.ip ?? null };
  const pre = symRunHook(e, ns.netfilter, 'PREROUTING', newNfPath(v4, `${host}/${ns.name}`, w.dnatTargets), ctx, where);
  out.push(...pre.ends);
  for (const st of pre.accepted) out.push(...afterPrerouting(w, host, ns, inIface, macToNum(iface.mac), st));
  return out;
}

function afterPrerouting(w: WalkCtx, host: string, ns: Namespace, inIface: string, ifaceMac: number, st: NfPath): NamespaceStep[] {
  const { e } = w;
  const where = `${host}/${ns.name}`;
  const out: NamespaceStep[] = [];
  // The input decision (martian.ts): martians dropped; a local address, a subnet's or the limited
  // broadcast (never forwarded: bc_forwarding is off) or the all-hosts group taken locally.
  let routed: Path | null = null;
  for (const b of inputBranches(e, ns, inIface, st.path.packet)) {
    const bp = assume(st.path, b.when);
    if (!bp) continue;
    const d = b.then;
    if (d.kind === 'drop') out.push(ended('dropped', bp, `${where}: ${d.why}`));
    else if (d.kind === 'local') {
      const r = symRunHook(e, ns.netfilter, 'INPUT', { ...st, path: bp }, { inIface, outIface: null, physdevIn: null, physdevOut: null, bridged: false }, where);
      out.push(...r.ends);
      for (const a of r.accepted) out.push(ended('delivered', a.path, `${where}: local delivery`, { kind: 'namespace', namespace: ns.name, host }));
    } else routed = bp;
  }
  const notLocal = routed;
  if (!notLocal) return out;
  if (!ns.forwarding) return [...out, ended('dropped', notLocal, `${where}: forwarding off`)];
  const toMe = e.eq(notLocal.packet.eth_dst, ifaceMac, 48);
  const linkBroadcast = assume(notLocal, e.not(toMe));
  if (linkBroadcast) out.push(ended('dropped', linkBroadcast, `${where}:${inIface}: link-layer broadcast or multicast, not forwarded`));
  const fwd = assume(notLocal, toMe, [{ field: 'eth_dst', value: ifaceMac }]);
  if (!fwd) return out;
  for (const b of lpmBranches(e, ns.routes, fwd.packet.ip_dst)) {
    const rp = assume(fwd, b.guard.cond, b.guard.binds);
    if (!rp) continue;
    if (b.route === null) { out.push(ended('no-route', rp, `${where}: no route`)); continue; }
    const route = b.route;
    const oif = ns.interfaces.find((i) => i.name === route.dev);
    if (!oif) { out.push(ended('no-route', rp, `${where}: route via missing device ${route.dev}`)); continue; }
    // Source validation for this route (rp_filter, a source of the namespace's own): martian.ts.
    let taken: Path | null = null;
    for (const v of forwardBranches(e, ns, inIface, route.dev, rp.packet)) {
      const vp = assume(rp, v.when);
      if (!vp) continue;
      if (v.then.kind === 'drop') out.push(ended('dropped', vp, `${where}: ${v.then.why}`));
      else taken = vp;
    }
    if (!taken) continue;
    const fctx: NfContext = { inIface, outIface: oif.name, physdevIn: null, physdevOut: null, bridged: false };
    const f = symRunHook(e, ns.netfilter, 'FORWARD', { ...st, path: taken }, fctx, where);
    out.push(...f.ends);
    for (const a of f.accepted) {
      const post = symRunHook(e, ns.netfilter, 'POSTROUTING', a, { ...fctx, inIface }, where);
      out.push(...post.ends);
      // The copy leaves with the interface's MAC as source, untagged: set now, so that every
      // sender's packet that the router SNATs to the same address is the same routed copy.
      const mac = macToNum(oif.mac);
      for (const z of post.accepted) out.push({ kind: 'route', oif, route, path: withPacket(z.path, { ...z.path.packet, eth_src: mac, eth_dst: mac, vlan: null, tun_id: null }) });
    }
  }
  return out;
}

/**
 * The routed copy sent to its next hop's MAC (resolved by ARP), one branch per answering address.
 * `only`: for a connected route, the addresses to branch on (a subset of the route's owners, in their
 * order), and no `no-arp` branch for the rest — for a walker that knows the others' copies and that
 * branch tell nothing (walk.ts `nextHop`).
 */
export function toNextHop(w: WalkCtx, host: string, ns: Namespace, oif: Namespace['interfaces'][number], route: Namespace['routes'][number], path: Path, only?: readonly number[]): Step[] {
  const { e } = w;
  const where = `${host}/${ns.name}`;
  const from = { host, device: ns.name, port: oif.name };
  const srcIp = oif.addresses[0] ? ipToNum(oif.addresses[0].ip) : 0;
  const leave = (p: Path, mac: number): Step => ({
    kind: 'emit',
    port: oif.name,
    path: withPacket(p, { ...p.packet, eth_src: macToNum(oif.mac), eth_dst: mac, vlan: null, tun_id: null }),
  });
  if (route.via !== null) {
    const mac = w.arp(from, macToNum(oif.mac), srcIp, null, ipToNum(route.via), true);
    if (mac === null) return [ended('no-arp', path, `${where}: no ARP answer for ${route.via}`)];
    if (typeof mac === 'object') return [unknownEnd(`${where}: ARP for ${route.via}: ${mac.unknown}`, path)];
    return [leave(path, mac)];
  }
  // A connected route: the destination itself is the next hop; one branch per address that answers.
  const out: Step[] = [];
  const answered: Cond[] = [];
  const seen = new Set<number>();
  for (const ip of only ?? ownersIn(w.owners, ipToNum(route.dst.ip), route.dst.prefixLen).map((o) => o.ip)) {
    if (seen.has(ip)) continue;
    seen.add(ip);
    const hit = e.eq(path.packet.ip_dst, ip, 32);
    const p = assume(path, hit, [{ field: 'ip_dst', value: ip }]);
    if (!p) continue;
    const mac = w.arp(from, macToNum(oif.mac), srcIp, null, ip);
    if (mac === null) continue;
    answered.push(hit);
    out.push(typeof mac === 'object' ? unknownEnd(`${where}: ARP for ${formatIpv4(ip)}: ${mac.unknown}`, p) : leave(p, mac));
  }
  if (only !== undefined) return out;
  const none = assume(path, e.and(...answered.map((c) => e.not(c))));
  if (none) out.push(ended('no-arp', none, `${where}: no ARP answer on ${oif.name}`));
  return out;
}
