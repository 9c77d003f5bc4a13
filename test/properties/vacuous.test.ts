// A search whose sender starts no packet within what was asked is no proof: "no violating end" over
// nothing would read as `holds`. The built-ins say `unknown` then (verdict.ts notFound), and only then;
// a VM port that has nobody to address is the exception (search.ts overNothing).
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { fipIngress } from '../../src/questions/properties/fip-ingress.ts';
import { search } from '../../src/questions/properties/search.ts';
import { notFound } from '../../src/questions/properties/verdict.ts';
import { context } from './build.ts';
import { sourceSpec } from '../../src/questions/properties/common.ts';

afterAll(async () => { await shutdownZ3(); });

describe('a proof over no packet', () => {
  it('a floating IP on an external subnet without an upstream router is unknown, not held; the other still holds', async () => {
    const rs = await fipIngress.check(context('fip-gatewayless-subnet'));
    expect(rs.map((r) => [r.subject, r.verdict])).toEqual([['fip:203.0.113.101', 'holds'], ['fip:198.51.100.5', 'unknown']]);
    expect(rs[1]!.message).toMatch(/^198\.51\.100\.5's subnet of public has no gateway: no upstream router sends to it/);
  });

  it('counts the packets followed from the sender: none to an address nobody owns, some to a floating IP', async () => {
    const ctx = context('basic');
    const outside = ctx.dataplane.stations.find((s) => s.kind === 'outside')!;
    const to = (ip: string) => search(ctx, { station: outside }, () => false, { ipDst: [{ ip, prefixLen: 32 }] });
    expect(await to('203.0.113.77')).toEqual({ kind: 'none', ends: 0, followed: 0, overNothing: true });
    const fip = await to('203.0.113.101');
    expect(fip.kind).toBe('none');
    expect(fip.kind === 'none' && fip.followed).toBeGreaterThan(0);
    // What the built-ins make of them: no verdict over no packet, the property's own over some.
    expect(notFound('p', 's', (await to('203.0.113.77')) as Exclude<typeof fip, { kind: 'found' }>, 'packets to 203.0.113.77')).toMatchObject({ verdict: 'unknown', message: expect.stringMatching(/^packets to 203\.0\.113\.77: no packet was followed/) });
    expect(notFound('p', 's', fip as Exclude<typeof fip, { kind: 'found' }>, 'packets to 203.0.113.101')).toBeNull();
  });

  it('a VM port asked about everything it sends, with nobody to address, holds: no packet of it does anything', async () => {
    // left-out.yaml's vm4: alone on a subnet without a router or DHCP port.
    const ctx = context('left-out');
    const vm4 = ctx.dataplane.stations.find((s) => s.kind === 'vm-port' && s.vm === 'vm4')!;
    const r = await search(ctx, sourceSpec(ctx.topology, vm4), () => true);
    expect(r).toEqual({ kind: 'none', ends: 0, followed: 0, overNothing: false });
    expect(notFound('p', 's', r as Exclude<typeof r, { kind: 'found' }>, 'vm4:0')).toBeNull();
  });
});
