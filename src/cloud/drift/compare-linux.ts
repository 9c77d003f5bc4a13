// Drift of one host's Linux side: the hybrid firewall's Linux bridges, the namespaces (qrouter-, qdhcp-)
// with their interfaces, IPv4 addresses and main routing table, every namespace's iptables compared
// table by table and chain by chain in order (rules as canon.ts reads them), and the security groups'
// ipsets member by member. Only Neutron's own chains and sets are compared (a node's iptables also hold
// libvirt's, Docker's, …): the built-in chains by their jumps into Neutron's chains.
import type { HostDataplane, LinuxBridge, Namespace, Route } from '../../ir/dataplane.ts';
import type { NetfilterRuleset, NfChain, NfRule } from '../../ir/netfilter.ts';
import { canonRule, isOpaque, zoneNames } from './canon.ts';
import type { Describer } from './describe.ts';
import type { DriftItem } from './item.ts';

export interface LinuxContext {
  readonly host: string;
  readonly d: Describer;
  readonly unmodelledDevice: (name: string) => boolean;
}

const NEUTRON_CHAIN = /^neutron-/;
const NEUTRON_SET = /^NIPv[46]/;
const BUILT_IN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

const routeKey = (r: Route) => `${r.dst.ip}/${r.dst.prefixLen}${r.via ? ` via ${r.via}` : ''} dev ${r.dev}`;

/** The port and direction of a per-port firewall chain: `neutron-openvswi-i1f2aaaa6-8` → port vm1:0, ingress. */
function chainPort(chain: string, d: Describer): { port: string; chain: string } | null {
  const m = /^neutron-openvswi-([ios])(.+)$/.exec(chain);
  if (!m) return null;
  const dir = m[1] === 'i' ? 'ingress' : m[1] === 'o' ? 'egress' : 'anti-spoofing';
  return { port: d.portByPrefix(m[2] as string) ?? `port ${m[2]}… (no Neutron port the API shows)`, chain: `the ${dir} chain` };
}

function chainOwner(chain: string, d: Describer): string | null {
  const c = chainPort(chain, d);
  return c ? `${c.chain} of ${c.port}` : null;
}

/** Longest common subsequence of two rule lists (by canonical text): the rules only on one side, in order. */
function lcsDiff<T>(a: readonly T[], b: readonly T[], keyA: (x: T) => string, keyB: (x: T) => string = keyA): { onlyA: T[]; onlyB: T[] } {
  const ka = a.map(keyA);
  const kb = b.map(keyB);
  const n = a.length;
  const m = b.length;
  const dp: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) dp[i]![j] = ka[i] === kb[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  const onlyA: T[] = [];
  const onlyB: T[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (ka[i] === kb[j]) {
      i++;
      j++;
    } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) onlyA.push(a[i++] as T);
    else onlyB.push(b[j++] as T);
  }
  while (i < n) onlyA.push(a[i++] as T);
  while (j < m) onlyB.push(b[j++] as T);
  return { onlyA, onlyB };
}

/** Rules of a chain that are Neutron's: all of a Neutron chain, the jumps into Neutron's chains of a built-in one. */
function neutronRules(c: NfChain): readonly NfRule[] {
  if (!BUILT_IN.has(c.name)) return c.rules;
  return c.rules.filter((r) => (r.target.kind === 'jump' || r.target.kind === 'goto') && NEUTRON_CHAIN.test(r.target.chain));
}

