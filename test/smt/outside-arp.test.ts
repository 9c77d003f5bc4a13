// An outside station's ARP request, in the solver as in the evaluator: put onto its physical wire, it
// reaches the bridge ports there and every other network's upstream router on that wire (which answers
// for its own gateway addresses when the frame is on its VLAN). Two untagged outside networks share one
// wire here: each station's request for the other's gateway is answered by the other's upstream
// router, in both engines; a request for an address no one holds is answered by no one. (The solver
// once walked such a request only into the wire's bridge ports.)
import { afterAll, describe, expect, it } from 'vitest';
import { createEvaluator } from '../../src/evaluate/index.ts';
import type { Station } from '../../src/ir/dataplane.ts';
import { getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import { SymWalker } from '../../src/smt/walk.ts';
import { ipToNum, macToNum } from '../../src/smt/headers.ts';
import { A, bridge, dataplane, ep, flow, host, port } from '../evaluate/build.ts';

afterAll(async () => { await shutdownZ3(); });

const outside = (network: string, mac: string, gateway: string, net: string): Extract<Station, { kind: 'outside' }> =>
  ({ kind: 'outside', network, physnet: 'ext', vlan: null, mac, gateway, cidr: { ip: net, prefixLen: 24 } });

describe("an outside station's ARP request reaches the other upstream routers on its wire", () => {
  const a = outside('a', '02:00:00:00:00:0a', '203.0.113.1', '203.0.113.0');
  const b = outside('b', '02:00:00:00:00:0b', '198.51.100.1', '198.51.100.0');
  const dp = dataplane(
    [host('net1', { ovs: [bridge('br-ex', [port('eth1', { type: 'system' }), port('br-ex')], [flow(0, 0, {}, [A.normal], 'priority=0 actions=NORMAL')])] })],
    [],
    [a, b],
    [{ physnet: 'ext', members: [ep('net1', 'br-ex', 'eth1')] }],
  );
  const ev = createEvaluator(dp);

  it('answered by the other upstream router, and by no one for a free address, in both engines', async () => {
    const w = new SymWalker(await getZ3(), dp, { converged: ev.converged });
    const asked: [typeof a, typeof b, string, string | null][] = [[a, b, b.gateway, b.mac], [b, a, a.gateway, a.mac], [a, b, '198.51.100.7', null]];
    for (const [from, , target, expected] of asked) {
      expect(ev.resolveArp(from, target).mac, `evaluator: ${from.network} asks for ${target}`).toBe(expected);
      expect(w.arp({ outside: from }, macToNum(from.mac), ipToNum(from.gateway), from.vlan, ipToNum(target)), `solver: ${from.network} asks for ${target}`).toBe(expected === null ? null : macToNum(expected));
    }
  });
});
