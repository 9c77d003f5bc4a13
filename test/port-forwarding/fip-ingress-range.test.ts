// fip-ingress for a floating IP whose forwardings take port ranges (test/properties/topologies/
// port-forwarding-range.yaml: 203.0.113.60 forwards tcp/8080:8090 to vm1:80:90 port for port, udp/5000:5010 to
// vm2:53, tcp/2201 to vm1:22): as rendered it holds, and each fault of a range's DNAT is found with its trace —
// the rule deleted (the range stays in the router), the base port moved (8080 + i arrives at another port than
// 80 + i), the base port dropped (the kernel may pick any of 80-90: no longer the forwarding's port for port),
// the range cut short in --dport (its last ports stay in the router), the range sent to one port.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { fipIngress } from '../../src/questions/properties/fip-ingress.ts';
import type { PropertyResult } from '../../src/questions/property.ts';
import { context, dropLines, edit } from '../properties/build.ts';

afterAll(async () => { await shutdownZ3(); });

const ROUTER = /network1\/qrouter-[^/]*\.iptables-save$/;
const FIP = 'fip:203.0.113.60';
const TOPO = 'port-forwarding-range';
const check = async (change?: Parameters<typeof context>[1]): Promise<PropertyResult> => {
  const rs = await fipIngress.check(context(TOPO, change));
  const r = rs.find((x) => x.subject === FIP);
  if (!r) throw new Error(`no result for ${FIP}: ${rs.map((x) => x.subject).join(', ')}`);
  return r;
};
const rewrite = (from: string, to: string) => edit(ROUTER, (t) => {
  expect(t).toContain(from);
  return t.replace(from, to);
});

describe('fip-ingress through port-range forwardings', () => {
  it('holds as rendered', async () => {
    const r = await check();
    expect(r.verdict, r.message).toBe('holds');
    expect(r.message).toContain('tcp/8080:8090 → vm1:0 192.168.1.11:80:90');
    expect(r.message).toContain('udp/5000:5010 → vm2:0 192.168.2.12:53');
  });

  it('the range\'s DNAT deleted: its packets stay in the router: violated', async () => {
    const r = await check(edit(ROUTER, dropLines(/--dport 8080:8090 -j DNAT/)));
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/a tcp\/80[89]\d packet to 203\.0\.113\.60, a forwarded port, is delivered to qrouter-\S+ on network1 itself, not forwarded/);
  });

  it('the base port moved (/8081): 8081 + i arrives at 80 + i, not at the forwarding\'s 81 + i: violated', async () => {
    const r = await check(rewrite('192.168.1.11:80-90/8080', '192.168.1.11:80-90/8081'));
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/a tcp\/80[89]\d packet to 203\.0\.113\.60 reaches vm1:0 addressed to 192\.168\.1\.11:\d+, which no port forwarding of 203\.0\.113\.60 sends it to/);
    const t = r.trace!;
    expect(t.final.dport).not.toBe((t.packet.dport ?? 0) - 8000);
  });

  it('the base port dropped: the kernel may send 8080 + i to any of 80-90: violated at the port a replay shows (the range\'s first, as this kernel picks)', async () => {
    const r = await check(rewrite('192.168.1.11:80-90/8080', '192.168.1.11:80-90'));
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/a tcp\/80(8[1-9]|9\d) packet to 203\.0\.113\.60 reaches vm1:0 addressed to 192\.168\.1\.11:80, which no port forwarding/);
  });

  it('--dport cut to 8080:8085: 8086-8090 stay in the router: violated', async () => {
    const r = await check(rewrite('--dport 8080:8090', '--dport 8080:8085'));
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/a tcp\/(808[6-9]|8090) packet to 203\.0\.113\.60, a forwarded port, is delivered to qrouter-\S+ on network1 itself/);
  });

  it('the range sent to one port (IP:80): 8081 + i arrives at 80: violated', async () => {
    const r = await check(rewrite('192.168.1.11:80-90/8080', '192.168.1.11:80'));
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/reaches vm1:0 addressed to 192\.168\.1\.11:80, which no port forwarding/);
  });
});
