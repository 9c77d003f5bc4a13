// searchAll (search.ts) answers many questions as `search` answers each: on the cloud whose router
// has snat: false, "does a connection-opening packet leave with a source other than 203.0.113.101 or the router's
// address?" is found for vm1 (no floating IP) and not for vm2 (its floating IP), and the batch
// gives the same kinds, the found one with a witness that leaves with vm1's fixed address.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { ipNum, opensConnection, search, searchAll, type SearchAsk } from '../../src/questions/properties/search.ts';
import { sourceSpec, vmStations } from '../../src/questions/properties/common.ts';
import { context } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

describe('searchAll', () => {
  it('gives what search gives, question by question', async () => {
    const ctx = context('no-snat');
    const allowed = ['203.0.113.101', '203.0.113.10'];
    // Connection openers only: an unsolicited ICMP reply is INVALID to conntrack and never NATed.
    const pred: SearchAsk['pred'] = (e, sent, final, end) =>
      end.disposition === 'exited' ? e.and(opensConnection(e, sent), e.not(e.or(...allowed.map((ip) => e.eq(final.ip_src, ipNum(ip), 32))))) : false;
    const never: SearchAsk['pred'] = () => false;
    const [vm1, vm2] = ['vm1', 'vm2'].map((vm) => sourceSpec(ctx.topology, vmStations(ctx).find((s) => s.vm === vm)!));
    const asks: SearchAsk[] = [{ src: vm1!, pred }, { src: vm2!, pred }, { src: vm1!, pred: never }];
    const all = await searchAll(ctx, asks);
    const one = [];
    for (const a of asks) one.push(await search(ctx, a.src, a.pred));
    expect(all.map((r) => r.kind)).toEqual(['found', 'none', 'none']);
    expect(one.map((r) => r.kind)).toEqual(all.map((r) => r.kind));
    const f = all[0]!;
    expect(f.kind === 'found' && f.witness.ip_src).toBe('192.168.1.11');
  });
});
