// Who hears whose VRRP advertisements, decided by the evaluator on the dataplane as it is (under a
// scenario's failures): each keepalived instance's advertisement — IP protocol 112 from its
// interface's own address to 224.0.0.18, from the interface's MAC to 01:00:5e:00:00:12 — is sent out of
// its interface like any packet its namespace sends, and every copy that the dataplane delivers to a
// namespace on an interface where an instance listens is heard by that instance. Nothing else (no
// separate graph of the HA network) decides it: a cut tunnel, a missing flood flow or a DROP rule on
// the way is seen exactly as a packet would meet it.
import type { Dataplane } from '../ir/dataplane.ts';
import { ETH_TYPE, type Packet } from '../ir/packet.ts';
import type { Evaluator } from '../evaluate/index.ts';
import type { Trace } from '../evaluate/trace.ts';
import { IP_PROTO_VRRP, VRRP_GROUP, VRRP_GROUP_MAC } from '../semantics/multicast.ts';
import { siteKey, vrrpSites, type VrrpSite } from '../dataplane/vrrp-state.ts';

export interface Advertisement {
  readonly from: VrrpSite;
  /** The interface's own address: the advertisement's source, VRRP's tie-break among equal priorities. */
  readonly primaryIp: string | null;
  /** Site keys of the instances that hear it (never the sender itself). */
  readonly heardBy: ReadonlySet<string>;
  /** The advertisement's trace (every copy of the flood listed); null when none can be sent. */
  readonly trace: Trace | null;
  /** Why no advertisement can be sent (no such interface, no address on it); null when one is. */
  readonly problem: string | null;
}

/** Every copy of a traced packet: the main path and the branches, depth first. */
function copiesOf(t: Trace): Trace[] {
  return [t, ...t.branches.flatMap(copiesOf)];
}

/** The advertisement `site` sends, or null when its interface is missing or has no address to send from. */
export function advertisementOf(dp: Dataplane, site: VrrpSite): Packet | null {
  const ns = dp.hosts.find((h) => h.name === site.host)?.namespaces.find((n) => n.name === site.namespace);
  const iface = ns?.interfaces.find((i) => i.name === site.instance.interface);
  // keepalived sends from the interface's primary address; VIPs it added itself are secondaries.
  const managed = new Set([...site.instance.vips, ...site.instance.excludedVips].map((a) => a.ip));
  const src = iface?.addresses.find((a) => !managed.has(a.ip))?.ip;
  if (!iface || src === undefined) return null;
  return {
    eth_src: iface.mac, eth_dst: VRRP_GROUP_MAC, vlan: null, tun_id: null, eth_type: ETH_TYPE.ipv4,
    ip_src: src, ip_dst: VRRP_GROUP, proto: IP_PROTO_VRRP, sport: null, dport: null, icmp_type: null, icmp_code: null,
  };
}

/** Each instance's advertisement and who hears it. */
export function hearing(dp: Dataplane, ev: Evaluator): Advertisement[] {
  const sites = vrrpSites(dp);
  return sites.map((from) => {
    const packet = advertisementOf(dp, from);
    if (packet === null) {
      const problem = `${from.namespace}@${from.host} has no interface ${from.instance.interface} with an address to advertise from`;
      return { from, primaryIp: null, heardBy: new Set<string>(), trace: null, problem };
    }
    const trace = ev.traceFromNamespace(from.host, from.namespace, from.instance.interface, packet, { everyCopy: true });
    const heardBy = new Set<string>();
    for (const c of copiesOf(trace)) {
      const d = c.deliveredTo;
      if (c.disposition !== 'delivered' || d?.kind !== 'namespace') continue;
      const arrivedOn = c.hops.at(-1)?.inPort;
      for (const s of sites) {
        if (s.host === d.host && s.namespace === d.namespace && s.instance.interface === arrivedOn && siteKey(s) !== siteKey(from)) heardBy.add(siteKey(s));
      }
    }
    return { from, primaryIp: packet.ip_src, heardBy, trace, problem: null };
  });
}
