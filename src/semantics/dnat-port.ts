// The destination port a DNAT gives the first packet of a connection, as the kernel's nf_nat picks it
// (net/netfilter/nf_nat_core.c get_unique_tuple → nf_nat_l4proto_unique_tuple), for the evaluator and
// the solver alike:
// - `--to-destination IP` keeps the port; `IP:P` sets P.
// - `IP:C-D/B` (a base port, NF_NAT_RANGE_PROTO_OFFSET, kernel ≥ 4.18; Neutron's port-forwarding ranges since
//   Zed) maps the original port p to C + ((p − B) mod (D − C + 1)): one to one when the matched ports B.. and
//   C..D have equal length (test/oracle/router.test.ts on port-forwarding-range.yaml, every variant), wrapping
//   around C..D when they do not (seen on kernel 6.18: --dport 7000:7020 → 200-210/7000 sent 7015 to 204 and
//   7020 to 209). Below B the offset is a negative number whose width differs between kernels, so such a
//   packet's port is any of C..D.
// - `IP:C-D` without a base keeps p when it is within C..D; otherwise the kernel picks: a per-protocol rover
//   in older kernels, a random offset after commit 6ed5943f8735 ("remove l4 protocol port rovers", Dec 2018), C first
//   since a 2024 fix of that commit (off = 0 for a destination manip; kernel 6.18 sent 9000 and 9050 of
//   --dport 9000:9100 → 100-110 both to 100). Any port of C..D is possible, so the model says "any of C..D"
//   (the range's first is what a replay shows).
// Approximation, as for every NAT here: the chosen tuple is assumed free (the first packet of a flow in
// an empty table); a clash moves the port on to the next free one.
import type { NfTarget } from '../ir/netfilter.ts';
import type { NatSpec } from './netfilter.ts';

export interface DnatPortRange {
  readonly from: number;
  readonly to: number;
  /** `/B`: the base port whose offset maps into from..to; null: no base. */
  readonly base: number | null;
}

/** What a DNAT does with the destination port: `keep` it, `set` one, or map it into a range. */
export type DnatPortMap =
  | { readonly kind: 'keep' }
  | { readonly kind: 'set'; readonly port: number }
  | { readonly kind: 'range'; readonly range: DnatPortRange };

/** The port a DNAT binds for original port `p`: one port, or any of a range the kernel chooses from. */
export type DnatPortChoice =
  | { readonly kind: 'port'; readonly port: number }
  | { readonly kind: 'any'; readonly range: readonly [number, number]; readonly why: string };

type Dnat = Extract<NfTarget, { kind: 'DNAT' }>;

/** The target's port map; `spec` is its `--to-destination` text parsed (a target built with the port in `to`). */
export function dnatPortMap(t: Dnat, spec: NatSpec | null): DnatPortMap {
  if (t.ports !== undefined) return t.ports.from === t.ports.to && t.ports.base === null ? { kind: 'set', port: t.ports.from } : { kind: 'range', range: t.ports };
  if (t.port !== null) return { kind: 'set', port: t.port };
  const p = spec?.ports ?? null;
  if (p === null) return { kind: 'keep' };
  return p[0] === p[1] ? { kind: 'set', port: p[0] } : { kind: 'range', range: { from: p[0], to: p[1], base: null } };
}

/** The new destination port of a packet to port `p` under a range map (nf_nat_l4proto_unique_tuple). */
export function rangePortFor(r: DnatPortRange, p: number): DnatPortChoice {
  const size = r.to - r.from + 1;
  if (r.base !== null) {
    if (p >= r.base) return { kind: 'port', port: r.from + ((p - r.base) % size) };
    return { kind: 'any', range: [r.from, r.to], why: `port ${p} is below the base port ${r.base} of DNAT to ports ${r.from}-${r.to}: the kernels' offset arithmetic differs there` };
  }
  if (p >= r.from && p <= r.to) return { kind: 'port', port: p };
  return { kind: 'any', range: [r.from, r.to], why: `port ${p} is outside the ports ${r.from}-${r.to} of a DNAT without a base port: the kernel picks one of them (by a rover, at random or the first free, by version)` };
}

/** `C-D/B` text of a range, as iptables-save writes it. */
export function rangeText(r: DnatPortRange): string {
  return `${r.from}${r.to !== r.from ? `-${r.to}` : ''}${r.base !== null ? `/${r.base}` : ''}`;
}
