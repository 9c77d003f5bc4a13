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

/** One owners list's addresses in ascending order, with each one's place in the list. */
interface ByAddress {
  readonly ips: Float64Array;
  readonly at: Uint32Array;
}

/** Per owners list (lists are built once per dataplane and never changed), its addresses sorted: built on first use. */
const sortedByAddress = new WeakMap<readonly Owner[], ByAddress>();

function byAddress(owners: readonly Owner[]): ByAddress {
  const known = sortedByAddress.get(owners);
  if (known !== undefined) return known;
  const order = [...owners.keys()].sort((a, b) => owners[a]!.ip - owners[b]!.ip || a - b);
  const made = { ips: Float64Array.from(order, (i) => owners[i]!.ip), at: Uint32Array.from(order) };
  sortedByAddress.set(owners, made);
  return made;
}

/**
 * The owners whose address lies in `net/prefixLen`, in the list's order. Found by binary search in the
 * sorted addresses: a filter of every owner per call grew as calls times addresses, and it is asked per
 * route and per address of a subnet. A range holding much of the list is filtered, which is cheaper than
 * putting the hits back in order.
 */
export function ownersIn(owners: readonly Owner[], net: number, prefixLen: number): readonly Owner[] {
  const size = 2 ** (32 - prefixLen);
  const lo = Math.floor(net / size) * size;
  const hi = lo + size;
  const { ips, at } = byAddress(owners);
  let a = 0;
  let b = ips.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (ips[m]! < lo) a = m + 1;
    else b = m;
  }
  let end = a;
  while (end < ips.length && ips[end]! < hi) end++;
  if (end - a > owners.length / 8) return owners.filter((o) => o.ip >= lo && o.ip < hi);
  // Back in the list's order: a typed array's own numeric sort, no comparator called per pair.
  const places = at.slice(a, end).sort();
  const out = new Array<Owner>(places.length);
  for (let i = 0; i < places.length; i++) out[i] = owners[places[i]!]!;
  return out;
}
