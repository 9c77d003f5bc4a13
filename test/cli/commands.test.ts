// The trace and render commands as a user runs them: the JSON contract of docs/json.md, exit codes,
// and the artifact tree `render --out` writes.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run.ts';

describe('netproof trace --format json', () => {
  it('follows the JSON contract for a delivered packet', async () => {
    const r = await runCli('trace', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22', '--format', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['disposition', 'delivered_to', 'dropped_at', 'packet', 'final', 'hops', 'branches']));
    expect(j.disposition).toBe('delivered');
    expect(j.delivered_to).toEqual({ vm: 'vm4', port: 0, host: 'compute2' });
    expect(j.dropped_at).toBeNull();
    expect(j.packet).toMatchObject({ ip_src: '192.168.1.11', ip_dst: '192.168.2.14', proto: 'tcp', sport: 40000, dport: 22, vlan: null, tun_id: null });
    for (const h of j.hops) {
      expect(Object.keys(h)).toEqual(expect.arrayContaining(['host', 'device', 'in', 'out', 'steps', 'explain']));
      expect(h.in).toHaveProperty('vlan');
      expect(h.in).toHaveProperty('tun_id');
    }
    // On the tunnel the packet carries net1's VNI, then net2's after the router.
    const tunIds = j.hops.flatMap((h: { out: { tun_id: number | null } | null }) => (h.out?.tun_id != null ? [h.out.tun_id] : []));
    expect([...new Set(tunIds)]).toEqual([101, 102]);
  });

  it('names the dropping rule and its origin', async () => {
    const r = await runCli('trace', 'topologies/seed.yaml', '--from', '198.51.100.7', '--to', '203.0.113.101', '--proto', 'tcp', '--dport', '22', '--format', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.disposition).toBe('dropped');
    expect(j.dropped_at.host).toBe('compute2');
    expect(j.dropped_at.rule).toContain('neutron-openvswi-sg-fallback');
    expect(j.dropped_at.origin).toMatch(/^compute2\/iptables-save:\d+/);
    expect(j.final.ip_dst).toBe('192.168.2.14');
  });

  it('says when no ARP answer comes back', async () => {
    const r = await runCli('trace', 'topologies/seed.yaml', '--from', 'vm3', '--to', '192.168.2.99', '--format', 'json');
    expect(JSON.parse(r.stdout).disposition).toBe('no-arp');
  });
});

describe('netproof trace (text)', () => {
  it('prints numbered steps and the result', async () => {
    const r = await runCli('trace', 'topologies/seed.yaml', '--from', 'vm1', '--to', 'vm2', '--no-rules');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ 1\. compute1: vm1 sends it/m);
    expect(r.stdout).toContain('tags it with the internal VLAN 1 (net1 on compute1)');
    expect(r.stdout).toContain('encapsulates it in VXLAN with VNI 101 (net1)');
    expect(r.stdout).toMatch(/^result: delivered to vm2 \(port 0\) on compute2$/m);
  });
});

describe('netproof render', () => {
  it('writes DIR/<host>/<artifact> for every host', async () => {
    const out = mkdtempSync(join(tmpdir(), 'netproof-render-'));
    const r = await runCli('render', 'topologies/seed.yaml', '--out', out);
    expect(r.code).toBe(0);
    for (const host of ['compute1', 'compute2', 'network1']) {
      expect(existsSync(join(out, host, 'ovs-vsctl-show'))).toBe(true);
      expect(existsSync(join(out, host, 'br-int.dump-flows'))).toBe(true);
    }
    expect(readFileSync(join(out, 'compute1', 'iptables-save'), 'utf8')).toContain('neutron-openvswi-sg-chain');
    const qrouter = readFileSync(join(out, 'network1', 'qrouter-ff589f1d-8332-51d7-9e9d-1a69f4c70e7d.iptables-save'), 'utf8');
    expect(qrouter).toContain('-j DNAT --to-destination 192.168.2.14');
  });
});
