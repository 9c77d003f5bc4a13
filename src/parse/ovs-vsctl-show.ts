// `ovs-vsctl show` text → the bridges and their ports (type, access tag, patch peer, tunnel
// endpoints). OpenFlow port numbers are not in this output: `ofport` is null here and is filled
// from `ovs-ofctl show`. Controller, manager, fail_mode, trunks and version lines are skipped.
import type { OvsPort } from '../ir/openflow.ts';
import { sourceLines, splitTopLevel, unquote } from './lex.ts';
import { PARSE_WARNING, WarningSink, type Parsed } from './parsed.ts';
import { parseIntAuto, parseIpv4 } from './values.ts';

export interface VsctlBridge {
  readonly name: string;
  readonly ports: OvsPort[];
}

export interface VsctlShow {
  readonly bridges: VsctlBridge[];
}

const PORT_TYPES = new Set<OvsPort['type']>(['system', 'internal', 'patch', 'vxlan', 'gre', 'geneve']);
/** Keys that say nothing about forwarding between ports. */
const SKIPPED = new Set([
  'Manager', 'Controller', 'is_connected', 'fail_mode', 'datapath_type', 'datapath_id', 'ovs_version',
  'trunks', 'bond_mode', 'lacp', 'bond_updelay', 'bond_downdelay', 'bond_active_slave', 'role', 'max_backoff',
  'inactivity_probe', 'connection_mode', 'status', 'mac', 'mac_in_use', 'ofport_request', 'mtu_request',
]);

type MutablePort = { -readonly [K in keyof OvsPort]: OvsPort[K] };

/** Reads `options: {peer=patch-tun, remote_ip="10.0.0.12", …}` into key → value. */
export function parseOptions(text: string): Record<string, string> {
  const inner = text.trim().replace(/^\{/, '').replace(/\}$/, '');
  const out: Record<string, string> = {};
  for (const part of splitTopLevel(inner, ',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = unquote(part.slice(eq + 1).trim());
  }
  return out;
}

export function parseOvsVsctlShow(text: string, file: string): Parsed<VsctlShow> {
  const sink = new WarningSink(file);
  const bridges: VsctlBridge[] = [];
  let bridge: VsctlBridge | null = null;
  let port: MutablePort | null = null;
  let interfaces = 0;
  for (const { line, text: t } of sourceLines(text)) {
    if (t === '' || t.startsWith('#')) continue;
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(t)) continue; // Open_vSwitch UUID
    const m = /^([A-Za-z_]+):?\s*(.*)$/.exec(t);
    const key = m?.[1] ?? '';
    const rest = m?.[2] ?? '';
    if (key === 'Bridge') {
      bridge = { name: unquote(rest), ports: [] };
      bridges.push(bridge);
      port = null;
    } else if (key === 'Port') {
      if (!bridge) {
        sink.add(PARSE_WARNING.unrecognisedLine, line, `port outside any bridge: ${t}`);
        continue;
      }
      port = { name: unquote(rest), ofport: null, type: 'system', tag: null, peer: null, remoteIp: null, localIp: null };
      interfaces = 0;
      bridge.ports.push(port);
    } else if (key === 'Interface') {
      interfaces++;
      // A bond (several interfaces on one port) is not modelled: keep the port, say so.
      if (interfaces === 2 && port) sink.add(PARSE_WARNING.unsupportedMatch, line, `port ${port.name} has several interfaces (bond): only the first is modelled`);
    } else if (SKIPPED.has(key)) {
      continue;
    } else if (!port || interfaces > 1) {
      if (!port) sink.add(PARSE_WARNING.unrecognisedLine, line, `not understood outside a port: ${t}`);
    } else if (key === 'tag') {
      const tag = parseIntAuto(rest);
      if (tag === null) sink.add(PARSE_WARNING.badValue, line, `cannot read tag: ${t}`);
      else port.tag = tag;
    } else if (key === 'type') {
      const type = rest.trim() === '' ? 'system' : rest.trim();
      if (PORT_TYPES.has(type as OvsPort['type'])) port.type = type as OvsPort['type'];
      else sink.add(PARSE_WARNING.unsupportedMatch, line, `interface type ${type} of ${port.name} is not modelled; treated as system`);
    } else if (key === 'options') {
      const o = parseOptions(rest);
      if (o.peer !== undefined) port.peer = o.peer;
      for (const [k, field] of [['remote_ip', 'remoteIp'], ['local_ip', 'localIp']] as const) {
        const v = o[k];
        if (v === undefined) continue;
        const ip = parseIpv4(v);
        // `remote_ip=flow` (endpoint chosen per flow) is not modelled.
        if (ip === null) sink.add(PARSE_WARNING.badValue, line, `${k}=${v} of ${port.name} is not an IPv4 address`);
        port[field] = ip;
      }
    } else if (key === 'error') {
      sink.add(PARSE_WARNING.incomplete, line, `interface of port ${port.name} reports an error: ${unquote(rest)}`);
    } else {
      sink.add(PARSE_WARNING.unrecognisedLine, line, `not understood: ${t}`);
    }
  }
  return { value: { bridges }, warnings: sink.warnings };
}
