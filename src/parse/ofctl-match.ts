// The match part of an `ovs-ofctl dump-flows` line → FlowMatch. Protocol shorthands are expanded
// into dl_type/nw_proto; every field netproof does not model is kept, as written, in
// `unsupported` (with a warning), so a flow is never made wider than it really is.
import type { Cidr, FlowMatch, MaskedInt, MaskedMac, PortRef } from '../ir/openflow.ts';
import { ETH_TYPE, IP_PROTO } from '../ir/packet.ts';
import { unquote } from './lex.ts';
import { PARSE_WARNING, type WarningSink } from './parsed.ts';
import { parseCidr, parseIntAuto, parseMac } from './values.ts';

/** OpenFlow's number of the bridge's own internal port (`LOCAL`). */
export const OFPP_LOCAL = 65534;

const ICMPV6 = 58;
const RARP = 0x8035;

/** `dl_type`/`nw_proto` implied by each protocol shorthand. */
const SHORTHANDS: Readonly<Record<string, { readonly dl_type: number; readonly nw_proto?: number }>> = {
  ip: { dl_type: ETH_TYPE.ipv4 },
  ipv4: { dl_type: ETH_TYPE.ipv4 },
  arp: { dl_type: ETH_TYPE.arp },
  rarp: { dl_type: RARP },
  ipv6: { dl_type: ETH_TYPE.ipv6 },
  icmp: { dl_type: ETH_TYPE.ipv4, nw_proto: IP_PROTO.icmp },
  tcp: { dl_type: ETH_TYPE.ipv4, nw_proto: IP_PROTO.tcp },
  udp: { dl_type: ETH_TYPE.ipv4, nw_proto: IP_PROTO.udp },
  sctp: { dl_type: ETH_TYPE.ipv4, nw_proto: 132 },
  icmp6: { dl_type: ETH_TYPE.ipv6, nw_proto: ICMPV6 },
  tcp6: { dl_type: ETH_TYPE.ipv6, nw_proto: IP_PROTO.tcp },
  udp6: { dl_type: ETH_TYPE.ipv6, nw_proto: IP_PROTO.udp },
};

/** Field-name aliases OVS accepts (and some versions print) → the name the IR uses. */
const ALIASES: Readonly<Record<string, string>> = {
  eth_src: 'dl_src',
  eth_dst: 'dl_dst',
  eth_type: 'dl_type',
  ip_src: 'nw_src',
  ip_dst: 'nw_dst',
  ip_proto: 'nw_proto',
  tcp_src: 'tp_src',
  tcp_dst: 'tp_dst',
  udp_src: 'tp_src',
  udp_dst: 'tp_dst',
  sctp_src: 'tp_src',
  sctp_dst: 'tp_dst',
  icmpv6_type: 'icmp_type',
  icmpv6_code: 'icmp_code',
  tunnel_id: 'tun_id',
};

/**
 * A port as a flow writes it: a number, `LOCAL`, a quoted name (`"qvo3e399bf2-31"`) or a bare name.
 * Null for an empty text.
 */
export function parsePortRef(s: string): PortRef | null {
  const t = s.trim();
  if (t === '') return null;
  if (t === 'LOCAL') return { kind: 'number', ofport: OFPP_LOCAL };
  const n = parseIntAuto(t);
  if (n !== null && !t.startsWith('"')) return { kind: 'number', ofport: n };
  return { kind: 'name', name: unquote(t) };
}

type MutableMatch = { -readonly [K in keyof FlowMatch]?: FlowMatch[K] };

function maskedInt(v: string): MaskedInt | null {
  const [valueText, maskText, ...rest] = v.split('/');
  if (rest.length > 0 || valueText === undefined) return null;
  const value = parseIntAuto(valueText);
  const mask = maskText === undefined ? null : parseIntAuto(maskText);
  if (value === null || (maskText !== undefined && mask === null)) return null;
  return { value, mask };
}

