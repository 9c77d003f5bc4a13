// Assembly: from a host's parsed artifacts to the dataplane IR. A topology's rendered artifacts are
// parsed back with the same parsers that read real node dumps (and a cloud directory's captures go
// through the same assembly, src/cloud/hosts/), so the evaluator and the verifier only ever see what an
// operator could collect; the topology contributes only what no artifact shows (which VM NIC is which
// tap, which host is on which physical network, where the outside world is).
import type { Dataplane, Endpoint, HostDataplane, Link, LinuxBridge, Namespace, NsInterface, Route, Station, Wire } from '../ir/dataplane.ts';
import { UNPLUGGED } from '../ir/dataplane.ts';
import type { Cidr, Flow, OvsBridge, OvsPort } from '../ir/openflow.ts';
import type { NetfilterRuleset, NfChain } from '../ir/netfilter.ts';
import type { Origin, Warning } from '../ir/origin.ts';
import type { VrrpInstance } from '../ir/vrrp.ts';
import type { Topology } from '../topology/model.ts';
import { artifactPath, type Artifact } from '../render/artifacts.ts';
import { deviceName } from '../render/names.ts';
import {
  parseBrctlShow,
  parseDumpFlows,
  parseIpAddr,
  parseIpRoute,
  parseIpsetSave,
  parseIptablesSave,
  parseKeepalivedConf,
  parseOfctlShow,
  parseOvsVsctlShow,
  type VsctlShow,
} from '../parse/index.ts';
import { indexArtifacts, withProvenance, type ProvenanceIndex } from './provenance.ts';
import { outsideStations } from './outside.ts';
import { networkByName } from '../topology/lookup.ts';

const EMPTY_RULESET: NetfilterRuleset = { tables: [], ipsets: {} };

/**
 * Where one dataplane's pieces come from: each already parsed (warnings collected by the source), null
 * or empty when the host has no such artifact. Rendered artifacts and a cloud's captures both provide one.
 */
export interface HostSource {
  readonly hosts: readonly { readonly name: string; readonly tunnelIp: string | null }[];
  ovsShow(host: string): VsctlShow | null;
  ofports(host: string, bridge: string): Readonly<Record<string, number>>;
  flows(host: string, bridge: string): readonly Flow[];
  linuxBridges(host: string): readonly LinuxBridge[];
  rootRules(host: string): NetfilterRuleset;
  ipsets(host: string): Readonly<Record<string, readonly Cidr[]>>;
  /** The host's network namespaces (qrouter-, qdhcp-, …), the root namespace not included. */
  namespaces(host: string): readonly string[];
  nsInterfaces(host: string, ns: string): readonly NsInterface[];
  nsRoutes(host: string, ns: string): readonly Route[];
  nsRules(host: string, ns: string): NetfilterRuleset;
  /** Whether the namespace forwards IPv4 (a router does, a DHCP server does not). */
  forwarding(host: string, ns: string): boolean;
  /** An HA router namespace's keepalived instances (keepalived.conf, parsed), null when it has none. */
  vrrp(host: string, ns: string): VrrpInstance[] | null;
  /** physical network → the host's ports plugged into it, on the bridges of its bridge_mappings. */
  physicalPorts(host: string): ReadonlyMap<string, readonly Endpoint[]>;
  readonly warnings: readonly Warning[];
}

/** Builds the dataplane of `topo` from its rendered `artifacts`. */
export function assembleDataplane(topo: Topology, artifacts: readonly Artifact[]): Dataplane {
  return assembleFromSource(topo, renderedSource(topo, artifacts));
}

/** Builds a dataplane from any source; VM stations and the outside world come from `topo`. */
export function assembleFromSource(topo: Topology, source: HostSource): Dataplane {
  const hosts: HostDataplane[] = source.hosts.map((h) => assembleHost(h.name, h.tunnelIp, source));
  const links = [...patchLinks(hosts), ...vethAndVifLinks(topo, hosts), ...internalLinks(hosts)];
  const wires = physicalWires(topo, source);
  const stations: Station[] = [...vmStations(topo, hosts), ...outsideStations(topo)];
  return { hosts, links, wires, stations, warnings: source.warnings };
}