/** A missing rule in Neutron's terms: the security-group rule, floating IP or router behind it. */
function missingRule(ns: string, table: string, chain: string, r: NfRule, ctx: LinuxContext): { neutron: string | null; message: string } {
  const where = ns === 'root' ? ctx.host : `${ns} on ${ctx.host}`;
  const owner = chainOwner(chain, ctx.d);
  const cp = chainPort(chain, ctx.d);
  const neutron = r.origin.neutron ?? null;
  const sgRule = neutron ? /security group (\S+) \([^)]*\) rule (\S+)/.exec(neutron) : null;
  if (cp && sgRule) return { neutron, message: `${cp.port} on ${ctx.host}: ${cp.chain} lacks the rule for security group rule ${sgRule[2]} (${r.origin.why ?? r.origin.text})` };
  const fip = neutron ? /floating IP (\S+)/.exec(neutron) : null;
  if (fip && r.target.kind === 'DNAT') return { neutron, message: `${where}: floating IP ${fip[1]} has no DNAT rule in ${table}/${chain} (${r.origin.why ?? r.origin.text})` };
  if (fip && r.target.kind === 'SNAT') return { neutron, message: `${where}: floating IP ${fip[1]} has no SNAT rule in ${table}/${chain} (${r.origin.why ?? r.origin.text})` };
  const why = ctx.d.why(r.origin);
  return { neutron, message: `${where}: ${owner ?? `${table}/${chain}`} lacks ${why ? `the rule for ${why}` : 'a rule'}` };
}

function compareRulesets(ns: string, want: NetfilterRuleset, got: NetfilterRuleset, ctx: LinuxContext): DriftItem[] {
  const out: DriftItem[] = [];
  const wz = zoneNames(want);
  const gz = zoneNames(got);
  const base = { host: ctx.host, device: ns };
  const where = ns === 'root' ? ctx.host : `${ns} on ${ctx.host}`;
  const tables = new Set([...want.tables.map((t) => t.name), ...got.tables.map((t) => t.name)]);
  for (const table of tables) {
    const wt = want.tables.find((t) => t.name === table);
    const gt = got.tables.find((t) => t.name === table);
    const chains = new Set([...(wt?.chains ?? []).map((c) => c.name), ...(gt?.chains ?? []).map((c) => c.name).filter((c) => NEUTRON_CHAIN.test(c) || BUILT_IN.has(c))]);
    for (const chain of chains) {
      const wc = wt?.chains.find((c) => c.name === chain);
      const gc = gt?.chains.find((c) => c.name === chain);
      const owner = chainOwner(chain, ctx.d);
      if (wc && !gc) {
        if (wc.rules.length === 0 && BUILT_IN.has(chain)) continue;
        out.push({ ...base, kind: 'chain', change: 'missing', neutron: owner, message: `${where}: ${owner ?? `chain ${table}/${chain}`} is missing`, expected: `${table}/${chain} (${wc.rules.length} rules)`, found: null, origin: null });
        continue;
      }
      if (!wc && gc) {
        if (BUILT_IN.has(chain)) {
          const extra = neutronRules(gc);
          for (const r of extra) out.push({ ...base, kind: 'rule', change: 'extra', neutron: null, message: `${where}: ${table}/${chain} jumps into a Neutron chain the intent does not have`, expected: null, found: r.origin.text, origin: `${r.origin.file}:${r.origin.line}` });
          continue;
        }
        const stale = chainOwner(chain, ctx.d);
        out.push({ ...base, kind: 'chain', change: 'extra', neutron: stale, message: `${where}: stale chain ${table}/${chain}${stale ? ` (${stale})` : ''}: the intent has no such chain`, expected: null, found: `${table}/${chain} (${gc.rules.length} rules)`, origin: null });
        continue;
      }
      if (!wc || !gc) continue;
      const gRules = neutronRules(gc).filter((r) => !isOpaque(r.origin.text));
      const { onlyA, onlyB } = lcsDiff(neutronRules(wc), gRules, (r) => canonRule(r, wz), (r) => canonRule(r, gz));
      for (const r of onlyA) {
        const m = missingRule(ns, table, chain, r, ctx);
        out.push({ ...base, kind: 'rule', change: 'missing', neutron: m.neutron, message: m.message, expected: r.origin.text, found: null, origin: null });
      }
      for (const r of onlyB) {
        out.push({ ...base, kind: 'rule', change: 'extra', neutron: owner, message: `${where}: ${owner ?? `${table}/${chain}`} has a rule the intent does not`, expected: null, found: r.origin.text, origin: `${r.origin.file}:${r.origin.line}` });
      }
    }
  }
  return out;
}

