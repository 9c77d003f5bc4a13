// One netfilter hook of one namespace, in the kernel's order of priorities (HOOK_STAGES of
// src/semantics/netfilter.ts):
//   PREROUTING  raw → conntrack lookup → mangle → nat (destination)
//   INPUT       mangle → filter → security → nat (source) → conntrack confirm
//   FORWARD     mangle → filter → security
//   OUTPUT      raw → conntrack lookup → mangle → nat (destination) → filter → security
//   POSTROUTING mangle → nat (source) → conntrack confirm
// The nat table is traversed only by the first packet of a connection (NEW, original direction,
// that manip not yet set up); every packet of a connection with a binding is then translated, the
// replies in reverse. Guarantees: a missing table or chain accepts; the first dropping table ends
// the hook; non-IPv4 packets pass untouched (iptables does not see ARP; IPv6 is not modelled and
// is reported as uncertain).
import type { Packet } from '../../ir/packet.ts';
import { ETH_TYPE } from '../../ir/packet.ts';
import type { NetfilterRuleset } from '../../ir/netfilter.ts';
import { type Conntrack, lookup, confirm, getConnection } from './conntrack.ts';
import { applyManip } from './nat.ts';
import { HOOK_STAGES } from '../../semantics/netfilter.ts';
import { runTable, noteUncertain, type Work, type TableOutcome } from './traverse.ts';
import type { Hook, HookResult, NfContext, NfState } from './types.ts';

/** The state of a packet entering a namespace: no mark, zone 0, not looked up yet. */
export function newState(packet: Packet): NfState {
  return { packet, mark: 0, zone: 0, ctState: 'NEW', ct: null };
}

/** Run every table of `hook` on the packet; see the module comment for the order. */
export function runHook(ruleset: NetfilterRuleset, hook: Hook, state: NfState, ctx: NfContext, conntrack: Conntrack): HookResult {
  const w: Work = {
    packet: state.packet,
    mark: state.mark,
    zone: state.zone,
    notrack: state.notrack ?? false,
    ctState: state.ctState,
    ct: state.ct,
    hits: [],
    uncertain: [],
    nat: [],
  };
  let looked = state.looked ?? false;
  const finish = (outcome: TableOutcome, table: string | null): HookResult => ({
    verdict: outcome.kind,
    state: { packet: w.packet, mark: w.mark, zone: w.zone, ctState: w.ctState, ct: w.ct, notrack: w.notrack, looked },
    hits: w.hits,
    droppedBy: outcome.kind === 'drop' ? { table: table ?? '', chain: outcome.chain, rule: outcome.rule } : null,
    nat: w.nat,
    uncertain: w.uncertain,
  });

  if (w.packet.eth_type !== ETH_TYPE.ipv4) {
    if (w.packet.eth_type === ETH_TYPE.ipv6) noteUncertain(w, 'IPv6 packet: ip6tables is not modelled');
    return finish({ kind: 'accept' }, null);
  }

  const tableOf = (name: string) => ruleset.tables.find((t) => t.name === name);
  for (const stage of HOOK_STAGES[hook]) {
    switch (stage.kind) {
      case 'table': {
        const out = runTable(ruleset, tableOf(stage.table), hook, w, ctx, conntrack);
        if (out.kind === 'drop') return finish(out, stage.table);
        break;
      }
      case 'lookup': {
        if (looked) break; // the packet already has its connection
        looked = true;
        if (w.notrack) {
          w.ctState = 'UNTRACKED';
          w.ct = null;
          break;
        }
        const r = lookup(conntrack, w.zone, w.packet);
        w.ctState = r.ctState;
        w.ct = r.ct;
        if (r.note) noteUncertain(w, r.note);
        break;
      }
      case 'nat': {
        if (!w.ct) break; // untracked or invalid: no NAT at all
        const c = getConnection(conntrack, w.ct);
        if (w.ctState === 'RELATED') {
          // The kernel translates an ICMP error and the header it quotes; neither is modelled.
          if (c.srcNat || c.dstNat) noteUncertain(w, 'NAT of an ICMP error is not modelled');
          break;
        }
        const done = stage.manip === 'src' ? c.srcNatDone : c.dstNatDone;
        if (w.ctState === 'NEW' && w.ct.direction === 'original' && !done) {
          const out = runTable(ruleset, tableOf('nat'), hook, w, ctx, conntrack);
          if (out.kind === 'drop') return finish(out, 'nat');
          // No binding made here is the kernel's null binding: the manip is set up either way.
          if (stage.manip === 'src') c.srcNatDone = true;
          else c.dstNatDone = true;
        }
        const r = applyManip(c, w.ct.direction, stage.manip, w.packet);
        w.packet = r.packet;
        if (r.event) w.nat.push(r.event);
        break;
      }
      case 'confirm': {
        if (!w.ct) break;
        const note = confirm(conntrack, w.ct);
        if (note) noteUncertain(w, note);
        break;
      }
      default: {
        const never: never = stage;
        throw new Error(`internal: unknown stage ${String(never)}`);
      }
    }
  }
  return finish({ kind: 'accept' }, null);
}
