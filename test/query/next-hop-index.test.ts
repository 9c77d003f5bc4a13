// The VM ports a router sends an address to as its next hop (nextHopPorts, src/questions/senders.ts), found
// through its index of ports by MAC and VM ports by network, are those a scan of every port and station
// finds, in the same order: on the shipped topologies, the VM next-hop one, and random valid ones, for
// every address a route goes via, every station address and gateway, and one outside address.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadModel, type Model } from '../../src/pipeline.ts';
import { nextHopPorts } from '../../src/questions/senders.ts';
import type { VmPortStation } from '../../src/questions/endpoints.ts';
import { inPrefix, parseIpv4 } from '../../src/net/ipv4.ts';
import { parseCidr } from '../../src/questions/user-properties/cidr.ts';
import { arbitraryTopology, modelOf } from '../../src/testing/topology.ts';

/** The reference: every router's route, every topology port and every station scanned each time. */
function scanned(m: Model, ip: string): VmPortStation[] {
  const { topology: topo, dataplane: dp } = m;
  if (parseIpv4(ip) === null) return [];
  const out = new Map<string, VmPortStation>();
  for (const h of dp.hosts) {
    for (const ns of h.namespaces) {
      if (!ns.forwarding) continue;
      const best = ns.routes.filter((r) => inPrefix(ip, r.dst.ip, r.dst.prefixLen)).sort((a, b) => b.dst.prefixLen - a.dst.prefixLen)[0];
      if (best === undefined || best.via === null) continue;
      const via = best.via;
      const iface = ns.interfaces.find((i) => i.name === best.dev);
      const network = iface ? topo.ports.find((p) => p.mac === iface.mac)?.network : undefined;
      if (network === undefined) continue;
      for (const s of dp.stations) {
        if (s.kind !== 'vm-port' || s.network !== network) continue;
        const pairs = topo.ports.find((p) => p.id === s.portId)?.allowedAddressPairs ?? [];
        const holds = pairs.some((a) => {
          const c = parseCidr(a.ipAddress.includes('/') ? a.ipAddress : `${a.ipAddress}/32`);
          return c !== null && inPrefix(via, c.ip, c.prefixLen);
        });
        if (s.ip === via || holds) out.set(`${s.vm}:${s.index}`, s);
      }
    }
  }
  return [...out.values()];
}

/** Compares on every address of interest; returns how many addresses some VM forwards for. */
function compare(m: Model): { asked: number; forwarded: number } {
  const dp = m.dataplane;
  const ips = new Set<string>(['8.8.8.8']);
  for (const h of dp.hosts) for (const ns of h.namespaces) for (const r of ns.routes) if (r.via !== null) { ips.add(r.via); ips.add(r.dst.ip); }
  for (const s of dp.stations) ips.add(s.kind === 'vm-port' ? s.ip : s.gateway);
  let forwarded = 0;
  for (const ip of ips) {
    const want = scanned(m, ip);
    expect(nextHopPorts(m.topology, dp, ip)).toEqual(want);
    if (want.length > 0) forwarded++;
  }
  return { asked: ips.size, forwarded };
}

function loaded(file: string): Model {
  const m = loadModel(file);
  if (!m.ok) throw new Error(JSON.stringify(m.errors));
  return m.value;
}

describe('next-hop VM ports through the index', () => {
  it.each(['topologies/seed.yaml', 'topologies/provider.yaml', 'topologies/ha.yaml'])('%s: the same as a scan', (file) => {
    expect(compare(loaded(file)).asked).toBeGreaterThan(3);
  });

  it('a VM a router sends to as its next hop: found, the same as a scan', () => {
    expect(compare(loaded('test/query/topologies/vm-nexthop.yaml')).forwarded).toBeGreaterThan(0);
  });

  it('random valid topologies: the same as a scan (20 topologies)', () => {
    let n = 0;
    fc.assert(fc.property(arbitraryTopology({ maxHosts: 3, maxVms: 4 }), (g) => { compare(modelOf(g)); n++; }), { numRuns: 20, seed: 0x4e47 });
    expect(n).toBe(20);
  });
});
