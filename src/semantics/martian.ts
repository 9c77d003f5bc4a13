// What the Linux IPv4 input path decides before (and right after) the routing lookup, for both
// engines: the martian checks of ip_route_input_slow, the multicast rule of ip_route_input_rcu, source
// validation (fib_validate_source: accept_local, rp_filter, send_redirects), the local routing table a
// namespace's addresses make (local and broadcast routes), and ARP's own checks (arp_process with
// arp_ignore). And the sysctls all of this depends on, per namespace:
// - what the L3 agent sets in a qrouter namespace (neutron/agent/l3/namespaces.py): ip_forward=1,
//   arp_ignore=1, arp_announce=2 (and promote_secondaries=1, which changes nothing here);
// - what no agent sets, so the kernel's defaults (a new namespace copies the host's values; netproof
//   assumes the kernel's own): rp_filter=0, accept_local=0, route_localnet=0, send_redirects=1, and
//   arp_ignore=0 in a qdhcp namespace (the DHCP agent sets none of these).
// Guarantees: pure functions over 32-bit address values and the IR; nothing reads a packet.
import type { Namespace, NamespaceSysctls } from '../ir/dataplane.ts';
import { broadcastOf, ipv4ToNumber, prefixMask } from '../net/ipv4.ts';
import { type Branch, type Logic } from './logic.ts';
import { joinedGroups } from './multicast.ts';

export type { NamespaceSysctls };

/** The kernel's defaults, for everything no agent sets. */
export const KERNEL_SYSCTLS: NamespaceSysctls = { rpFilter: 0, acceptLocal: false, routeLocalnet: false, sendRedirects: true, arpIgnore: 0 };

/** What the L3 agent sets in a router namespace on top of them. */
export const L3_AGENT_SYSCTLS: Partial<NamespaceSysctls> = { arpIgnore: 1 };

// What a namespace's IR implies (sysctls, local table, own addresses) is asked for on every packet
// it takes: computed once per Namespace object (the IR is never changed once assembled).
const sysctlsOf = new WeakMap<Namespace, NamespaceSysctls>();
const localTables = new WeakMap<Namespace, readonly LocalRoute[]>();
const ownAddresses = new WeakMap<Namespace, readonly number[]>();

/** The sysctls of a namespace: written in the IR, else by who creates it (qrouter- namespaces are the L3 agent's). */
export function namespaceSysctls(ns: Namespace): NamespaceSysctls {
  let s = sysctlsOf.get(ns);
  if (!s) {
    const byAgent = ns.name.startsWith('qrouter-') ? L3_AGENT_SYSCTLS : {};
    sysctlsOf.set(ns, (s = { ...KERNEL_SYSCTLS, ...byAgent, ...(ns.sysctls ?? {}) }));
  }
  return s;
}

/** The words a trace shows for the sysctls a decision depended on. */
export function sysctlWords(s: NamespaceSysctls, which: readonly (keyof NamespaceSysctls)[]): string {
  const name: Record<keyof NamespaceSysctls, string> = {
    rpFilter: `rp_filter=${s.rpFilter}`, acceptLocal: `accept_local=${s.acceptLocal ? 1 : 0}`, routeLocalnet: `route_localnet=${s.routeLocalnet ? 1 : 0}`,
    sendRedirects: `send_redirects=${s.sendRedirects ? 1 : 0}`, arpIgnore: `arp_ignore=${s.arpIgnore}`,
  };
  return which.map((k) => name[k]).join(', ');
}

export const LIMITED_BROADCAST = 0xffffffff;
/** 224.0.0.1, the all-hosts group every interface with an IPv4 address joins. */
export const ALL_HOSTS = 0xe0000001;

/** The "zeronet" the martian checks mean: 0.0.0.0 alone since Linux 5.3 (the rest of 0.0.0.0/8 is routed like any address). */
export const isZeronet = (ip: number) => ip === 0;
export const isLoopback = (ip: number) => ip >>> 24 === 127;
export const isMulticast = (ip: number) => ip >>> 28 === 0xe;
/** 224.0.0.0/24: link-local multicast. */
export const isLocalMulticast = (ip: number) => ip >>> 8 === 0xe00000;
export const IPPROTO_IGMP = 2;

/** The address ranges the martian checks name, as prefixes (for the solver). */
export const ZERONET = { net: 0, len: 32 } as const;
export const LOOPBACK = { net: 0x7f000000, len: 8 } as const;
export const MULTICAST = { net: 0xe0000000, len: 4 } as const;
export const LOCAL_MULTICAST = { net: 0xe0000000, len: 24 } as const;

