// keepalived.conf text → VrrpInstance[]: each `vrrp_instance` block with its interface, VRID, priority,
// start state, nopreempt, advert_int, tracked interfaces, authentication, and the addresses and routes
// the master holds (`virtual_ipaddress`, `virtual_ipaddress_excluded`, `virtual_routes`), each with the
// line it came from. Written as Neutron's L3 agent writes it (rules/l3-agent/keepalived.ts) or in any
// other layout keepalived accepts: blocks may open on the statement's line or later, comments start with
// `#` or `!`. IPv6 addresses and routes are not modelled and are skipped (as `ip addr`'s inet6 lines).
// What changes who hears whom or who may be master and is not modelled (a track_script, unicast peers,
// a virtual MAC, sync groups) is kept in `unsupported` with a warning; harmless settings (notify
// scripts, garp timers, global_defs) are read past; anything else is a warning.
import type { Address } from '../ir/dataplane.ts';
import type { VrrpAddress, VrrpInstance, VrrpRoute } from '../ir/vrrp.ts';
import { sourceLines, unquote } from './lex.ts';
import { PARSE_WARNING, WarningSink, type Parsed } from './parsed.ts';
import { parseCidr, parseIpv4 } from './values.ts';

interface Token { readonly text: string; readonly line: number }

/** A statement: its words (up to a `{` or the end of its line) and, when it opens one, its block. */
interface Stmt {
  readonly words: readonly string[];
  readonly line: number;
  readonly block: readonly Stmt[] | null;
}

/** Words, `{` and `}` with their lines; comments (`#`, `!` outside quotes) removed. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const { line, text: t } of sourceLines(text)) {
    let quoted = false;
    let word = '';
    const flush = () => {
      if (word !== '') out.push({ text: word, line });
      word = '';
    };
    for (let i = 0; i < t.length; i++) {
      const c = t[i] as string;
      if (c === '"') quoted = !quoted;
      if (!quoted && (c === '#' || c === '!')) break;
      if (!quoted && (c === '{' || c === '}')) {
        flush();
        out.push({ text: c, line });
      } else if (!quoted && /\s/.test(c)) flush();
      else word += c;
    }
    flush();
  }
  return out;
}

/** Statements from `tokens[at]` up to the `}` that closes the enclosing block (or the end). */
function statements(tokens: readonly Token[], at: { i: number }, sink: WarningSink): Stmt[] {
  const out: Stmt[] = [];
  while (at.i < tokens.length) {
    const first = tokens[at.i] as Token;
    if (first.text === '}') {
      at.i++;
      return out;
    }
    if (first.text === '{') {
      sink.add(PARSE_WARNING.unrecognisedLine, first.line, 'a block without a statement');
      at.i++;
      statements(tokens, at, sink);
      continue;
    }
    const words: string[] = [];
    while (at.i < tokens.length && tokens[at.i]!.line === first.line && tokens[at.i]!.text !== '{' && tokens[at.i]!.text !== '}') {
      words.push(tokens[at.i]!.text);
      at.i++;
    }
    let block: Stmt[] | null = null;
    if (at.i < tokens.length && tokens[at.i]!.text === '{') {
      at.i++;
      block = statements(tokens, at, sink);
    }
    out.push({ words, line: first.line, block });
  }
  return out;
}

/** Settings that do not change who is master or what it holds (timers, notifications, GARP). */
const HARMLESS = new Set([
  'garp_master_delay', 'garp_master_repeat', 'garp_master_refresh', 'garp_master_refresh_repeat', 'garp_lower_prio_delay',
  'garp_lower_prio_repeat', 'preempt_delay', 'notify', 'notify_master', 'notify_backup', 'notify_fault', 'notify_stop',
  'smtp_alert', 'mcast_src_ip', 'dont_track_primary', 'skip_check_adv_addr', 'debug', 'lvs_sync_daemon_interface',
  'version', 'accept', 'no_accept', 'strict_mode', 'preempt',
]);
/** Settings the model does not follow: they change who hears whom or who may be master. */
const UNSUPPORTED = new Set(['track_script', 'unicast_peer', 'unicast_src_ip', 'use_vmac', 'vmac_xmit_base', 'track_file', 'track_process', 'track_bfd']);

