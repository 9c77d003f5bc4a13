// One netfilter hook of one namespace over a symbolic packet, stage by stage as
// src/evaluate/netfilter/hook.ts: PREROUTING raw → lookup → mangle → nat(dst); INPUT mangle → filter →
// security → nat(src); FORWARD mangle → filter → security; OUTPUT raw → lookup → mangle → nat(dst) →
// filter → security; POSTROUTING mangle → nat(src). The lookup makes the packet the first of its flow:
// NEW, or INVALID for an ICMP message that may not start a connection (an answer or an error: the
// table holds no connection it could relate to), or UNTRACKED after notrack. The nat table is traversed only
// by a NEW packet, once per manip per namespace. A packet coming back to an instance its path went
// through may belong to the connection it opened there (conntrack.ts). Non-IPv4 packets pass untouched.
// Guarantees: the results partition the packets entering the hook into accepted paths (with the state
// to carry to the next hook), drops (naming the rule or policy) and unknown ends.
import type { NetfilterRuleset } from '../../ir/netfilter.ts';
import { type Hook, type NfContext, HOOK_STAGES, ICMP_NEW_TYPES } from '../../semantics/netfilter.ts';
import { isIcmp, isIpv4, type SymPacket } from '../headers.ts';
import { mod, type Cond, type Enc } from '../cond.ts';
import type { End, EndSite } from '../path.ts';
import { assume, ended, unknownEnd, withPacket, type Path } from '../path.ts';
import { mergeNfPaths, type NfPath } from './state.ts';
import { mergeEnds } from '../merge.ts';
import { symRunTable } from './traverse.ts';
import { applyBinding } from './nat.ts';
import { connHits, symConn, withReplySeen } from './conntrack.ts';

const targetSets = new WeakMap<readonly number[], ReadonlySet<number>>();
const targetEqs = new WeakMap<object, { readonly targets: readonly number[]; readonly eqs: readonly Cond[] }>();

/**
 * `src` is one of `targets` (every address a DNAT rewrites to: one per floating IP of the cloud), as
 * `e.or(...targets.map((t) => e.eq(src, t, 32)))` makes it, which every new connection's confirmation
 * asked — a pass over every floating IP per netfilter pass, a cost per visit that grew with the cloud.
 * For a concrete source every comparison folds and so does their disjunction: a set lookup gives the
 * same boolean. For a symbolic one the comparisons are the hash-consed terms `e.eq` gives (kept here
 * per source term, so they are the same objects), and the disjunction is made as before.
 */
export function fromDnatTarget(e: Enc, src: SymPacket['ip_src'], targets: readonly number[]): Cond {
  if (typeof src === 'number') {
    let set = targetSets.get(targets);
    if (set === undefined) targetSets.set(targets, (set = new Set(targets.map((t) => mod(t, 32)))));
    return set.has(mod(src, 32));
  }
  let kept = targetEqs.get(src);
  if (kept === undefined || kept.targets !== targets) targetEqs.set(src, (kept = { targets, eqs: targets.map((t) => e.eq(src, t, 32)) }));
  return e.or(...kept.eqs);
}

export interface HookOut {
  readonly accepted: readonly NfPath[];
  /** Drops and unknown ends. */
  readonly ends: readonly End[];
}

