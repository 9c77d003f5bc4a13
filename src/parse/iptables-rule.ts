// One iptables rule specification (the words after `-A CHAIN`, already shell-tokenized) → the
// NfMatch list and NfTarget of the IR. Reads the matches and targets Neutron's agents and the
// usual host rules use; every other match or target is kept as an `unsupported` node with a
// warning, so a rule is never treated as wider or narrower than written.
import type { CtState, NfMatch, NfTarget } from '../ir/netfilter.ts';
import { PARSE_WARNING, type WarningSink } from './parsed.ts';
import { parseCidr, parseIntAuto, parseMac } from './values.ts';

const PROTOCOLS: Readonly<Record<string, number>> = {
  icmp: 1, igmp: 2, tcp: 6, udp: 17, dccp: 33, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, icmpv6: 58, vrrp: 112, sctp: 132, udplite: 136,
};

/** ICMP type names iptables accepts → [type, code or null]. */
const ICMP_TYPES: Readonly<Record<string, readonly [number, number | null]>> = {
  'echo-reply': [0, null], pong: [0, null],
  'destination-unreachable': [3, null], 'network-unreachable': [3, 0], 'host-unreachable': [3, 1],
  'protocol-unreachable': [3, 2], 'port-unreachable': [3, 3], 'fragmentation-needed': [3, 4],
  'source-route-failed': [3, 5], 'network-unknown': [3, 6], 'host-unknown': [3, 7],
  'network-prohibited': [3, 9], 'host-prohibited': [3, 10], 'communication-prohibited': [3, 13],
  'source-quench': [4, null], redirect: [5, null], 'echo-request': [8, null], ping: [8, null],
  'router-advertisement': [9, null], 'router-solicitation': [10, null],
  'time-exceeded': [11, null], 'ttl-exceeded': [11, null], 'ttl-zero-during-transit': [11, 0], 'ttl-zero-during-reassembly': [11, 1],
  'parameter-problem': [12, null], 'timestamp-request': [13, null], 'timestamp-reply': [14, null],
  'address-mask-request': [17, null], 'address-mask-reply': [18, null],
};