function assembleHost(name: string, tunnelIp: string | null, source: HostSource): HostDataplane {
  const shown = source.ovsShow(name);
  const ovsBridges: OvsBridge[] = (shown?.bridges ?? []).map((b) => {
    const ofports = source.ofports(name, b.name);
    const ports: OvsPort[] = b.ports.map((p) => ({ ...p, ofport: p.ofport ?? ofports[p.name] ?? null }));
    return { kind: 'ovs-bridge', name: b.name, ports, flows: source.flows(name, b.name) };
  });
  const root: Namespace = {
    kind: 'namespace',
    name: 'root',
    interfaces: [],
    routes: [],
    netfilter: { ...source.rootRules(name), ipsets: source.ipsets(name) },
    forwarding: false,
  };
  const namespaces: Namespace[] = [
    root,
    ...source.namespaces(name).map((ns): Namespace => ({
      kind: 'namespace',
      name: ns,
      interfaces: source.nsInterfaces(name, ns),
      routes: source.nsRoutes(name, ns),
      netfilter: source.nsRules(name, ns),
      forwarding: source.forwarding(name, ns),
      ...vrrpOf(source.vrrp(name, ns)),
    })),
  ];
  return { name, tunnelIp, ovsBridges, linuxBridges: [...source.linuxBridges(name)], namespaces };
}

/** The source of a topology's rendered artifacts (`artifactPath` names), with the renderer's provenance on every rule. */
function renderedSource(topo: Topology, artifacts: readonly Artifact[]): HostSource {
  const index = indexArtifacts(artifacts);
  const warnings: Warning[] = [];
  const parsed = new Map<string, unknown>();
  // Each artifact is parsed once (its warnings said once), whoever asks for it.
  const read = <T>(path: string, parse: (text: string, file: string) => { value: T; warnings: Warning[] }): T | null => {
    if (parsed.has(path)) return parsed.get(path) as T;
    const a = index.get(path);
    if (!a) return null;
    const r = parse(a.text, a.path);
    warnings.push(...r.warnings);
    parsed.set(path, r.value);
    return r.value;
  };
  // Every `${host}/${ns}.ip-addr` path under each host it may belong to (each `/` in it ends a candidate
  // host name), found in one pass over the paths instead of one per host.
  let nsByHost: Map<string, string[]> | null = null;
  const namespacesByHost = (): Map<string, string[]> => {
    if (nsByHost !== null) return nsByHost;
    const m = new Map<string, string[]>();
    for (const p of index.keys()) {
      if (!p.endsWith('.ip-addr')) continue;
      for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) {
        const host = p.slice(0, i);
        const name = p.slice(i + 1, -'.ip-addr'.length);
        const l = m.get(host);
        if (l) l.push(name);
        else m.set(host, [name]);
      }
    }
    return (nsByHost = m);
  };
  return {
    hosts: topo.hosts.map((h) => ({ name: h.name, tunnelIp: h.tunnelIp })),
    warnings,
    ovsShow: (host) => read(artifactPath.ovsVsctlShow(host), parseOvsVsctlShow),
    ofports: (host, bridge) => read(artifactPath.ofctlShow(host, bridge), parseOfctlShow) ?? {},
    flows: (host, bridge) => (read(artifactPath.dumpFlows(host, bridge), parseDumpFlows) ?? []).map((f) => annotateFlow(f, index)),
    linuxBridges: (host) => read(artifactPath.brctlShow(host), parseBrctlShow) ?? [],
    rootRules: (host) => annotateRuleset(read(artifactPath.hostIptablesSave(host), parseIptablesSave) ?? EMPTY_RULESET, index),
    ipsets: (host) => read(artifactPath.hostIpsetSave(host), parseIpsetSave) ?? {},
    namespaces: (host) => [...(namespacesByHost().get(host) ?? [])].sort(),
    nsInterfaces: (host, ns) => read(artifactPath.nsIpAddr(host, ns), parseIpAddr) ?? [],
    nsRoutes: (host, ns) => (read(artifactPath.nsIpRoute(host, ns), parseIpRoute) ?? []).map((r) => ({ ...r, origin: withProvenance(r.origin, index) })),
    nsRules: (host, ns) => annotateRuleset(read(artifactPath.nsIptablesSave(host, ns), parseIptablesSave) ?? EMPTY_RULESET, index),
    // The L3 agent enables forwarding in router namespaces; a DHCP namespace only answers.
    forwarding: (_host, ns) => ns.startsWith('qrouter-'),
    vrrp: (host, ns) => annotateVrrp(read(artifactPath.keepalivedConf(host, ns), parseKeepalivedConf), index),
    physicalPorts: (host) => {
      // The rendered NIC of a mapped bridge is eth<i+1>, i its position in the host's bridge_mappings.
      const out = new Map<string, Endpoint[]>();
      const h = topo.hosts.find((x) => x.name === host);
      const shown = read(artifactPath.ovsVsctlShow(host), parseOvsVsctlShow);
      Object.entries(h?.bridgeMappings ?? {}).forEach(([physnet, bridge], i) => {
        const nic = deviceName.physicalNic(i);
        if (shown?.bridges.some((b) => b.name === bridge && b.ports.some((p) => p.name === nic))) out.set(physnet, [{ host, device: bridge, port: nic }]);
      });
      return out;
    },
  };
}

