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
// router, untranslated. The packet: an ICMP
// echo request from the gateway address, sent as the namespace's own stack sends it (evaluator
// `sendFromNamespace`); it must leave qg- addressed to the MAC the upstream router's ARP found.
import type { RouterT } from '../../topology/model.ts';
import type { Packet } from '../../ir/packet.ts';
import type { Trace } from '../../evaluate/trace.ts';
import type { OutsideStation } from '../../semantics/topology-index.ts';
import { deviceName } from '../../render/names.ts';
import { inPrefix, ipv4ToNumber } from '../../net/ipv4.ts';
import type { PropertyResult, VerifyContext } from '../property.ts';
import { traceOutcome } from '../witness-replay.ts';
import { copies } from './search.ts';

const ID = 'gateway';

/** Another holder's address on `o`'s subnet that answers ARP there, with its MAC; null when none. */
function onLinkTarget(ctx: VerifyContext, ns: string, o: OutsideStation, own: ReadonlySet<string>): { ip: string; mac: string } | null {
  const inSubnet = (ip: string) => inPrefix(ip, o.cidr.ip, o.cidr.prefixLen) && ip !== o.gateway && !own.has(ip);
  const held = new Set<string>();
  for (const h of ctx.dataplane.hosts) {
    for (const n of h.namespaces) {
      if (n.name === ns) continue;
      for (const i of n.interfaces) for (const a of i.addresses) if (inSubnet(a.ip)) held.add(a.ip);
    }
  }
  for (const s of ctx.dataplane.stations) if (s.kind === 'vm-port' && inSubnet(s.ip)) held.add(s.ip);
  for (const ip of [...held].sort((a, b) => ipv4ToNumber(a) - ipv4ToNumber(b))) {
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
  const gw = r.gateway!;
  const ns = deviceName.qrouter(r.id);
  const qg = deviceName.qg(gw.port.id);
  const own = new Set(ctx.dataplane.hosts.flatMap((h) => h.namespaces.filter((n) => n.name === ns).flatMap((n) => n.interfaces.flatMap((i) => i.addresses.map((a) => a.ip)))));
  const holder = onLinkTarget(ctx, ns, o, own);
  const target = holder ?? { ip: o.gateway, mac: o.mac };
  const t = ctx.evaluator.sendFromNamespace(host, ns, { ...asked, ip_src: gw.port.ip, ip_dst: target.ip, icmp_type: 8, icmp_code: 0 });
  const straight = (x: Trace) => copies(x).some((c) => c.hops.some((h) => h.device === ns && h.outPort === qg && h.out?.ip_dst === target.ip && h.out.eth_dst === target.mac));
  const what = `${r.name}'s packet to ${target.ip} (${holder !== null ? 'another address' : "the upstream router's address, no other address answering ARP there,"} of ${gw.subnet}, at ${target.mac})`;
  if (t.uncertain.length > 0) {
    return { result: { property: ID, subject, verdict: 'unknown', witness: null, trace: t, message: `${what} ${straight(t) ? 'leaves' : 'does not leave'} ${qg} straight only across something not modelled: ${t.uncertain.join('; ')}` }, checked: '' };
  }
  if (!straight(t)) {
    const viaUpstream = holder !== null && t.hops.some((h) => h.device === ns && h.out?.eth_dst === o.mac);
    return {
      result: {
        property: ID, subject, verdict: 'violated', witness: t.packet, trace: t,
        claim: { says: `does not leave ${qg} straight to ${target.mac}`, shownBy: (x) => !straight(x) },
        message: `${what} does not leave ${qg} straight to it${viaUpstream ? `: it is sent to the upstream router (${o.mac}), off the link (no connected route to ${o.cidr.ip}/${o.cidr.prefixLen}?)` : ''}: ${traceOutcome(t)}`,
      },
      checked: '',
    };
  }
  return { result: null, checked: `sends to ${target.ip} on ${gw.subnet} straight out of ${qg}` };
}
