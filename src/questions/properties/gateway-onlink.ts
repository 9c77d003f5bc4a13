// `gateway`, the on-link part of a router's external gateway (subject `router:R/SUBNET`, the gateway
// port's subnet): the router sends to another address of its external subnet straight out of its qg-
// device, to that address's MAC — never by its default route to the upstream router. What Neutron's
// L3 agent guarantees by configuring the gateway port's address: `interface.py` init_l3 adds each
// address with `ip_lib` IpAddrCommand.add (`ip addr add CIDR dev qg-…`; Neutron 2024.1), and the kernel
// adds the subnet's connected route (`proto kernel scope link`) with it. Without that route Linux
// sends the subnet's other addresses (a DHCP port, another router's gateway or floating IP) to the
// upstream router, which sends them back onto the subnet (src/semantics/upstream.ts): they still
// arrive, from the upstream router's MAC, so no property that judges where a packet ends sees it.
// The address asked for: the first, in address order, of those another holder has on the subnet
// (namespaces other than the router's own, VM ports) that answer the upstream router's ARP request
// (an address in use on the link); none → the upstream router's own address, which the router must
// reach on the link too: by its connected route, or by its default route via that address out of
// qg- — but not when an extra route has replaced the default route (`0.0.0.0/0` via a tenant next
// hop) and the connected route is gone, when a packet to the subnet's gateway leaves by another
// router, untranslated. On a subnet without an upstream router (no gateway address) the same is asked of
// the first other holder, at its own MAC (`checkOnLinkAlone`). The packet: an ICMP
// echo request from the gateway address, sent as the namespace's own stack sends it (evaluator
// `sendFromNamespace`); it must leave qg- addressed to the MAC the upstream router's ARP found.
import type { RouterT } from '../../topology/model.ts';
import type { Packet } from '../../ir/packet.ts';
import type { Trace } from '../../evaluate/trace.ts';
import type { OutsideStation } from '../../semantics/topology-index.ts';
import { deviceName } from '../../render/names.ts';
import { inPrefix, ipv4ToNumber } from '../../net/ipv4.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { firstPacket } from '../packet.ts';
import { parseCidr } from '../../render/linux/addr.ts';
import { subnetByRef } from '../../topology/lookup.ts';
import { traceOutcome } from '../witness-replay.ts';
import { copies } from './search.ts';

const ID = 'gateway';

/**
 * Other holders' addresses on the subnet `cidr` (namespaces other than the router's own, VM ports), in
 * address order, each with its holder's MAC; none of `own`, nor `except` (the upstream router's).
 */
function holders(ctx: VerifyContext, ns: string, cidr: { ip: string; prefixLen: number }, own: ReadonlySet<string>, except: string | null): { ip: string; mac: string }[] {
  const inSubnet = (ip: string) => inPrefix(ip, cidr.ip, cidr.prefixLen) && ip !== except && !own.has(ip);
  const held = new Map<string, string>();
  for (const h of ctx.dataplane.hosts) {
    for (const n of h.namespaces) {
      if (n.name === ns) continue;
      for (const i of n.interfaces) for (const a of i.addresses) if (inSubnet(a.ip) && !held.has(a.ip)) held.set(a.ip, i.mac);
    }
  }
  for (const s of ctx.dataplane.stations) if (s.kind === 'vm-port' && inSubnet(s.ip) && !held.has(s.ip)) held.set(s.ip, s.mac);
  return [...held].sort(([a], [b]) => ipv4ToNumber(a) - ipv4ToNumber(b)).map(([ip, mac]) => ({ ip, mac }));
}

/** The router's own addresses (every instance's namespace of that name). */
const ownAddresses = (ctx: VerifyContext, ns: string): Set<string> =>
  new Set(ctx.dataplane.hosts.flatMap((h) => h.namespaces.filter((n) => n.name === ns).flatMap((n) => n.interfaces.flatMap((i) => i.addresses.map((a) => a.ip)))));

/** Another holder's address on `o`'s subnet that answers the upstream router's ARP there, with the MAC that answers; null when none. */
function onLinkTarget(ctx: VerifyContext, ns: string, o: OutsideStation, own: ReadonlySet<string>): { ip: string; mac: string } | null {
  for (const { ip } of holders(ctx, ns, o.cidr, own, o.gateway)) {
    const mac = ctx.evaluator.resolveArp(o, ip).mac;
    if (mac !== null) return { ip, mac };
  }
  return null;
}

/**
 * The on-link check for router `r`'s gateway, after its gateway address was reached on `host` by
 * `asked` (the upstream router's echo request as it arrived): null when it holds (the holds message
 * then says what was checked, `checked`), else the violated or unknown result.
 */