function vrrpOf(instances: VrrpInstance[] | null): Pick<Namespace, 'vrrp'> {
  return instances === null ? {} : { vrrp: instances };
}

/** An HA router namespace's keepalived instances, each line's origin with its provenance. */
function annotateVrrp(instances: VrrpInstance[] | null, index: ProvenanceIndex): VrrpInstance[] | null {
  if (instances === null) return null;
  const at = <T extends { origin: Origin }>(x: T): T => ({ ...x, origin: withProvenance(x.origin, index) });
  return instances.map((v) => ({ ...at(v), vips: v.vips.map(at), excludedVips: v.excludedVips.map(at), routes: v.routes.map(at) }));
}

// The flow and the rule are written out in the parsers' field order rather than spread (one of each per
// parsed line, so the spread was a second of assembly at 10,000 VMs).
function annotateFlow(f: Flow, index: ProvenanceIndex): Flow {
  return { table: f.table, priority: f.priority, match: f.match, actions: f.actions, cookie: f.cookie, origin: withProvenance(f.origin, index) };
}

function annotateRuleset(rs: NetfilterRuleset, index: ProvenanceIndex): NetfilterRuleset {
  return {
    ...rs,
    tables: rs.tables.map((t) => ({
      ...t,
      chains: t.chains.map((c): NfChain => ({ ...c, rules: c.rules.map((r) => ({ matches: r.matches, target: r.target, origin: withProvenance(r.origin, index) })) })),
    })),
  };
}

/** One link per patch pair, found through each port's `peer` option. */
function patchLinks(hosts: readonly HostDataplane[]): Link[] {
  const links: Link[] = [];
  for (const h of hosts) {
    const owner = new Map<string, string>();
    for (const b of h.ovsBridges) for (const p of b.ports) owner.set(p.name, b.name);
    for (const b of h.ovsBridges) {
      for (const p of b.ports) {
        if (p.type !== 'patch' || p.peer === null) continue;
        const peerBridge = owner.get(p.peer);
        // Each pair once: from the side whose name sorts first.
        if (peerBridge === undefined || p.name > p.peer) continue;
        links.push({ kind: 'patch', a: { host: h.name, device: b.name, port: p.name }, b: { host: h.name, device: peerBridge, port: p.peer } });
      }
    }
  }
  return links;
}

// A host's bridges by the ports they hold, the first bridge in the host's order for a name (what a scan of
// the bridges finds): every VM port and namespace interface is looked up, and a network node's br-int holds
// a port per router interface and DHCP server of the cloud.
const ovsBridgeOfPort = new WeakMap<HostDataplane, ReadonlyMap<string, string>>();
const linuxBridgeOfPort = new WeakMap<HostDataplane, ReadonlyMap<string, string>>();

function findOvsPort(h: HostDataplane, port: string): Endpoint | null {
  let m = ovsBridgeOfPort.get(h);
  if (!m) {
    const byPort = new Map<string, string>();
    for (const b of h.ovsBridges) for (const p of b.ports) if (!byPort.has(p.name)) byPort.set(p.name, b.name);
    ovsBridgeOfPort.set(h, (m = byPort));
  }
  const device = m.get(port);
  return device === undefined ? null : { host: h.name, device, port };
}

