// What VRRP can elect, from who hears whom (hearing.ts). Instances with the same VRID and the same
// authentication that hear each other, directly or through others, are one VRRP group to keepalived,
// whichever router they belong to; each group settles on its own. A set of masters M is a state VRRP
// can settle in when it is stable (RFC 3768 §6.4, keepalived's vrrp_state_backup/master):
//  - every other instance hears some master it accepts — any master when it has nopreempt, else one of
//    at least its own priority — so its master-down timer never fires;
//  - no master hears another master that wins over it (a higher priority; with equal priorities, a
//    higher primary address), or it would step down.
// With Neutron's equal priorities and nopreempt, instances that all hear each other can settle on any
// one of them as master, and a partition of the HA network settles on one master per side: split brain.
// Every stable state is enumerated (up to 2^12 candidate sets per group; a bigger group is marked
// incomplete). The model's first choice is the state a simultaneous start reaches, preferring the
// masters the dataplane shows (as rendered or collected) when that state is stable.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Evaluator } from '../evaluate/index.ts';
import { ipv4ToNumber } from '../net/ipv4.ts';
import { observedMasters, siteKey, type VrrpSite } from '../dataplane/vrrp-state.ts';
import { hearing, type Advertisement } from './hearing.ts';

export interface VrrpGroup {
  readonly vrid: number;
  /** Site keys, in the dataplane's host order. */
  readonly members: readonly string[];
  /** Every state VRRP can settle in: the site keys of its masters. */
  readonly stable: readonly (readonly string[])[];
  /** The state the model takes first (a simultaneous start, the observed masters preferred). */
  readonly first: readonly string[];
  /** False when the group was too big to enumerate: `stable` then holds only `first`. */
  readonly complete: boolean;
}

export interface VrrpModel {
  readonly sites: ReadonlyMap<string, VrrpSite>;
  readonly adverts: ReadonlyMap<string, Advertisement>;
  readonly groups: readonly VrrpGroup[];
  /** Why the model may not match keepalived: unmodelled settings, advertisements across unmodelled rules. */
  readonly caveats: readonly string[];
}

const MAX_ENUMERATED = 12;

const compatible = (a: VrrpSite, b: VrrpSite): boolean =>
  a.instance.vrid === b.instance.vrid && a.instance.authentication?.type === b.instance.authentication?.type && a.instance.authentication?.pass === b.instance.authentication?.pass;

export function vrrpModel(dp: Dataplane, ev: Evaluator): VrrpModel {
  const adverts = new Map(hearing(dp, ev).map((a) => [siteKey(a.from), a] as const));
  const sites = new Map([...adverts.values()].map((a) => [siteKey(a.from), a.from] as const));
  const caveats: string[] = [];
  for (const a of adverts.values()) {
    if (a.problem !== null) caveats.push(a.problem);
    if (a.trace && a.trace.uncertain.length > 0) caveats.push(`the advertisement of ${siteKey(a.from)} crosses unmodelled rules: ${a.trace.uncertain.join('; ')}`);
    for (const u of a.from.instance.unsupported) caveats.push(`${siteKey(a.from)}: keepalived's ${u} is not modelled`);
  }
  /** `a` hears `b` as a member of its VRRP group. */
  const hears = (a: string, b: string): boolean => {
    const sa = sites.get(a);
    const sb = sites.get(b);
    return sa !== undefined && sb !== undefined && compatible(sa, sb) && (adverts.get(b)?.heardBy.has(a) ?? false);
  };
  const observed = observedMasters(dp);
  const groups = components([...sites.keys()], (a, b) => hears(a, b) || hears(b, a)).map((members) => groupOf(members, sites, adverts, hears, observed));
  return { sites, adverts, groups, caveats };
}

/** Connected components of `keys` under the symmetric relation `linked`, each in the order of `keys`. */
function components(keys: readonly string[], linked: (a: string, b: string) => boolean): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const k of keys) {
    if (seen.has(k)) continue;
    const comp = new Set([k]);
    const todo = [k];
    seen.add(k);
    while (todo.length > 0) {
      const x = todo.pop() as string;
      for (const y of keys) if (!seen.has(y) && linked(x, y)) { seen.add(y); comp.add(y); todo.push(y); }
    }
    out.push(keys.filter((x) => comp.has(x)));
  }
  return out;
}

function groupOf(
  members: readonly string[],
  sites: ReadonlyMap<string, VrrpSite>,
  adverts: ReadonlyMap<string, Advertisement>,
  hears: (a: string, b: string) => boolean,
  observed: ReadonlySet<string>,
): VrrpGroup {
  const prio = (k: string) => sites.get(k)?.instance.priority ?? 0;
  const ip = (k: string) => { const a = adverts.get(k)?.primaryIp; return a ? ipv4ToNumber(a) : 0; };
  const beats = (x: string, y: string) => prio(x) > prio(y) || (prio(x) === prio(y) && ip(x) > ip(y));
  const accepts = (b: string, m: string) => (sites.get(b)?.instance.nopreempt ?? false) || prio(m) >= prio(b);
  const isStable = (masters: readonly string[]): boolean => {
    const m = new Set(masters);
    for (const b of members) if (!m.has(b) && !masters.some((x) => hears(b, x) && accepts(b, x))) return false;
    for (const x of masters) for (const y of masters) if (x !== y && hears(x, y) && !beats(x, y)) return false;
    return true;
  };
  // A simultaneous start: every instance times out together; an instance stays master unless it hears
  // a master chosen before it. The observed masters go first, then by priority and address.
  const order = [...members].sort((a, b) => Number(observed.has(b)) - Number(observed.has(a)) || prio(b) - prio(a) || ip(b) - ip(a));
  const greedy: string[] = [];
  for (const k of order) if (!greedy.some((m) => hears(k, m))) greedy.push(k);
  const vrid = sites.get(members[0] ?? '')?.instance.vrid ?? 0;
  if (members.length > MAX_ENUMERATED) return { vrid, members, stable: [greedy], first: greedy, complete: false };
  const stable: string[][] = [];
  for (let mask = 1; mask < 1 << members.length; mask++) {
    const masters = members.filter((_, i) => (mask >> i) & 1);
    if (isStable(masters)) stable.push(masters);
  }
  stable.sort((a, b) => a.length - b.length);
  const inOrder = (xs: readonly string[]) => [...xs].sort((a, b) => members.indexOf(a) - members.indexOf(b));
  const first = isStable(greedy) ? inOrder(greedy) : (stable[0] ?? []);
  return { vrid, members, stable, first, complete: true };
}
