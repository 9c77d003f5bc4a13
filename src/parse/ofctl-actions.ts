// The `actions=` part of an `ovs-ofctl dump-flows` line → FlowAction[]. Both renders are read: the
// OpenFlow 1.0 one (`mod_vlan_vid`, `strip_vlan`, `load:…->NXM_NX_TUN_ID[]`, `resubmit`) and the
// 1.3 one (`push_vlan`, `set_field:…->vlan_vid`, `pop_vlan`, `goto_table`), keeping the
// difference that matters: `mod_vlan_vid` pushes a tag onto an untagged frame, `set_field` does not.
// Every action not modelled becomes an `unsupported` action with a warning.
import type { FlowAction } from '../ir/openflow.ts';
import { splitTopLevel } from './lex.ts';
import { parseLearn } from './ofctl-learn.ts';
import { parsePortRef } from './ofctl-match.ts';
import { PARSE_WARNING, type WarningSink } from './parsed.ts';
import { parseIntAuto, parseMac } from './values.ts';

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

/** `load:`/`set_field:` of `value` into the field named `dst` (NXM or OXM spelling). */
function setField(value: string, dst: string, text: string): FlowAction {
  if (value.includes('/')) return unsupported(text); // masked set_field writes part of a field
  const mac = parseMac(value);
  if (mac !== null) {
    if (dst === 'eth_src' || dst === 'dl_src' || dst === 'NXM_OF_ETH_SRC[]') return { kind: 'mod_dl_src', mac };
    if (dst === 'eth_dst' || dst === 'dl_dst' || dst === 'NXM_OF_ETH_DST[]') return { kind: 'mod_dl_dst', mac };
    return unsupported(text);
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
