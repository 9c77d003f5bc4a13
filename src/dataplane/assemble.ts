// Assembly: from a topology's rendered artifacts to the dataplane IR. The artifacts are parsed back
// with the same parsers that read real node dumps, so the evaluator and the verifier only ever see
// what an operator could collect; the topology contributes only what no artifact shows (which VM
// NIC is which tap, which NIC is on which physical network, where the outside world is).
import type { Dataplane, Endpoint, HostDataplane, Link, LinuxBridge, Namespace, Station, Wire } from '../ir/dataplane.ts';
import type { Flow, OvsBridge, OvsPort } from '../ir/openflow.ts';
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
} from '../parse/index.ts';
import { indexArtifacts, withProvenance, type ProvenanceIndex } from './provenance.ts';
import { outsideStations } from './outside.ts';

const EMPTY_RULESET: NetfilterRuleset = { tables: [], ipsets: {} };

/** Builds the dataplane of `topo` from its rendered `artifacts`. */
export function assembleDataplane(topo: Topology, artifacts: readonly Artifact[]): Dataplane {
  const index = indexArtifacts(artifacts);
  const warnings: Warning[] = [];
  const read = <T>(path: string, parse: (text: string, file: string) => { value: T; warnings: Warning[] }): T | null => {
    const a = index.get(path);
    if (!a) return null;
    const r = parse(a.text, a.path);
    warnings.push(...r.warnings);
    return r.value;
  };

  const hosts: HostDataplane[] = topo.hosts.map((h) => assembleHost(h.name, h.tunnelIp, index, read));
  const links = [...patchLinks(hosts), ...vethAndVifLinks(topo, hosts), ...internalLinks(hosts)];
  const wires = physicalWires(topo, hosts);
  const stations: Station[] = [...vmStations(topo, hosts), ...outsideStations(topo)];
  return { hosts, links, wires, stations, warnings };
}

type Reader = <T>(path: string, parse: (text: string, file: string) => { value: T; warnings: Warning[] }) => T | null;

function assembleHost(name: string, tunnelIp: string | null, index: ProvenanceIndex, read: Reader): HostDataplane {
  const shown = read(artifactPath.ovsVsctlShow(name), parseOvsVsctlShow);
  const ovsBridges: OvsBridge[] = (shown?.bridges ?? []).map((b) => {
    const ofports = read(artifactPath.ofctlShow(name, b.name), parseOfctlShow) ?? {};
    const flows = read(artifactPath.dumpFlows(name, b.name), parseDumpFlows) ?? [];
    const ports: OvsPort[] = b.ports.map((p) => ({ ...p, ofport: p.ofport ?? ofports[p.name] ?? null }));
    return { kind: 'ovs-bridge', name: b.name, ports, flows: flows.map((f) => annotateFlow(f, index)) };
  });
  const linuxBridges: LinuxBridge[] = read(artifactPath.brctlShow(name), parseBrctlShow) ?? [];
  const rootRules = read(artifactPath.hostIptablesSave(name), parseIptablesSave) ?? EMPTY_RULESET;
  const ipsets = read(artifactPath.hostIpsetSave(name), parseIpsetSave) ?? {};
  const root: Namespace = {
    kind: 'namespace',
    name: 'root',
    interfaces: [],
    routes: [],
    netfilter: annotateRuleset({ ...rootRules, ipsets }, index),
    forwarding: false,
  };
  const nsNames = [...index.keys()]
    .filter((p) => p.startsWith(`${name}/`) && p.endsWith('.ip-addr'))
    .map((p) => p.slice(name.length + 1, -'.ip-addr'.length))
    .sort();
  const namespaces: Namespace[] = [
    root,
    ...nsNames.map((ns): Namespace => ({
      kind: 'namespace',
      name: ns,
      interfaces: read(artifactPath.nsIpAddr(name, ns), parseIpAddr) ?? [],
      routes: (read(artifactPath.nsIpRoute(name, ns), parseIpRoute) ?? []).map((r) => ({ ...r, origin: withProvenance(r.origin, index) })),
      netfilter: annotateRuleset(read(artifactPath.nsIptablesSave(name, ns), parseIptablesSave) ?? EMPTY_RULESET, index),
      // The L3 agent enables forwarding in router namespaces; a DHCP namespace only answers.
      forwarding: ns.startsWith('qrouter-'),
      ...vrrpOf(read(artifactPath.keepalivedConf(name, ns), parseKeepalivedConf), index),
    })),
  ];
  return { name, tunnelIp, ovsBridges, linuxBridges, namespaces };
}

