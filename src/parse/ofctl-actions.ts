// The `actions=` part of an `ovs-ofctl dump-flows` line → FlowAction[]. Both renders are read: the
// OpenFlow 1.0 one (`mod_vlan_vid`, `strip_vlan`, `load:…->NXM_NX_TUN_ID[]`, `resubmit`) and the
// 1.3 one (`push_vlan`, `set_field:…->vlan_vid`, `pop_vlan`, `goto_table`), keeping the
// difference that matters: `mod_vlan_vid` pushes a tag onto an untagged frame, `set_field` does not.
// Writes of the Ethernet and ARP fields (`load`, `set_field`, whole-field `move`) are read too: the
// br-tun ARP responder answers with them.
// Every action not modelled becomes an `unsupported` action with a warning.
import type { FlowAction, MoveField } from '../ir/openflow.ts';
import { splitTopLevel } from './lex.ts';
import { parseLearn } from './ofctl-learn.ts';
import { parsePortRef } from './ofctl-match.ts';
import { PARSE_WARNING, type WarningSink } from './parsed.ts';
import { parseIntAuto, parseIpv4, parseMac } from './values.ts';
import { formatIpv4 } from '../net/ipv4.ts';
import { formatMac } from '../net/mac.ts';

/** The VLAN "tag present" bit OF1.3 `set_field:…->vlan_vid` carries (4098 = VID 2). */
const OFPVID_PRESENT = 0x1000;

