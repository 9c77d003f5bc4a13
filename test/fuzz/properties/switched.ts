// What the on/off agreement properties share (query-shortcut, walk-shortcuts, diff-shortcuts): a
// generated topology loaded as a resident model afresh for each side, on a Z3 instance started afresh
// (no answer, walker or term kept from the other side: Z3's models, and so a witness's fields no
// preference pins, follow the order terms were made in the instance — the same JSON in two fresh
// processes, not always in one process asked in turn), the topology bounds they draw from, and the
// first place two lists of answer JSON differ. z3-solver never frees an ended instance: run their
// campaigns with small batches (`--batch 10`).
import fc from 'fast-check';
import { parse } from 'yaml';
import { load, type ResidentModel } from '../../../src/index.ts';
import { shutdownZ3 } from '../../../src/smt/index.ts';
import type { TopologyBounds } from '../../../src/testing/index.ts';
import type { Topology } from '../../../src/topology/model.ts';
import { loadTopologyText } from '../../../src/topology/index.ts';
import type { TopologyCase } from './cases.ts';

/**
 * Bounds the shortcut properties draw from: at least one router and one external network, so that
 * routers, floating IPs and outside senders are there to ask about; in half the cases a single
 * external network with three routers or more on at most two hosts, where crossings of one external network are shared among
 * alike router exits (src/smt/alike-exits.ts) — the properties count how often it came.
 */
export function shortcutBounds(ci: boolean): fc.Arbitrary<TopologyBounds> {
  const base: TopologyBounds = ci
    ? { maxHosts: 3, maxNetworks: 3, maxRouters: 3, maxVms: 4, maxPortsPerVm: 2, maxRules: 3, minRouters: 1, minExternals: 1, minVms: 2 }
    : { maxRouters: 4, minRouters: 1, minExternals: 1, minVms: 2 };
  // Two hosts at most there, three routers or more: routers' gateway ports on one host's bridge, with
  // VMs behind two of them and an address of neither on the external subnet, are what alike exits need.
  const alike: TopologyBounds = { ...base, maxHosts: 2, maxExternals: 1, minRouters: 3, maxRouters: Math.max(3, base.maxRouters ?? 3), minVms: 3, minFloatingIps: 1 };
  return fc.oneof(fc.constant(base), fc.constant(alike));
}

/** Routers with a gateway on an external network another router also has its gateway on. */
export function routersSharingAnExternal(t: Topology): number {
  const per = new Map<string, number>();
  for (const r of t.routers) if (r.gateway !== null) per.set(r.gateway.network, (per.get(r.gateway.network) ?? 0) + 1);
  return [...per.values()].filter((n) => n >= 2).reduce((a, b) => a + b, 0);
}

/** The case's topology loaded afresh (a new dataplane, walkers and answer cache) on a Z3 instance started afresh; to be closed. */
export async function loadCase(c: TopologyCase): Promise<ResidentModel> {
  await shutdownZ3();
  const r = load({ topology: parse(c.g.yaml) as unknown, name: 'fuzz.yaml' });
  if (!r.ok) throw new Error(`the generated topology does not load: ${JSON.stringify(r.errors)}`);
  return r.value;
}

/** The case's topology as read (its names and addresses, to draw questions from). */
export function topologyOf(c: TopologyCase): Topology {
  const r = loadTopologyText(c.g.yaml, 'fuzz.yaml');
  if (!r.ok) throw new Error(`the generated topology does not load: ${JSON.stringify(r.errors)}`);
  return r.value;
}

/** Null when both lists are the same, else the first difference: its question and both answers. */
export function firstDifference(asked: readonly string[], on: readonly string[], off: readonly string[], what: string): string | null {
  for (let i = 0; i < Math.max(on.length, off.length); i++) {
    if (on[i] === off[i]) continue;
    return `${what}: answer #${i} differs\n  asked: ${asked[i] ?? '?'}\n  on:  ${(on[i] ?? '(none)').slice(0, 1500)}\n  off: ${(off[i] ?? '(none)').slice(0, 1500)}`;
  }
  return null;
}