/** `at`, when given, is set on the drops (the device whose netfilter this is, and the entry port). */
export function symRunHook(e: Enc, ruleset: NetfilterRuleset, hook: Hook, w0: NfPath, ctx: NfContext, where: string, at?: EndSite): HookOut {
  const ends: End[] = [];
  const accepted: NfPath[] = [];
  const p0 = w0.path.packet;
  // iptables does not see non-IPv4 frames (IPv6 is not modelled: its packets are an unknown end).
  const other = assume(w0.path, e.not(isIpv4(e, p0)));
  if (other) accepted.push({ ...w0, path: other });
  const v4 = assume(w0.path, isIpv4(e, p0), [{ field: 'eth_type', value: 0x0800 }]);
  if (!v4) return { accepted, ends };
  let ws: NfPath[] = [{ ...w0, path: v4 }];
  const tableOf = (name: string) => ruleset.tables.find((t) => t.name === name);
  for (const stage of HOOK_STAGES[hook]) {
    const next: NfPath[] = [];
    for (const w of ws) {
      switch (stage.kind) {
        case 'table': {
          const r = symRunTable(e, ruleset, tableOf(stage.table), hook, w, ctx, where);
          ends.push(...r.unknown);
          for (const x of r.results) {
            if (x.kind === 'drop') ends.push(ended('dropped', x.w.path, x.by, null, null, at));
            else next.push(x.w);
          }
          break;
        }
        case 'lookup': {
          if (w.looked) { next.push(w); break; }
          if (w.notrack) { next.push({ ...w, looked: true, ctState: 'UNTRACKED', hasConn: false }); break; }
          const pk = w.path.packet;
          // A connection the path opened here before (conntrack.ts).
          const conns = w.path.conns ?? [];
          let rest: Path | null = w.path;
          if (conns.length > 0) {
            const hits = connHits(e, conns, w.instance, w.zone, pk);
            for (const h of hits.established) {
              const p = assume(w.path, h.cond);
              if (!p) continue;
              const seen = h.direction === 'reply' ? { ...p, conns: withReplySeen(conns, h.conn) } : p;
              next.push({ ...w, path: seen, looked: true, ctState: 'ESTABLISHED', hasConn: true, original: null, srcNat: false, dstNat: false, srcNatDone: true, dstNatDone: true });
            }
            const u = assume(w.path, hits.unmodelled);
            if (u) ends.push(unknownEnd(`${where}: conntrack: a connection this path opened through NAT met again (not modelled)`, u));
            rest = assume(w.path, e.not(hits.any));
          }
          if (!rest) break;
          const icmp = isIcmp(e, pk);
          // The first packet of a flow meets an empty table: an ICMP error finds no connection its
          // quoted packet belongs to, and an ICMP answer none it answers; both are INVALID.
          const starts = e.or(...ICMP_NEW_TYPES.map((t) => e.eq(pk.icmp_type, t, 8)));
          const invalid = assume(rest, e.and(icmp, e.not(starts)));
          if (invalid) next.push({ ...w, path: invalid, looked: true, ctState: 'INVALID', hasConn: false });
          const fresh = assume(rest, e.or(e.not(icmp), starts));
          if (fresh) next.push({ ...w, path: fresh, looked: true, ctState: 'NEW', hasConn: true, original: fresh.packet });
          break;
        }
        case 'confirm': {
          // A new connection is stored with the packet: a packet of this path that comes back here finds it.
          if (!w.hasConn || w.ctState !== 'NEW' || w.original === null) { next.push(w); break; }
          // Its reply is addressed to the packet's source as confirmed; on this one path a packet comes
          // back so addressed only through a DNAT to that address, or as it is when it is addressed to
          // its own source: a TCP/UDP packet from an address to itself (ports equal or not: a later SNAT
          // may map them) or one without ports has a reply tuple its own next pass may carry, e.g. at a
          // sibling port's firewall in the same zone, where the kernel's lookup meets the reply entry
          // first (ESTABLISHED). An ICMP query never: its reply carries another type (ICMP_INVERSE).
          // Elsewhere the connection can never be met again and is not kept: a kept one splits path
          // keys, and with them the walk's memo, for nothing. So the path is split where that is
          // decided per packet, and only the part that may come back carries the connection.
          const pk = w.path.packet;
          const self = e.and(e.eq(pk.ip_src, pk.ip_dst, 32), e.not(isIcmp(e, pk)));
          const dnat = fromDnatTarget(e, pk.ip_src, w.dnatTargets);
          const back = e.or(self, dnat);
          const gone = assume(w.path, e.not(back));
          if (gone) next.push({ ...w, original: null, path: gone });
          // On the self-addressed part a known address pins the other (its comparisons then fold).
          const pin = dnat !== false ? [] : typeof pk.ip_src === 'number' ? [{ field: 'ip_dst' as const, value: pk.ip_src }]
            : typeof pk.ip_dst === 'number' ? [{ field: 'ip_src' as const, value: pk.ip_dst }] : [];
          const kept = assume(w.path, back, pin);
          if (!kept) break;
          const conn = symConn(w.instance, w.zone, w.original, kept.packet, e.or(w.srcNat, w.dstNat));
          next.push({ ...w, original: null, path: { ...kept, conns: [...(kept.conns ?? []), conn] } });
          break;
        }
        case 'nat': {
          const src = stage.manip === 'src';
          if (!w.hasConn || w.ctState !== 'NEW' || (src ? w.srcNatDone : w.dstNatDone)) { next.push(w); break; }
          const r = symRunTable(e, ruleset, tableOf('nat'), hook, w, ctx, where);
          ends.push(...r.unknown);
          for (const x of r.results) {
            if (x.kind === 'drop') { ends.push(ended('dropped', x.w.path, x.by, null, null, at)); continue; }
            const done: NfPath = src ? { ...x.w, srcNatDone: true } : { ...x.w, dstNatDone: true };
            if (x.nat === null) { next.push(done); continue; }
            const b = applyBinding(e, x.nat, done.path.packet);
            const drawn = assume(done.path, b.assume);
            if (!drawn) continue;
            const path = withPacket(drawn, b.packet);
            next.push(src ? { ...done, path, srcNat: b.changed } : { ...done, path, dstNat: b.changed });
          }
          break;
        }
        default: {
          const never: never = stage;
          throw new Error(`unknown stage ${String(never)}`);
        }
      }
    }
    ws = mergeNfPaths(e, next);
  }
  accepted.push(...ws);
  return { accepted: mergeNfPaths(e, accepted), ends: mergeEnds(e, ends) };
}
