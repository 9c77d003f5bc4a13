// Test helper: builds NetfilterRuleset values from a small subset of iptables-save text, so tests
// read like the dumps they model. Independent of src/parse (not a parser of record: it knows only
// the options these tests use and throws on anything else).
import type { CtState, NetfilterRuleset, NfChain, NfMatch, NfRule, NfTable, NfTarget } from '../../src/ir/netfilter.ts';
import type { Packet } from '../../src/ir/packet.ts';
import type { NfContext } from '../../src/evaluate/netfilter/index.ts';

function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2]!);
  return out;
}

const cidr = (s: string) => {
  const [ip, len] = s.split('/');
  return { ip: ip!, prefixLen: len === undefined ? 32 : Number(len) };
};
const num = (s: string) => Number(s); // accepts 0x…
const valMask = (s: string) => {
  const [v, m] = s.split('/');
  return { value: num(v!), mask: m === undefined ? 0xffffffff : num(m) };
};
const range = (s: string): [number, number] => {
  const [a, b] = s.split(':');
  return [Number(a), Number(b ?? a)];
};
const PROTOS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, all: 0 };

export function parseRule(line: string, file = 'test', lineNo = 1): { chain: string; rule: NfRule } {
  const tk = tokenize(line);
  let i = 0;
  const next = () => {
    const t = tk[i++];
    if (t === undefined) throw new Error(`unexpected end: ${line}`);
    return t;
  };
  if (next() !== '-A') throw new Error(`not a rule: ${line}`);
  const chain = next();
  const matches: NfMatch[] = [];
  let target: NfTarget = { kind: 'none' };
  let negate = false;
  let physdev: Extract<NfMatch, { kind: 'physdev' }> | null = null;
  while (i < tk.length) {
    const t = next();
    if (t === '!') { negate = true; continue; }
    const neg = negate;
    negate = false;
    switch (t) {
      case '-s': matches.push({ kind: 'src', cidr: cidr(next()), negate: neg }); break;
      case '-d': matches.push({ kind: 'dst', cidr: cidr(next()), negate: neg }); break;
      case '-i': matches.push({ kind: 'in-iface', name: next(), negate: neg }); break;
      case '-o': matches.push({ kind: 'out-iface', name: next(), negate: neg }); break;
      case '-p': matches.push({ kind: 'proto', proto: PROTOS[next()]!, negate: neg }); break;
      case '--sport': case '--dport': {
        const [from, to] = range(next());
        matches.push({ kind: t === '--sport' ? 'sport' : 'dport', from, to, negate: neg });
        break;
      }
      case '--dports': case '--sports': case '--ports':
        matches.push({ kind: 'multiport', which: t.slice(2) as 'dports', ranges: next().split(',').map(range), negate: neg });
        break;
      case '--icmp-type': {
        const [ty, code] = next().split('/');
        matches.push({ kind: 'icmp-type', type: Number(ty), code: code === undefined ? null : Number(code), negate: neg });
        break;
      }
      case '-m': {
        const mod = next();
        if (mod === 'physdev') {
          physdev = { kind: 'physdev', in: null, out: null, isBridged: null, isIn: null, isOut: null };
          matches.push(physdev);
        }
        break; // tcp, udp, state, conntrack, mac, set, mark, connmark, comment, multiport, icmp: options follow
      }
      case '--physdev-in': physdev = { ...physdev!, in: { name: next(), negate: neg } }; matches[matches.length - 1] = physdev; break;
      case '--physdev-out': physdev = { ...physdev!, out: { name: next(), negate: neg } }; matches[matches.length - 1] = physdev; break;
      case '--physdev-is-bridged': physdev = { ...physdev!, isBridged: { negate: neg } }; matches[matches.length - 1] = physdev; break;
      case '--mac-source': matches.push({ kind: 'mac-source', mac: next(), negate: neg }); break;
      case '--match-set': {
        const name = next();
        matches.push({ kind: 'set', name, flags: next().split(',') as ('src' | 'dst')[], negate: neg });
        break;
      }
      case '--state': case '--ctstate':
        matches.push({ kind: 'ctstate', states: next().split(',') as CtState[], negate: neg });
        break;
      case '--mark': {
        // After `-m connmark` the module decides; the helper marks connmark with `--ctmark`.
        matches.push({ kind: 'mark', ...valMask(next()), negate: neg });
        break;
      }
      case '--ctmark': matches.push({ kind: 'connmark', ...valMask(next()), negate: neg }); break;
      case '--comment': matches.push({ kind: 'comment', text: next() }); break;
      case '--unsupported': matches.push({ kind: 'unsupported', text: next() }); break;
      case '-g': target = { kind: 'goto', chain: next() }; break;
      case '-j': target = parseTarget(next(), tk.slice(i)); i = tk.length; break;
      default: throw new Error(`helper does not know ${t}: ${line}`);
    }
  }
  return { chain, rule: { matches, target, origin: { file, line: lineNo, text: line.trim() } } };
}

