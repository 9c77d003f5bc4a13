// fip-ingress from behind the floating IP's router (hairpin NAT): a packet a port sends to a floating IP
// arrives source-NATed to the router's gateway address, so the answer goes back through the router; a
// router without the hairpin rule (deleted) is a violation with the trace of a packet that arrives with
// its sender's own address. And the rule itself is programmed without SNAT since Newton, not before.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { fipIngress } from '../../src/questions/properties/fip-ingress.ts';
import { hairpinWithoutSnat } from '../../src/questions/properties/fip-hairpin.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import { renderTopology } from '../../src/render/index.ts';
import { context, dropLines, edit, topo } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const HAIRPIN = /-m mark ! --mark 0x2\/0xffff -m conntrack --ctstate DNAT -j SNAT/;

describe('fip-ingress from behind the router (hairpin)', () => {
  it('a packet from a port beside the floating IP\'s port arrives from the router\'s gateway address', async () => {
    const [r] = await fipIngress.check(context('fip-hairpin'));
    expect(r!.verdict).toBe('holds');
    expect(r!.message).toContain("a packet from vm3:0 behind router1 to 203.0.113.101 reaches vm2:0's firewall from 203.0.113.10");
  });

  it('without the hairpin rule it arrives from the sender\'s own address: violated, with that trace', async () => {
    const ctx = context('fip-hairpin', edit(/network1\/qrouter-[^/]*\.iptables-save$/, dropLines(HAIRPIN)));
    const [r] = await fipIngress.check(ctx);
    expect(r!.verdict).toBe('violated');
    expect(r!.message).toContain('from 192.168.2.13, not from 203.0.113.10');
    expect(r!.message).toContain("past the router's conntrack");
    expect(r!.trace!.packet.ip_src).toBe('192.168.2.13');
  });

  it('from another of the router\'s subnets it arrives from the gateway address too; without the rule, from the sender', async () => {
    const [ok] = await fipIngress.check(context('basic'));
    expect(ok!.message).toContain('a packet from vm1:0 behind router1 to 203.0.113.101');
    const [bad] = await fipIngress.check(context('basic', edit(/network1\/qrouter-[^/]*\.iptables-save$/, dropLines(HAIRPIN))));
    expect(bad!.verdict).toBe('violated');
    expect(bad!.message).toContain('from 192.168.1.11, not from 203.0.113.10: the router did not source-NAT it');
  });

  it('a sender with a floating IP of its own arrives from that floating IP (float-snat first); its rule gone, from the gateway address: violated', async () => {
    const [ok] = await fipIngress.check(context('fip-hairpin-two'));
    expect(ok!.verdict).toBe('holds');
    expect(ok!.message).toContain('a packet from vm1:0 behind router1 to 203.0.113.101');
    expect(ok!.message).toContain("a packet from vm3:0 behind router1 to 203.0.113.101 reaches vm2:0's firewall from 203.0.113.102");
    const ctx = context('fip-hairpin-two', edit(/network1\/qrouter-[^/]*\.iptables-save$/, dropLines(/-s 192\.168\.2\.13\/32 -j SNAT/)));
    const [bad] = (await fipIngress.check(ctx)).filter((r) => r.subject === 'fip:203.0.113.101');
    expect(bad!.verdict).toBe('violated');
    expect(bad!.message).toContain('from 203.0.113.10, not from 203.0.113.102');
  });

  it('a router without SNAT gets the hairpin rule since Newton (bug 1551530), and only then is it asked', async () => {
    const text = readFileSync(topo('no-snat'), 'utf8');
    const nat = (release: string) => {
      const t = loadTopologyText(text.replace('release: "2024.1"', `release: "${release}"`), 'no-snat.yaml');
      if (!t.ok) throw new Error(JSON.stringify(t.errors));
      return renderTopology(t.value).filter((a) => /qrouter-[^/]*\.iptables-save$/.test(a.path)).map((a) => a.text).join('\n');
    };
    expect(nat('2024.1')).toMatch(HAIRPIN);
    expect(nat('newton')).toMatch(HAIRPIN);
    expect(nat('mitaka')).not.toMatch(HAIRPIN);
    expect([hairpinWithoutSnat('mitaka'), hairpinWithoutSnat('newton'), hairpinWithoutSnat('2024.1')]).toEqual([false, true, true]);
    const [r] = await fipIngress.check(context('no-snat'));
    expect(r!.verdict).toBe('holds');
    expect(r!.message).toContain('from 203.0.113.10');
  });
});
