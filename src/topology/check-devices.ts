// Ports that would share a device or a firewall chain on a host. Neutron and Nova name a port's
// devices after the first 11 characters of its id (a VM port's tap/qvb/qvo/qbr, a DHCP port's tap,
// a router's qr-/qg-/ha- ports), and the hybrid firewall names a port's iptables chains after the
// first 10 (src/render/names.ts). Neutron allocates ids itself (uuid4) and checks none of this: on a
// clash the later port's plugging takes the device over (os-vif deletes and re-creates the veth pair,
// the agents' ovs_lib replace_port deletes and re-adds the OVS port) and cuts the other port off, or
// both ports' rules land in one chain. Such a topology is refused (NP410), each clash said once, at
// the later port's written id (or the port itself when its id is derived).
import type { Diagnostics } from './diagnostics.ts';
import type { Path } from './path.ts';
import { chainName, deviceName } from '../render/names.ts';

/** A port as placed: its id, where it is written, the hosts its devices are on and what names them. */
export interface PlacedPort {
  readonly id: string;
  /** `vm1:0`, `router1:gateway`, `dhcp:net1:net1-v4` … */
  readonly name: string;
  readonly hosts: readonly string[];
  readonly kind: 'vm' | 'dhcp' | 'router-interface' | 'router-gateway' | 'router-ha';
  /** Whether the hybrid firewall programs chains for it (a VM port with port security under iptables_hybrid). */
  readonly chains: boolean;
  readonly at: Path;
}

/** The device name a clash shows (the others of a VM port share its 11 characters) and how the port's devices are named. */
function deviceOf(p: PlacedPort): { readonly name: string; readonly shown: string } {
  switch (p.kind) {
    case 'vm': return { name: deviceName.tap(p.id), shown: `${deviceName.tap(p.id)} (and its qvb/qvo/qbr)` };
    case 'dhcp': return { name: deviceName.dhcpTap(p.id), shown: deviceName.dhcpTap(p.id) };
    case 'router-interface': return { name: deviceName.qr(p.id), shown: deviceName.qr(p.id) };
    case 'router-gateway': return { name: deviceName.qg(p.id), shown: deviceName.qg(p.id) };
    case 'router-ha': return { name: deviceName.ha(p.id), shown: deviceName.ha(p.id) };
    default: {
      const never: never = p.kind;
      throw new Error(`unknown port kind ${String(never)}`);
    }
  }
}

export function checkDeviceNames(ports: readonly PlacedPort[], diag: Diagnostics): void {
  const devices = new Map<string, PlacedPort>();
  const chains = new Map<string, PlacedPort>();
  const line = (p: PlacedPort) => {
    const pos = diag.locate(p.at);
    return pos === null ? '' : ` (line ${pos.line})`;
  };
  for (const p of ports) {
    const dev = deviceOf(p);
    let reported = false;
    for (const host of p.hosts) {
      const k = `${host}\u0000${dev.name}`;
      const other = devices.get(k);
      if (other === undefined) devices.set(k, p);
      else if (!reported) {
        reported = true;
        diag.add('NP410', p.at, `port ${p.name} would share ${dev.shown} on ${host} with port ${other.name}${line(other)}: Neutron names a port's devices after its id's first 11 characters and checks nothing; the later port's plugging takes the device over and cuts the other off`);
      }
      if (!p.chains) continue;
      const c = `${host}\u0000${chainName.ingress(p.id)}`;
      const twin = chains.get(c);
      if (twin === undefined) chains.set(c, p);
      else if (!reported) {
        reported = true;
        diag.add('NP410', p.at, `port ${p.name} would share the iptables chains neutron-openvswi-i/o/s${p.id.slice(0, 10)} on ${host} with port ${twin.name}${line(twin)}: the hybrid firewall names a port's chains after its id's first 10 characters, so both ports' rules would land in one chain`);
      }
    }
  }
}