function compareIpsets(want: NetfilterRuleset, got: NetfilterRuleset, ctx: LinuxContext): DriftItem[] {
  const out: DriftItem[] = [];
  const base = { host: ctx.host, device: 'root', kind: 'ipset' as const, origin: null };
  const names = new Set([...Object.keys(want.ipsets), ...Object.keys(got.ipsets).filter((n) => NEUTRON_SET.test(n))]);
  const members = (rs: NetfilterRuleset, n: string) => new Set((rs.ipsets[n] ?? []).map((c) => (c.prefixLen === 32 ? c.ip : `${c.ip}/${c.prefixLen}`)));
  for (const n of names) {
    const w = members(want, n);
    const g = members(got, n);
    const inW = n in want.ipsets;
    const inG = n in got.ipsets;
    if (inW && !inG) {
      out.push({ ...base, change: 'missing', neutron: null, message: `${ctx.host} has no ipset ${n} (the members of a security group)`, expected: [...w].join(' '), found: null });
      continue;
    }
    if (!inW && inG) {
      out.push({ ...base, change: 'extra', neutron: null, message: `${ctx.host} has a stale ipset ${n}`, expected: null, found: [...g].join(' ') });
      continue;
    }
    const lacks = [...w].filter((x) => !g.has(x));
    const more = [...g].filter((x) => !w.has(x));
    if (lacks.length > 0 || more.length > 0) {
      out.push({
        ...base, change: 'changed', neutron: null,
        message: `ipset ${n} on ${ctx.host}${lacks.length > 0 ? ` lacks ${lacks.join(', ')}` : ''}${lacks.length > 0 && more.length > 0 ? ' and' : ''}${more.length > 0 ? ` holds ${more.join(', ')} as well` : ''}`,
        expected: [...w].join(' '), found: [...g].join(' '),
      });
    }
  }
  return out;
}

function compareNamespace(want: Namespace, got: Namespace, ctx: LinuxContext): DriftItem[] {
  const out: DriftItem[] = [];
  const where = want.name === 'root' ? ctx.host : `${want.name} on ${ctx.host}`;
  const base = { host: ctx.host, device: want.name, origin: null };
  for (const wi of want.interfaces) {
    if (wi.name === 'lo') continue;
    const gi = got.interfaces.find((i) => i.name === wi.name);
    const who = ctx.d.device(wi.name);
    if (!gi) {
      out.push({ ...base, kind: 'interface', change: 'missing', neutron: who, message: `${where} lacks interface ${who}`, expected: `${wi.name} ${wi.mac} ${wi.addresses.map((a) => `${a.ip}/${a.prefixLen}`).join(' ')}`, found: null });
      continue;
    }
    if (gi.mac !== wi.mac) out.push({ ...base, kind: 'interface', change: 'changed', neutron: who, message: `${who} in ${where} has MAC ${gi.mac}, not the port's ${wi.mac}`, expected: wi.mac, found: gi.mac });
    const ga = new Set(gi.addresses.map((a) => `${a.ip}/${a.prefixLen}`));
    const wa = new Set(wi.addresses.map((a) => `${a.ip}/${a.prefixLen}`));
    for (const a of wa) if (!ga.has(a)) out.push({ ...base, kind: 'address', change: 'missing', neutron: who, message: `${who} in ${where} lacks address ${a}`, expected: a, found: null });
    for (const a of ga) if (!wa.has(a)) out.push({ ...base, kind: 'address', change: 'extra', neutron: who, message: `${who} in ${where} has address ${a}, which the intent does not give it`, expected: null, found: a });
  }
  for (const gi of got.interfaces) {
    if (gi.name === 'lo' || want.interfaces.some((i) => i.name === gi.name) || gi.addresses.length === 0 || ctx.unmodelledDevice(gi.name)) continue;
    out.push({ ...base, kind: 'interface', change: 'extra', neutron: null, message: `${where} has interface ${gi.name} (${gi.addresses.map((a) => `${a.ip}/${a.prefixLen}`).join(', ')}), which no Neutron port of the intent gives it`, expected: null, found: gi.name });
  }
  if (want.name !== 'root') {
    const { onlyA, onlyB } = lcsDiff([...want.routes].sort((a, b) => routeKey(a).localeCompare(routeKey(b))), [...got.routes].sort((a, b) => routeKey(a).localeCompare(routeKey(b))), routeKey);
    for (const r of onlyA) out.push({ ...base, kind: 'route', change: 'missing', neutron: r.origin.neutron ?? null, message: `${where} lacks the route ${routeKey(r)}${r.origin.why ? ` (${r.origin.why})` : ''}`, expected: r.origin.text, found: null });
    for (const r of onlyB) out.push({ ...base, kind: 'route', change: 'extra', neutron: null, message: `${where} has the route ${routeKey(r)}, which the intent does not`, expected: null, found: r.origin.text, origin: `${r.origin.file}:${r.origin.line}` });
  }
  out.push(...compareRulesets(want.name, want.netfilter, got.netfilter, ctx));
  if (want.name === 'root') out.push(...compareIpsets(want.netfilter, got.netfilter, ctx));
  return out;
}

