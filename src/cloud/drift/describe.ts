// Differences in Neutron's terms: which port, network, security group rule, floating IP or host a flow or
// rule stands for. The intent's lines carry the renderer's provenance (the Neutron object and why the
// agent installs the line); captured lines are read for what they do: the VNI a flow sends a local VLAN
// with, the host a tunnel port leads to, the port a device name belongs to.
import type { Flow } from '../../ir/openflow.ts';
import type { Origin } from '../../ir/origin.ts';
import type { Labels } from '../../report/labels.ts';
import type { Topology } from '../../topology/model.ts';

export interface Describer {
  /** `vm3:0` for `qvo3f2a…`, or the device name itself. */
  device(name: string): string;
  /** `network net1` for local VLAN 1 on compute1, or `local VLAN 1 (no network)`. */
  localVlan(host: string, vlan: number): string;
  /** `VNI 101 (network net1)` or `VNI 1002 (no network)`. */
  vni(id: number): string;
  /** The host a tunnel port leads to (`vxlan-0a000015` → `network1`). */
  tunnelHost(port: string): string;
  /** What a flow does, for a flow the intent lacks: its tunnel outputs and VLAN in Neutron's words. */
  flow(host: string, f: Flow): string;
  /** The Neutron object and reason of an intent line, when the renderer recorded them. */
  why(o: Origin): string;
  /** `port vm1:0` for a port id prefix (chain names hold 10 characters of it), or null. */
  portByPrefix(prefix: string): string | null;
}

export function describer(topo: Topology, labels: Labels): Describer {
  const hostByIp = new Map(topo.hosts.filter((h) => h.tunnelIp !== null).map((h) => [h.tunnelIp as string, h.name]));
  const device = (name: string) => labels.withName(name);
  const localVlan = (host: string, vlan: number) => {
    const n = labels.networkOfLocalVlan(host, vlan);
    return n ? `network ${n} (local VLAN ${vlan})` : `local VLAN ${vlan} (no network of this host)`;
  };
  const vni = (id: number) => {
    const n = labels.networkOfSegment('tunnel', id);
    return n ? `VNI ${id} (network ${n})` : `VNI ${id} (no network)`;
  };
  const tunnelHost = (port: string) => {
    const m = /^(?:vxlan|gre|geneve)-([0-9a-f]{8})$/.exec(port);
    if (!m) return port;
    const hex = m[1] as string;
    const ip = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
    return hostByIp.get(ip) ?? `${ip} (no host Neutron knows)`;
  };
  return {
    device,
    localVlan,
    vni,
    tunnelHost,
    flow(host, f) {
      const parts: string[] = [];
      const vlan = f.match.dl_vlan;
      const tun = f.actions.find((a) => a.kind === 'set_tun_id');
      const outs = f.actions.flatMap((a) => (a.kind === 'output' && a.port.kind === 'name' && /^(vxlan|gre|geneve)-/.test(a.port.name) ? [tunnelHost(a.port.name)] : []));
      if (tun?.kind === 'set_tun_id' && outs.length > 0) parts.push(`carries ${vni(tun.value)}${vlan !== undefined ? ` from ${localVlan(host, vlan)}` : ''} to ${outs.join(', ')}`);
      else if (f.match.tun_id !== undefined) {
        const set = f.actions.find((a) => a.kind === 'mod_vlan_vid' || a.kind === 'set_vlan_vid');
        parts.push(`takes ${vni(f.match.tun_id.value)} off the tunnels${set && 'vid' in set ? ` onto ${localVlan(host, set.vid)}` : ''}`);
      } else if (f.match.in_port?.kind === 'name') parts.push(`handles traffic from ${device(f.match.in_port.name)}`);
      if (f.match.dl_dst !== undefined && f.match.dl_dst.mask === null) {
        const owner = labels.macOwner(f.match.dl_dst.mac);
        parts.push(`for ${f.match.dl_dst.mac}${owner ? ` (${owner})` : ''}`);
      }
      return parts.join(' ');
    },
    why: (o) => (o.neutron ? `${o.neutron}${o.why ? `: ${o.why}` : ''}` : o.why ?? ''),
    portByPrefix: (prefix) => {
      const p = prefix.length >= 8 ? topo.ports.find((x) => x.id.startsWith(prefix)) : undefined;
      return p ? `port ${p.name}` : null;
    },
  };
}
