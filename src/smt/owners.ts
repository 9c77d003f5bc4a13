// Who holds which IPv4 address in the dataplane: VM ports, namespace interfaces (routers' qr-/qg-
// addresses and floating IPs, DHCP servers; a VM's VIPs in the question's choice of holders) and the outside world's upstream routers. The candidates
// an ARP request for a symbolic address can be answered by; whether one really answers is decided by
// walking the ARP request through the dataplane (see arp.ts).
// Guarantees: every address of every station and interface appears once per holder.
import type { Dataplane } from '../ir/dataplane.ts';
import { ipToNum, macToNum } from './headers.ts';

export interface Owner {
  readonly ip: number;
  readonly mac: number;
  /** `host/device:port` of the holder, for explanations. */
  readonly where: string;
}

export function addressOwners(dp: Dataplane): readonly Owner[] {
  const out: Owner[] = [];
  for (const s of dp.stations) {
    if (s.kind === 'vm-port') for (const ip of [s.ip, ...(s.vips ?? [])]) out.push({ ip: ipToNum(ip), mac: macToNum(s.mac), where: `${s.host}/vm:${s.vm}:${s.index}` });
    else out.push({ ip: ipToNum(s.gateway), mac: macToNum(s.mac), where: `outside:${s.network}` });
  }
  for (const h of dp.hosts) {
    for (const ns of h.namespaces) {
      for (const i of ns.interfaces) {
        for (const a of i.addresses) out.push({ ip: ipToNum(a.ip), mac: macToNum(i.mac), where: `${h.name}/${ns.name}:${i.name}` });
      }
    }
  }
  return out;
}

/** The owners whose address lies in `net/prefixLen`. */
export function ownersIn(owners: readonly Owner[], net: number, prefixLen: number): readonly Owner[] {
  const size = 2 ** (32 - prefixLen);
  return owners.filter((o) => Math.floor(o.ip / size) === Math.floor(net / size));
}
