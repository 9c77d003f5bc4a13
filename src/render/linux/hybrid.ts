// The hybrid iptables firewall of one host: the root namespace's iptables-save (raw zones + filter
// chains), its ipset-save and its brctl-show, from the templates in rules/iptables-hybrid/.
// Ports are set up in port-id order, as the agent does (`sorted(ports)` in iptables_firewall.py).
import { hybridFilter } from '../../../rules/iptables-hybrid/filter.ts';
import { hybridRaw } from '../../../rules/iptables-hybrid/raw.ts';
import type { PortT, SgRuleT, Topology } from '../../topology/model.ts';
import { type Artifact, artifactPath } from '../artifacts.ts';
import { chainName, deviceName } from '../names.ts';
import { canonicalCidr } from './addr.ts';
import { emptyBuild, instantiate } from './engine.ts';
import { portLabel } from './lookup.ts';
import { hostIpsets, writeIpsetSave } from './ipset.ts';
import { writeIptablesSave } from './iptables-save.ts';
import { describeSgRule, sgRuleToIptables } from './sg-rule.ts';
import type { Item } from './template.ts';
import { LineWriter } from './text.ts';
import { conntrackZones, STATELESS_SINCE, untrackedPort, vmPortsOn } from './zones.ts';
import { releaseIn } from './release.ts';
import { dhcpPortsOn, securityGroupById } from '../../topology/lookup.ts';


const byId = (a: PortT, b: PortT) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function sgRuleItems(topo: Topology, port: PortT, direction: SgRuleT['direction'], ipsetOf: (id: string) => string | null): Item[] {
  const seen = new Set<string>();
  const items: Item[] = [];
  const nameOf = (id: string) => securityGroupById(topo, id)?.name ?? id;
  for (const sgId of port.securityGroups) {
    const sg = securityGroupById(topo, sgId);
    for (const r of sg?.rules ?? []) {
      if (r.direction !== direction) continue;
      const text = sgRuleToIptables(r, { ipsetOf, release: topo.release });
      // Rules from several groups can render alike; the agent keeps the first.
      if (text === null || seen.has(text)) continue;
      seen.add(text);
      items.push({
        vars: { sgRule: text, sgWhy: describeSgRule(r, sg?.name ?? sgId, nameOf) },
        neutron: `security group ${sg?.name ?? sgId} (${sgId}) rule ${r.id}`,
      });
    }
  }
  return items;
}

function filteredPortItem(topo: Topology, port: PortT, zone: number, ipsetOf: (id: string) => string | null): Item {
  const stateless = untrackedPort(topo, port);
  // The loader refuses stateless groups before Ussuri (NP102); a model built otherwise has no agent to render.
  if (stateless && !releaseIn(topo.release, STATELESS_SINCE, undefined)) {
    throw new Error(`internal: port ${portLabel(port)} is in stateless security groups, which release ${topo.release} does not have (Ussuri and later)`);
  }
  const dhcp = dhcpPortsOn(topo, port.network);
  const pairs: Item[] = [];
  // Allowed address pairs first, then the fixed IP, as `_spoofing_rule` orders them.
  for (const pair of port.allowedAddressPairs) {
    if (pair.ipAddress.includes(':')) continue;
    const mac = (pair.macAddress ?? port.mac).toUpperCase();
    pairs.push({ vars: { pairCidr: canonicalCidr(pair.ipAddress), pairMac: mac }, neutron: `${portLabel(port)} allowed address pair ${pair.ipAddress}` });
  }
  pairs.push({ vars: { pairCidr: `${port.ip}/32`, pairMac: port.mac.toUpperCase() }, neutron: portLabel(port) });
  return {
    vars: {
      portId: port.id,
      tap: deviceName.tap(port.id),
      qvb: deviceName.qvb(port.id),
      ichain: chainName.ingress(port.id),
      ochain: chainName.egress(port.id),
      schain: chainName.spoof(port.id),
      zone: String(zone),
    },
    neutron: portLabel(port),
    flags: { stateless },
    scopes: {
      dhcpServer: dhcp.map((d) => ({ vars: { dhcpIp: d.ip }, neutron: portLabel(d) })),
      dhcpDestination: [`${port.ip}/32`, '255.255.255.255/32'].map((dst) => ({ vars: { dhcpDst: dst }, neutron: `${portLabel(port)} provider rule` })),
      ingressRule: sgRuleItems(topo, port, 'ingress', ipsetOf),
      egressRule: sgRuleItems(topo, port, 'egress', ipsetOf),
      spoofPair: pairs,
    },
  };
}

/** Whether `host` gets the hybrid firewall's artifacts: hybrid driver, and a compute role or VM ports. */
export function hasHybridFirewall(topo: Topology, host: string): boolean {
  if (topo.firewallDriver !== 'iptables_hybrid') return false;
  const h = topo.hosts.find((x) => x.name === host);
  return (h?.compute ?? false) || vmPortsOn(topo, host).length > 0;
}

/** iptables-save, ipset-save and brctl-show of one host's root namespace. */
export function renderHybridHost(topo: Topology, host: string): Artifact[] {
  const ports = vmPortsOn(topo, host).sort(byId);
  const zones = conntrackZones(topo, host);
  const ipsets = hostIpsets(topo, host);
  const ipsetOf = (sgId: string) => ipsets.find((s) => s.sgId === sgId)?.name ?? null;
  const root: Item = {
    vars: {},
    neutron: `hybrid iptables firewall of the OVS agent on ${host}`,
    scopes: {
      filteredPort: ports.filter((p) => p.portSecurity).map((p) => filteredPortItem(topo, p, zones.get(p.id) ?? 0, ipsetOf)),
      unfilteredPort: ports.filter((p) => !p.portSecurity).map((p) => ({ vars: { tap: deviceName.tap(p.id) }, neutron: portLabel(p) })),
    },
  };
  const build = emptyBuild();
  instantiate(build, hybridRaw, root, topo.release);
  instantiate(build, hybridFilter, root, topo.release);
  const ipt = new LineWriter();
  writeIptablesSave(ipt, build);
  const ips = new LineWriter();
  writeIpsetSave(ips, ipsets);
  return [ipt.artifact(artifactPath.hostIptablesSave(host)), ips.artifact(artifactPath.hostIpsetSave(host)), renderBrctlShow(topo, host, ports)];
}

/** A stable stand-in for the bridge id's MAC part (the kernel takes the lowest port MAC). */
function bridgeId(portId: string): string {
  const hex = portId.replace(/-/g, '');
  return `8000.fe${hex.slice(0, 10).padEnd(10, '0')}`;
}

/** `brctl show`: one qbr per VM port (hybrid plugging), holding its qvb and tap. */
export function renderBrctlShow(topo: Topology, host: string, ports: readonly PortT[]): Artifact {
  const w = new LineWriter();
  w.line('bridge name\tbridge id\t\tSTP enabled\tinterfaces');
  for (const p of ports) {
    const why = 'hybrid plugging: the VM\'s tap sits on a Linux bridge so iptables can filter it';
    w.line(`${deviceName.qbr(p.id)}\t\t${bridgeId(p.id)}\tno\t\t${deviceName.qvb(p.id)}`, { neutron: portLabel(p), why });
    w.line(`\t\t\t\t\t\t\t${deviceName.tap(p.id)}`, { neutron: portLabel(p), why: 'the VM\'s NIC on its qbr bridge' });
  }
  return w.artifact(artifactPath.brctlShow(host));
}
