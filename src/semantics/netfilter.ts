// What a netfilter ruleset means to both engines apart from the packet's headers: the hooks and the
// order of the stages in each, what the kernel knows about a packet at a hook (its interfaces and
// bridge ports) and the interface and physdev matches decided by that alone, the mark arithmetic of
// MARK and CONNMARK, the NAT targets' text, hooks and addresses, and which ICMP messages may open a
// connection. The evaluator applies it to concrete packets, the solver to symbolic ones; header
// matches, conntrack and NAT rewriting are each engine's own.
// Guarantees: pure functions and constant tables; nothing here reads a packet's headers.
import { parseIpv4 } from '../net/ipv4.ts';
import type { NfMatch, NfTarget } from '../ir/netfilter.ts';

export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

/** What the kernel knows about the packet at this hook. */
export interface NfContext {
  /** `-i` (for bridged traffic: the bridge, e.g. `qbr…`); null when there is none (OUTPUT). */
  readonly inIface: string | null;
  /** `-o`; null before routing. */
  readonly outIface: string | null;
  /** Bridged traffic only: the bridge port it came in on (`tap…`/`qvb…`). */
  readonly physdevIn: string | null;
  /** Bridged traffic only: the bridge port it goes out of (known at FORWARD/POSTROUTING). */
  readonly physdevOut: string | null;
  /** The packet crosses a Linux bridge with br_netfilter (physdev matches apply). */
  readonly bridged: boolean;
  /**
   * Addition to the agreed contract (optional): the primary address of the incoming interface,
   * the address `REDIRECT` in PREROUTING rewrites the destination to. Absent or null there, the
   * kernel drops the packet; netproof does too and marks the verdict uncertain.
   */
  readonly localAddress?: string | null;
}

/** One stage of a hook: a table's chain, the conntrack lookup, a NAT stage, the conntrack confirm. */
export type HookStage =
  | { readonly kind: 'table'; readonly table: 'raw' | 'mangle' | 'filter' | 'security' }
  | { readonly kind: 'lookup' }
  | { readonly kind: 'nat'; readonly manip: 'src' | 'dst' }
  | { readonly kind: 'confirm' };

const T = (table: 'raw' | 'mangle' | 'filter' | 'security'): HookStage => ({ kind: 'table', table });

/**
 * Each hook's stages in the kernel's order of priorities. The nat table is traversed at a NAT stage,
 * by the first packet of a connection only.
 */
export const HOOK_STAGES: Readonly<Record<Hook, readonly HookStage[]>> = {
  PREROUTING: [T('raw'), { kind: 'lookup' }, T('mangle'), { kind: 'nat', manip: 'dst' }],
  INPUT: [T('mangle'), T('filter'), T('security'), { kind: 'nat', manip: 'src' }, { kind: 'confirm' }],
  FORWARD: [T('mangle'), T('filter'), T('security')],
  OUTPUT: [T('raw'), { kind: 'lookup' }, T('mangle'), { kind: 'nat', manip: 'dst' }, T('filter'), T('security')],
  POSTROUTING: [T('mangle'), { kind: 'nat', manip: 'src' }, { kind: 'confirm' }],
};

/** `-i`/`-o`/physdev names: a trailing `+` is a prefix wildcard (`qg-+`, and `+` alone is any). */
export function ifaceMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

type Physdev = Extract<NfMatch, { kind: 'physdev' }>;

/**
 * xt_physdev, line by line: outside a bridge every non-negated option fails; inside, `--physdev-is-bridged`
 * holds iff the output port is known (FORWARD/POSTROUTING), `--physdev-in` is skipped when the input
 * port is unknown, and `--physdev-out` fails when the output port is unknown (PREROUTING), even negated.
 */
export function physdevMatches(x: Physdev, ctx: NfContext): boolean {
  if (!ctx.bridged) return [x.in, x.out, x.isBridged, x.isIn, x.isOut].every((o) => o === null || o.negate);
  const indev = ctx.physdevIn;
  const outdev = ctx.physdevOut;
  // `a !== negate` is the option's test, inverted by `!`.
  if (x.isBridged && (outdev !== null) === x.isBridged.negate) return false;
  if (x.isIn && (indev !== null) === x.isIn.negate) return false;
  if (x.isOut && (outdev !== null) === x.isOut.negate) return false;
  if (x.in && indev !== null && ifaceMatches(x.in.name, indev) === x.in.negate) return false;
  if (x.out) return outdev !== null && ifaceMatches(x.out.name, outdev) !== x.out.negate;
  return true;
}

