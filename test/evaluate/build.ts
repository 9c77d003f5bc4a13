// Compact constructors for hand-built Dataplane values in the evaluator's tests.
import type { Dataplane, Endpoint, HostDataplane, Link, LinuxBridge, Namespace, Route, Station, Wire } from '../../src/ir/dataplane.ts';
import type { Flow, FlowAction, FlowMatch, OvsBridge, OvsPort, PortRef } from '../../src/ir/openflow.ts';
import type { NetfilterRuleset } from '../../src/ir/netfilter.ts';
import type { Packet } from '../../src/ir/packet.ts';
import type { Origin } from '../../src/ir/origin.ts';

export const origin = (text: string): Origin => ({ file: 'test', line: 1, text });
export const N = (name: string): PortRef => ({ kind: 'name', name });

export function flow(table: number, priority: number, match: FlowMatch, actions: FlowAction[], text?: string): Flow {
  return { table, priority, match, actions, cookie: null, origin: origin(text ?? `table=${table},priority=${priority},${JSON.stringify(match)} actions=${actions.map((a) => a.kind).join(',')}`) };
}

export const A = {
  out: (name: string): FlowAction => ({ kind: 'output', port: N(name) }),
  normal: { kind: 'normal' } as FlowAction,
  drop: { kind: 'drop' } as FlowAction,
  resubmit: (table: number, port: string | null = null): FlowAction => ({ kind: 'resubmit', port: port === null ? null : N(port), table }),
  goto: (table: number): FlowAction => ({ kind: 'goto_table', table }),
  modVlan: (vid: number): FlowAction => ({ kind: 'mod_vlan_vid', vid }),
  pushVlan: { kind: 'push_vlan', ethertype: 0x8100 } as FlowAction,
  setVlan: (vid: number): FlowAction => ({ kind: 'set_vlan_vid', vid }),
  strip: { kind: 'strip_vlan' } as FlowAction,
  tun: (value: number): FlowAction => ({ kind: 'set_tun_id', value }),
  learn: {
    kind: 'learn',
    text: 'table=20,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[]',
    spec: { table: 20, priority: 1, hardTimeout: 300, matchVlanFromPacket: true, matchDstFromSrc: true, stripVlan: true, copyTunId: true, outputToInPort: true },
  } as FlowAction,
};

export function port(name: string, o: Partial<OvsPort> = {}): OvsPort {
  return { name, ofport: null, type: 'internal', tag: null, peer: null, remoteIp: null, localIp: null, ...o };
}
export const patch = (name: string, peer: string) => port(name, { type: 'patch', peer });
export const vxlan = (name: string, remoteIp: string) => port(name, { type: 'vxlan', remoteIp });

export const bridge = (name: string, ports: OvsPort[], flows: Flow[]): OvsBridge => ({ kind: 'ovs-bridge', name, ports, flows });

export const emptyRuleset: NetfilterRuleset = { tables: [], ipsets: {} };

export function ns(name: string, interfaces: { name: string; mac: string; cidr?: string }[], routes: Route[] = [], forwarding = true, netfilter = emptyRuleset): Namespace {
  return {
    kind: 'namespace', name, routes, netfilter, forwarding,
    interfaces: interfaces.map((i) => ({
      name: i.name, mac: i.mac,
      addresses: i.cidr ? [{ ip: i.cidr.split('/')[0]!, prefixLen: Number(i.cidr.split('/')[1]) }] : [],
    })),
  };
}

export function route(dst: string, dev: string, via: string | null = null): Route {
  const [ip, len] = dst.split('/');
  return { dst: { ip: ip!, prefixLen: Number(len) }, via, dev, src: null, origin: origin(`${dst}${via ? ` via ${via}` : ''} dev ${dev}`) };
}

export function host(name: string, o: { tunnelIp?: string; ovs?: OvsBridge[]; lb?: LinuxBridge[]; ns?: Namespace[] } = {}): HostDataplane {
  return { name, tunnelIp: o.tunnelIp ?? null, ovsBridges: o.ovs ?? [], linuxBridges: o.lb ?? [], namespaces: o.ns ?? [] };
}

export const ep = (host: string, device: string, port: string): Endpoint => ({ host, device, port });
export const link = (kind: Link['kind'], a: Endpoint, b: Endpoint): Link => ({ kind, a, b });

export function vm(o: { vm: string; host: string; mac: string; ip: string; gateway?: string; at: Endpoint; portId?: string; network?: string }): { station: Station; link: Link } {
  const station: Station = {
    kind: 'vm-port', vm: o.vm, index: 0, host: o.host, project: 'demo', network: o.network ?? 'net1', portId: o.portId ?? `${o.vm}-port-id`,
    mac: o.mac, ip: o.ip, prefixLen: 24, gateway: o.gateway ?? null, attachment: o.at,
  };
  return { station, link: link('vif', ep(o.host, `vm:${o.vm}`, '0'), o.at) };
}

export function dataplane(hosts: HostDataplane[], links: Link[], stations: Station[], wires: Wire[] = []): Dataplane {
  return { hosts, links, wires, stations, warnings: [] };
}

export function ipv4(o: Partial<Packet> & { eth_src: string; eth_dst: string; ip_src: string; ip_dst: string }): Packet {
  return { vlan: null, tun_id: null, eth_type: 0x0800, proto: 1, sport: null, dport: null, icmp_type: 8, icmp_code: 0, ...o };
}
