// The packet a question starts from (docs/cli.md, netproof trace): unset fields default to an ICMP echo request, or
// for a protocol with ports (TCP, UDP, SCTP, DCCP, UDP-Lite) to source port 40000 and destination port 80. And the check that the header fields a
// question gives describe at least one packet: a question about no packet at all is an input error,
// never an answer (it would hold vacuously).
import { ETH_TYPE, IP_PROTO, ipProtoName, protoHasPorts, type Ipv4, type Mac, type Packet } from '../ir/packet.ts';
import type { InputError } from '../errors.ts';

/** A protocol by name (`IP_PROTO`'s) or number. */
export type ProtoArg = keyof typeof IP_PROTO | number;

export interface PacketFields {
  readonly proto: ProtoArg;
  readonly sport?: number;
  readonly dport?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
}

export function protoNumber(p: ProtoArg): number {
  return typeof p === 'number' ? p : IP_PROTO[p];
}

export function firstPacket(f: PacketFields, l2: { src: Mac; dst: Mac; vlan: number | null }, l3: { src: Ipv4; dst: Ipv4 }): Packet {
  const proto = protoNumber(f.proto);
  const ported = protoHasPorts(proto);
  const icmp = proto === IP_PROTO.icmp;
  return {
    eth_src: l2.src,
    eth_dst: l2.dst,
    vlan: l2.vlan,
    tun_id: null,
    eth_type: ETH_TYPE.ipv4,
    ip_src: l3.src,
    ip_dst: l3.dst,
    proto,
    sport: ported ? (f.sport ?? 40000) : null,
    dport: ported ? (f.dport ?? 80) : null,
    icmp_type: icmp ? (f.icmpType ?? 8) : null,
    icmp_code: icmp ? (f.icmpCode ?? 0) : null,
  };
}

/** Header fields as a question gives them (ports as a number or a range); absent fields are free. */
export interface FieldSpec {
  readonly proto?: ProtoArg | 'any';
  readonly sport?: number | readonly [number, number];
  readonly dport?: number | readonly [number, number];
  readonly icmpType?: number;
  readonly icmpCode?: number;
}

export type PacketField = keyof FieldSpec;

/** Why no packet has these fields, naming the field to blame (the one to change), or null when some packet does. */
export interface FieldConflict {
  readonly field: PacketField;
  readonly message: string;
}

function protoName(p: number): string {
  return ipProtoName(p) ?? String(p);
}

/**
 * Whether the fields can all hold of one IPv4 packet: port ranges must be ranges of 0-65535, ports
 * exist only on TCP, UDP, SCTP, DCCP and UDP-Lite packets (PORTED_PROTOS), ICMP type and code only
 * on ICMP packets — so ports and an ICMP type never go together, nor either with another protocol.
 * `name(field)` spells a field in the message as the user wrote it (`--dport`, `dport`).
 */
export function packetSetConflict(f: FieldSpec, name: (field: PacketField) => string): FieldConflict | null {
  for (const field of ['sport', 'dport'] as const) {
    const v = f[field];
    if (v === undefined) continue;
    const [lo, hi] = typeof v === 'number' ? [v, v] : v;
    if (lo < 0 || hi > 65535 || !Number.isInteger(lo) || !Number.isInteger(hi)) return { field, message: `${name(field)} ${lo}-${hi}: ports are 0-65535` };
    if (lo > hi) return { field, message: `${name(field)} ${lo}-${hi} is an empty range (the low end is above the high end): no packet has such a port` };
  }
  const ported = (['sport', 'dport'] as const).find((x) => f[x] !== undefined);
  const icmp = (['icmpType', 'icmpCode'] as const).find((x) => f[x] !== undefined);
  const proto = f.proto === undefined || f.proto === 'any' ? null : protoNumber(f.proto);
  if (ported !== undefined && icmp !== undefined) {
    return { field: icmp, message: `${name(ported)} asks for a packet with ports (TCP, UDP, SCTP, DCCP, UDP-Lite) and ${name(icmp)} for an ICMP one: no packet is both` };
  }
  if (ported !== undefined && proto !== null && !protoHasPorts(proto)) {
    return { field: ported, message: `${name(ported)} asks for a port, but ${name('proto')} ${protoName(proto)} packets have none (ports are TCP's, UDP's, SCTP's, DCCP's and UDP-Lite's)` };
  }
  if (icmp !== undefined && proto !== null && proto !== IP_PROTO.icmp) {
    return { field: icmp, message: `${name(icmp)} asks for an ICMP packet, but ${name('proto')} is ${protoName(proto)}` };
  }
  return null;
}

/** The command-line option of a packet field. */
export const optionOf = (f: PacketField): string => (f === 'icmpType' ? '--icmp-type' : f === 'icmpCode' ? '--icmp-code' : `--${f}`);

/** The fields' input error when no packet has them all (NP605, naming the option to change). */
export function packetFieldsError(topo: { readonly file: string }, f: FieldSpec): InputError | null {
  const c = packetSetConflict(f, optionOf);
  return c === null ? null : { code: 'NP605', file: topo.file, position: null, path: optionOf(c.field), message: c.message };
}

