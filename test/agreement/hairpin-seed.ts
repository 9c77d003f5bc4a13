// The seed topology with its router's external connected route deleted (`203.0.113.0/24 dev qg-…
// proto kernel scope link`, the mutation suite's `route-deleted` fault, made here on the IR): the
// router then sends the external subnet's other addresses by its default route to the upstream
// router, which sends them back onto the subnet (src/semantics/upstream.ts). A case where the
// hairpin is taken, for the evaluator's and the solver's tests.
import type { Dataplane } from '../../src/ir/dataplane.ts';
import { loadModel } from '../../src/pipeline.ts';
import type { Topology } from '../../src/topology/model.ts';

export const EXTERNAL = { ip: '203.0.113.0', prefixLen: 24 } as const;

/** `dp` with every router namespace's connected route to `EXTERNAL` deleted. */
export function withoutExternalRoute(dp: Dataplane): Dataplane {
  const connected = (r: Dataplane['hosts'][number]['namespaces'][number]['routes'][number]) =>
    r.dst.ip === EXTERNAL.ip && r.dst.prefixLen === EXTERNAL.prefixLen && r.via === null && r.dev.startsWith('qg-');
  return {
    ...dp,
    hosts: dp.hosts.map((h) => ({
      ...h,
      namespaces: h.namespaces.map((n) => (n.name.startsWith('qrouter-') && n.routes.some(connected) ? { ...n, routes: n.routes.filter((r) => !connected(r)) } : n)),
    })),
  };
}

export function hairpinSeed(): { readonly topology: Topology; readonly intact: Dataplane; readonly faulted: Dataplane } {
  const m = loadModel(new URL('../../topologies/seed.yaml', import.meta.url).pathname);
  if (!m.ok) throw new Error(`seed: ${JSON.stringify(m.errors)}`);
  const faulted = withoutExternalRoute(m.value.dataplane);
  if (faulted.hosts.every((h, i) => h === m.value.dataplane.hosts[i])) throw new Error('seed: no connected route to 203.0.113.0/24 on a qg- device');
  return { topology: m.value.topology, intact: m.value.dataplane, faulted };
}
