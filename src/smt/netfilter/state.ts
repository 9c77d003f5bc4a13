// What travels with a symbolic packet through one namespace's netfilter hooks: the skb mark, the
// conntrack zone and state, and the NAT status of its connection. The packet is the FIRST of its flow:
// the conntrack lookup gives NEW (or INVALID for an ICMP answer that may not start a connection, or
// UNTRACKED after `CT --notrack`), never a state the solver could choose — except where the packet
// comes back to an instance whose connection its own path opened (conntrack.ts): ESTABLISHED there.
// Mark, zone and ct mark start at 0 and only ever receive constants, so they stay concrete per path;
// the SNAT/DNAT statuses are conditions (a binding that changes nothing sets no status, as in the kernel).
import type { Cond } from '../cond.ts';
import type { Path } from '../path.ts';
import type { SymPacket } from '../headers.ts';
import type { Enc } from '../cond.ts';
import { mergeBy, termKey } from '../merge.ts';

export type SymCtState = 'NEW' | 'INVALID' | 'UNTRACKED' | 'ESTABLISHED';

export interface NfPath {
  readonly path: Path;
  /** The netfilter instance: `host/namespace` (`root` for a host's bridged firewall). */
  readonly instance: string;
  /** The packet as looked up when the lookup opened a connection (confirmed with it at the end of the hook). */
  readonly original: SymPacket | null;
  /** The dataplane's DNAT target addresses: a connection is kept only if its reply could come back (conntrack.ts). */
  readonly dnatTargets: readonly number[];
  readonly mark: number;
  readonly zone: number;
  readonly notrack: boolean;
  /** The conntrack lookup has run (PREROUTING/OUTPUT). */
  readonly looked: boolean;
  /** NEW before the lookup, as in the evaluator. */
  readonly ctState: SymCtState;
  /** The packet has a connection (looked up, NEW). */
  readonly hasConn: boolean;
  readonly srcNat: Cond;
  readonly dstNat: Cond;
  readonly srcNatDone: boolean;
  readonly dstNatDone: boolean;
  readonly ctMark: number;
}

/** The netfilter bookkeeping of a path as a key (equal keys: the same state apart from the packet). */
export function nfStateKey(w: NfPath): string {
  const original = w.original === null ? '-' : ORIGINAL.map((f) => termKey(w.original![f])).join(',');
  return [w.mark, w.zone, w.notrack, w.looked, w.ctState, w.hasConn, termKey(w.srcNat), termKey(w.dstNat), w.srcNatDone, w.dstNatDone, w.ctMark, original].join('|');
}

const ORIGINAL = ['ip_src', 'ip_dst', 'proto', 'sport', 'dport', 'icmp_type', 'icmp_code'] as const;

export function newNfPath(path: Path, instance = '', dnatTargets: readonly number[] = []): NfPath {
  return { path, instance, original: null, dnatTargets, mark: 0, zone: 0, notrack: false, looked: false, ctState: 'NEW', hasConn: false, srcNat: false, dstNat: false, srcNatDone: false, dstNatDone: false, ctMark: 0 };
}

/** What the kernel knows at a hook (the evaluator's NfContext). */
export type { NfContext as SymNfContext } from '../../semantics/netfilter.ts';

/** Paths in the same netfilter state with the same packet, merged (merge.ts). */
export function mergeNfPaths(e: Enc, ws: readonly NfPath[]): NfPath[] {
  return mergeBy(e, ws, nfStateKey, (w) => w.path, (w, path) => ({ ...w, path }));
}
