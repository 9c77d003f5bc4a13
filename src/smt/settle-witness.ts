// A witness's free fields settled to values that depend on the question alone, not on the model Z3 gave.
// After the preferences, every field they and the question leave free holds whatever the model happens
// to hold, and that follows the order terms were made and released in the Z3 instance — which the
// garbage collector's timing decides — so two runs of the same process on the same input could name
// different packets. Here each such field, in a fixed order, is first tried at a canonical value
// (8.8.8.8 as a destination: a host everybody knows), else found determined by what was kept before it
// (one check: can it differ?), else set to the least value that stays satisfiable, bit by bit from the
// most significant. Every decision is a satisfiability answer, which does not depend on the model, so the
// settled packet is the same in every run. A check that times out counts as "no" (as for preferences):
// then, and only then, the value may still depend on the run.
import { runCheck, type Model, type Z3Solver } from './z3.ts';
import { WIDTH, type SymPacket } from './headers.ts';
import type { Cond, Enc, Val } from './cond.ts';
import { ETH_TYPE, IP_PROTO, protoHasPorts } from '../ir/packet.ts';
import type { FixedFields } from './witness.ts';

export type SettledField = keyof typeof WIDTH & keyof SymPacket;
type Field = SettledField;

/** Canonical values tried for a free field before its least one, each question's own (`extra`) before these. */
const CANONICAL: Partial<Record<Field, readonly number[]>> = {
  ip_dst: [0x08080808],
};

/** The fields a decoded packet shows, in the order they are settled (a field's relevance depends on those before it). */
function shownFields(ethType: number, proto: number): Field[] {
  const out: Field[] = ['eth_type', 'eth_src', 'eth_dst', 'vlan', 'tun_id', 'ip_src', 'ip_dst', 'proto'];
  if (ethType !== ETH_TYPE.ipv4) return out;
  if (protoHasPorts(proto)) out.push('dport', 'sport');
  if (proto === IP_PROTO.icmp) out.push('icmp_type', 'icmp_code');
  return out;
}

/**
 * Settles every free field of `sent` shown in a decoded packet, on `solver` (which holds the question
 * and the kept preferences and whose last answer was `model`); returns the model with them settled and
 * how many constraints it pushed (the caller pops them with its own). `pinned`: fields already at one value;
 * `extra`: canonical values of this question's to try first (the sender's own MAC).
 */
export async function settleFreeFields(e: Enc, solver: Z3Solver, model: Model, sent: SymPacket, pinned: FixedFields, value: (m: Model, v: Val) => number, extra: Partial<Record<Field, readonly number[]>> = {}): Promise<{ model: Model; pushed: number }> {
  let best = model;
  let pushed = 0;
  const keep = (c: Cond) => { solver.push(); solver.add(e.bool(c)); pushed++; };
  /** Whether `c` can hold with everything kept: kept (and the model moved) when it can. */
  const tryKeep = async (c: Cond): Promise<boolean> => {
    if (c === false) return false;
    if (c === true) return true;
    if (best.eval(e.bool(c), true).eqIdentity(e.ctx.Bool.val(true))) { keep(c); return true; }
    keep(c);
    if ((await runCheck(solver)) === 'sat') { best = solver.model(); return true; }
    solver.pop();
    pushed--;
    return false;
  };
  /** Whether `c` can hold with everything kept, asked and forgotten. */
  const satisfiable = async (c: Cond): Promise<boolean> => {
    solver.push();
    solver.add(e.bool(c));
    const r = await runCheck(solver);
    solver.pop();
    return r === 'sat';
  };
  const symbolic = (f: Field): Val | null => {
    const v = sent[f];
    return v === null || typeof v === 'number' || pinned[f] !== undefined ? null : v;
  };
  // Settling eth_type and proto first decides which other fields a packet shows.
  for (const f of ['eth_type', 'proto'] as const) await settleOne(f);
  for (const f of shownFields(value(best, sent.eth_type), value(best, sent.proto))) if (f !== 'eth_type' && f !== 'proto') await settleOne(f);
  return { model: best, pushed };

  async function settleOne(f: Field): Promise<void> {
    const v = symbolic(f);
    if (v === null) return;
    const bits = WIDTH[f];
    for (const c of [...(extra[f] ?? []), ...(CANONICAL[f] ?? [])]) if (await tryKeep(e.eq(v, c, bits))) return;
    const now = value(best, v);
    // Determined already: the one check that shows it, then nothing to choose.
    if (!(await satisfiable(e.not(e.eq(v, now, bits))))) { keep(e.eq(v, now, bits)); return; }
    // Free: the least value, one bit at a time from the top (a bit the model has at 0 costs no check).
    for (let i = bits - 1; i >= 0; i--) {
      const bit = 2 ** i;
      if (!(await tryKeep(e.masked(v, 0, bit, bits)))) keep(e.masked(v, bit, bit, bits));
    }
  }
}
