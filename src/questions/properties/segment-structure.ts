// The structural half of `segment-isolation`: every OpenFlow rule that puts a packet on a tunnel or a
// physical network, or takes one off it, is checked against the topology's segments and each host's
// local VLANs. Exhaustive over the rules: every flow of every br-tun and physical bridge, and every
// br-int flow coming in from a physical bridge, is looked at.
// Guarantees per flow: on br-tun, a flow that sets a tunnel key and outputs to a tunnel port matches
// the local VLAN of the network with that VNI/GRE key, and a flow matching a tunnel key translates it
// to that network's local VLAN; on a physical bridge, a flow from phy-br-X that forwards translates
// the local VLAN to the segment's VLAN (or strips it for flat) and nothing else forwards from phy-br-X
// untranslated; on br-int, a flow from int-br-X maps the segment's VLAN (untagged for flat) to the
// network's local VLAN, nothing else forwards from int-br-X untranslated, and every Neutron port's
// access tag is its network's local VLAN.
import { deviceName } from '../../render/names.ts';
import type { Flow, OvsBridge } from '../../ir/openflow.ts';
import type { HostT, NetworkT, PortT, Topology } from '../../topology/model.ts';
import { brIntDevice } from '../../render/ovs/layout.ts';
import type { Dataplane } from '../../ir/dataplane.ts';

/** A problem found, attributed to a network when one is known. */
export interface SegmentIssue { readonly network: string | null; readonly text: string }

const inPortName = (f: Flow): string | null => (f.match.in_port?.kind === 'name' ? f.match.in_port.name : null);
const at = (host: string, br: string, f: Flow) => `${host}/${br} ${f.origin.file}:${f.origin.line} \`${f.origin.text}\``;
const forwards = (f: Flow) => f.actions.some((a) => a.kind === 'output' || a.kind === 'normal' || a.kind === 'in_port' || a.kind === 'resubmit' || a.kind === 'goto_table');
const vlanOf = (f: Flow): number | 'untagged' | null =>
  f.match.dl_vlan !== undefined ? f.match.dl_vlan : f.match.vlan_tci !== undefined && (f.match.vlan_tci.value & 0x1fff) === 0 && (f.match.vlan_tci.mask ?? 0xffff) & 0x1000 ? 'untagged' : null;
const setVlan = (f: Flow): number | 'strip' | null => {
  for (const a of f.actions) {
    if (a.kind === 'mod_vlan_vid' || a.kind === 'set_vlan_vid') return a.vid;
    if (a.kind === 'strip_vlan') return 'strip';
  }
  return null;
};

/**
 * Neutron's TUN_TABLE (the OVS agent's constants): br-tun decapsulates each tunnel type's packets by key
 * in its own table — GRE in 3, VXLAN in 4 (GENEVE in 6, not modelled). A GRE network and a VXLAN network
 * may have the same segmentation ID (separate ID pools): a key matched in table 3 is the GRE network's.
 */
const TUNNEL_TYPE_OF_TABLE: ReadonlyMap<number, NetworkT['type']> = new Map([[3, 'gre'], [4, 'vxlan']]);

export function segmentIssues(topo: Topology, dp: Dataplane): SegmentIssue[] {
  const issues: SegmentIssue[] = [];
  for (const h of dp.hosts) {
    const host = topo.hosts.find((x) => x.name === h.name);
    const lv = topo.localVlans[h.name] ?? {};
    const byLvid = new Map<number, NetworkT>();
    for (const [n, v] of Object.entries(lv)) {
      const net = topo.networks.find((x) => x.name === n);
      if (net) byLvid.set(v, net);
    }
    for (const br of h.ovsBridges) {
      if (br.name === 'br-tun') issues.push(...tunnelIssues(topo, h.name, br, byLvid, lv));
      const physnet = host ? physnetOf(host, br.name) : null;
      if (physnet !== null) issues.push(...physIssues(h.name, br, physnet, byLvid));
      if (br.name === 'br-int' && host) issues.push(...intIssues(h.name, br, host, topo, lv));
      if (br.name === 'br-int') issues.push(...tagIssues(h.name, br, topo, lv));
    }
  }
  return issues;
}

/** The dead VLAN the OVS agent parks a port it cannot bind in (constants.DEAD_VLAN_TAG). */
const DEAD_VLAN = 4095;

