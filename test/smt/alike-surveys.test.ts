// ARP surveys shared between alike router exits (src/smt/walk-surveys.ts): a router's survey of its
// external network made from an alike router's instead of walked. Held against every survey walked on
// its own (alikeSurveysSwitch off), on a generated cloud with many routers per network node: every
// router gateway port's answer for every address of its external subnet, asked in the same order —
// and on copies of it where sharing would be wrong: a flow on the bridge that names one router's
// gateway port (that exit is no longer alike: its request is dropped there), and a router that refuses
// one router's requests but not another's (a host route to its address by another interface, strict
// rp_filter: what it answers must be asked again for that sender).
import { afterAll, describe, expect, it } from 'vitest';
import { getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import { SymWalker } from '../../src/smt/walk.ts';
import { alikeSurveysSwitch } from '../../src/smt/walk-surveys.ts';
import { ipToNum, macToNum } from '../../src/smt/headers.ts';
import { ownersIn } from '../../src/smt/owners.ts';
import { modelFromTopology } from '../../src/pipeline.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { generateTopologyText, SIZES } from '../../bench/generate.ts';
import type { Dataplane, Namespace } from '../../src/ir/dataplane.ts';
import { flow } from './build.ts';
import { sameNetwork } from '../../src/net/ipv4.ts';

afterAll(async () => {
  alikeSurveysSwitch.on = true;
  await shutdownZ3();
});

function small(): Dataplane {
  const t = loadTopologyText(generateTopologyText(SIZES.find((s) => s.name === 'small')!), 'small.yaml');
  if (!t.ok) throw new Error(JSON.stringify(t.errors));
  return modelFromTopology(t.value).dataplane;
}

/** Router gateway ports on an external network (an outside station's subnet), in the dataplane's order. */
function exits(dp: Dataplane): { host: string; ns: Namespace; iface: Namespace['interfaces'][number] }[] {
  const outside = dp.stations.flatMap((s) => (s.kind === 'outside' ? [s] : []));
  const out: { host: string; ns: Namespace; iface: Namespace['interfaces'][number] }[] = [];
  for (const h of dp.hosts) {
    for (const ns of h.namespaces.filter((n) => n.forwarding)) {
      for (const iface of ns.interfaces) {
        if (iface.addresses.some((a) => outside.some((o) => sameNetwork(ipToNum(a.ip), ipToNum(o.cidr.ip), o.cidr.prefixLen)))) out.push({ host: h.name, ns, iface });
      }
    }
  }
  return out;
}

/** Every exit's answers for every address of its subnet, surveyed (sharing on or off), and how many surveys were shared. */
async function answers(dp: Dataplane, share: boolean): Promise<{ got: string[]; shared: number }> {
  const ctx = await getZ3();
  alikeSurveysSwitch.on = share;
  const s0 = alikeSurveysSwitch.shared;
  try {
    const w = new SymWalker(ctx, dp, { converged: createEvaluator(dp).converged });
    const got: string[] = [];
    for (const x of exits(dp)) {
      const a = x.iface.addresses.find((y) => y.prefixLen < 32)!;
      const from = { host: x.host, device: x.ns.name, port: x.iface.name };
      for (const o of ownersIn(w.owners, ipToNum(a.ip), a.prefixLen)) got.push(`${from.device}:${from.port} ${o.where} ${JSON.stringify(w.arp(from, macToNum(x.iface.mac), ipToNum(a.ip), null, o.ip))}`);
    }
    return { got, shared: alikeSurveysSwitch.shared - s0 };
  } finally {
    alikeSurveysSwitch.on = true;
  }
}

/** `dp` with `ns` on `host` replaced by `make(ns)`. */
function withNamespace(dp: Dataplane, host: string, name: string, make: (ns: Namespace) => Namespace): Dataplane {
  return { ...dp, hosts: dp.hosts.map((h) => (h.name !== host ? h : { ...h, namespaces: h.namespaces.map((n) => (n.name === name ? make(n) : n)) })) };
}

describe('ARP surveys shared between alike router exits', () => {
  it('give every router the answers of its own survey, on a generated cloud', async () => {
    const dp = small();
    const walked = await answers(dp, false);
    const shared = await answers(dp, true);
    expect(walked.shared).toBe(0);
    // Most routers' surveys were made from another's, and the answers are the same, many answered and many not.
    expect(shared.shared).toBeGreaterThan(exits(dp).length / 2);
    expect(shared.got).toEqual(walked.got);
    expect(shared.got.filter((g) => g.endsWith(' null')).length).toBeGreaterThan(5);
    expect(shared.got.filter((g) => !g.endsWith(' null')).length).toBeGreaterThan(20);
  });

  it('are not taken by an exit a flow names: its request dropped at the bridge, it hears no one', async () => {
    const base = small();
    const [, second] = exits(base);
    const w = new SymWalker(await getZ3(), base, {});
    const peer = w.index.peer(second!.host, second!.ns.name, second!.iface.name)!;
    const drop = flow(0, 1000, { in_port: { kind: 'name', name: peer.port } }, [{ kind: 'drop' }]);
    const dp: Dataplane = { ...base, hosts: base.hosts.map((h) => (h.name !== peer.host ? h : { ...h, ovsBridges: h.ovsBridges.map((b) => (b.name === peer.device ? { ...b, flows: [drop, ...b.flows] } : b)) })) };
    const walked = await answers(dp, false);
    const shared = await answers(dp, true);
    expect(shared.got).toEqual(walked.got);
    const mine = walked.got.filter((g) => g.startsWith(`${second!.ns.name}:`));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((g) => g.endsWith(' null'))).toBe(true);
    expect(shared.shared).toBeGreaterThan(0);
  });

  it("ask again what a router answers a sender it sees otherwise: a host route by another interface under strict rp_filter", async () => {
    const base = small();
    const [first, second, third] = exits(base);
    // The third router routes the second's gateway address by one of its internal interfaces: strict
    // rp_filter refuses the second's requests on its gateway port, not the first's.
    const secondIp = second!.iface.addresses.find((a) => a.prefixLen < 32)!.ip;
    const inner = third!.ns.interfaces.find((i) => i.name !== third!.iface.name)!;
    const dp = withNamespace(base, third!.host, third!.ns.name, (ns) => ({
      ...ns,
      sysctls: { ...(ns.sysctls ?? {}), rpFilter: 1 },
      routes: [{ dst: { ip: secondIp, prefixLen: 32 }, via: null, dev: inner.name, src: null, origin: ns.routes[0]!.origin }, ...ns.routes],
    }));
    const walked = await answers(dp, false);
    const shared = await answers(dp, true);
    expect(shared.got).toEqual(walked.got);
    // The difference is there to be missed: the first router hears the third, the second does not.
    const thirdIp = third!.iface.addresses.find((a) => a.prefixLen < 32)!.ip;
    const of = (x: typeof first) => walked.got.find((g) => g.startsWith(`${x!.ns.name}:${x!.iface.name} `) && g.includes(`${third!.ns.name}:${third!.iface.name}`) && !g.endsWith(' null'));
    expect(ipToNum(thirdIp)).toBeGreaterThan(0);
    expect(of(first)).toBeDefined();
    expect(of(second)).toBeUndefined();
    expect(shared.shared).toBeGreaterThan(0);
  });
});
