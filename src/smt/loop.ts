// The symbolic side of loop detection (src/semantics/loop.ts): the places a path has entered, with
// the packet as it entered each (its trail), and the condition under which a copy entering a place
// again carries the same headers — the evaluator's loop, decided per packet.
// Guarantees: `revisit` is exactly "some earlier visit of this place had the same headers" for every
// packet of the path (it folds to true/false when the terms decide it); what a walk from a place
// makes of its trail depends only on the trail's entries at the places that walk enters
// (`trailProjection`), so a memo keyed by that projection is exact.
import { LOOP_FIELDS } from '../semantics/loop.ts';
import type { Cond, Enc, Val } from './cond.ts';
import { termKey } from './cond.ts';
import { WIDTH, hasPorts, isIcmp, type SymPacket } from './headers.ts';

/** The places entered on one path, latest first (a persistent list: branches share their past). */
export interface Trail {
  readonly place: string;
  readonly packet: SymPacket;
  readonly prev: Trail | null;
  /** The packet's terms as one key (for memo keys), made when first asked for. */
  key?: string;
}

export function extendTrail(trail: Trail | null, place: string, packet: SymPacket): Trail {
  return { place, packet, prev: trail };
}

function sameField(e: Enc, a: Val | null, b: Val | null, bits: number): Cond {
  if (a === null || b === null) return a === b;
  // The same term is the same value (`eq` folds numbers only).
  if (a === b || termKey(a) === termKey(b)) return true;
  return e.eq(a, b, bits);
}

/** The two packets have the same headers, as the evaluator compares them (ports and ICMP fields only where the packet has them). */
export function samePacket(e: Enc, a: SymPacket, b: SymPacket): Cond {
  const parts: Cond[] = [];
  const ported: Cond[] = [];
  const icmp: Cond[] = [];
  for (const f of LOOP_FIELDS) {
    const c = sameField(e, a[f], b[f], WIDTH[f]);
    if (f === 'sport' || f === 'dport') ported.push(c);
    else if (f === 'icmp_type' || f === 'icmp_code') icmp.push(c);
    else parts.push(c);
  }
  const common = e.and(...parts);
  if (common === false) return false;
  // `a` and `b` agree on eth_type and proto here, so `a`'s kind is both's.
  return e.and(common, e.or(e.not(hasPorts(e, a)), e.and(...ported)), e.or(e.not(isIcmp(e, a)), e.and(...icmp)));
}

/** Some earlier entry of `place` on the trail had the same headers as `packet`. */
export function revisit(e: Enc, trail: Trail | null, place: string, packet: SymPacket): Cond {
  const again: Cond[] = [];
  for (let t = trail; t !== null; t = t.prev) {
    if (t.place !== place) continue;
    const c = samePacket(e, packet, t.packet);
    if (c === true) return true;
    if (c !== false) again.push(c);
  }
  return e.or(...again);
}

const packetKey = (p: SymPacket): string => LOOP_FIELDS.map((f) => termKey(p[f])).join(',');

/** The trail's entries at `places` (oldest first), as one key: all a walk entering only `places` reads of it. */
export function trailProjection(trail: Trail | null, places: ReadonlySet<string>): string {
  if (places.size === 0) return '';
  const parts: string[] = [];
  for (let t = trail; t !== null; t = t.prev) {
    if (!places.has(t.place)) continue;
    parts.push(`${t.place}#${(t.key ??= packetKey(t.packet))}`);
  }
  return parts.reverse().join(';');
}
