// The OVS bridges and ports the agents create on a host, with deterministic OpenFlow port numbers.
//
// Bridges: br-int; br-tun when the host has a tunnel_ip and the topology has vxlan/gre networks;
// every bridge_mappings bridge, always (the agent sets them up at start, whether or not a network
// uses them yet). Every bridge also has its own internal port, ofport LOCAL (65534).
//
// ofports, in the order ports are added to each bridge:
// - br-int: `int-<bridge>` per bridge_mappings entry (mapping order), then `patch-tun`, then the
//   host's ports in `topo.ports` order (DHCP `tap…`, router `qr-…`/`qg-…`, then VM `qvo…`, or the VM's
//   `tap…` itself with the noop firewall driver);
// - br-tun: `patch-int` = 1, then the tunnel ports, by remote host in `topo.hosts` order (vxlan before gre);
// - physical bridge: `phy-<bridge>` = 1, then its NIC (`eth<i+1>`, i = position in bridge_mappings) = 2.
//
// Tunnel ports: one per remote host with a tunnel_ip and tunnel type in use; with l2_population only
// towards hosts that share a network of that type with this host (l2pop creates them on demand).
import type { HostT, PortT, Topology } from '../../topology/model.ts';
import type { OvsPort } from '../../ir/openflow.ts';
import { deviceName } from '../names.ts';
import { describe } from './describe.ts';
import { hasBrTun, lvidOf, type TopoIndex, type TunnelType } from './host-view.ts';

/** OpenFlow's number for a bridge's own internal port (OFPP_LOCAL). */
export const OFPP_LOCAL = 65534;

export interface LayoutPort extends OvsPort {
  readonly ofport: number;
  /** True for the bridge's own internal port (shown as `LOCAL(<bridge>)` by `ovs-ofctl show`). */
  readonly local: boolean;
  /** `ovs-vsctl show` prints no `type:` for a plain system interface added without a type (veth ends). */
  readonly showType: boolean;
  readonly neutron: string;
  readonly why: string;
}

export type BridgeRole = 'int' | 'tun' | 'phys';

export interface BridgeLayout {
  readonly name: string;
  readonly role: BridgeRole;
  /** For physical bridges: the physical network it carries. */
  readonly physnet: string | null;
  /** Ports in ofport order, the LOCAL port first. */
  readonly ports: readonly LayoutPort[];
}

export interface TunnelPeer {
  readonly host: HostT;
  readonly type: TunnelType;
  readonly port: string;
}

const TUN_NONE = { remoteIp: null, localIp: null } as const;

function localPort(bridge: string, host: string): LayoutPort {
  return {
    name: bridge, ofport: OFPP_LOCAL, local: true, type: 'internal', showType: true, tag: null, peer: null, ...TUN_NONE,
    neutron: describe.agent(host, bridge), why: `${bridge}'s own internal port`,
  };
}

function numbered(ports: Omit<LayoutPort, 'ofport' | 'local'>[]): LayoutPort[] {
  return ports.map((p, i) => ({ ...p, ofport: i + 1, local: false }));
}

/** The tunnel ports `h`'s br-tun has, in ofport order (empty without br-tun). */
export function tunnelPeers(ix: TopoIndex, h: HostT): TunnelPeer[] {
  if (!hasBrTun(ix, h) || h.tunnelIp === null) return [];
  const mine = ix.topo.localVlans[h.name] ?? {};
  const peers: TunnelPeer[] = [];
  for (const other of ix.topo.hosts) {
    if (other.name === h.name || other.tunnelIp === null) continue;
    const theirs = ix.topo.localVlans[other.name] ?? {};
    for (const type of ix.tunnelTypes) {
      const shared = Object.keys(mine).some((n) => n in theirs && ix.network.get(n)?.type === type);
      if (ix.topo.l2Population && !shared) continue;
      peers.push({ host: other, type, port: deviceName.tunnelPort(type, other.tunnelIp) });
    }
  }
  return peers;
}

/**
 * Whether Nova plugs a VM's NIC through a qbr bridge (qvb/qvo into br-int) or its tap straight into br-int:
 * the OVS agent reports `ovs_hybrid_plug` as its firewall driver's OVS_HYBRID_PLUG_REQUIRED (ovs_neutron_agent.py
 * `hybrid_plug = getattr(self.sg_agent.firewall, 'OVS_HYBRID_PLUG_REQUIRED', False)`), which only the hybrid
 * iptables driver sets (iptables_firewall.py OVSHybridIptablesFirewallDriver); the mechanism driver hands it
 * to Nova in the port's binding (mech_openvswitch.py, `portbindings.OVS_HYBRID_PLUG`).
 */
export const hybridPlug = (topo: Pick<Topology, 'firewallDriver'>): boolean => topo.firewallDriver === 'iptables_hybrid';

/** The br-int device of a port. */
export function brIntDevice(topo: Pick<Topology, 'firewallDriver'>, p: PortT): string {
  switch (p.deviceOwner) {
    case 'compute:nova': return hybridPlug(topo) ? deviceName.qvo(p.id) : deviceName.tap(p.id);
    case 'network:dhcp': return deviceName.dhcpTap(p.id);
    case 'network:router_interface':
    case 'network:ha_router_replicated_interface': return deviceName.qr(p.id);
    case 'network:router_gateway': return deviceName.qg(p.id);
    case 'network:router_ha_interface': return deviceName.ha(p.id);
    case 'network:floatingip': throw new Error(`floating IP port ${p.name} has no device on br-int`);
    default: {
      const never: never = p.deviceOwner;
      throw new Error(`unknown device owner ${String(never)}`);
    }
  }
}