export function checkOnLink(ctx: VerifyContext, r: RouterT, o: OutsideStation, host: string, asked: Packet, subject: string): { result: PropertyResult | null; checked: string } {
  const ns = deviceName.qrouter(r.id);
  const holder = onLinkTarget(ctx, ns, o, ownAddresses(ctx, ns));
  const target = holder ?? { ip: o.gateway, mac: o.mac };
  const what = `${r.name}'s packet to ${target.ip} (${holder !== null ? 'another address' : "the upstream router's address, no other address answering ARP there,"} of ${r.gateway!.subnet}, at ${target.mac})`;
  return sendOnLink(ctx, r, host, asked, target, what, holder !== null ? o : null, subject);
}

/**
 * The on-link check for router `r`'s gateway on a subnet without an upstream router (no gateway address,
 * or a network with no physical segment): what the router reaches there at all — the network's DHCP
 * server, other routers' gateways and floating IPs, ports on it — it reaches by the connected route the
 * kernel adds with its gateway address. The first other holder of the subnet, in address order, at its
 * own MAC, from the router's gateway address on whichever host holds it (an HA router's master); null
 * when no other address is held there, or no namespace of the router holds the gateway address.
 */
export function checkOnLinkAlone(ctx: VerifyContext, r: RouterT, subject: string): { result: PropertyResult | null; checked: string } | null {
  const gw = r.gateway!;
  const sn = subnetByRef(ctx.topology, gw.subnet);
  if (sn === undefined) return null;
  const ns = deviceName.qrouter(r.id);
  const qg = deviceName.qg(gw.port.id);
  const host = ctx.dataplane.hosts.find((h) => h.namespaces.some((n) => n.name === ns && n.interfaces.some((i) => i.name === qg && i.addresses.some((a) => a.ip === gw.port.ip))));
  const target = holders(ctx, ns, parseCidr(sn.cidr), ownAddresses(ctx, ns), null)[0];
  if (host === undefined || target === undefined) return null;
  const mac = host.namespaces.find((n) => n.name === ns)!.interfaces.find((i) => i.name === qg)!.mac;
  const template = firstPacket({ proto: 'icmp' }, { src: mac, dst: target.mac, vlan: null }, { src: gw.port.ip, dst: target.ip });
  const what = `${r.name}'s packet to ${target.ip} (another address of ${gw.subnet}, at ${target.mac})`;
  return sendOnLink(ctx, r, host.name, template, target, what, null, subject);
}

/** `r`'s echo request from its gateway address to `target`, as its namespace on `host` sends it, must leave its qg- device to `target`'s MAC. */
function sendOnLink(ctx: VerifyContext, r: RouterT, host: string, asked: Packet, target: { ip: string; mac: string }, what: string, upstream: OutsideStation | null, subject: string): { result: PropertyResult | null; checked: string } {
  const gw = r.gateway!;
  const ns = deviceName.qrouter(r.id);
  const qg = deviceName.qg(gw.port.id);
  const t = ctx.evaluator.sendFromNamespace(host, ns, { ...asked, ip_src: gw.port.ip, ip_dst: target.ip, icmp_type: 8, icmp_code: 0 });
  const straight = (x: Trace) => copies(x).some((c) => c.hops.some((h) => h.device === ns && h.outPort === qg && h.out?.ip_dst === target.ip && h.out.eth_dst === target.mac));
  if (t.uncertain.length > 0) {
    return { result: { property: ID, subject, verdict: 'unknown', witness: null, trace: t, message: `${what} ${straight(t) ? 'leaves' : 'does not leave'} ${qg} straight only across something not modelled: ${t.uncertain.join('; ')}` }, checked: '' };
  }
  if (!straight(t)) {
    const viaUpstream = upstream !== null && t.hops.some((h) => h.device === ns && h.out?.eth_dst === upstream.mac);
    return {
      result: {
        property: ID, subject, verdict: 'violated', witness: t.packet, trace: t,
        claim: { says: `does not leave ${qg} straight to ${target.mac}`, shownBy: (x) => !straight(x) },
        message: `${what} does not leave ${qg} straight to it${viaUpstream ? `: it is sent to the upstream router (${upstream.mac}), off the link (no connected route to ${upstream.cidr.ip}/${upstream.cidr.prefixLen}?)` : ''}: ${traceOutcome(t)}`,
      },
      checked: '',
    };
  }
  return { result: null, checked: `sends to ${target.ip} on ${gw.subnet} straight out of ${qg}` };
}