/** One entry of a namespace's local routing table: an address of its own, or a broadcast address. */
export interface LocalRoute {
  readonly type: 'local' | 'broadcast';
  readonly net: number;
  readonly len: number;
  readonly dev: string;
}

/**
 * The local table the kernel builds from the namespace's addresses (fib_add_ifaddr): `local` for each
 * address (the whole prefix for an address on lo), `broadcast` for each subnet's broadcast address
 * (prefixes shorter than /31). The network address gets no broadcast route on current kernels.
 */
export function localTable(ns: Namespace): readonly LocalRoute[] {
  let known = localTables.get(ns);
  if (!known) localTables.set(ns, (known = localTableOf(ns)));
  return known;
}

function localTableOf(ns: Namespace): readonly LocalRoute[] {
  const out: LocalRoute[] = [];
  for (const i of ns.interfaces) {
    for (const a of i.addresses) {
      const ip = ipv4ToNumber(a.ip);
      if (i.name === 'lo') out.push({ type: 'local', net: (ip & prefixMask(a.prefixLen)) >>> 0, len: a.prefixLen, dev: i.name });
      else out.push({ type: 'local', net: ip, len: 32, dev: i.name });
      if (a.prefixLen < 31) out.push({ type: 'broadcast', net: broadcastOf(ip, a.prefixLen), len: 32, dev: i.name });
    }
  }
  return out;
}

/** Words naming each decision, with the kernel function it comes from. */
export const MARTIAN_WHY = {
  multicastNotJoined: 'multicast destination the interface has not joined (224.0.0.1, and 224.0.0.18 where keepalived runs, are the only groups joined; no multicast routing): dropped (ip_route_input_rcu)',
  martianSource: 'martian source (ip_route_input_slow)',
  martianDestination: 'martian destination (ip_route_input_slow)',
  rpFilter: 'reverse-path filter (fib_validate_source)',
  localSource: 'source address is the namespace\'s own (fib_validate_source)',
  broadcastSource: 'source address is a broadcast address of the namespace (fib_validate_source)',
} as const;

/** What the input path does with an IPv4 packet after PREROUTING. */
export type InputOutcome =
  | { readonly kind: 'drop'; readonly why: string }
  | { readonly kind: 'local'; readonly how: 'address' | 'broadcast' | 'multicast' }
  /** Not for the namespace itself: on to the main routing table (forwarding, if on). */
  | { readonly kind: 'route' };

type Case<C, T> = readonly [C, T | readonly Branch<C, T>[]];

/** An if/else-if chain whose cases may carry sub-decisions: flattened, partitioning the space. */
function chain<C, V, T>(L: Logic<C, V>, cases: readonly Case<C, T>[], otherwise: T | readonly Branch<C, T>[]): Branch<C, T>[] {
  const out: Branch<C, T>[] = [];
  const earlier: C[] = [];
  const add = (excl: C, then: T | readonly Branch<C, T>[]) => {
    if (Array.isArray(then)) for (const b of then as readonly Branch<C, T>[]) out.push({ when: L.and(excl, b.when), then: b.then });
    else out.push({ when: excl, then: then as T });
  };
  for (const [c, then] of cases) {
    add(L.and(c, ...earlier.map((x) => L.not(x))), then);
    earlier.push(c);
  }
  add(L.and(...earlier.map((x) => L.not(x))), otherwise);
  return out;
}

const words = (why: string, s: NamespaceSysctls, which: readonly (keyof NamespaceSysctls)[]) => (which.length > 0 ? `${why} [${sysctlWords(s, which)}]` : why);

/** Longest-prefix match of `v` over `routes` (list order breaks ties): one branch per route that can match, then "none". */
function lpm<C, V, R extends { readonly dst: { readonly ip: string; readonly prefixLen: number } }>(L: Logic<C, V>, routes: readonly R[], v: V): Branch<C, R | null>[] {
  const sorted = [...routes].sort((a, b) => b.dst.prefixLen - a.dst.prefixLen);
  return chain(L, sorted.map((r) => [L.prefix(v, ipv4ToNumber(r.dst.ip), r.dst.prefixLen), r] as const), null);
}

/**
 * Why fib_validate_source refuses `src` arriving on `inIface` (the packet leaving by `oif`, or taken
 * locally when null): each refusal with its condition. With rp_filter off and no redirect to consider
 * (not back out of the same interface, or send_redirects off), only the namespace's own addresses are
 * refused (unless accept_local); otherwise the source is looked up in reverse: a local or broadcast
 * route refuses it, and rp_filter refuses a source routed by another interface (strict) or by none.
 */