function portWhy(topo: Pick<Topology, 'firewallDriver'>, p: PortT): string {
  switch (p.deviceOwner) {
    case 'compute:nova':
      return hybridPlug(topo)
        ? `VM ${p.deviceName}'s port, the br-int end of the qvb/qvo veth pair from its Linux bridge`
        : `VM ${p.deviceName}'s NIC, plugged by Nova straight into br-int (firewall_driver ${topo.firewallDriver}: no hybrid plug, no Linux bridge)`;
    case 'network:dhcp': return `DHCP server of network ${p.network} (in its qdhcp- namespace)`;
    case 'network:router_interface': return `router ${p.deviceName}'s interface on ${p.subnet} (in its qrouter- namespace)`;
    case 'network:ha_router_replicated_interface': return `HA router ${p.deviceName}'s interface on ${p.subnet} (in its qrouter- namespace; addressed only on the VRRP master)`;
    case 'network:router_gateway': return `router ${p.deviceName}'s gateway on ${p.network} (in its qrouter- namespace)`;
    case 'network:router_ha_interface': return `HA router ${p.deviceName}'s port on ${p.network}, where its keepalived sends and hears VRRP`;
    case 'network:floatingip': return `floating IP ${p.ip}`;
    default: {
      const never: never = p.deviceOwner;
      return String(never);
    }
  }
}

function brInt(ix: TopoIndex, h: HostT): BridgeLayout {
  const ports: Omit<LayoutPort, 'ofport' | 'local'>[] = [];
  for (const [physnet, bridge] of Object.entries(h.bridgeMappings)) {
    ports.push({
      name: deviceName.intToPhys(bridge), type: 'patch', showType: true, tag: null, peer: deviceName.physToInt(bridge), ...TUN_NONE,
      neutron: describe.bridgeMapping(physnet, bridge), why: `patch to ${bridge}, the bridge of physical network ${physnet}`,
    });
  }
  if (hasBrTun(ix, h)) {
    ports.push({
      name: deviceName.patchTun, type: 'patch', showType: true, tag: null, peer: deviceName.patchInt, ...TUN_NONE,
      neutron: describe.host(h), why: 'patch to br-tun, towards the tunnels to other hosts',
    });
  }
  const plugged = new Set<string>();
  for (const p of ix.portsOfHost.get(h.name) ?? []) {
    const vif = p.deviceOwner === 'compute:nova';
    // A DHCP port's addresses on several subnets are one port, one tap.
    const device = brIntDevice(ix.topo, p);
    if (plugged.has(device)) continue;
    plugged.add(device);
    ports.push({
      name: brIntDevice(ix.topo, p), type: vif ? 'system' : 'internal', showType: !vif, tag: lvidOf(ix, h.name, p.network), peer: null, ...TUN_NONE,
      neutron: describe.port(p), why: portWhy(ix.topo, p),
    });
  }
  return { name: 'br-int', role: 'int', physnet: null, ports: [localPort('br-int', h.name), ...numbered(ports)] };
}

function brTun(ix: TopoIndex, h: HostT): BridgeLayout {
  const ports: Omit<LayoutPort, 'ofport' | 'local'>[] = [{
    name: deviceName.patchInt, type: 'patch', showType: true, tag: null, peer: deviceName.patchTun, ...TUN_NONE,
    neutron: describe.host(h), why: 'patch to br-int',
  }];
  for (const peer of tunnelPeers(ix, h)) {
    ports.push({
      name: peer.port, type: peer.type, showType: true, tag: null, peer: null, remoteIp: peer.host.tunnelIp, localIp: h.tunnelIp,
      neutron: describe.host(peer.host), why: `${peer.type.toUpperCase()} tunnel to ${peer.host.name}`,
    });
  }
  return { name: 'br-tun', role: 'tun', physnet: null, ports: [localPort('br-tun', h.name), ...numbered(ports)] };
}

function brPhys(h: HostT, physnet: string, bridge: string, index: number): BridgeLayout {
  const nic = deviceName.physicalNic(index);
  return {
    name: bridge, role: 'phys', physnet,
    ports: [localPort(bridge, h.name), ...numbered([
      {
        name: deviceName.physToInt(bridge), type: 'patch', showType: true, tag: null, peer: deviceName.intToPhys(bridge), ...TUN_NONE,
        neutron: describe.bridgeMapping(physnet, bridge), why: 'patch to br-int',
      },
      {
        name: nic, type: 'system', showType: true, tag: null, peer: null, ...TUN_NONE,
        neutron: describe.bridgeMapping(physnet, bridge), why: `the NIC on physical network ${physnet}`,
      },
    ])],
  };
}

/** Every OVS bridge of the host: br-int, br-tun (if any), then the physical bridges in mapping order. */
export function bridgesFor(ix: TopoIndex, h: HostT): BridgeLayout[] {
  const bridges = [brInt(ix, h)];
  if (hasBrTun(ix, h)) bridges.push(brTun(ix, h));
  Object.entries(h.bridgeMappings).forEach(([physnet, bridge], i) => bridges.push(brPhys(h, physnet, bridge, i)));
  return bridges;
}

/** Bridge name → port name → ofport, for one host (LOCAL ports as 65534). */
export type HostOfports = ReadonlyMap<string, ReadonlyMap<string, number>>;

export function ofportsOf(bridges: readonly BridgeLayout[]): HostOfports {
  return new Map(bridges.map((b) => [b.name, new Map(b.ports.map((p) => [p.name, p.ofport]))]));
}