function compareBridges(want: readonly LinuxBridge[], got: readonly LinuxBridge[], ctx: LinuxContext): DriftItem[] {
  const out: DriftItem[] = [];
  for (const w of want) {
    const g = got.find((b) => b.name === w.name);
    const who = ctx.d.device(w.name);
    if (!g) out.push({ host: ctx.host, device: w.name, kind: 'linux-bridge', change: 'missing', neutron: who, message: `port ${who} is not plugged on ${ctx.host}: there is no Linux bridge ${w.name}`, expected: `${w.name}: ${w.ports.join(' ')}`, found: null, origin: null });
    else {
      const lacks = w.ports.filter((p) => !g.ports.includes(p));
      if (lacks.length > 0) out.push({ host: ctx.host, device: w.name, kind: 'linux-bridge', change: 'changed', neutron: who, message: `Linux bridge ${who} on ${ctx.host} lacks ${lacks.join(', ')}`, expected: w.ports.join(' '), found: g.ports.join(' '), origin: null });
    }
  }
  for (const g of got) {
    if (want.some((w) => w.name === g.name) || !/^qbr/.test(g.name) || ctx.unmodelledDevice(g.name)) continue;
    out.push({ host: ctx.host, device: g.name, kind: 'linux-bridge', change: 'extra', neutron: null, message: `stale Linux bridge ${g.name} on ${ctx.host}: it belongs to no Neutron port the API shows`, expected: null, found: `${g.name}: ${g.ports.join(' ')}`, origin: null });
  }
  return out;
}

export function compareLinux(want: HostDataplane, got: HostDataplane, ctx: LinuxContext): DriftItem[] {
  const out: DriftItem[] = [...compareBridges(want.linuxBridges, got.linuxBridges, ctx)];
  for (const w of want.namespaces) {
    const g = got.namespaces.find((n) => n.name === w.name);
    if (!g) {
      out.push({ host: ctx.host, device: w.name, kind: 'namespace', change: 'missing', neutron: ctx.d.device(w.name), message: `${ctx.host} has no namespace ${ctx.d.device(w.name)}`, expected: w.name, found: null, origin: null });
      continue;
    }
    out.push(...compareNamespace(w, g, ctx));
  }
  for (const g of got.namespaces) {
    if (want.namespaces.some((w) => w.name === g.name) || !/^(qrouter|qdhcp)-/.test(g.name) || ctx.unmodelledDevice(g.name)) continue;
    out.push({ host: ctx.host, device: g.name, kind: 'namespace', change: 'extra', neutron: null, message: `stale namespace ${g.name} on ${ctx.host}: the API's intent puts no router or DHCP server of that id there`, expected: null, found: g.name, origin: null });
  }
  return out;
}
