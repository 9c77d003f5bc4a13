// The picture of the cloud the HTML report draws, as a graph read off the dataplane IR: a box per host
// holding its OVS bridges (br-int, br-tun, br-vlan, br-ex), Linux bridges (qbr) and namespaces
// (qrouter, qdhcp; not the root namespace) and VMs; a node per physical network and per outside world
// (an external or provider network's upstream router); an edge per link inside a host (patch, veth,
// internal port, VM NIC), per tunnel between two hosts' bridges and per bridge port on a physical
// network. Every element has a key a trace's hops map onto (path.ts), so a path is drawn on it.
import type { Dataplane, Endpoint } from '../../ir/dataplane.ts';
import type { Topology } from '../../topology/model.ts';
import type { Labels } from '../labels.ts';

export type CloudNodeKind = 'host' | 'ovs-bridge' | 'linux-bridge' | 'router' | 'dhcp' | 'namespace' | 'vm' | 'physnet' | 'outside';
export type CloudEdgeKind = 'patch' | 'veth' | 'internal' | 'vif' | 'tunnel' | 'wire';

export interface CloudNode {
  /** `n:HOST/DEVICE` for a device, `n:host:HOST` for a host box, `n:physnet:NAME`, `n:outside/NETWORK`. */
  readonly key: string;
  /** The host box it is drawn in, or null at the top level. */
  readonly parent: string | null;
  readonly kind: CloudNodeKind;
  /** Lines of its label, the first its name. */
  readonly lines: readonly string[];
  /** The full device name and what it is, for a tooltip. */
  readonly title: string;
}

export interface CloudEdge {
  readonly key: string;
  readonly kind: CloudEdgeKind;
  readonly from: string;
  readonly to: string;
  /** The ports at each end (`patch-tun`, `vxlan-0a00000c`; a VM NIC's index), for matching a path's moves. */
  readonly fromPort: string;
  readonly toPort: string;
  /** Short text drawn on the edge (a tunnel's addresses), or ''. */
  readonly label: string;
  readonly title: string;
}

export interface CloudGraph {
  readonly nodes: readonly CloudNode[];
  readonly edges: readonly CloudEdge[];
}

/** The key of the node a device of a host is drawn as (the same for a trace hop on it). */
export function deviceKey(host: string, device: string): string {
  return `n:${host}/${device}`;
}

export const hostKey = (host: string): string => `n:host:${host}`;
export const physnetKey = (physnet: string): string => `n:physnet:${physnet}`;
export const outsideKey = (network: string): string => deviceKey('outside', network);

const TUNNEL_TYPES = new Set(['vxlan', 'gre', 'geneve']);

function roles(t: Topology, host: string): string {
  const h = t.hosts.find((x) => x.name === host);
  if (!h) return '';
  return [h.compute ? 'compute' : '', h.network ? 'network' : ''].filter(Boolean).join(' + ');
}

