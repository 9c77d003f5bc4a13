// br-tun: which objects each `TunWhen` of rules/ovs-agent/br-tun.ts ranges over on one host.
// Flooding (table 22) goes, with l2_population, to the tunnel ports of the hosts where the network
// is present, else to every tunnel port of the network's type; a network with nobody to flood to
// gets no flood flow (the agent installs none for an empty port list). Unicast to known remote
// ports (table 20) and the ARP responder (table 21) exist only with l2_population; arp_responder
// without l2_population is ignored, as the agent does. An HA router's qr- ports get neither: l2pop
// gives other agents no unicast or ARP entry for them (mech_driver.py update_port_up skips
// is_ha_router_port), only a flood entry towards every host of the router (db.py
// _get_ha_active_network_ports): unicast to them is learned from the master's traffic.
import type { HostT, NetworkT, PortT } from '../../topology/model.ts';
import type { TunWhen } from '../../../rules/ovs-agent/template.ts';
import { hex, ipv4Hex, macHex } from './addr.ts';
import { describe } from './describe.ts';
import { isTunnelType, lvidOf, networksOn, type TopoIndex, type TunnelType } from './host-view.ts';
import type { Binding } from './instantiate.ts';
import { tunnelPeers, type TunnelPeer } from './layout.ts';

/** Neutron's TUN_TABLE: where each tunnel type's traffic is decapsulated by VNI. */
const TUN_TABLE: Readonly<Record<TunnelType, number>> = { gre: 3, vxlan: 4 };

interface RemotePort { readonly port: PortT; readonly net: NetworkT; readonly peer: TunnelPeer }

/** The bindings of each br-tun condition on `host` (peers and remote ports are computed once per host). */
export function tunBinder(ix: TopoIndex, host: HostT): (when: TunWhen) => Binding[] {
  const topo = ix.topo;
  const agent: Binding = { vars: {}, neutron: describe.agent(host.name, 'br-tun') };
  const arpResponder = topo.arpResponder && topo.l2Population;
  const peers = tunnelPeers(ix, host);
  const peerByHostType = new Map(peers.map((p) => [`${p.host.name}|${p.type}`, p]));
  const tunnelNets = networksOn(ix, host.name).filter((n) => isTunnelType(n.type));
  const netVars = (n: NetworkT) => ({ lvid: lvidOf(ix, host.name, n.name), tun_id: hex(n.segmentationId ?? 0) });

  const remotePorts: readonly RemotePort[] =
    tunnelNets.flatMap((net) =>
      (ix.portsOfNetwork.get(net.name) ?? []).flatMap((port) => {
        if (port.host === host.name || port.deviceOwner === 'network:ha_router_replicated_interface') return [];
        const peer = peerByHostType.get(`${port.host}|${net.type}`);
        return peer ? [{ port, net, peer }] : [];
      }));

  return (when) => {
    switch (when) {
      case 'always':
        return [agent];
      case 'with arp_responder':
        return arpResponder ? [agent] : [];
      case 'per tunnel port':
        return peers.map((p) => ({ neutron: describe.host(p.host), vars: { tunnel_port: p.port, tun_table: TUN_TABLE[p.type] } }));
      case 'per tunnel network on this host':
        return tunnelNets.map((n) => ({
          neutron: describe.network(n),
          vars: { ...netVars(n), tun_table: TUN_TABLE[n.type as TunnelType] },
        }));
      case 'per tunnel network with flood ports':
        return tunnelNets.flatMap((n) => {
          const present = new Set(ix.hostsOfNetwork.get(n.name) ?? []);
          const targets = peers.filter((p) => p.type === n.type && (!topo.l2Population || present.has(p.host.name)));
          if (targets.length === 0) return [];
          return [{ neutron: describe.network(n), vars: { ...netVars(n), outputs: targets.map((p) => `output:"${p.port}"`).join(',') } }];
        });
      case 'per remote port (l2population)':
        if (!topo.l2Population) return [];
        return remotePorts.map(({ port, net, peer }) => ({
          neutron: describe.port(port),
          vars: { ...netVars(net), mac: port.mac.toLowerCase(), tunnel_port: peer.port },
        }));
      case 'per remote port (arp_responder)':
        if (!arpResponder) return [];
        return remotePorts.map(({ port, net }) => ({
          neutron: describe.port(port),
          vars: { ...netVars(net), ip: port.ip, mac: port.mac.toLowerCase(), mac_hex: macHex(port.mac), ip_hex: ipv4Hex(port.ip) },
        }));
      default: {
        const never: never = when;
        throw new Error(`unhandled br-tun condition ${String(never)}`);
      }
    }
  };
}