/** Reads the text after `actions=`; an empty list means drop, as in OpenFlow. */
export function parseActions(text: string, sink: WarningSink, line: number): FlowAction[] {
  const items = splitTopLevel(text.trim(), ',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) return [{ kind: 'drop' }];
  return items.map((item) => {
    const a = parseAction(item);
    if (a.kind === 'unsupported') sink.add(PARSE_WARNING.unsupportedAction, line, `action not modelled: ${item}`);
    if (a.kind === 'learn' && a.spec === null)
      sink.add(PARSE_WARNING.unsupportedLearn, line, `learn action is not the Neutron br-tun shape: ${item}`);
    return a;
  });
}

function unsupported(text: string): FlowAction {
  return { kind: 'unsupported', text };
}

/** A header field's name in its NXM, OXM or short spelling → the field it is, for the fields modelled. */
const FIELD_NAMES: ReadonlyMap<string, MoveField | 'arp_op'> = new Map(
  ([
    ['eth_src', ['NXM_OF_ETH_SRC[]', 'OXM_OF_ETH_SRC[]', 'eth_src', 'dl_src']],
    ['eth_dst', ['NXM_OF_ETH_DST[]', 'OXM_OF_ETH_DST[]', 'eth_dst', 'dl_dst']],
    ['arp_op', ['NXM_OF_ARP_OP[]', 'OXM_OF_ARP_OP[]', 'arp_op']],
    ['arp_spa', ['NXM_OF_ARP_SPA[]', 'OXM_OF_ARP_SPA[]', 'arp_spa']],
    ['arp_tpa', ['NXM_OF_ARP_TPA[]', 'OXM_OF_ARP_TPA[]', 'arp_tpa']],
    ['arp_sha', ['NXM_NX_ARP_SHA[]', 'OXM_OF_ARP_SHA[]', 'arp_sha']],
    ['arp_tha', ['NXM_NX_ARP_THA[]', 'OXM_OF_ARP_THA[]', 'arp_tha']],
  ] as const).flatMap(([field, names]) => names.map((n) => [n, field] as const)),
);

const MAC_MAX = 2 ** 48 - 1;
const IPV4_MAX = 2 ** 32 - 1;

/** A MAC written as a MAC or as the 48-bit number `load` uses (`0xfa163e58fb55`). */
function macValue(value: string): string | null {
  const mac = parseMac(value);
  if (mac !== null) return mac;
  const n = parseIntAuto(value);
  return n === null || n > MAC_MAX ? null : formatMac(n);
}

/** An IPv4 address written dotted or as the 32-bit number `load` uses (`0xc0a80101`). */
function ipValue(value: string): string | null {
  const ip = parseIpv4(value);
  if (ip !== null) return ip;
  const n = parseIntAuto(value);
  return n === null || n > IPV4_MAX ? null : formatIpv4(n);
}

/** `load:`/`set_field:` of `value` into the field named `dst` (NXM or OXM spelling). */
function setField(value: string, dst: string, text: string): FlowAction {
  if (value.includes('/')) return unsupported(text); // masked set_field writes part of a field
  const field = FIELD_NAMES.get(dst);
  if (field !== undefined) {
    switch (field) {
      case 'eth_src':
      case 'eth_dst':
      case 'arp_sha':
      case 'arp_tha': {
        const mac = macValue(value);
        if (mac === null) return unsupported(text);
        if (field === 'eth_src') return { kind: 'mod_dl_src', mac };
        if (field === 'eth_dst') return { kind: 'mod_dl_dst', mac };
        return { kind: 'set_arp_ha', field, mac };
      }
      case 'arp_spa':
      case 'arp_tpa': {
        const ip = ipValue(value);
        return ip === null ? unsupported(text) : { kind: 'set_arp_pa', field, ip };
      }
      case 'arp_op': {
        // The opcode is 16 bits on the wire; netproof keeps ARP opcodes in the 8-bit protocol field.
        const op = parseIntAuto(value);
        return op === null || op > 0xff ? unsupported(text) : { kind: 'set_arp_op', value: op };
      }
    }
  }
  const v = parseIntAuto(value);
  if (v === null) return unsupported(text);
  if (dst === 'NXM_NX_TUN_ID[]' || dst === 'tun_id' || dst === 'tunnel_id' || dst === 'OXM_OF_TUNNEL_ID[]')
    return { kind: 'set_tun_id', value: v };
  const reg = /^(?:NXM_NX_REG(\d{1,2})\[\]|reg(\d{1,2}))$/.exec(dst);
  if (reg) {
    const n = Number(reg[1] ?? reg[2]);
    return n <= 15 ? { kind: 'set_reg', reg: n, value: v } : unsupported(text);
  }
  if (dst === 'vlan_vid' || dst === 'OXM_OF_VLAN_VID[]') {
    // OF1.3 writes the VID with the present bit; without it the VID is the value itself.
    return { kind: 'set_vlan_vid', vid: v >= OFPVID_PRESENT ? v - OFPVID_PRESENT : v };
  }
  // Writing 0 to the whole TCI removes the tag (learned br-tun flows: load:0->NXM_OF_VLAN_TCI[]).
  if ((dst === 'NXM_OF_VLAN_TCI[]' || dst === 'vlan_tci') && v === 0) return { kind: 'strip_vlan' };
  return unsupported(text);
}

/** `move:<src>[]-><dst>[]` of a whole field into one of the same width; part of a field is not modelled. */
function move(arg: string, text: string): FlowAction {
  const arrow = arg.indexOf('->');
  if (arrow < 0) return unsupported(text);
  const from = FIELD_NAMES.get(arg.slice(0, arrow).trim());
  const to = FIELD_NAMES.get(arg.slice(arrow + 2).trim());
  if (from === undefined || to === undefined || from === 'arp_op' || to === 'arp_op') return unsupported(text);
  const isMac = (f: MoveField) => f === 'eth_src' || f === 'eth_dst' || f === 'arp_sha' || f === 'arp_tha';
  if (isMac(from) !== isMac(to)) return unsupported(text); // Open vSwitch refuses a move between widths
  return { kind: 'move', from, to };
}

/** One action item, e.g. `resubmit(,60)` or `output:"patch-int"`. */
export function parseAction(item: string): FlowAction {
  const lower = item.toLowerCase();
  if (lower === 'drop') return { kind: 'drop' };
  if (lower === 'normal') return { kind: 'normal' };
  if (lower === 'in_port') return { kind: 'in_port' };
  if (item === 'strip_vlan' || item === 'pop_vlan') return { kind: 'strip_vlan' };
  if (item === 'LOCAL' || /^\d+$/.test(item) || /^".*"$/.test(item)) {
    const port = parsePortRef(item);
    return port === null ? unsupported(item) : { kind: 'output', port };
  }

  const paren = /^([a-z_0-9]+)\((.*)\)$/s.exec(item);
  if (paren) {
    const [, name, inner = ''] = paren;
    if (name === 'resubmit') return resubmit(inner, item);
    if (name === 'learn') {
      const r = parseLearn(inner);
      return { kind: 'learn', spec: 'spec' in r ? r.spec : null, text: item };
    }
    return unsupported(item);
  }

  const colon = item.indexOf(':');
  if (colon < 0) return unsupported(item);
  const name = item.slice(0, colon);
  const arg = item.slice(colon + 1);
  switch (name) {
    case 'output': {
      if (arg.includes('[')) return unsupported(item); // output to a register-held port
      const port = parsePortRef(arg);
      return port === null ? unsupported(item) : { kind: 'output', port };
    }
    case 'resubmit': {
      const port = parsePortRef(arg);
      return port === null ? unsupported(item) : { kind: 'resubmit', port, table: null };
    }
    case 'goto_table': {
      const t = parseIntAuto(arg);
      return t === null ? unsupported(item) : { kind: 'goto_table', table: t };
    }
    case 'mod_vlan_vid':
    case 'set_vlan_vid': {
      const vid = parseIntAuto(arg);
      return vid === null || vid > 4095 ? unsupported(item) : { kind: 'mod_vlan_vid', vid };
    }
    case 'push_vlan': {
      const ethertype = parseIntAuto(arg);
      return ethertype === null ? unsupported(item) : { kind: 'push_vlan', ethertype };
    }
    case 'set_tunnel':
    case 'set_tunnel64': {
      const v = parseIntAuto(arg);
      return v === null ? unsupported(item) : { kind: 'set_tun_id', value: v };
    }
    case 'mod_dl_src':
    case 'mod_dl_dst': {
      const mac = parseMac(arg);
      return mac === null ? unsupported(item) : { kind: name, mac };
    }
    case 'move':
      return move(arg, item);
    case 'load':
    case 'set_field': {
      const arrow = arg.indexOf('->');
      if (arrow < 0) return unsupported(item);
      return setField(arg.slice(0, arrow), arg.slice(arrow + 2), item);
    }
    default:
      return unsupported(item);
  }
}

/** `resubmit(,N)`, `resubmit(P)`, `resubmit(P,N)`; an empty part keeps the current one. */
function resubmit(inner: string, item: string): FlowAction {
  const parts = inner.split(',').map((s) => s.trim());
  if (parts.length > 2) return unsupported(item); // resubmit(,N,ct) and friends
  const [portText = '', tableText = ''] = parts;
  const port = parsePortRef(portText);
  if (portText !== '' && port === null) return unsupported(item);
  const table = tableText === '' ? null : parseIntAuto(tableText);
  if (tableText !== '' && table === null) return unsupported(item);
  return { kind: 'resubmit', port, table };
}
