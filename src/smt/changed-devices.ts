// The structural difference of two dataplanes, as the symbolic walk sees them: the devices whose
// contents differ (an OVS bridge's flows, learned flows and MAC table; a namespace's routes,
// interfaces, VRRP and sysctls; a Linux bridge; a VM's port), the iptables chains that differ in a
// namespace otherwise the same (a chain's rules or policy, or the members of an ipset one of its
// rules matches on: a security-group rule changes its ports' chains, not every packet of the host), and
// whether something the walk reads across devices differs (the wiring, the stations, the hosts'
// tunnel addresses, every bridge's ports and every namespace's interfaces, the failure scenario,
// the addresses DNAT rules rewrite to, learning that was capped). `diff` uses it to settle a sender
// on one side: a walk that visits no changed device, when nothing global changed, builds the very
// same ends on the other side.
// Guarantees: a device is listed when anything in it that a device model reads may differ
// (compared whole, bar where each rule and flow came from), a namespace whole when its tables, their
// chains' names or its ipsets' names differ; otherwise each chain that differs is listed (as the
// before side's chain object, which is what a walk of that side enters); `global` is non-null when anything read
// outside the device being visited differs, and then no sender may be settled this way. Coarser than
// needed is sound: a device listed for nothing that matters only costs a second walk.
import type { Dataplane, Namespace } from '../ir/dataplane.ts';
import type { NfChain } from '../ir/netfilter.ts';
import type { ConvergedState } from '../semantics/converged.ts';
import { vmDevice } from '../semantics/topology-index.ts';

export interface ChangedDevices {
  /** Why every sender must be compared on both sides (something read across devices differs), or null. */
  readonly global: string | null;
  /** `host/device` of every device whose contents differ, sorted. */
  readonly devices: readonly string[];
  /** `host/namespace/table/chain` of every chain that differs in a namespace not listed whole, sorted. */
  readonly chains: readonly string[];
  /** Whether the device `device` of `host` (a bridge, a namespace, `vm:<name>`) differs. */
  has(host: string, device: string): boolean;
  /** Whether a chain of the before side differs (its namespace otherwise the same). */
  hasChain(chain: NfChain): boolean;
}

/** A namespace but for its chains' rules and policies, and its ipsets' members. */
function shell(n: Namespace): string {
  const tables = n.netfilter.tables.map((t) => ({ name: t.name, chains: t.chains.map((c) => c.name) }));
  return canon({ ...n, netfilter: { tables, ipsets: Object.keys(n.netfilter.ipsets).sort() } });
}

/** The chains of `b` that differ from `a`'s of the same table and name (the two with the same shell). */
function changedChains(b: Namespace, a: Namespace): NfChain[] {
  const sets = new Set(Object.keys(b.netfilter.ipsets).filter((k) => canon(b.netfilter.ipsets[k]) !== canon(a.netfilter.ipsets[k])));
  const out: NfChain[] = [];
  b.netfilter.tables.forEach((t, i) => {
    t.chains.forEach((c, j) => {
      const other = a.netfilter.tables[i]!.chains[j]!;
      const onSet = c.rules.some((r) => r.matches.some((m) => m.kind === 'set' && sets.has(m.name)));
      if (onSet || canon([c.policy, c.rules]) !== canon([other.policy, other.rules])) out.push(c);
    });
  });
  return out;
}

/** JSON of `v` without `origin` fields (where a rule or flow was read from: its line moves when a rule is added above it). */
const canon = (v: unknown): string => JSON.stringify(v, (k, x: unknown) => (k === 'origin' ? undefined : x));