export function sourceRefusals<C, V>(L: Logic<C, V>, ns: Namespace, s: NamespaceSysctls, inIface: string, oif: string | null, src: V): Branch<C, string>[] {
  const fast = s.rpFilter === 0 && !(oif === inIface && s.sendRedirects);
  if (fast) {
    if (s.acceptLocal) return [];
    let addrs = ownAddresses.get(ns);
    if (!addrs) ownAddresses.set(ns, (addrs = ns.interfaces.flatMap((i) => i.addresses.map((a) => ipv4ToNumber(a.ip)))));
    const own = addrs.map((ip) => L.eq(src, ip, 32));
    return [{ when: L.or(...own), then: words(MARTIAN_WHY.localSource, s, ['acceptLocal']) }];
  }
  const table = localTable(ns);
  const isBroadcast = L.or(...table.filter((r) => r.type === 'broadcast').map((r) => L.prefix(src, r.net, r.len)));
  const locals = table.filter((r) => r.type === 'local');
  const isLocal = L.or(...locals.map((r) => L.prefix(src, r.net, r.len)));
  const out: Branch<C, string>[] = [{ when: isBroadcast, then: words(MARTIAN_WHY.broadcastSource, s, []) }];
  const reasons = ['rpFilter', 'sendRedirects'] as const;
  if (!s.acceptLocal) out.push({ when: L.and(isLocal, L.not(isBroadcast)), then: words(MARTIAN_WHY.localSource, s, ['acceptLocal', ...reasons]) });
  else if (s.rpFilter === 1) {
    const away = locals.filter((r) => r.dev !== inIface && r.dev !== 'lo').map((r) => L.prefix(src, r.net, r.len));
    out.push({ when: L.and(L.or(...away), L.not(isBroadcast)), then: words(MARTIAN_WHY.rpFilter, s, ['rpFilter']) });
  }
  if (s.rpFilter !== 0) {
    const inMain = L.and(L.not(isLocal), L.not(isBroadcast));
    for (const b of lpm(L, ns.routes, src)) {
      if (b.then === null || (s.rpFilter === 1 && b.then.dev !== inIface)) out.push({ when: L.and(inMain, b.when), then: words(MARTIAN_WHY.rpFilter, s, ['rpFilter']) });
    }
  }
  return out;
}

/** `outcome` unless a refusal of the source applies (then a drop saying why). */
function validated<C, V, T>(L: Logic<C, V>, refusals: readonly Branch<C, string>[], outcome: T): Branch<C, T | { kind: 'drop'; why: string }>[] {
  return chain<C, V, T | { kind: 'drop'; why: string }>(L, refusals.map((r) => [r.when, { kind: 'drop', why: r.then }] as const), outcome);
}

/**
 * The input decision for an IPv4 packet from `src` to `dst` (after PREROUTING) arriving on `inIface`:
 * ip_route_input_rcu's multicast rule (a group the interface joined: multicast.ts), then ip_route_input_slow's martian checks, the local table, and
 * source validation of what is taken locally. `route` means the main table decides (forwarding).
 * `proto` null: not an IP packet's protocol (an ARP request routed for its answer).
 */