const MULTIPORT: Readonly<Record<string, 'sports' | 'dports' | 'ports'>> = {
  '--dports': 'dports', '--destination-ports': 'dports', '--sports': 'sports', '--source-ports': 'sports', '--ports': 'ports',
};
const CT_STATES = new Set<CtState>(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED', 'SNAT', 'DNAT']);
// iptables has no `-m udplite` (the kernel's match exists, iptables' extension does not): UDP-Lite
// ports are matched with `-m multiport` only, as Neutron writes them.
const PORT_MODULES = new Set(['tcp', 'udp', 'sctp', 'dccp']);
const MODULES = new Set([...PORT_MODULES, 'multiport', 'icmp', 'physdev', 'mac', 'set', 'conntrack', 'state', 'mark', 'connmark', 'comment']);

export interface RuleSpec {
  readonly matches: NfMatch[];
  readonly target: NfTarget;
}

export interface RuleContext {
  /** Whether `name` is a chain of the rule's table (so `-j name` is a jump, not an extension). */
  readonly isChain: (name: string) => boolean;
  readonly sink: WarningSink;
  readonly line: number;
}

/** `!`, or `-` followed by a letter or `-` (as /^-[A-Za-z-]/, without a regular expression: it runs for every word of every rule). */
const isOption = (w: string | undefined): boolean => {
  if (w === undefined) return false;
  if (w === '!') return true;
  if (w.length < 2 || w.charCodeAt(0) !== 45) return false;
  const c = w.charCodeAt(1);
  return c === 45 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
};

/** `22`, `1:65535`, `1024:` (to 65535), `:1023` (from 0) → [from, to]; null if unreadable. */
export function parsePortRange(s: string): readonly [number, number] | null {
  const m = /^(\d*)(?::(\d*))?$/.exec(s);
  if (!m || (m[1] === '' && m[2] === undefined)) return null;
  const from = m[1] === '' ? 0 : Number(m[1]);
  const to = m[2] === undefined ? from : m[2] === '' ? 65535 : Number(m[2]);
  return from <= to && to <= 65535 ? [from, to] : null;
}

/** `V` or `V/M` (mask defaults to all ones) → numbers; null if unreadable. */
function valueMask(s: string): { value: number; mask: number } | null {
  const [v, m, ...rest] = s.split('/');
  if (v === undefined || rest.length > 0) return null;
  const value = parseIntAuto(v);
  const mask = m === undefined ? 0xffffffff : parseIntAuto(m);
  return value === null || mask === null ? null : { value, mask };
}

type Physdev = Extract<NfMatch, { kind: 'physdev' }>;
type MutablePhysdev = { -readonly [K in keyof Physdev]: Physdev[K] };

/** Parses the words of one rule. Never throws; reports what it does not model. */
export function parseRuleSpec(words: readonly string[], ctx: RuleContext): RuleSpec {
  const { sink, line } = ctx;
  const matches: NfMatch[] = [];
  let target: NfTarget = { kind: 'none' };
  let module: string | null = null;
  let physdev: MutablePhysdev | null = null;
  let negate = false;

  const unsupportedMatch = (text: string): void => {
    matches.push({ kind: 'unsupported', text });
    sink.add(PARSE_WARNING.unsupportedMatch, line, `match not modelled: ${text}`);
  };

  let i = 0;
  /** The arguments of the option at `i`: the words up to the next option. */
  const args = (): string[] => {
    const out: string[] = [];
    while (i + 1 < words.length && !isOption(words[i + 1])) out.push(words[++i] as string);
    return out;
  };

  for (; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '!') {
      negate = true;
      continue;
    }
    const neg = negate;
    negate = false;
    switch (w) {
      case '-s': case '--source': case '--src':
      case '-d': case '--destination': case '--dst': {
        const a = args();
        const cidr = a.length === 1 ? parseCidr(a[0] as string) : null;
        if (cidr === null) unsupportedMatch(`${neg ? '! ' : ''}${w} ${a.join(' ')}`);
        else matches.push({ kind: w.startsWith('-s') || w === '--source' || w === '--src' ? 'src' : 'dst', cidr, negate: neg });
        continue;
      }
      case '-i': case '--in-interface':
      case '-o': case '--out-interface': {
        const a = args();
        if (a.length !== 1) unsupportedMatch(`${w} ${a.join(' ')}`);
        else matches.push({ kind: w === '-i' || w === '--in-interface' ? 'in-iface' : 'out-iface', name: a[0] as string, negate: neg });
        continue;
      }
      case '-p': case '--protocol': {
        const a = args();
        const name = (a[0] ?? '').toLowerCase();
        if (name === 'all' && !neg && a.length === 1) continue; // any protocol: no constraint
        const proto = PROTOCOLS[name] ?? parseIntAuto(name);
        if (proto === null || a.length !== 1) unsupportedMatch(`${neg ? '! ' : ''}${w} ${a.join(' ')}`);
        else matches.push({ kind: 'proto', proto, negate: neg });
        continue;
      }
      case '-m': case '--match': {
        const a = args();
        module = a[0] ?? '';
        physdev = null;
        if (module === 'physdev') {
          physdev = { kind: 'physdev', in: null, out: null, isBridged: null, isIn: null, isOut: null };
          matches.push(physdev);
        } else if (!MODULES.has(module)) {
          unsupportedMatch(`-m ${a.join(' ')}${moduleOptions()}`);
          module = null;
        }
        continue;
      }
      case '-j': case '--jump':
      case '-g': case '--goto': {
        const a = args();
        const name = a[0] ?? '';
        const opts: string[] = [];
        while (i + 1 < words.length) opts.push(words[++i] as string);
        target = parseTarget(name, a.slice(1).concat(opts), w === '-g' || w === '--goto', ctx);
        continue;
      }
      case '-c': case '--set-counters':
        args();
        continue;
      default:
        break;
    }
    if (module !== null && w.startsWith('--')) {
      moduleOption(w, neg);
      continue;
    }
    const a = args();
    unsupportedMatch(`${neg ? '! ' : ''}${w}${a.length ? ' ' + a.join(' ') : ''}`);
  }
  return { matches, target };

  /** Collects the options of an unknown module, so they are not read as anything else. */
  function moduleOptions(): string {
    let text = '';
    while (i + 1 < words.length) {
      const next = words[i + 1] as string;
      const after = words[i + 2];
      // Options of the unknown module run until a core option or the next -m/-j.
      if (/^-[a-z]$/.test(next) || (next === '!' && after !== undefined && /^-[a-z]$/.test(after))) break;
      text += ' ' + next;
      i++;
    }
    return text;
  }

  function moduleOption(opt: string, neg: boolean): void {
    const a = args();
    const arg = a[0] ?? '';
    // The option as written, for what is not modelled (made only then: most options are read).
    const raw = (): string => `${neg ? '! ' : ''}${opt}${a.length ? ' ' + a.join(' ') : ''}`;
    const mod = module as string;
    // --chunk-types (sctp), --dccp-types/--dccp-option (dccp), --tcp-flags (tcp) are left unsupported.
    if (PORT_MODULES.has(mod) && ['--sport', '--source-port', '--dport', '--destination-port'].includes(opt)) {
      const r = a.length === 1 ? parsePortRange(arg) : null;
      if (r === null) return unsupportedMatch(raw());
      matches.push({ kind: opt === '--sport' || opt === '--source-port' ? 'sport' : 'dport', from: r[0], to: r[1], negate: neg });
      return;
    }
    const which = mod === 'multiport' ? MULTIPORT[opt] : undefined;
    if (which !== undefined) {
      const ranges = a.length === 1 ? arg.split(',').map(parsePortRange) : [null];
      if (ranges.some((r) => r === null)) return unsupportedMatch(raw());
      matches.push({ kind: 'multiport', which, ranges: ranges as (readonly [number, number])[], negate: neg });
      return;
    }
    if (mod === 'icmp' && opt === '--icmp-type') {
      if (arg === 'any' && !neg) return; // every ICMP type: no constraint beyond -p icmp
      const named = ICMP_TYPES[arg];
      const m = /^(\d+)(?:\/(\d+))?$/.exec(arg);
      const tc = named ?? (m ? ([Number(m[1]), m[2] === undefined ? null : Number(m[2])] as const) : null);
      if (tc === null || a.length !== 1) return unsupportedMatch(raw());
      matches.push({ kind: 'icmp-type', type: tc[0], code: tc[1], negate: neg });
      return;
    }
    if (mod === 'physdev' && physdev !== null) {
      if ((opt === '--physdev-in' || opt === '--physdev-out') && a.length === 1) {
        physdev[opt === '--physdev-in' ? 'in' : 'out'] = { name: arg, negate: neg };
        return;
      }
      const flag = { '--physdev-is-bridged': 'isBridged', '--physdev-is-in': 'isIn', '--physdev-is-out': 'isOut' }[opt];
      if (flag !== undefined && a.length === 0) {
        physdev[flag as 'isBridged' | 'isIn' | 'isOut'] = { negate: neg };
        return;
      }
      return unsupportedMatch(raw());
    }
    if (mod === 'mac' && opt === '--mac-source') {
      const mac = a.length === 1 ? parseMac(arg) : null;
      if (mac === null) return unsupportedMatch(raw());
      matches.push({ kind: 'mac-source', mac, negate: neg });
      return;
    }
    if (mod === 'set' && opt === '--match-set' && a.length === 2) {
      const flags = (a[1] as string).split(',');
      if (flags.some((f) => f !== 'src' && f !== 'dst')) return unsupportedMatch(raw());
      matches.push({ kind: 'set', name: arg, flags: flags as ('src' | 'dst')[], negate: neg });
      return;
    }
    if ((mod === 'conntrack' && opt === '--ctstate') || (mod === 'state' && opt === '--state')) {
      const states = arg.split(',');
      if (a.length !== 1 || states.some((s) => !CT_STATES.has(s as CtState))) return unsupportedMatch(raw());
      matches.push({ kind: 'ctstate', states: states as CtState[], negate: neg });
      return;
    }
    if ((mod === 'mark' || mod === 'connmark') && opt === '--mark') {
      const vm = a.length === 1 ? valueMask(arg) : null;
      if (vm === null) return unsupportedMatch(raw());
      matches.push({ kind: mod, value: vm.value, mask: vm.mask, negate: neg });
      return;
    }
    if (mod === 'comment' && opt === '--comment') {
      matches.push({ kind: 'comment', text: a.join(' ') });
      return;
    }
    unsupportedMatch(`-m ${mod} ${raw()}`);
  }
}

