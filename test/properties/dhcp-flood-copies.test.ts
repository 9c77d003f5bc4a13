// dhcp asks whether a port's broadcast request reaches each DHCP agent's server among the copies of
// its flood. A trace lists at most `maxBranches` copies besides its main path (32 by default), so the
// check traces every copy: on topologies/dhcp-flood-many-copies.yaml (a generated cloud) vm5:0's
// broadcast floods into 35 copies and network2's server gets the 34th. The same on
// dhcp-two-agents.yaml with an evaluator that lists no copy besides the main path: both agents' servers
// are still found. A server that really gets nothing is still a violation.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { dhcp } from '../../src/questions/properties/dhcp.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { context, dropLines, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const net1 = async (ctx: ReturnType<typeof context>) => (await dhcp.check(ctx)).find((r) => r.subject === 'network:net1')!;
/** The context with an evaluator whose traces list no copy besides the main path. */
const listingNone = (ctx: ReturnType<typeof context>) => ({ ...ctx, evaluator: createEvaluator(ctx.dataplane, { limits: { maxBranches: 0 } }) });

describe('dhcp: every copy of the broadcast request is looked at', () => {
  it('a generated cloud whose broadcast floods into 35 copies: net1 holds, both agents serve vm5:0', async () => {
    const ctx = context('dhcp-flood-many-copies');
    const s = ctx.dataplane.stations.find((x) => x.kind === 'vm-port' && x.vm === 'vm5' && x.index === 0)!;
    const bcast = { eth_src: s.mac, eth_dst: 'ff:ff:ff:ff:ff:ff', eth_type: 0x0800, vlan: null, tun_id: null, ip_src: '0.0.0.0', ip_dst: '255.255.255.255', proto: 17, sport: 68, dport: 67, icmp_type: null, icmp_code: null } as const;
    // More copies than a trace lists by default: the case this is about.
    expect(ctx.evaluator.trace(s, bcast).branches.length).toBe(32);
    expect(ctx.evaluator.trace(s, bcast, { everyCopy: true }).branches.length).toBeGreaterThan(32);
    const r = await net1(ctx);
    expect(r.verdict).toBe('holds');
    expect(r.message).toMatch(/^all 8 VM ports reach qdhcp-\S+ on each of network2, network1 with broadcast and unicast requests/);
  });

  it('dhcp-two-agents with traces listing no copy besides the main path: still holds for both servers', async () => {
    const r = await net1(listingNone(context('dhcp-two-agents')));
    expect(r.verdict).toBe('holds');
    expect(r.message).toContain('on each of network1, network2');
  });

  it("network2's br-tun dropping what arrives from the tunnels: violated, the broadcast reaches no server on network2", async () => {
    const ctx = listingNone(context('dhcp-two-agents', edit(/^network2\/br-tun\.dump-flows$/, dropLines(/table=4,.*tun_id/))));
    const r = await net1(ctx);
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^vm1:0: broadcast DHCP request \(68 → 67\) to the server on network2 fails: /);
  });
});