const devicesOf = new WeakMap<Topology, ReadonlyMap<string, PortT>>();
/** Each Neutron port by its br-int device name (an HA router's replicated interface has one name on every host). */
function portsByDevice(topo: Topology): ReadonlyMap<string, PortT> {
  let m = devicesOf.get(topo);
  if (m === undefined) devicesOf.set(topo, (m = new Map(topo.ports.filter((p) => p.deviceOwner !== 'network:floatingip').map((p) => [brIntDevice(topo, p), p] as const))));
  return m;
}

/**
 * Every Neutron port's access tag on br-int is its network's local VLAN there, as the OVS agent sets it
 * (ovs_neutron_agent.py `_bind_devices`: a port whose tag is not its network's `lvm.vlan` is set to it):
 * NORMAL puts what the port sends on the tag's VLAN and delivers the tag's VLAN to it, so a port with
 * another network's tag is on that network. A port in the dead VLAN (unbound) is left alone.
 */
function tagIssues(host: string, br: OvsBridge, topo: Topology, lv: Readonly<Record<string, number>>): SegmentIssue[] {
  const byDevice = portsByDevice(topo);
  const out: SegmentIssue[] = [];
  for (const port of br.ports) {
    if (port.tag === null || port.tag === DEAD_VLAN) continue;
    const p = byDevice.get(port.name);
    const want = p === undefined ? undefined : lv[p.network];
    if (p === undefined || want === undefined || port.tag === want) continue;
    const other = Object.entries(lv).find(([, v]) => v === port.tag)?.[0];
    out.push({ network: p.network, text: `${host}/br-int port ${port.name} (${p.name}) has tag ${port.tag}${other === undefined ? '' : `, ${other}'s local VLAN`}, not ${p.network}'s local VLAN ${want} (ovs-vsctl show)` });
  }
  return out;
}

function physnetOf(host: HostT, bridge: string): string | null {
  return Object.entries(host.bridgeMappings).find(([, b]) => b === bridge)?.[0] ?? null;
}

function tunnelIssues(topo: Topology, host: string, br: OvsBridge, byLvid: Map<number, NetworkT>, lv: Readonly<Record<string, number>>): SegmentIssue[] {
  const out: SegmentIssue[] = [];
  const tunnelPorts = new Set(br.ports.filter((p) => p.type === 'vxlan' || p.type === 'gre' || p.type === 'geneve').map((p) => p.name));
  for (const f of br.flows) {
    const outputs = f.actions.some((a) => a.kind === 'output' && a.port.kind === 'name' && tunnelPorts.has(a.port.name));
    const key = f.actions.find((a) => a.kind === 'set_tun_id');
    if (outputs) {
      const v = vlanOf(f);
      const net = typeof v === 'number' ? byLvid.get(v) : undefined;
      if (key?.kind !== 'set_tun_id') out.push({ network: net?.name ?? null, text: `tunnel output without a tunnel key at ${at(host, br.name, f)}` });
      else if (net === undefined) out.push({ network: null, text: `tunnel output from ${v === null ? 'any VLAN' : `VLAN ${v}`} that is no network's local VLAN at ${at(host, br.name, f)}` });
      else if (net.segmentationId !== key.value || (net.type !== 'vxlan' && net.type !== 'gre')) out.push({ network: net.name, text: `local VLAN ${v} of ${net.name} leaves with key ${key.value}, not ${net.segmentationId} at ${at(host, br.name, f)}` });
    }
    if (f.match.tun_id !== undefined && forwards(f)) {
      // In a table of one tunnel type, that type's network with the key; elsewhere, any tunnel network's.
      const type = TUNNEL_TYPE_OF_TABLE.get(f.table);
      const net = topo.networks.find((n) => (type !== undefined ? n.type === type : n.type === 'vxlan' || n.type === 'gre') && n.segmentationId === f.match.tun_id!.value);
      const sv = setVlan(f);
      const want = net ? lv[net.name] : undefined;
      if (net === undefined) out.push({ network: null, text: `tunnel key ${f.match.tun_id.value} belongs to no network at ${at(host, br.name, f)}` });
      else if (sv !== want) out.push({ network: net.name, text: `key ${net.segmentationId} of ${net.name} maps to ${sv === null ? 'no VLAN' : `VLAN ${sv}`}, not local VLAN ${want ?? '(none on this host)'} at ${at(host, br.name, f)}` });
    }
  }
  return out;
}

function physIssues(host: string, br: OvsBridge, physnet: string, byLvid: Map<number, NetworkT>): SegmentIssue[] {
  const out: SegmentIssue[] = [];
  const phy = deviceName.physToInt(br.name);
  const dropPrio = Math.max(-1, ...br.flows.filter((f) => f.table === 0 && inPortName(f) === phy && f.match.dl_vlan === undefined && f.actions.every((a) => a.kind === 'drop')).map((f) => f.priority));
  for (const f of br.flows) {
    if (f.table !== 0 || !forwards(f)) continue;
    const from = inPortName(f);
    if (from === phy) {
      const v = vlanOf(f);
      const net = typeof v === 'number' ? byLvid.get(v) : undefined;
      const sv = setVlan(f);
      if (net === undefined) out.push({ network: null, text: `${phy} forwards ${v === null ? 'any VLAN' : `VLAN ${v}`} that is no network's local VLAN at ${at(host, br.name, f)}` });
      else if (net.physicalNetwork !== physnet) out.push({ network: net.name, text: `${net.name} (physnet ${net.physicalNetwork ?? 'none'}) put on ${physnet} at ${at(host, br.name, f)}` });
      else if (net.type === 'flat' ? sv !== 'strip' : sv !== net.segmentationId) out.push({ network: net.name, text: `local VLAN ${v} of ${net.name} goes on the wire as ${sv === null ? `VLAN ${v} untranslated` : sv === 'strip' ? 'untagged' : `VLAN ${sv}`} at ${at(host, br.name, f)}` });
    } else if (from === null && f.priority >= dropPrio) {
      out.push({ network: null, text: `a flow not bound to an in_port forwards above the ${phy} drop, so local VLANs may reach ${physnet} at ${at(host, br.name, f)}` });
    }
  }
  return out;
}

function intIssues(host: string, br: OvsBridge, h: HostT, topo: Topology, lv: Readonly<Record<string, number>>): SegmentIssue[] {
  const out: SegmentIssue[] = [];
  for (const [physnet, bridge] of Object.entries(h.bridgeMappings)) {
    const port = deviceName.intToPhys(bridge);
    // The OVS agent drops what comes from a physical bridge untranslated (ovs_neutron_agent.py
    // setup_physical_bridges, `self.int_br.drop_port(in_port=int_ofport)`: table 0, priority 2 — Mitaka
    // (mitaka-eol) to 2024.1 (2024.1-eom) alike): a frame of a segment no network of this host has, or
    // whose translation is gone, would otherwise go on to normal switching carrying the physical VLAN
    // as if it were a local one, into whichever network has that local VLAN here. So a table-0 flow
    // bound to no in_port that forwards must lie below that drop (the agent's own is priority 0).
    const intPort = br.ports.find((x) => x.name === port);
    const fromPort = (f: Flow) => inPortName(f) === port || (f.match.in_port?.kind === 'number' && intPort?.ofport != null && f.match.in_port.ofport === intPort.ofport);
    const dropPrio = Math.max(-1, ...br.flows.filter((f) => f.table === 0 && fromPort(f) && f.match.dl_vlan === undefined && f.match.vlan_tci === undefined && f.actions.every((a) => a.kind === 'drop')).map((f) => f.priority));
    if (intPort !== undefined) {
      for (const f of br.flows) {
        if (f.table === 0 && f.match.in_port === undefined && forwards(f) && f.priority >= dropPrio) {
          out.push({ network: null, text: `a flow not bound to an in_port forwards ${dropPrio < 0 ? `with no drop of ${port}'s untranslated frames` : `above the ${port} drop`}, so ${physnet}'s VLANs no network of this host maps reach its local VLANs at ${at(host, br.name, f)}` });
        }
      }
    }
    for (const f of br.flows) {
      if (inPortName(f) !== port || !forwards(f)) continue;
      const v = vlanOf(f);
      const net = topo.networks.find((n) => n.physicalNetwork === physnet && (v === 'untagged' ? n.type === 'flat' : n.type === 'vlan' && n.segmentationId === v));
      const sv = setVlan(f);
      if (net === undefined) out.push({ network: null, text: `${port} admits ${v === null ? 'any VLAN' : v === 'untagged' ? 'untagged frames' : `VLAN ${v}`} of no network on ${physnet} at ${at(host, br.name, f)}` });
      else if (sv !== lv[net.name]) out.push({ network: net.name, text: `${net.name}'s segment maps to ${sv === null ? 'no VLAN' : `VLAN ${sv}`}, not local VLAN ${lv[net.name] ?? '(none)'} at ${at(host, br.name, f)}` });
    }
  }
  return out;
}
