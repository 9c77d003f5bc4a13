// An outside host sending to something reached through the second external network (or a provider network)
// of a cloud with several. Without --via, the packet comes in through the network the destination is
// reached from — the one holding the address, the floating IP's, or the gateway network of the port's router —
// not through whichever external network the file writes first, where it would find no route and report a
// reachable destination unreachable. An explicit --via still decides.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';

afterAll(async () => { await shutdownZ3(); });

const topo = join(import.meta.dirname, 'topologies', 'two-projects.yaml');

async function json(...argv: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
  const r = await runCli(...argv, '--format', 'json');
  if (r.stdout.trim() === '') throw new Error(`no output (exit ${r.code}): ${r.stderr}`);
  return { code: r.code, out: JSON.parse(r.stdout) as Record<string, unknown> };
}

describe('an outside sender without --via, in a cloud with two external networks and a provider network', () => {
  it('reaches the gateway address of a router on the second external network', async () => {
    const { out } = await json('trace', topo, '--from', '8.8.8.8', '--to', '192.0.2.10');
    expect(out.disposition).toBe('delivered');
    expect(out.delivered_to).toMatchObject({ namespace: expect.stringMatching(/^qrouter-/), host: 'network2' });
  });

  it("is DNATed to the fixed address of a floating IP on the second external network", async () => {
    const { out } = await json('trace', topo, '--from', '8.8.8.8', '--to', '192.0.2.101', '--proto', 'tcp', '--dport', '5432');
    // db1's group admits 5432 only from dbclients: dropped at db1's own firewall, after the DNAT.
    expect(out.disposition).toBe('dropped');
    expect(out.dropped_at).toMatchObject({ host: 'compute2' });
    expect((out.final as { ip_dst: string }).ip_dst).toBe('172.16.0.11');
  });

  it('reaches an open VM port on a provider network (query)', async () => {
    const { code, out } = await json('query', topo, '--from', '8.8.8.8', '--to', 'prov1', '--proto', 'tcp', '--dport', '80');
    expect(out.verdict).toBe('reachable');
    expect(out.delivered_to).toMatchObject({ vm: 'prov1', port: 0 });
    expect(code).toBe(0);
  });

  it('may come in through any external network when the destination is a set (query)', async () => {
    const { out } = await json('query', topo, '--from', '8.8.8.8', '--to', 'network:prov', '--proto', 'tcp', '--dport', '80');
    expect(out.verdict).toBe('reachable');
    expect(out.delivered_to).toMatchObject({ vm: 'prov1', port: 0 });
  });

  it('still comes in through the first external network for its floating IPs', async () => {
    const { out } = await json('trace', topo, '--from', '8.8.8.8', '--to', '203.0.113.101', '--proto', 'tcp', '--dport', '80');
    expect(out.delivered_to).toMatchObject({ vm: 'web1', port: 0 });
  });

  it('comes in through --via when it is given, even where that finds no route', async () => {
    const { out } = await json('trace', topo, '--from', '8.8.8.8', '--to', '10.50.0.11', '--proto', 'tcp', '--dport', '80', '--via', 'public');
    expect(out.disposition).toBe('no-route');
  });
});