/** MARK: `--set-xmark V/M` is mark = (mark & ~M) ^ V; and/or/xor apply V alone. */
export function applyMark(mark: number, op: 'set' | 'and' | 'or' | 'xor', value: number, mask: number): number {
  switch (op) {
    case 'set':
      return ((mark & ~mask) ^ value) >>> 0;
    case 'and':
      return (mark & value) >>> 0;
    case 'or':
      return (mark | value) >>> 0;
    case 'xor':
      return (mark ^ value) >>> 0;
    default: {
      const never: never = op;
      throw new Error(`internal: unknown MARK op ${String(never)}`);
    }
  }
}

/** CONNMARK (xt_CONNMARK v1 with nfmask = ctmask = mask) on a packet's mark and its connection's. */
export function applyConnmark(t: Extract<NfTarget, { kind: 'CONNMARK' }>, marks: { readonly mark: number; readonly ctMark: number }): { mark: number; ctMark: number } {
  const mask = t.mask >>> 0;
  const { mark, ctMark } = marks;
  if (t.op === 'set') return { mark, ctMark: ((ctMark & ~mask) ^ t.value) >>> 0 };
  if (t.op === 'save') return { mark, ctMark: ((ctMark & ~mask) ^ (mark & mask)) >>> 0 };
  return { mark: ((mark & ~mask) ^ (ctMark & mask)) >>> 0, ctMark };
}

/** `--to-source`/`--to-destination` text: `ip[-ip][:port[-port]]`. Only the first ip is used. */
export interface NatSpec {
  readonly ip: string;
  readonly ports: readonly [number, number] | null;
}

export function parseNatSpec(text: string): NatSpec | null {
  const m = /^([0-9.]+)(?:-[0-9.]+)?(?::(\d+)(?:-(\d+))?)?$/.exec(text.trim());
  if (!m || parseIpv4(m[1]!) === null) return null;
  if (m[2] === undefined) return { ip: m[1]!, ports: null };
  const from = Number(m[2]);
  const to = m[3] === undefined ? from : Number(m[3]);
  return { ip: m[1]!, ports: [from, to] };
}

type NatTarget = Extract<NfTarget, { kind: 'SNAT' | 'DNAT' | 'REDIRECT' }>;

/** Where the kernel accepts a NAT target: the nat table, SNAT at POSTROUTING/INPUT, DNAT and REDIRECT at PREROUTING/OUTPUT. */
export function natTargetAllowed(t: NatTarget, table: string, hook: Hook): boolean {
  const hooks: readonly Hook[] = t.kind === 'SNAT' ? ['POSTROUTING', 'INPUT'] : ['PREROUTING', 'OUTPUT'];
  return table === 'nat' && hooks.includes(hook);
}

/** The address REDIRECT rewrites the destination to: 127.0.0.1 from OUTPUT, else the incoming interface's (null: none, the kernel drops). */
export function redirectAddress(hook: Hook, ctx: NfContext): string | null {
  return hook === 'OUTPUT' ? '127.0.0.1' : (ctx.localAddress ?? null);
}

/** ICMP types that may open a connection (nf_conntrack_proto_icmp): echo, timestamp, info and address-mask requests. */
export const ICMP_NEW_TYPES: readonly number[] = [8, 13, 15, 17];

/** ICMP error types (nf_conntrack_proto_icmp): their connection is the one of the packet they quote. */
export const ICMP_ERROR_TYPES: readonly number[] = [3, 4, 5, 11, 12];

/** ICMP query types and the type of their answer (both ways), as nf_conntrack_proto_icmp: a reply's tuple carries the inverse type. */
export const ICMP_INVERSE: ReadonlyMap<number, number> = new Map([
  [8, 0], [0, 8], // echo
  [13, 14], [14, 13], // timestamp
  [15, 16], [16, 15], // information
  [17, 18], [18, 17], // address mask
]);
