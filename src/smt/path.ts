// The state of one symbolic path and the results a device visit yields, shared by every device model.
// A path is a conjunction of conditions (its path condition) and the packet as it is at that point.
// Guarantees: `assume` never keeps a branch whose condition folded to false (structural pruning), and
// when the condition pins a field to one value it substitutes that value into the packet, so later
// comparisons on that field fold without the solver (sound: on that branch the field has that value).
import type { Delivery } from '../semantics/delivery.ts';
import type { SymPacket } from './headers.ts';
import type { Cond, Enc, Val } from './cond.ts';
import type { SymConn } from './netfilter/conntrack.ts';

export interface Path {
  /** Conjuncts of the path condition (never containing `false`). */
  readonly pc: readonly Cond[];
  readonly packet: SymPacket;
  /** The connections the path has opened so far (netfilter/conntrack.ts); absent: none. */
  readonly conns?: readonly SymConn[];
}

/** A field fixed by a branch condition: `field` equals `value` on that branch. */
export interface Binding {
  readonly field: 'eth_src' | 'eth_dst' | 'eth_type' | 'ip_src' | 'ip_dst' | 'proto' | 'sport' | 'dport' | 'icmp_type' | 'icmp_code';
  readonly value: number;
}

/** Adds `guard ∧ field = value` to `parts`, and the binding that equality pins to `binds`. */
export function pinEq(e: Enc, parts: Cond[], binds: Binding[], guard: Cond, p: SymPacket, field: Binding['field'], value: number, bits: number): void {
  parts.push(guard, e.eq(p[field], value, bits));
  binds.push({ field, value });
}

/** A condition with the field values it pins when it holds. */
export interface Guard {
  readonly cond: Cond;
  readonly binds: readonly Binding[];
}

export const guard = (cond: Cond, binds: readonly Binding[] = []): Guard => ({ cond, binds });

/** The path restricted to `cond` (with its bindings applied), or null when `cond` is false. */
export function assume(p: Path, cond: Cond, binds: readonly Binding[] = []): Path | null {
  if (cond === false) return null;
  let packet = p.packet;
  for (const b of binds) {
    if (typeof packet[b.field] !== 'number') packet = { ...packet, [b.field]: b.value };
  }
  return { ...p, pc: cond === true ? p.pc : [...p.pc, cond], packet };
}

export function withPacket(p: Path, packet: SymPacket): Path {
  return { ...p, packet };
}

/** The path condition as one term. */
export function pathCond(e: Enc, p: Path): Cond {
  return e.and(...p.pc);
}

/** How a copy ends; `loop`: it entered a place again on its own path with the same headers (src/semantics/loop.ts). */
export type EndDisposition = 'delivered' | 'exited' | 'dropped' | 'no-route' | 'no-arp' | 'loop';

/**
 * The device a copy ended in, structured (the same place `where` names in words): the host, the
 * device, and the port the copy entered it by — on a bridge the entry port tells the direction, e.g.
 * a qbr drop of a packet from the VM's tap is its egress firewall, from the qvb its ingress firewall.
 */
export interface EndSite {
  readonly host: string;
  readonly device: string;
  readonly inPort: string;
}

/**
 * How a copy of the packet ends on one path. `unknown` is a path that crossed something netproof does
 * not model (an unsupported match or action, a depth bound): a verdict built on it is `unknown`.
 */
export type End = (
  | {
      readonly kind: 'end';
      readonly disposition: EndDisposition;
      readonly delivery: Delivery | null;
      /** Where it ended: `host/device` and the rule, for explanations. */
      readonly where: string;
      /** For an ARP request answered by its target's owner: the owner's MAC. */
      readonly arpOwner: Val | null;
      /** Where it ended, when the device model says so (Linux bridges and their netfilter drops). */
      readonly at?: EndSite;
      readonly path: Path;
    }
  | { readonly kind: 'unknown'; readonly reason: string; readonly path: Path }
  /**
   * A copy the walk was told not to follow (a routed copy crossing an external network to another
   * router's floating IP or gateway address, for questions that do not ask about that crossing):
   * neither an answer nor a reason for `unknown`, since the question does not look there. `also`:
   * with `at`, the routers where the copies it stands for were cut (cut-crossings.ts: copies given
   * their cuts unwalked, one end for all, its path one of theirs).
   */
  | { readonly kind: 'cut'; readonly where: string; readonly path: Path; readonly at?: EndSite; readonly also?: readonly EndSite[] }
) & {
  /**
   * Of a walk split between two dataplanes (walk.ts `split`): the end is of the walking dataplane's
   * side only ('this') or of the other's ('other'); absent, of both.
   */
  readonly side?: 'this' | 'other';
};

/** What a device visit yields: copies leaving through ports, and ends. */
export type Step = { readonly kind: 'emit'; readonly port: string; readonly path: Path } | End;

export function ended(disposition: EndDisposition, path: Path, where: string, delivery: Delivery | null = null, arpOwner: Val | null = null, at?: EndSite): End {
  return at === undefined ? { kind: 'end', disposition, delivery, where, arpOwner, path } : { kind: 'end', disposition, delivery, where, arpOwner, at, path };
}

/**
 * Ends that tell something: delivered, exited, dropped at a known site (a firewall), or not followed
 * to their end. The others (a frame for another MAC, no route, no ARP answer, a drop with no site…) are
 * never a witness nor a reason for `unknown` in a property.
 */
export function telling(end: End): boolean {
  if (end.kind === 'cut') return false;
  return end.kind === 'unknown' || end.disposition === 'delivered' || end.disposition === 'exited' || (end.disposition === 'dropped' && end.at !== undefined);
}

export function cutEnd(where: string, path: Path, at?: EndSite, also?: readonly EndSite[]): End {
  if (at === undefined) return { kind: 'cut', where, path };
  return also === undefined || also.length === 0 ? { kind: 'cut', where, path, at } : { kind: 'cut', where, path, at, also };
}

export function unknownEnd(reason: string, path: Path): End {
  return { kind: 'unknown', reason, path };
}