/** Each device's contents, by `host\0device`. */
function deviceContents(dp: Dataplane, conv: ConvergedState | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const learned = new Map<string, unknown[]>();
  // Appended in place: a copy per entry was quadratic in a bridge's learned flows and MAC entries.
  const add = (k: string, v: unknown) => {
    const list = learned.get(k);
    if (list) list.push(v);
    else learned.set(k, [v]);
  };
  for (const l of conv?.learnedFlows ?? []) add(`${l.host}\u0000${l.bridge}`, { learned: l.flow });
  for (const f of conv?.fdb ?? []) add(`${f.host}\u0000${f.bridge}`, { fdb: f });
  for (const h of dp.hosts) {
    const key = (name: string) => `${h.name}\u0000${name}`;
    for (const b of h.ovsBridges) out.set(key(b.name), canon([b, learned.get(key(b.name)) ?? []]));
    for (const b of h.linuxBridges) out.set(key(b.name), canon([b, learned.get(key(b.name)) ?? []]));
    for (const n of h.namespaces) out.set(key(n.name), shell(n));
  }
  for (const s of dp.stations) if (s.kind === 'vm-port') out.set(`${s.host}\u0000${vmDevice(s.vm)}`, canon([out.get(`${s.host}\u0000${vmDevice(s.vm)}`) ?? null, s]));
  return out;
}

/** What the walk reads beyond the device it visits, part by part (a name for each, to say which differs). */
function globalParts(dp: Dataplane, conv: ConvergedState | undefined): [string, string][] {
  const dnat = new Set<string>();
  let arpTpa = false;
  for (const h of dp.hosts) {
    for (const n of h.namespaces) for (const t of n.netfilter.tables) for (const c of t.chains) for (const r of c.rules) if (r.target.kind === 'DNAT') dnat.add(r.target.to);
    for (const b of h.ovsBridges) if (b.flows.some((f) => f.match.arp_tpa !== undefined)) arpTpa = true;
  }
  if ((conv?.learnedFlows ?? []).some((l) => l.flow.match.arp_tpa !== undefined)) arpTpa = true;
  const hosts = dp.hosts.map((h) => ({
    name: h.name,
    tunnelIp: h.tunnelIp,
    ovs: h.ovsBridges.map((b) => ({ name: b.name, ports: b.ports })),
    lb: h.linuxBridges.map((b) => b.name),
    ns: h.namespaces.map((n) => ({ name: n.name, interfaces: n.interfaces, forwarding: n.forwarding })),
  }));
  return [
    ['the hosts, their bridges\' ports or their namespaces\' interfaces', canon(hosts)],
    ['the links between devices', canon(dp.links)],
    ['the physical networks', canon(dp.wires)],
    ['the stations (VM ports, the outside world)', canon(dp.stations)],
    ['the failure scenario', canon(dp.failures ?? null)],
    ['the addresses DNAT rules rewrite to', canon([...dnat].sort())],
    ['flows matching an ARP target address', String(arpTpa)],
    ['learning capped', String(conv?.capped ?? false)],
  ];
}

/** The structural difference of `before` and `after` (with their converged learning state). */
export function changedDevices(before: Dataplane, after: Dataplane, cb?: ConvergedState, ca?: ConvergedState): ChangedDevices {
  const gb = globalParts(before, cb);
  const ga = globalParts(after, ca);
  const global = gb.find(([, v], i) => v !== ga[i]![1])?.[0] ?? null;
  const b = deviceContents(before, cb);
  const a = deviceContents(after, ca);
  const changed = new Set<string>();
  for (const k of new Set([...b.keys(), ...a.keys()])) if (b.get(k) !== a.get(k)) changed.add(k);
  // Namespaces of the same shell on both sides: the chains that differ.
  const chains = new WeakSet<NfChain>();
  const named: string[] = [];
  const afterNs = new Map(after.hosts.flatMap((h) => h.namespaces.map((n) => [`${h.name}\u0000${n.name}`, n] as const)));
  for (const h of before.hosts) {
    for (const n of h.namespaces) {
      const other = afterNs.get(`${h.name}\u0000${n.name}`);
      if (other === undefined || changed.has(`${h.name}\u0000${n.name}`)) continue;
      for (const c of changedChains(n, other)) {
        chains.add(c);
        named.push(`${h.name}/${n.name}/${n.netfilter.tables.find((t) => t.chains.includes(c))!.name}/${c.name}`);
      }
    }
  }
  return {
    global: global === null ? null : `${global} differ`,
    devices: [...changed].map((k) => k.replace('\u0000', '/')).sort(),
    chains: named.sort(),
    has: (host, device) => changed.has(`${host}\u0000${device}`),
    hasChain: (chain) => chains.has(chain),
  };
}