export function inputDecision<C, V>(L: Logic<C, V>, ns: Namespace, s: NamespaceSysctls, inIface: string, src: V, dst: V, proto: V | null): Branch<C, InputOutcome>[] {
  const drop = (why: string, which: readonly (keyof NamespaceSysctls)[] = []): InputOutcome => ({ kind: 'drop', why: words(why, s, which) });
  const mcastSrc = L.or(L.prefix(src, MULTICAST.net, MULTICAST.len), L.eq(src, LIMITED_BROADCAST, 32));
  const loopSrc = L.prefix(src, LOOPBACK.net, LOOPBACK.len);
  const zeroSrc = L.prefix(src, ZERONET.net, ZERONET.len);
  const check = (outcome: InputOutcome) => validated(L, sourceRefusals(L, ns, s, inIface, null, src), outcome);
  const table = localTable(ns);
  const toBroadcast = L.or(...table.filter((r) => r.type === 'broadcast').map((r) => L.prefix(dst, r.net, r.len)));
  const toLocal = L.or(...table.filter((r) => r.type === 'local').map((r) => L.prefix(dst, r.net, r.len)));
  const multicast: InputOutcome = { kind: 'local', how: 'multicast' };
  const broadcast: InputOutcome = { kind: 'local', how: 'broadcast' };
  // The groups the arriving interface joined: all-hosts, and VRRP's where keepalived runs (multicast.ts).
  const joined = [ALL_HOSTS, ...joinedGroups(ns, inIface).map(ipv4ToNumber)];
  return chain<C, V, InputOutcome>(L, [
    [L.and(L.prefix(dst, MULTICAST.net, MULTICAST.len), ...joined.map((g) => L.not(L.eq(dst, g, 32)))), drop(MARTIAN_WHY.multicastNotJoined)],
    [L.prefix(dst, MULTICAST.net, MULTICAST.len), chain<C, V, InputOutcome>(L, [
      [mcastSrc, drop(MARTIAN_WHY.martianSource)],
      [s.routeLocalnet ? L.no : loopSrc, drop(MARTIAN_WHY.martianSource, ['routeLocalnet'])],
      [zeroSrc, chain<C, V, InputOutcome>(L, [[L.and(L.not(L.prefix(dst, LOCAL_MULTICAST.net, LOCAL_MULTICAST.len)), proto === null ? L.yes : L.not(L.eq(proto, IPPROTO_IGMP, 8))), drop(MARTIAN_WHY.martianSource)]], multicast)],
    ], check(multicast))],
    [mcastSrc, drop(MARTIAN_WHY.martianSource)],
    [L.or(L.eq(dst, LIMITED_BROADCAST, 32), L.and(L.eq(src, 0, 32), L.eq(dst, 0, 32))), chain<C, V, InputOutcome>(L, [[zeroSrc, broadcast]], check(broadcast))],
    [zeroSrc, drop(MARTIAN_WHY.martianSource)],
    [L.prefix(dst, ZERONET.net, ZERONET.len), drop(MARTIAN_WHY.martianDestination)],
    [s.routeLocalnet ? L.no : L.prefix(dst, LOOPBACK.net, LOOPBACK.len), drop(MARTIAN_WHY.martianDestination, ['routeLocalnet'])],
    [s.routeLocalnet ? L.no : L.and(loopSrc, L.not(L.prefix(dst, LOOPBACK.net, LOOPBACK.len))), drop(MARTIAN_WHY.martianSource, ['routeLocalnet'])],
    [toBroadcast, check(broadcast)],
    [toLocal, check({ kind: 'local', how: 'address' })],
  ], { kind: 'route' });
}

/** What the routing decision adds once the main table chose `outIface` (__mkroute_input's source validation). */
export function forwardDecision<C, V>(L: Logic<C, V>, ns: Namespace, s: NamespaceSysctls, inIface: string, outIface: string, src: V): Branch<C, { kind: 'forward' } | { kind: 'drop'; why: string }>[] {
  return validated(L, sourceRefusals(L, ns, s, inIface, outIface, src), { kind: 'forward' } as const);
}

/**
 * Whether the namespace answers an ARP request for `tip` from `sip` arriving on `inIface`
 * (arp_process): never for a multicast or loopback target; a probe (sender 0.0.0.0) for a local
 * address; otherwise when the request, routed like an IPv4 packet from `sip` to `tip`, is for a local
 * address and arp_ignore allows it (mode 1: `tip` is an address of the receiving interface, whoever
 * asks; mode 2, which netproof does not model, would also want `sip` on its subnet).
 */
export function arpAnswers<C, V>(L: Logic<C, V>, ns: Namespace, s: NamespaceSysctls, inIface: string, sip: V, tip: V): C {
  const iface = ns.interfaces.find((i) => i.name === inIface);
  if (!iface) return L.no;
  // arp_ignore=1 asks inet_confirm_addr with the sender cleared: the target must be on the interface.
  const ignoreOk = s.arpIgnore === 0 ? L.yes : L.or(...iface.addresses.map((a) => L.eq(tip, ipv4ToNumber(a.ip), 32)));
  // A target arp_ignore refuses (known when it is concrete: a router's other interfaces' addresses)
  // is refused whoever asks: both answers below are conjunctions with it, so the input decision the
  // request would be routed by (the costly part, asked for every address a router has) is not made.
  if (ignoreOk === L.no) return L.no;
  const unroutable = L.or(L.prefix(tip, MULTICAST.net, MULTICAST.len), s.routeLocalnet ? L.no : L.prefix(tip, LOOPBACK.net, LOOPBACK.len));
  const tipLocal = L.or(...localTable(ns).filter((r) => r.type === 'local').map((r) => L.prefix(tip, r.net, r.len)));
  const probe = L.and(L.eq(sip, 0, 32), tipLocal, ignoreOk);
  const routedLocal = L.or(...inputDecision(L, ns, s, inIface, sip, tip, null).filter((b) => b.then.kind === 'local' && b.then.how === 'address').map((b) => b.when));
  const request = L.and(L.not(L.eq(sip, 0, 32)), routedLocal, ignoreOk);
  return L.and(L.not(unroutable), L.or(probe, request));
}