const isIpv6 = (s: string): boolean => s.includes(':');

/** `IP[/LEN] [brd X] [dev IF] [scope S] [label L] [no_track] …` → VrrpAddress (null: skipped or unreadable). */
function readAddress(s: Stmt, instanceIface: string, file: string, sink: WarningSink): VrrpAddress | null {
  const [first = '', ...rest] = s.words;
  if (isIpv6(first)) return null;
  const cidr = parseCidr(first);
  if (cidr === null) {
    sink.add(PARSE_WARNING.badValue, s.line, `cannot read address ${first}`);
    return null;
  }
  let dev = instanceIface;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === 'dev' && rest[i + 1] !== undefined) dev = rest[++i] as string;
  }
  return { ip: cidr.ip, prefixLen: cidr.prefixLen, dev, origin: { file, line: s.line, text: s.words.join(' ') } };
}

const ROUTE_TYPES = new Set(['blackhole', 'unreachable', 'prohibit', 'throw', 'local', 'broadcast', 'multicast', 'nat']);
const ROUTE_IGNORED_WITH_ARG = new Set(['scope', 'table', 'metric', 'protocol', 'proto', 'mtu', 'advmss', 'realm', 'pref', 'src', 'tos', 'initcwnd', 'initrwnd', 'features', 'quickack', 'window', 'rtt', 'rttvar', 'ssthresh', 'cwnd', 'congctl', 'hoplimit', 'expires', 'fastopen_no_cookie']);
const ROUTE_FLAGS = new Set(['no_track', 'onlink']);

/** `[src IP] [to] DEST [via|gw IP] [dev IF] …` → VrrpRoute (null: skipped or unreadable). */
function readRoute(s: Stmt, file: string, sink: WarningSink): VrrpRoute | null {
  const w = [...s.words];
  const text = w.join(' ');
  if (ROUTE_TYPES.has(w[0] ?? '')) {
    sink.add(PARSE_WARNING.unsupportedMatch, s.line, `route type not modelled: ${text}`);
    return null;
  }
  let dst: Address | null = null;
  let via: string | null = null;
  let dev: string | null = null;
  for (let i = 0; i < w.length; i++) {
    const word = w[i] as string;
    const arg = w[i + 1];
    if (isIpv6(word) || (arg !== undefined && isIpv6(arg) && (word === 'via' || word === 'gw' || word === 'to'))) return null;
    if ((word === 'via' || word === 'gw') && arg !== undefined) {
      via = parseIpv4(arg);
      if (via === null) sink.add(PARSE_WARNING.badValue, s.line, `cannot read next hop ${arg}`);
      i++;
    } else if (word === 'dev' && arg !== undefined) {
      dev = arg;
      i++;
    } else if (word === 'to' && arg !== undefined) {
      dst = arg === 'default' ? { ip: '0.0.0.0', prefixLen: 0 } : parseCidr(arg);
      i++;
    } else if (ROUTE_IGNORED_WITH_ARG.has(word) && arg !== undefined) {
      i++;
    } else if (ROUTE_FLAGS.has(word)) {
      // no meaning for where a packet goes
    } else if (dst === null) {
      dst = word === 'default' ? { ip: '0.0.0.0', prefixLen: 0 } : parseCidr(word);
      if (dst === null) {
        sink.add(PARSE_WARNING.badValue, s.line, `cannot read route destination ${word}`);
        return null;
      }
    } else {
      sink.add(PARSE_WARNING.unsupportedMatch, s.line, `route attribute not modelled: ${word}`);
    }
  }
  if (dst === null) {
    sink.add(PARSE_WARNING.incomplete, s.line, `route without a destination: ${text}`);
    return null;
  }
  return { dst, via, dev, origin: { file, line: s.line, text } };
}

