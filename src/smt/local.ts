// Questions about one device rather than a whole path: what a single bridge does with the packets
// entering it by one port — a sender's own packets at its first device, or any IPv4 packet arriving
// from the network — with the copies it emits left unfollowed unless their port is asked to be
// followed (e.g. a port's own firewall bridge, followed only into the VM behind it).
// Why: a property about one place (a port's firewall) asked over every sender's whole exploration pays
// for every path beyond that place; asked here it costs one device. Callers that need a witness a
// person can replay still search the whole walk when this finds something.
// Guarantees: the outcomes partition the start's packets (as every walk does); each is an end (in the
// device, or beyond a followed port) or a copy leaving by an unfollowed port; nothing calls the solver.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Enc } from './cond.ts';
import { getZ3 } from './z3.ts';
import { ETH_TYPE } from '../ir/packet.ts';
import type { SymPacket } from './headers.ts';
import type { End, Path, Step } from './path.ts';
import { assume } from './path.ts';
import type { SourceSpec } from './sources.ts';
import { senderStarts, walkerFor } from './starts.ts';
import type { Port } from './walk-ctx.ts';
import type { QueryOptions } from './index.ts';

/** Where a device question starts. */
export type DeviceStart =
  /** The sender's packets (first of their flow) as they enter its first device. */
  | { readonly kind: 'sender'; readonly source: SourceSpec }
  /**
   * Any IPv4 packet, first of its flow, untagged, entering the device by `at` (variables
   * `prefix.<field>`); `ethDst` fixes the destination MAC when the question does not depend on it.
   */
  | { readonly kind: 'any-ipv4'; readonly at: Port; readonly prefix: string; readonly ethDst?: number };

export interface DeviceOutcome {
  /** The packet as it entered the device (its variables). */
  readonly sent: SymPacket;
  /** An end (in the device or beyond a followed port), or a copy leaving by an unfollowed port; its path condition includes the start's. */
  readonly step: Step;
}

export interface DeviceExploration {
  readonly enc: Enc;
  readonly outcomes: readonly DeviceOutcome[];
}

/** The outcomes of one device's treatment of the start's packets; copies leaving by a port in `follow` are walked on. */
export async function exploreDevice(dp: Dataplane, start: DeviceStart, follow: readonly string[], opts: QueryOptions = {}): Promise<DeviceExploration> {
  const w = walkerFor(await getZ3(), dp, opts);
  const e = w.e;
  let at: Port;
  let sent: SymPacket;
  let starts: Path[];
  let unresolved: readonly End[] = [];
  if (start.kind === 'sender') {
    const st = start.source.station;
    if (st.kind !== 'vm-port') throw new Error('a device question starts at a VM port or a device port');
    at = st.attachment;
    ({ sent, starts, unresolved } = senderStarts(w, start.source, 's0', {}));
  } else {
    at = start.at;
    sent = w.symbolic(start.prefix, null);
    const v4 = assume({ pc: [], packet: sent }, e.eq(sent.eth_type, ETH_TYPE.ipv4, 16), [{ field: 'eth_type', value: ETH_TYPE.ipv4 }]);
    const dst = start.ethDst;
    const fixed = v4 && dst !== undefined ? assume(v4, e.eq(sent.eth_dst, dst, 48), [{ field: 'eth_dst', value: dst }]) : v4;
    starts = fixed ? [fixed] : [];
  }
  const outcomes: DeviceOutcome[] = [];
  const add = (step: Step) => outcomes.push({ sent, step });
  // A packet whose first hop is unknown is an unknown outcome here too.
  for (const u of unresolved) add(u);
  for (const p of starts) {
    const steps = w.deviceSteps(at, p);
    if (steps === null) throw new Error(`${at.host}/${at.device} is not a bridge or a VM`);
    for (const s of steps) {
      if (s.kind === 'emit' && follow.includes(s.port)) for (const end of w.leave({ host: at.host, device: at.device, port: s.port }, s.path, 1)) add(end);
      else add(s);
    }
  }
  return { enc: e, outcomes };
}
