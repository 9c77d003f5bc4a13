// The model reads an HA router's addresses from the parsed keepalived.conf: applying a VRRP state moves
// exactly what each instance's configuration lists, and nothing else. Held to the renderer: moving the
// master from network2 to network1 gives the namespaces the renderer draws when network1 is master.
import { describe, expect, it } from 'vitest';
import { loadTopologyFile } from '../../src/topology/index.ts';
import type { Topology } from '../../src/topology/model.ts';
import { modelFromTopology } from '../../src/pipeline.ts';
import type { Dataplane, Namespace } from '../../src/ir/dataplane.ts';
import { observedMasters, siteKey, vrrpSites, withVrrpState } from '../../src/dataplane/vrrp-state.ts';
import { assembleDataplane } from '../../src/dataplane/assemble.ts';
import { renderTopology } from '../../src/render/index.ts';
import { deviceName } from '../../src/render/names.ts';
import { lookupRoute } from '../../src/evaluate/namespace.ts';

const topo: Topology = (() => {
  const r = loadTopologyFile('topologies/ha.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
})();

/** The topology with each HA router's master written as observed on `host`. */
const masterOn = (host: string): Topology => ({ ...topo, routers: topo.routers.map((r) => (r.ha ? { ...r, ha: { ...r.ha, master: host } } : r)) });

/** What a packet can see of a namespace: interfaces with their addresses, routes without origins. */
function state(ns: Namespace | undefined) {
  return {
    interfaces: (ns?.interfaces ?? []).map((i) => ({ name: i.name, mac: i.mac, addresses: [...i.addresses].sort((a, b) => a.ip.localeCompare(b.ip)) })),
    routes: (ns?.routes ?? []).map((r) => `${r.dst.ip}/${r.dst.prefixLen} via ${r.via ?? '-'} dev ${r.dev}`).sort(),
  };
}
const nsOf = (dp: Dataplane, host: string, name: string) => dp.hosts.find((h) => h.name === host)?.namespaces.find((n) => n.name === name);

describe('VRRP state from the parsed keepalived.conf', () => {
  const dp2 = modelFromTopology(masterOn('network2')).dataplane;
  const dp1 = modelFromTopology(masterOn('network1')).dataplane;
  const routers = topo.routers.filter((r) => r.ha).map((r) => deviceName.qrouter(r.id));

  it('parses one instance per router instance, and sees the rendered masters', () => {
    expect(vrrpSites(dp2).map((s) => [s.host, s.instance.name, s.instance.vrid, s.instance.excludedVips.length])).toEqual([
      ['network1', 'VR_2', 2, 2], ['network1', 'VR_1', 1, 3], ['network2', 'VR_2', 2, 2], ['network2', 'VR_1', 1, 3],
    ]);
    expect([...observedMasters(dp2)].map((k) => k.split('/')[0])).toEqual(['network2', 'network2']);
  });

  it('moving the master to network1 gives exactly the namespaces rendered with network1 as master', () => {
    const moved = withVrrpState(dp2, (s) => s.host === 'network1');
    for (const ns of routers) {
      for (const host of ['network1', 'network2']) expect(state(nsOf(moved, host, ns)), `${host}/${ns}`).toEqual(state(nsOf(dp1, host, ns)));
    }
    expect([...observedMasters(moved)].map((k) => k.split('/')[0])).toEqual(['network1', 'network1']);
  });

  it('an extra route to a connected subnet or to 0.0.0.0/0 goes before that route (keepalived adds routes as ip route prepend), rendered and moved alike', () => {
    const edge = topo.routers.find((r) => r.name === 'edge')!;
    const routed = (host: string): Topology => {
      const t = masterOn(host);
      return { ...t, routers: t.routers.map((r) => (r.id === edge.id ? { ...r, routes: [{ destination: '192.168.1.0/24', nexthop: '192.168.1.254' }, { destination: '0.0.0.0/0', nexthop: '192.168.1.254' }] } : r)) };
    };
    const ns = deviceName.qrouter(edge.id);
    const rendered = nsOf(modelFromTopology(routed('network1')).dataplane, 'network1', ns)!;
    const moved = nsOf(withVrrpState(modelFromTopology(routed('network2')).dataplane, (s) => s.host === 'network1'), 'network1', ns)!;
    for (const n of [rendered, moved]) {
      expect(lookupRoute(n.routes, '192.168.1.20')?.via).toBe('192.168.1.254');
      expect(lookupRoute(n.routes, '198.51.100.1')?.via).toBe('192.168.1.254');
    }
  });

  it('keeps the state it is given, and leaves namespaces without keepalived untouched', () => {
    const same = withVrrpState(dp2, (s) => observedMasters(dp2).has(siteKey(s)));
    for (const ns of routers) for (const host of ['network1', 'network2']) expect(state(nsOf(same, host, ns))).toEqual(state(nsOf(dp2, host, ns)));
    const ops = deviceName.qrouter(topo.routers.find((r) => r.name === 'ops-router')!.id);
    expect(nsOf(same, 'network1', ops)).toBe(nsOf(dp2, 'network1', ops));
  });

  it('with no master, neither instance holds the router\'s addresses; with both (split brain), both do', () => {
    const none = withVrrpState(dp2, () => false);
    const both = withVrrpState(dp2, () => true);
    for (const host of ['network1', 'network2']) {
      const held = (dp: Dataplane) => nsOf(dp, host, routers[0]!)!.interfaces.filter((i) => i.name !== 'lo').flatMap((i) => i.addresses.map((a) => a.ip)).sort();
      expect(held(none)).toEqual([host === 'network1' ? '169.254.192.1' : '169.254.192.2']);
      expect(held(both)).toEqual(['169.254.0.1', host === 'network1' ? '169.254.192.1' : '169.254.192.2', '192.168.1.1', '203.0.113.10', '203.0.113.101']);
    }
  });

  it('moves what the configuration says, not what the topology says: a floating IP missing from keepalived.conf stays behind', () => {
    // Fault injected into the collected state: network1's keepalived.conf of edge lost the floating IP's line.
    const edgeNs = routers[0]!;
    const arts = renderTopology(topo).map((a) =>
      a.path === `network1/${edgeNs}.keepalived.conf` ? { ...a, text: a.text.split('\n').filter((l) => !l.includes('203.0.113.101/32')).join('\n') } : a);
    const dp = assembleDataplane(topo, arts);
    const failedOver = withVrrpState(dp, (s) => s.host === 'network1');
    const held = nsOf(failedOver, 'network1', edgeNs)!.interfaces.flatMap((i) => i.addresses.map((a) => a.ip));
    expect(held).toContain('203.0.113.10');
    expect(held).not.toContain('203.0.113.101');
  });

  it('every route the master gets carries the keepalived.conf line it came from', () => {
    const moved = withVrrpState(dp2, (s) => s.host === 'network1');
    const def = nsOf(moved, 'network1', routers[0]!)!.routes.find((r) => r.dst.prefixLen === 0)!;
    expect(def.origin).toMatchObject({ file: `network1/${routers[0]}.keepalived.conf`, text: expect.stringContaining('0.0.0.0/0 via 203.0.113.1'), why: expect.stringContaining('on the master only') });
  });
});