function maskedMac(v: string): MaskedMac | null {
  const [macText, maskText, ...rest] = v.split('/');
  if (rest.length > 0 || macText === undefined) return null;
  const mac = parseMac(macText);
  const mask = maskText === undefined ? null : parseMac(maskText);
  if (mac === null || (maskText !== undefined && mask === null)) return null;
  return { mac, mask };
}

/** Builds a FlowMatch from the match fields of one flow, reporting what it does not model. */
export class FlowMatchBuilder {
  private readonly m: MutableMatch = {};
  private readonly unsupported: string[] = [];

  constructor(
    private readonly sink: WarningSink,
    private readonly line: number,
  ) {}

  /** One comma-separated match item: `arp`, `in_port="patch-int"`, `vlan_tci=0x0000/0x1fff` … */
  add(item: string): void {
    const eq = item.indexOf('=');
    const rawKey = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? null : item.slice(eq + 1);
    const key = ALIASES[rawKey] ?? rawKey;
    if (value === null) {
      const sh = SHORTHANDS[key];
      if (sh) {
        this.m.dl_type = sh.dl_type;
        if (sh.nw_proto !== undefined) this.m.nw_proto = sh.nw_proto;
      } else this.unsupportedField(item);
      return;
    }
    if (!this.field(key, value)) this.unsupportedField(item);
  }

  build(): FlowMatch {
    return this.unsupported.length > 0 ? { ...this.m, unsupported: [...this.unsupported] } : { ...this.m };
  }

  private unsupportedField(item: string): void {
    this.unsupported.push(item);
    this.sink.add(PARSE_WARNING.unsupportedMatch, this.line, `match field not modelled: ${item}`);
  }

  private bad(key: string, value: string): true {
    // A known field with an unreadable value is still kept (as unsupported) so the flow stays narrow.
    this.unsupported.push(`${key}=${value}`);
    this.sink.add(PARSE_WARNING.badValue, this.line, `cannot read ${key}=${value}`);
    return true;
  }

  /** Handles one known `key=value`; false when the key is not one netproof models. */
  private field(key: string, value: string): boolean {
    const reg = /^reg(\d{1,2})$/.exec(key);
    if (reg) {
      const n = Number(reg[1]);
      const mv = maskedInt(value);
      // A masked register match cannot be expressed in `regs`; keep it unsupported.
      if (n > 15 || mv === null || mv.mask !== null) return false;
      this.m.regs = { ...(this.m.regs ?? {}), [n]: mv.value };
      return true;
    }
    switch (key) {
      case 'in_port': {
        const p = parsePortRef(value);
        if (p === null) return this.bad(key, value);
        this.m.in_port = p;
        return true;
      }
      case 'dl_vlan': {
        const v = parseIntAuto(value);
        if (v === null) return this.bad(key, value);
        // OF1.0's "no VLAN" value: written as vlan_tci, as OVS itself normalises it.
        if (v === 0xffff) this.m.vlan_tci = { value: 0, mask: 0xffff };
        else this.m.dl_vlan = v;
        return true;
      }
      case 'vlan_tci':
      case 'tp_src':
      case 'tp_dst':
      case 'tun_id': {
        const mv = maskedInt(value);
        if (mv === null) return this.bad(key, value);
        this.m[key] = mv;
        return true;
      }
      case 'dl_src':
      case 'dl_dst': {
        const mm = maskedMac(value);
        if (mm === null) return this.bad(key, value);
        this.m[key] = mm;
        return true;
      }
      case 'nw_src':
      case 'nw_dst':
      case 'arp_spa':
      case 'arp_tpa': {
        const c: Cidr | null = parseCidr(value);
        if (c === null) return this.bad(key, value);
        this.m[key] = c;
        return true;
      }
      case 'dl_type':
      case 'nw_proto':
      case 'arp_op':
      case 'icmp_type':
      case 'icmp_code': {
        const n = parseIntAuto(value);
        if (n === null) return this.bad(key, value);
        this.m[key] = n;
        return true;
      }
      case 'nd_target':
        this.m.nd_target = value;
        return true;
      default:
        return false;
    }
  }
}