function readInstance(s: Stmt, file: string, sink: WarningSink): VrrpInstance | null {
  const name = s.words[1] ?? '';
  const body = s.block ?? [];
  const one = (key: string): Stmt | undefined => body.find((x) => x.words[0] === key);
  const iface = one('interface')?.words[1] ?? '';
  const num = (key: string, fallback: number): number => {
    const st = one(key);
    const v = Number(st?.words[1]);
    if (st && !Number.isFinite(v)) sink.add(PARSE_WARNING.badValue, st.line, `cannot read ${key} ${st.words[1] ?? ''}`);
    return st && Number.isFinite(v) ? v : fallback;
  };
  const vrid = num('virtual_router_id', -1);
  if (iface === '' || vrid < 0) {
    sink.add(PARSE_WARNING.incomplete, s.line, `vrrp_instance ${name} has no ${iface === '' ? 'interface' : 'virtual_router_id'}: not modelled`);
    return null;
  }
  const state = one('state')?.words[1]?.toUpperCase();
  const unsupported: string[] = [];
  const listOf = (key: string): readonly Stmt[] => body.filter((x) => x.words[0] === key).flatMap((x) => x.block ?? []);
  const addresses = (key: string) => listOf(key).flatMap((a) => readAddress(a, iface, file, sink) ?? []);
  const known = new Set(['state', 'interface', 'virtual_router_id', 'priority', 'advert_int', 'nopreempt', 'track_interface', 'virtual_ipaddress', 'virtual_ipaddress_excluded', 'virtual_routes', 'authentication']);
  for (const x of body) {
    const key = x.words[0] ?? '';
    if (known.has(key) || HARMLESS.has(key)) continue;
    if (UNSUPPORTED.has(key)) {
      unsupported.push(`${key} (line ${x.line})`);
      sink.add(PARSE_WARNING.unsupportedMatch, x.line, `vrrp_instance ${name}: ${key} is not modelled; the model assumes it never changes who is master`);
    } else sink.add(PARSE_WARNING.unrecognisedLine, x.line, `vrrp_instance ${name}: ${key} not understood`);
  }
  const auth = listOf('authentication');
  const authType = auth.find((a) => a.words[0] === 'auth_type')?.words[1];
  const authPass = auth.find((a) => a.words[0] === 'auth_pass')?.words[1];
  return {
    kind: 'vrrp-instance',
    name,
    interface: iface,
    vrid,
    priority: num('priority', 100),
    initialState: state === 'MASTER' ? 'MASTER' : 'BACKUP',
    nopreempt: one('nopreempt') !== undefined,
    advertInt: num('advert_int', 1),
    trackInterfaces: listOf('track_interface').map((t) => t.words[0] ?? '').filter((t) => t !== ''),
    vips: addresses('virtual_ipaddress'),
    excludedVips: addresses('virtual_ipaddress_excluded'),
    routes: listOf('virtual_routes').flatMap((r) => readRoute(r, file, sink) ?? []),
    authentication: authType !== undefined ? { type: authType, pass: unquote(authPass ?? '') } : null,
    unsupported,
    origin: { file, line: s.line, text: s.words.join(' ') },
  };
}

export function parseKeepalivedConf(text: string, file: string): Parsed<VrrpInstance[]> {
  const sink = new WarningSink(file);
  const top = statements(tokenize(text), { i: 0 }, sink);
  const instances: VrrpInstance[] = [];
  for (const s of top) {
    const key = s.words[0] ?? '';
    if (key === 'vrrp_instance') {
      const inst = readInstance(s, file, sink);
      if (inst) instances.push(inst);
    } else if (key === 'vrrp_sync_group') {
      sink.add(PARSE_WARNING.unsupportedMatch, s.line, `${s.words.join(' ')}: sync groups are not modelled; each instance is elected on its own`);
    } else if (key !== 'global_defs' && key !== 'vrrp_script' && key !== 'include') {
      sink.add(PARSE_WARNING.unrecognisedLine, s.line, `${key} not modelled`);
    }
  }
  return { value: instances, warnings: sink.warnings };
}
