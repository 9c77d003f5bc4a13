// With Neutron's ARP responder on, br-tun answers ARP itself (load/move on ARP fields, modelled in
// both engines: src/semantics/header-write.ts and arp-answer.ts). Before, those actions were not
// modelled, and every verdict that depended on a VM's gateway being answered was unknown. Now the
// responder's answer counts, so the verdicts are those of the same cloud without it: nat-egress on
// the router with snat: false is violated (vm1 leaves with its fixed address, as no-snat's test
// shows), and security-groups holds for both ports.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { natEgress } from '../../src/questions/properties/nat-egress.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import { context } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

describe('ARP through the responder flows', () => {
  const ctx = context('arp-responder');

  it('nat-egress on the router with snat: false is violated, the witness leaving with its fixed address', async () => {
    const [r] = await natEgress.check(ctx);
    expect(r!.verdict).toBe('violated');
    expect(r!.message).toMatch(/leaves through public with source 192\.168\.1\.11/);
    // The witness's first hop was resolved by br-tun's responder, not by the router's namespace.
    expect(ctx.evaluator.resolveArp(ctx.dataplane.stations.find((s) => s.kind === 'vm-port' && s.vm === 'vm1')!, '192.168.1.1').trace.hops.map((h) => h.device)).toContain('br-tun');
  });

  it('security-groups has an answer for each port', async () => {
    const rs = await securityGroups.check(ctx);
    expect(rs.length).toBe(2);
    for (const r of rs) expect([r.subject, r.verdict]).toEqual([r.subject, 'holds']);
  });
});