function parseTarget(name: string, rest: string[]): NfTarget {
  const opt = (o: string) => {
    const k = rest.indexOf(o);
    return k < 0 ? null : (rest[k + 1] ?? '');
  };
  switch (name) {
    case 'ACCEPT': case 'DROP': case 'RETURN': return { kind: name };
    case 'REJECT': return { kind: 'REJECT', with: opt('--reject-with') };
    case 'SNAT': return { kind: 'SNAT', to: opt('--to-source')!, fully_random: rest.includes('--random-fully') };
    case 'DNAT': return { kind: 'DNAT', to: opt('--to-destination')!, port: null };
    case 'REDIRECT': return { kind: 'REDIRECT', toPort: Number(opt('--to-ports')) };
    case 'MARK': return { kind: 'MARK', op: 'set', ...valMask(opt('--set-xmark')!) };
    case 'CONNMARK': {
      if (rest.includes('--save-mark')) return { kind: 'CONNMARK', op: 'save', value: 0, mask: num(opt('--nfmask') ?? '0xffffffff') };
      if (rest.includes('--restore-mark')) return { kind: 'CONNMARK', op: 'restore', value: 0, mask: num(opt('--nfmask') ?? '0xffffffff') };
      return { kind: 'CONNMARK', op: 'set', ...valMask(opt('--set-xmark')!) };
    }
    case 'CT': {
      const z = opt('--zone');
      return { kind: 'CT', zone: z === null ? null : Number(z), notrack: rest.includes('--notrack') };
    }
    case 'CHECKSUM': return { kind: 'unsupported', text: `CHECKSUM ${rest.join(' ')}` };
    default: return { kind: 'jump', chain: name };
  }
}

/** iptables-save text (tables `*name`, chains `:NAME POLICY`, rules `-A`, `COMMIT`) → ruleset. */
export function ruleset(text: string, ipsets: Record<string, string[]> = {}): NetfilterRuleset {
  const tables: NfTable[] = [];
  let cur: { name: string; chains: Map<string, { policy: 'ACCEPT' | 'DROP' | null; rules: NfRule[] }> } | null = null;
  const close = () => {
    if (!cur) return;
    const chains: NfChain[] = [...cur.chains].map(([name, c]) => ({ name, policy: c.policy, rules: c.rules }));
    tables.push({ name: cur.name, chains });
    cur = null;
  };
  text.split('\n').forEach((raw, n) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('*')) { close(); cur = { name: line.slice(1), chains: new Map() }; return; }
    if (line === 'COMMIT') { close(); return; }
    if (!cur) throw new Error(`outside a table: ${line}`);
    const c = cur as NonNullable<typeof cur>;
    if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(/\s+/);
      c.chains.set(name!, { policy: policy === '-' || policy === undefined ? null : (policy as 'ACCEPT' | 'DROP'), rules: [] });
      return;
    }
    const { chain, rule } = parseRule(line, 'test', n + 1);
    const ch = c.chains.get(chain);
    if (!ch) throw new Error(`chain ${chain} not declared: ${line}`);
    ch.rules.push(rule);
  });
  close();
  return { tables, ipsets: Object.fromEntries(Object.entries(ipsets).map(([k, v]) => [k, v.map(cidr)])) };
}

export function tcp(src: string, dst: string, sport: number, dport: number, over: Partial<Packet> = {}): Packet {
  return {
    eth_src: 'fa:16:3e:00:00:01', eth_dst: 'fa:16:3e:00:00:02', vlan: null, tun_id: null, eth_type: 0x0800,
    ip_src: src, ip_dst: dst, proto: 6, sport, dport, icmp_type: null, icmp_code: null, ...over,
  };
}

export function icmp(src: string, dst: string, type: number, over: Partial<Packet> = {}): Packet {
  return tcp(src, dst, 0, 0, { proto: 1, sport: null, dport: null, icmp_type: type, icmp_code: 0, ...over });
}

/** A routed packet's context. */
export function routed(inIface: string | null, outIface: string | null, over: Partial<NfContext> = {}): NfContext {
  return { inIface, outIface, physdevIn: null, physdevOut: null, bridged: false, ...over };
}

/** A bridged packet's context on bridge `br`. */
export function bridged(br: string, physdevIn: string, physdevOut: string | null): NfContext {
  return { inIface: br, outIface: physdevOut === null ? null : br, physdevIn, physdevOut, bridged: true };
}