/** `-j NAME opts…` / `-g NAME` → NfTarget. */
function parseTarget(name: string, opts: readonly string[], isGoto: boolean, ctx: RuleContext): NfTarget {
  const text = `${isGoto ? '-g' : '-j'} ${name}${opts.length ? ' ' + opts.join(' ') : ''}`;
  const t = targetOf(name, opts, isGoto, ctx);
  if (t.kind === 'unsupported') ctx.sink.add(PARSE_WARNING.unsupportedAction, ctx.line, `target not modelled: ${text}`);
  return t.kind === 'unsupported' ? { kind: 'unsupported', text } : t;
}

/** Reads `--opt [value]` pairs; flags (no value) map to ''. Null if a word is not an option. */
function optionMap(opts: readonly string[]): Map<string, string> | null {
  const m = new Map<string, string>();
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i] as string;
    if (!o.startsWith('--')) return null;
    const v = opts[i + 1];
    if (v !== undefined && !v.startsWith('--')) {
      m.set(o, v);
      i++;
    } else m.set(o, '');
  }
  return m;
}

function targetOf(name: string, opts: readonly string[], isGoto: boolean, ctx: RuleContext): NfTarget {
  const unsupported: NfTarget = { kind: 'unsupported', text: '' };
  const o = optionMap(opts);
  if (o === null) return unsupported;
  const only = (...allowed: string[]): boolean => [...o.keys()].every((k) => allowed.includes(k));
  const isChainName = ctx.isChain(name);
  if (isGoto || isChainName) {
    return isChainName && o.size === 0 ? { kind: isGoto ? 'goto' : 'jump', chain: name } : unsupported;
  }
  switch (name) {
    case 'ACCEPT': case 'DROP': case 'RETURN':
      return o.size === 0 ? { kind: name } : unsupported;
    case 'REJECT':
      return only('--reject-with') ? { kind: 'REJECT', with: o.get('--reject-with') ?? null } : unsupported;
    case 'SNAT': {
      const to = o.get('--to-source');
      // --random and --persistent change port choice only, not the address netproof follows.
      if (!to || !only('--to-source', '--random-fully', '--random', '--persistent')) return unsupported;
      return { kind: 'SNAT', to, fully_random: o.has('--random-fully') };
    }
    case 'DNAT': {
      // `IP[:P[-Q[/B]]]` (libxt_NAT revision 2; the base port B since kernel 4.18): Neutron writes
      // `IP:C-D/A` for a port-forwarding range (port_forwarding.py extract_ports). An address range, a
      // port out of 1-65535 or Q < P stays unsupported.
      const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+)(?:-(\d+))?(?:\/(\d+))?)?$/.exec(o.get('--to-destination') ?? '');
      if (!m || !only('--to-destination', '--random', '--persistent')) return unsupported;
      if (m[2] === undefined) return { kind: 'DNAT', to: m[1] as string, port: null };
      const [from, to, base] = [Number(m[2]), m[3] === undefined ? Number(m[2]) : Number(m[3]), m[4] === undefined ? null : Number(m[4])];
      if ([from, to, base ?? 1].some((x) => x < 1 || x > 65535) || to < from) return unsupported;
      if (from === to && base === null) return { kind: 'DNAT', to: m[1] as string, port: from };
      return { kind: 'DNAT', to: m[1] as string, port: null, ports: { from, to, base } };
    }
    case 'REDIRECT': {
      const port = /^\d+$/.test(o.get('--to-ports') ?? '') ? Number(o.get('--to-ports')) : null;
      return port !== null && only('--to-ports') ? { kind: 'REDIRECT', toPort: port } : unsupported;
    }
    case 'MARK':
      return markTarget(o) ?? unsupported;
    case 'CONNMARK':
      return connmarkTarget(o) ?? unsupported;
    case 'CT': {
      if (!only('--zone', '--notrack')) return unsupported;
      const zoneText = o.get('--zone');
      const zone = zoneText === undefined ? null : parseIntAuto(zoneText);
      if (zoneText !== undefined && zone === null) return unsupported;
      return { kind: 'CT', zone, notrack: o.has('--notrack') };
    }
    case 'NOTRACK':
      return o.size === 0 ? { kind: 'CT', zone: null, notrack: true } : unsupported;
    default:
      return unsupported;
  }
}

