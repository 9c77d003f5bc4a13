// ARP answers by survey (walk.ts): when no flow matches an ARP request's target address, one walk of
// a requester's broadcast lists who would answer, and the answer for each address is the first of
// them that owns it (a route's next hop is walked for alone while the requester has no survey yet).
// Checked against walking every request on its own (surveyArp: false), for every requester the walk
// uses (each VM port's first hop, each router interface) and every address on its subnet, on the shipped
// topologies and a generated one with several routers and network nodes.
import { afterAll, describe, expect, it } from 'vitest';
import { getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import { SymWalker } from '../../src/smt/walk.ts';
import { ipToNum, macToNum } from '../../src/smt/headers.ts';
import { ownersIn } from '../../src/smt/owners.ts';
import { loadModel, modelFromTopology } from '../../src/pipeline.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { generateTopologyText, SIZES } from '../../bench/generate.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';
import { cloud, flow, VM1 } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

function small(): Dataplane {
  const t = loadTopologyText(generateTopologyText(SIZES.find((s) => s.name === 'small')!), 'small.yaml');
  if (!t.ok) throw new Error(JSON.stringify(t.errors));
  return modelFromTopology(t.value).dataplane;
}

function shipped(name: string): Dataplane {
  const m = loadModel(`topologies/${name}.yaml`);
  if (!m.ok) throw new Error(JSON.stringify(m.errors));
  return m.value.dataplane;
}

describe('ARP answers by survey', () => {
  it.each([['seed', () => shipped('seed')], ['seed-vlan', () => shipped('seed-vlan')], ['provider', () => shipped('provider')], ['bench small', small]])(
    'equal the answers of walking each request on %s',
    async (_name, build) => {
      const dp = build();
      const ctx = await getZ3();
      const converged = createEvaluator(dp).converged;
      const survey = new SymWalker(ctx, dp, { converged });
      const each = new SymWalker(ctx, dp, { converged, surveyArp: false });
      let asked = 0;
      let answered = 0;
      let requesters = 0;
      const check = (from: Parameters<SymWalker['arp']>[0], mac: number, ip: number, vlan: number | null, net: number, len: number) => {
        const owners = ownersIn(survey.owners, net, len);
        if (owners.length > 0) requesters++;
        // The first address asked as a route's next hop (walked for alone), the others as on a
        // connected subnet (surveyed), then all of them again as next hops: from the survey now.
        owners.forEach((o, k) => {
          const a = survey.arp(from, mac, ip, vlan, o.ip, k === 0);
          expect([o.where, a]).toEqual([o.where, each.arp(from, mac, ip, vlan, o.ip)]);
          asked++;
          if (a !== null) answered++;
        });
        for (const o of owners) expect([o.where, survey.arp(from, mac, ip, vlan, o.ip, true)]).toEqual([o.where, each.arp(from, mac, ip, vlan, o.ip)]);
      };
      for (const s of dp.stations) {
        if (s.kind === 'vm-port') check({ arrive: [s.attachment] }, macToNum(s.mac), ipToNum(s.ip), null, ipToNum(s.ip), s.prefixLen);
      }
      for (const h of dp.hosts) {
        for (const ns of h.namespaces.filter((n) => n.forwarding)) {
          for (const i of ns.interfaces) {
            const a = i.addresses.find((x) => x.prefixLen < 32);
            if (a) check({ host: h.name, device: ns.name, port: i.name }, macToNum(i.mac), ipToNum(a.ip), null, ipToNum(a.ip), a.prefixLen);
          }
        }
      }
      // Only each requester's first address was walked for alone, every other answer came from its
      // survey (none was unreliable), and both answers and silences are compared, many of each.
      expect(survey.arpWalks).toBe(requesters);
      expect(each.arpWalks).toBeGreaterThan(0);
      expect(asked).toBeGreaterThan(20);
      expect(asked - requesters).toBeGreaterThan(10);
      expect(answered).toBeGreaterThan(10);
      expect(answered).toBeLessThan(asked);
    },
  );

  it('are not used when a flow matches the target address: a dropped request for the gateway stays unanswered', async () => {
    // br-int drops vm1's ARP requests for its gateway 10.0.0.1 (arp_tpa), floods the rest.
    const dp = cloud(undefined, [
      flow(0, 10, { in_port: { kind: 'name', name: 'tap1' }, dl_type: 0x0806, arp_tpa: { ip: '10.0.0.1', prefixLen: 32 } }, [{ kind: 'drop' }]),
      flow(0, 0, {}, [{ kind: 'normal' }]),
    ]);
    const w = new SymWalker(await getZ3(), dp);
    const from = { arrive: [VM1.attachment] };
    expect(w.arp(from, macToNum(VM1.mac), ipToNum(VM1.ip), null, ipToNum('10.0.0.1'))).toBeNull();
    expect(w.arp(from, macToNum(VM1.mac), ipToNum(VM1.ip), null, ipToNum('10.0.0.6'))).toBe(macToNum('fa:16:3e:00:00:02'));
  });

  it('an unmodelled flow on the way makes the answer unknown, never "no one answers"', async () => {
    // br-int runs an action netproof does not model on vm1's ARP requests, before NORMAL.
    const dp = cloud(undefined, [
      flow(0, 10, { in_port: { kind: 'name', name: 'tap1' }, dl_type: 0x0806 }, [{ kind: 'unsupported', text: 'move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]' }]),
      flow(0, 0, {}, [{ kind: 'normal' }]),
    ]);
    const w = new SymWalker(await getZ3(), dp);
    const from = { arrive: [VM1.attachment] };
    for (const target of ['10.0.0.1', '10.0.0.6', '10.0.0.99']) {
      const a = w.arp(from, macToNum(VM1.mac), ipToNum(VM1.ip), null, ipToNum(target));
      expect([target, a]).toEqual([target, { unknown: expect.stringContaining('unsupported action move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]') }]);
    }
  });
});