/** An HA router namespace's keepalived instances, each line's origin with its provenance. */
function vrrpOf(instances: VrrpInstance[] | null, index: ProvenanceIndex): Pick<Namespace, 'vrrp'> {
  if (instances === null) return {};
  const at = <T extends { origin: Origin }>(x: T): T => ({ ...x, origin: withProvenance(x.origin, index) });
  return {
    vrrp: instances.map((v) => ({ ...at(v), vips: v.vips.map(at), excludedVips: v.excludedVips.map(at), routes: v.routes.map(at) })),
  };
}

function annotateFlow(f: Flow, index: ProvenanceIndex): Flow {
  return { ...f, origin: withProvenance(f.origin, index) };
}

function annotateRuleset(rs: NetfilterRuleset, index: ProvenanceIndex): NetfilterRuleset {
  return {
    ...rs,
    tables: rs.tables.map((t) => ({
      ...t,
      chains: t.chains.map((c): NfChain => ({ ...c, rules: c.rules.map((r) => ({ ...r, origin: withProvenance(r.origin, index) })) })),
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

function findOvsPort(h: HostDataplane, port: string): Endpoint | null {
  for (const b of h.ovsBridges) if (b.ports.some((p) => p.name === port)) return { host: h.name, device: b.name, port };
  return null;
}

function findLinuxBridgePort(h: HostDataplane, port: string): Endpoint | null {
  for (const b of h.linuxBridges) if (b.ports.includes(port)) return { host: h.name, device: b.name, port };
  return null;
}

/**
 * The hybrid firewall's plumbing, which only Nova and the OVS agent know: the VM NIC ↔ `tap` on
 * `qbr`, and the `qvb` ↔ `qvo` veth pair into br-int. Without a qbr the tap sits on br-int itself.
 */
function vethAndVifLinks(topo: Topology, hosts: readonly HostDataplane[]): Link[] {
  const links: Link[] = [];
  for (const vm of topo.vms) {
    const h = hosts.find((x) => x.name === vm.host);
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
function physicalWires(topo: Topology, hosts: readonly HostDataplane[]): Wire[] {
  const members = new Map<string, Endpoint[]>();
  for (const ht of topo.hosts) {
    const h = hosts.find((x) => x.name === ht.name);
    if (!h) continue;
    Object.entries(ht.bridgeMappings).forEach(([physnet, bridge], i) => {
      const nic = deviceName.physicalNic(i);
      const b = h.ovsBridges.find((x) => x.name === bridge);
      if (!b || !b.ports.some((p) => p.name === nic)) return;
      const list = members.get(physnet) ?? [];
      list.push({ host: h.name, device: bridge, port: nic });
      members.set(physnet, list);
    });
  }
  const physnets = new Set([...members.keys(), ...topo.networks.flatMap((n) => (n.physicalNetwork ? [n.physicalNetwork] : []))]);
  return [...physnets].sort().map((physnet) => ({ physnet, members: members.get(physnet) ?? [] }));
}

function vmStations(topo: Topology, hosts: readonly HostDataplane[]): Station[] {
  const out: Station[] = [];
  for (const vm of topo.vms) {
    const h = hosts.find((x) => x.name === vm.host);
    vm.ports.forEach((p, i) => {
      const subnet = topo.networks.find((n) => n.name === p.network)?.subnets.find((s) => s.name === p.subnet);
      const tap = deviceName.tap(p.id);
      const attachment = (h && (findLinuxBridgePort(h, tap) ?? findOvsPort(h, tap))) ?? { host: vm.host, device: '(unplugged)', port: tap };
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