function findLinuxBridgePort(h: HostDataplane, port: string): Endpoint | null {
  let m = linuxBridgeOfPort.get(h);
  if (!m) {
    const byPort = new Map<string, string>();
    for (const b of h.linuxBridges) for (const p of b.ports) if (!byPort.has(p)) byPort.set(p, b.name);
    linuxBridgeOfPort.set(h, (m = byPort));
  }
  const device = m.get(port);
  return device === undefined ? null : { host: h.name, device, port };
}

/** Hosts by name, the first of a name. */
function hostsByName(hosts: readonly HostDataplane[]): Map<string, HostDataplane> {
  const m = new Map<string, HostDataplane>();
  for (const h of hosts) if (!m.has(h.name)) m.set(h.name, h);
  return m;
}

/**
 * The hybrid firewall's plumbing, which only Nova and the OVS agent know: the VM NIC ↔ `tap` on
 * `qbr`, and the `qvb` ↔ `qvo` veth pair into br-int. Without a qbr the tap sits on br-int itself.
 */
function vethAndVifLinks(topo: Topology, hosts: readonly HostDataplane[]): Link[] {
  const links: Link[] = [];
  const byName = hostsByName(hosts);
  for (const vm of topo.vms) {
    const h = byName.get(vm.host);
    if (!h) continue;
    vm.ports.forEach((p, i) => {
      const tap = deviceName.tap(p.id);
      const tapEnd = findLinuxBridgePort(h, tap) ?? findOvsPort(h, tap);
      if (tapEnd) links.push({ kind: 'vif', a: { host: h.name, device: `vm:${vm.name}`, port: String(i) }, b: tapEnd });
      const qvb = findLinuxBridgePort(h, deviceName.qvb(p.id));
      const qvo = findOvsPort(h, deviceName.qvo(p.id));
      if (qvb && qvo) links.push({ kind: 'veth', a: qvb, b: qvo });
    });
  }
  return links;
}

/** OVS internal ports whose interface was moved into a namespace (qr-, qg-, the DHCP tap). */
function internalLinks(hosts: readonly HostDataplane[]): Link[] {
  const links: Link[] = [];
  for (const h of hosts) {
    for (const ns of h.namespaces) {
      for (const iface of ns.interfaces) {
        if (iface.name === 'lo') continue;
        const end = findOvsPort(h, iface.name);
        if (end) links.push({ kind: 'internal', a: end, b: { host: h.name, device: ns.name, port: iface.name } });
      }
    }
  }
  return links;
}

/** Each host's NIC on each mapped physical bridge is plugged into that physical network. */
function physicalWires(topo: Topology, source: HostSource): Wire[] {
  const members = new Map<string, Endpoint[]>();
  for (const h of source.hosts) {
    for (const [physnet, ends] of source.physicalPorts(h.name)) members.set(physnet, [...(members.get(physnet) ?? []), ...ends]);
  }
  const physnets = new Set([...members.keys(), ...topo.networks.flatMap((n) => (n.physicalNetwork ? [n.physicalNetwork] : []))]);
  return [...physnets].sort().map((physnet) => ({ physnet, members: members.get(physnet) ?? [] }));
}

function vmStations(topo: Topology, hosts: readonly HostDataplane[]): Station[] {
  const out: Station[] = [];
  const byName = hostsByName(hosts);
  for (const vm of topo.vms) {
    const h = byName.get(vm.host);
    vm.ports.forEach((p, i) => {
      const subnet = networkByName(topo, p.network)?.subnets.find((s) => s.name === p.subnet);
      const tap = deviceName.tap(p.id);
      const attachment = (h && (findLinuxBridgePort(h, tap) ?? findOvsPort(h, tap))) ?? { host: vm.host, device: UNPLUGGED, port: tap };
      out.push({
        kind: 'vm-port',
        vm: vm.name,
        index: i,
        host: vm.host,
        project: vm.project,
        network: p.network,
        portId: p.id,
        mac: p.mac,
        ip: p.ip,
        prefixLen: subnet?.prefixLen ?? 32,
        gateway: subnet?.gateway ?? null,
        attachment,
      });
    });
  }
  return out;
}
