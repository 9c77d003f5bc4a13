// The values of a dataplane worth aiming random packets at: every MAC and IPv4 address a station or a
// namespace interface holds (with each subnet's broadcast address), the VLANs its flows and ports
// name, the tunnel keys its flows match or set, and the ports its iptables rules name (each bound and
// one past it). Pure: a Dataplane in, sorted distinct lists out.
import type { Dataplane } from '../../src/ir/dataplane.ts';
import type { Flow } from '../../src/ir/openflow.ts';
import type { NetfilterRuleset } from '../../src/ir/netfilter.ts';
import { broadcastOf, formatIpv4, ipv4ToNumber } from '../../src/net/ipv4.ts';
import type { Universe } from './random-packet.ts';

const sorted = <T>(xs: Iterable<T>): T[] => [...new Set(xs)].sort();

function flowVlans(f: Flow): number[] {
  const out: number[] = [];
  if (f.match.dl_vlan !== undefined) out.push(f.match.dl_vlan);
  if (f.match.vlan_tci !== undefined && (f.match.vlan_tci.value & 0x1000) !== 0) out.push(f.match.vlan_tci.value & 0x0fff);
  for (const a of f.actions) if (a.kind === 'mod_vlan_vid' || a.kind === 'set_vlan_vid') out.push(a.vid);
  return out;
}

function flowTunIds(f: Flow): number[] {
  const out: number[] = [];
  if (f.match.tun_id !== undefined) out.push(f.match.tun_id.value);
  for (const a of f.actions) if (a.kind === 'set_tun_id') out.push(a.value);
  return out;
}

function rulePorts(nf: NetfilterRuleset): number[] {
  const out: number[] = [];
  const edges = (lo: number, hi: number) => out.push(lo - 1, lo, hi, hi + 1);
  for (const t of nf.tables) for (const c of t.chains) for (const r of c.rules) for (const m of r.matches) {
    if (m.kind === 'sport' || m.kind === 'dport') edges(m.from, m.to);
    if (m.kind === 'multiport') for (const [lo, hi] of m.ranges) edges(lo, hi);
  }
  return out.filter((p) => p >= 0 && p <= 65535);
}

export function universeOf(dp: Dataplane): Universe {
  const macs: string[] = [];
  const ips: string[] = [];
  const vlans: number[] = [];
  const tunIds: number[] = [];
  const ports: number[] = [];
  for (const s of dp.stations) {
    macs.push(s.mac);
    if (s.kind === 'vm-port') ips.push(s.ip);
    else ips.push(s.gateway, formatIpv4(broadcastOf(ipv4ToNumber(s.cidr.ip), s.cidr.prefixLen)));
    if (s.kind === 'outside' && s.vlan !== null) vlans.push(s.vlan);
  }
  for (const h of dp.hosts) {
    for (const ns of h.namespaces) {
      ports.push(...rulePorts(ns.netfilter));
      for (const i of ns.interfaces) {
        macs.push(i.mac);
        for (const a of i.addresses) {
          ips.push(a.ip);
          if (a.prefixLen < 31) ips.push(formatIpv4(broadcastOf(ipv4ToNumber(a.ip), a.prefixLen)));
        }
      }
    }
    for (const b of h.ovsBridges) {
      for (const p of b.ports) if (p.tag !== null) vlans.push(p.tag);
      for (const f of b.flows) {
        vlans.push(...flowVlans(f));
        tunIds.push(...flowTunIds(f));
        if (f.match.dl_src?.mask === null) macs.push(f.match.dl_src.mac);
        if (f.match.dl_dst?.mask === null) macs.push(f.match.dl_dst.mac);
        if (f.match.nw_dst && f.match.nw_dst.prefixLen === 32) ips.push(f.match.nw_dst.ip);
        if (f.match.arp_tpa && f.match.arp_tpa.prefixLen === 32) ips.push(f.match.arp_tpa.ip);
        if (f.match.arp_spa && f.match.arp_spa.prefixLen === 32) ips.push(f.match.arp_spa.ip);
      }
    }
  }
  return { macs: sorted(macs), ips: sorted(ips), vlans: sorted(vlans).sort((a, b) => a - b), tunIds: sorted(tunIds).sort((a, b) => a - b), ports: sorted(ports).sort((a, b) => a - b) };
}
