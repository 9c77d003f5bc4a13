// A violation found under a scenario's first choice of HA masters, to be shown again under another
// choice by sending its witness again, from the same sender, through that choice's evaluator: where
// the packet does there what made it a violation, it is the same violation there, shown as every
// violation is (by the evaluator), and the property need not ask the solver for it again; where it
// does not, the property asks as before. A property keeps its violations under the first choice
// (`keepFound`) and, under another, replays the one kept for a subject (`foundFirst`) and judges the
// replay itself: only a violation that a trace and the packet show whatever the masters (a spoofed
// packet gets past a port's first device; a packet the port's groups do not allow leaves it and ends
// where the solver said) may be taken so.
// Why: where a port's first device is br-int (the openvswitch and noop drivers), its digest changes
// with every choice of masters for what it learned, so nothing settled there is carried (carry.ts), and
// every choice decoded every violation's witness again: 27 choices of a small rocky cloud with the noop
// driver made ~9,000 solver checks for anti-spoofing alone, nearly all of them witnesses' decoding.
import type { Evaluator } from '../../evaluate/index.ts';
import type { Station } from '../../ir/dataplane.ts';
import type { Packet } from '../../ir/packet.ts';
import { firstChoiceOf } from '../../scenario/siblings.ts';
import { stationKey } from '../../semantics/station-key.ts';
import type { VerifyContext } from '../property.ts';

/** A violation's witness and who sent it, with whatever else the property needs to judge its replay. */
export interface Found {
  readonly source: Station;
  readonly witness: Packet;
}

/** By the evaluator the violation was found with, then property and subject. */
const kept = new WeakMap<Evaluator, Map<string, Found>>();

const keyOf = (property: string, subject: string) => `${property}\u0000${subject}`;

/** Keeps a violation of `subject` found in `ctx`, for the scenario's other choices of masters. */
export function keepFound<F extends Found>(ctx: VerifyContext, property: string, subject: string, found: F): void {
  let mine = kept.get(ctx.evaluator);
  if (mine === undefined) kept.set(ctx.evaluator, (mine = new Map()));
  mine.set(keyOf(property, subject), found);
}

/**
 * The violation of `subject` kept under the first choice of masters of `ctx`'s scenario, its sender
 * taken as `ctx`'s dataplane has it; null when there is none (or `ctx` is the first choice, or no
 * scenario's variant, or the sender is not there). `F` is what the property kept.
 */
export function foundFirst<F extends Found>(ctx: VerifyContext, property: string, subject: string): F | null {
  const first = firstChoiceOf(ctx.evaluator);
  if (first === undefined) return null;
  const k = kept.get(first.evaluator)?.get(keyOf(property, subject)) as F | undefined;
  if (k === undefined) return null;
  const want = stationKey(k.source);
  const source = ctx.dataplane.stations.find((s) => stationKey(s) === want);
  return source === undefined ? null : { ...k, source };
}
