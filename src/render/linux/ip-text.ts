// `ip addr` and `ip route` text of a namespace, in the iproute2 layout of the real samples
// (netnode_qrouter_ip_addr_with_fip.txt, netnode_qrouter_ip_route.txt): `lo` first, each interface
// with its link line, IPv4 addresses (with `brd`) and the EUI-64 link-local address; routes with the
// default route first, then by destination address, as the kernel lists them.
import type { Provenance } from '../artifacts.ts';
import { ipv4ToNumber as ipToInt } from '../../net/ipv4.ts';
import { macLinkLocal as linkLocal6 } from '../../net/mac.ts';
import { broadcast, parseCidr } from './addr.ts';
import type { LineWriter } from './text.ts';

export interface AddrSpec {
  readonly ip: string;
  readonly prefixLen: number;
  readonly provenance: Provenance;
  /** False for an address added without a broadcast address (keepalived's VIPs); default true. */
  readonly brd?: boolean;
}

export interface IfaceSpec {
  readonly name: string;
  readonly mac: string;
  readonly mtu: number;
  readonly addresses: readonly AddrSpec[];
  readonly provenance: Provenance;
  /** False when the interface has no IPv6 link-local address (an HA router's qr-/qg- on a backup); default true. */
  readonly linkLocal?: boolean;
}

export function writeIpAddr(w: LineWriter, ifaces: readonly IfaceSpec[]): void {
  w.line('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000');
  w.line('    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00');
  w.line('    inet 127.0.0.1/8 scope host lo');
  w.line('       valid_lft forever preferred_lft forever');
  w.line('    inet6 ::1/128 scope host');
  w.line('       valid_lft forever preferred_lft forever');
  ifaces.forEach((i, n) => {
    w.line(`${n + 2}: ${i.name}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${i.mtu} qdisc noqueue state UNKNOWN group default qlen 1000`, i.provenance);
    w.line(`    link/ether ${i.mac} brd ff:ff:ff:ff:ff:ff`, i.provenance);
    for (const a of i.addresses) {
      const brd = a.brd === false ? '' : ` brd ${broadcast(a.ip, a.prefixLen)}`;
      w.line(`    inet ${a.ip}/${a.prefixLen}${brd} scope global ${i.name}`, a.provenance);
      w.line('       valid_lft forever preferred_lft forever');
    }
    if (i.linkLocal === false) return;
    w.line(`    inet6 ${linkLocal6(i.mac)}/64 scope link`);
    w.line('       valid_lft forever preferred_lft forever');
  });
}

export interface RouteLine {
  /** `default` or a CIDR, for ordering. */
  readonly dst: string;
  readonly text: string;
  readonly provenance: Provenance;
}

export function writeIpRoute(w: LineWriter, routes: readonly RouteLine[]): void {
  const key = (r: RouteLine) => (r.dst === 'default' ? [-1, 0] : [ipToInt(parseCidr(r.dst).ip), parseCidr(r.dst).prefixLen]);
  const sorted = [...routes].sort((a, b) => {
    const [ka = 0, pa = 0] = key(a);
    const [kb = 0, pb = 0] = key(b);
    return ka - kb || pa - pb;
  });
  for (const r of sorted) w.line(r.text, r.provenance);
}
