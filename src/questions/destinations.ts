// Where a `--to` endpoint (of `query` and of the property language) must be reached, and who sends for
// a `--from` one: a port; a floating IP's port (DNATed to the fixed address); the outside world; a
// namespace (a router or DHCP address); an address a router sends to a VM as its next hop (that VM
// forwards for it); an allowed-address-pair address (a VIP) at the holder the question chose
// (src/questions/vip.ts) — without a choice it is refused with the reason and the possible holders.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Ipv4 } from '../ir/packet.ts';
import type { Topology } from '../topology/model.ts';
import type { InputError } from '../errors.ts';
import type { Endpoint } from './endpoints.ts';
import type { Dest, SourceGroup } from './reach-set.ts';
import { floatingIpPort, namespaceHolding, nextHopPorts, pairHolders, portSender } from './senders.ts';

export type Sender = Exclude<Endpoint, { kind: 'address' }>;

/**
 * Where a `--to` endpoint must be reached: a port, a floating IP's port, the outside, a namespace; an
 * address a router sends to a VM as its next hop counts as reached at that VM too; a VIP at `holder`
 * (`VM:N`, the question's choice among the ports that may hold it).
 */
export function destsOf(topo: Topology, dp: Dataplane, ep: Endpoint, flag = '--to', holder?: string): Dest[] | InputError {
  const forwarders = (ip: Ipv4): Dest[] => nextHopPorts(topo, dp, ip).map((station) => ({ kind: 'port', station, ipDst: ip, finalDst: ip }));
  switch (ep.kind) {
    case 'port':
      return [{ kind: 'port', station: ep.station, ipDst: ep.ip, finalDst: ep.station.ip }];
    case 'outside':
      return [...forwarders(ep.ip), { kind: 'external', network: ep.station.network, ipDst: [{ ip: ep.ip, prefixLen: 32 }] }];
    case 'address': {
      const fip = floatingIpPort(topo, dp, ep.ip);
      if (fip) return [{ kind: 'port', station: fip, ipDst: ep.ip, finalDst: fip.ip }];
      const ns = namespaceHolding(dp, ep.ip);
      if (ns) return [{ kind: 'namespace', host: ns.host, namespace: ns.namespace, ip: ep.ip }];
      const behind = forwarders(ep.ip);
      if (behind.length > 0) return behind;
      const holders = ep.network === null ? [] : pairHolders(topo, dp, ep.ip, ep.network);
      const held = holders.find((h) => holder !== undefined && `${h.vm}:${h.index}` === holder);
      if (held) return [{ kind: 'port', station: held, ipDst: ep.ip, finalDst: ep.ip }];
      if (holders.length > 0) {
        // Which VM holds a VIP is decided inside the VMs: a choice the question makes (src/questions/vip.ts).
        const names = holders.map((h) => `${h.vm}:${h.index}`);
        const message = `${ep.ip} is a VIP (an allowed address pair of ${names.join(', ')}): which VM holds it is decided inside the VMs (keepalived, pacemaker); \`netproof query\` and \`trace\` ask under each holder or the one --holder names, elsewhere ask for the VM that holds it by its own address (${names[0]})`;
        return { code: 'NP405', file: topo.file, position: null, path: flag, message };
      }
      return { code: 'NP405', file: topo.file, position: null, path: flag, message: `no port, namespace or floating IP holds ${ep.ip}, and no router sends it to a VM` };
    }
    default: {
      const never: never = ep;
      throw new Error(`unknown endpoint ${JSON.stringify(never)}`);
    }
  }
}

/** Who sends: a VM port by its own sending rules, or the outside world from that address. */
export function groupOf(topo: Topology, from: Sender): SourceGroup {
  return from.kind === 'port'
    ? { sources: [portSender(topo, from.station)] }
    : { sources: [{ station: from.station }], ipSrc: [{ ip: from.ip, prefixLen: 32 }] };
}