function markTarget(o: Map<string, string>): NfTarget | null {
  if (o.size !== 1) return null;
  const [[opt, arg]] = [...o.entries()] as [[string, string]];
  const vm = valueMask(arg);
  if (vm === null) return null;
  switch (opt) {
    // --set-xmark V/M is mark = (mark & ~M) ^ V: a masked set when V lies within M (always so
    // for the marks Neutron writes); otherwise it is not modelled.
    case '--set-xmark':
      return (vm.value & ~vm.mask) === 0 ? { kind: 'MARK', op: 'set', value: vm.value, mask: vm.mask } : null;
    case '--set-mark':
      return { kind: 'MARK', op: 'set', value: (vm.value & vm.mask) >>> 0, mask: vm.mask };
    case '--and-mark':
      return { kind: 'MARK', op: 'and', value: vm.value, mask: 0xffffffff };
    case '--or-mark':
      return { kind: 'MARK', op: 'or', value: vm.value, mask: 0xffffffff };
    case '--xor-mark':
      return { kind: 'MARK', op: 'xor', value: vm.value, mask: 0xffffffff };
    default:
      return null;
  }
}

function connmarkTarget(o: Map<string, string>): NfTarget | null {
  const op = o.has('--save-mark') ? 'save' : o.has('--restore-mark') ? 'restore' : null;
  if (op !== null) {
    // One mask for both sides: --mask M, or --nfmask M --ctmask M with M equal (Neutron's form).
    const nf = o.get('--nfmask') ?? o.get('--mask') ?? '0xffffffff';
    const ct = o.get('--ctmask') ?? o.get('--mask') ?? '0xffffffff';
    const mask = parseIntAuto(nf);
    const allowed = new Set(['--save-mark', '--restore-mark', '--nfmask', '--ctmask', '--mask']);
    if (mask === null || mask !== parseIntAuto(ct) || o.size > 3 || [...o.keys()].some((k) => !allowed.has(k))) return null;
    return { kind: 'CONNMARK', op, value: 0, mask };
  }
  if (o.size !== 1) return null;
  const xm = o.get('--set-xmark') ?? o.get('--set-mark');
  const vm = xm === undefined ? null : valueMask(xm);
  if (vm === null || (o.has('--set-xmark') && (vm.value & ~vm.mask) !== 0)) return null;
  return { kind: 'CONNMARK', op: 'set', value: (vm.value & vm.mask) >>> 0, mask: vm.mask };
}
