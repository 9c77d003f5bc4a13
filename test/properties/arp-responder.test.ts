// With Neutron's ARP responder on, br-tun answers ARP itself with actions netproof does not model.
// An ARP resolution that crosses such a flow before any answer is unknown, not "no one answers":
// before, the sender's packets off its subnet were dropped as unanswered and nat-egress said holds
// on a router with snat: false. Now it, and everything that depends on those packets, is unknown,
// with the reason; the evaluator marks the same path uncertain.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { natEgress } from '../../src/questions/properties/nat-egress.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import { context } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

describe('ARP through unmodelled responder flows', () => {
  const ctx = context('arp-responder');

  it('nat-egress on the router with snat: false is unknown, not holds, and says why', async () => {
    const [r] = await natEgress.check(ctx);
    expect(r!.verdict).toBe('unknown');
    // The first unfinished path named: the gateway's ARP, or (a VM may send DHCP client requests from
    // any address, and to the DHCP port on its subnet) another address's on the subnet.
    expect(r!.message).toMatch(/ARP for 192\.168\.1\.\d+: .*unsupported/);
  });

  it('security-groups is unknown for the ports whose packets it cannot follow', async () => {
    const rs = await securityGroups.check(ctx);
    expect(rs.length).toBe(2);
    for (const r of rs) expect([r.subject, r.verdict]).toEqual([r.subject, 'unknown']);
  });
});