/** The graph of the whole dataplane (under a failure scenario, what is left of it). */
export function cloudGraph(dp: Dataplane, topo: Topology, labels: Labels): CloudGraph {
  const nodes: CloudNode[] = [];
  const edges: CloudEdge[] = [];
  const known = new Set<string>();
  const add = (n: CloudNode) => {
    if (known.has(n.key)) return;
    known.add(n.key);
    nodes.push(n);
  };
  const networkOf = new Map(topo.networks.map((n) => [n.name, n] as const));

  for (const h of dp.hosts) {
    const box = hostKey(h.name);
    const role = roles(topo, h.name);
    add({ key: box, parent: null, kind: 'host', lines: [h.name, ...(role ? [role] : []), ...(h.tunnelIp ? [`tunnel ${h.tunnelIp}`] : [])], title: `host ${h.name}` });
    for (const b of h.ovsBridges) add({ key: deviceKey(h.name, b.name), parent: box, kind: 'ovs-bridge', lines: [b.name], title: `OVS bridge ${b.name} on ${h.name}` });
    for (const b of h.linuxBridges) {
      const owner = labels.of(b.name);
      add({ key: deviceKey(h.name, b.name), parent: box, kind: 'linux-bridge', lines: [owner ? `qbr ${owner}` : b.name], title: `Linux bridge ${labels.withName(b.name)} on ${h.name}` });
    }
    for (const ns of h.namespaces) {
      if (ns.name === 'root') continue;
      const kind = ns.name.startsWith('qrouter-') ? 'router' : ns.name.startsWith('qdhcp-') ? 'dhcp' : 'namespace';
      const owner = labels.of(ns.name);
      const head = kind === 'router' ? `qrouter ${owner ?? ns.name.slice(8, 16)}` : kind === 'dhcp' ? `qdhcp ${owner?.replace(/^DHCP of /, '') ?? ns.name.slice(6, 14)}` : ns.name;
      const role = labels.instanceRole(h.name, ns.name);
      add({ key: deviceKey(h.name, ns.name), parent: box, kind, lines: [head, ...(role ? [role] : [])], title: `namespace ${labels.withName(ns.name)} on ${h.name}` });
    }
  }
  for (const s of dp.stations) {
    if (s.kind === 'vm-port') {
      const key = deviceKey(s.host, `vm:${s.vm}`);
      if (known.has(key)) continue;
      const ports = dp.stations.filter((x) => x.kind === 'vm-port' && x.vm === s.vm && x.host === s.host);
      add({
        key, parent: hostKey(s.host), kind: 'vm',
        lines: [`VM ${s.vm}`, ...ports.map((p) => (p.kind === 'vm-port' ? `${p.index}: ${p.ip} ${p.network}` : ''))],
        title: `VM ${s.vm} on ${s.host}`,
      });
    } else {
      const net = networkOf.get(s.network);
      add({ key: outsideKey(s.network), parent: null, kind: 'outside', lines: [`outside (${s.network})`, `${s.cidr.ip}/${s.cidr.prefixLen} via ${s.gateway}`], title: `the outside world beyond ${net?.external ? 'external' : 'provider'} network ${s.network}: its upstream router ${s.gateway}` });
    }
  }

  const endKey = (e: Endpoint) => deviceKey(e.host, e.device);
  for (const l of dp.links) {
    const [a, b] = [endKey(l.a), endKey(l.b)];
    if (!known.has(a) || !known.has(b)) continue;
    edges.push({
      key: `e:${l.kind}:${l.a.host}/${l.a.device}/${l.a.port}|${l.b.host}/${l.b.device}/${l.b.port}`, kind: l.kind, from: a, to: b,
      fromPort: l.a.port, toPort: l.b.port, label: '', title: `${l.kind} ${labels.withName(l.a.port)} ↔ ${labels.withName(l.b.port)}`,
    });
  }

  // A tunnel port names its far end by address: one edge per pair of bridges, drawn once.
  const byTunnelIp = new Map(dp.hosts.filter((h) => h.tunnelIp !== null).map((h) => [h.tunnelIp!, h] as const));
  const tunnels = new Map<string, CloudEdge>();
  for (const h of dp.hosts) {
    for (const b of h.ovsBridges) {
      for (const p of b.ports) {
        if (!TUNNEL_TYPES.has(p.type) || p.remoteIp === null) continue;
        const far = byTunnelIp.get(p.remoteIp);
        const farPort = far?.ovsBridges.flatMap((fb) => fb.ports.filter((fp) => TUNNEL_TYPES.has(fp.type) && fp.remoteIp === h.tunnelIp).map((fp) => [fb.name, fp.name] as const))[0];
        if (!far || !farPort) continue;
        const ends = [[h.name, b.name, p.name], [far.name, farPort[0], farPort[1]]].sort((x, y) => (x.join('/') < y.join('/') ? -1 : 1));
        const key = `e:tunnel:${ends[0]!.join('/')}|${ends[1]!.join('/')}`;
        if (tunnels.has(key)) continue;
        const [x, y] = ends as [string[], string[]];
        tunnels.set(key, {
          key, kind: 'tunnel', from: deviceKey(x[0]!, x[1]!), to: deviceKey(y[0]!, y[1]!), fromPort: x[2]!, toPort: y[2]!,
          label: p.type.toUpperCase(), title: `${p.type} tunnel ${x[0]} ↔ ${y[0]} (${x[2]} ↔ ${y[2]})`,
        });
      }
    }
  }
  edges.push(...tunnels.values());

  // A physical network: every bridge port plugged into it, and the outside worlds beyond it.
  for (const w of dp.wires) {
    const key = physnetKey(w.physnet);
    const nets = topo.networks.filter((n) => n.physicalNetwork === w.physnet).map((n) => `${n.name}${n.type === 'vlan' ? ` (VLAN ${n.segmentationId})` : ''}`);
    add({ key, parent: null, kind: 'physnet', lines: [`physnet ${w.physnet}`, ...(nets.length > 0 ? [nets.join(', ')] : [])], title: `physical network ${w.physnet}` });
    for (const m of w.members) {
      if (!known.has(endKey(m))) continue;
      edges.push({ key: `e:wire:${m.host}/${m.device}/${m.port}|${w.physnet}`, kind: 'wire', from: endKey(m), to: key, fromPort: m.port, toPort: '', label: '', title: `${m.host} ${m.device} ${m.port} on physical network ${w.physnet}` });
    }
  }
  for (const s of dp.stations) {
    if (s.kind !== 'outside' || !known.has(physnetKey(s.physnet))) continue;
    edges.push({ key: `e:wire:outside/${s.network}|${s.physnet}`, kind: 'wire', from: outsideKey(s.network), to: physnetKey(s.physnet), fromPort: s.network, toPort: '', label: '', title: `the upstream router of ${s.network} on physical network ${s.physnet}${s.vlan !== null ? ` (VLAN ${s.vlan})` : ''}` });
  }
  return { nodes, edges };
}
