// What a resident model resolves at load so that a first trace or query from a VM does not: each VM
// port's ARP answer for its gateway, the first hop of every packet it sends off its subnet (the first
// packet of a trace, a query's representative packet), and each forwarding namespace's ARP answer for
// every station address on its interfaces' subnets, the last hop of a routed packet (a router's interface
// resolving the VM it delivers to, or the upstream gateway it sends out to). The evaluator keeps an answer
// per sender and address once asked (its ARP walk is made in a fresh conntrack session over the converged
// state, so it is the same answer whenever it is asked); at 1,000 VMs each kind is about a second of the
// load, and each answer was about half a millisecond of the first trace that needed it.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Evaluator } from '../evaluate/index.ts';
import { ipv4ToNumber, networkOf } from '../net/ipv4.ts';

/** Asks `ev` now for every VM port's gateway (ports without one send nothing off their subnet). */
export function resolveGateways(ev: Evaluator, dp: Dataplane): void {
  for (const s of dp.stations) if (s.kind === 'vm-port' && s.gateway !== null) ev.resolveArp(s, s.gateway);
}

/**
 * Asks `ev` now, for every interface of a forwarding namespace (a router), the ARP answer for each
 * station address (a VM port's, an outside network's gateway) on one of the interface's subnets other
 * than the interface's own addresses: the next hops a routed packet can be sent to on that interface.
 */
export function resolveRouterNeighbours(ev: Evaluator, dp: Dataplane): void {
  const addresses = new Set<string>();
  for (const s of dp.stations) addresses.add(s.kind === 'vm-port' ? s.ip : s.gateway);
  // The addresses by their /N network, for each prefix length an interface has: no scan of every
  // address per interface.
  const byNetwork = new Map<number, Map<number, string[]>>();
  const networksOf = (len: number): Map<number, string[]> => {
    let m = byNetwork.get(len);
    if (m === undefined) {
      m = new Map();
      for (const ip of addresses) {
        const k = networkOf(ipv4ToNumber(ip), len);
        const list = m.get(k);
        if (list === undefined) m.set(k, [ip]);
        else list.push(ip);
      }
      byNetwork.set(len, m);
    }
    return m;
  };
  for (const host of dp.hosts) {
    for (const ns of host.namespaces) {
      if (!ns.forwarding) continue;
      for (const iface of ns.interfaces) {
        const own = new Set(iface.addresses.map((a) => a.ip));
        for (const a of iface.addresses) {
          const near = networksOf(a.prefixLen).get(networkOf(ipv4ToNumber(a.ip), a.prefixLen)) ?? [];
          for (const ip of near) if (!own.has(ip)) ev.resolveNamespaceArp(host.name, ns.name, iface.name, ip);
        }
      }
    }
  }
}
