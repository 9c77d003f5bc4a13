// Floating IP port forwardings (Rocky+, the port_forwarding service plugin): a floating IP with
// forwardings has no port (`port_id` null) and would look unused; the L3 agent DNATs its external ports
// to internal ports, which the topology cannot say. It is left out loudly: a note naming the forwardings,
// and the floating IP, its router, its external network and the internal ports `unknown` — also where
// the API view does not list forwardings but a router holds the floating IP without a port.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { API_FILES } from '../../src/cloud/layout.ts';
import { runCli } from '../cli/run.ts';
import { apiOf, serialise, shippedTopology, writeCloud, loadCloudApi } from './cloud-dir.ts';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

type Fip = Record<string, unknown>;

/** The seed's API view with a second floating IP on router1, forwarding TCP 2222 to vm1:22 (or listing no forwardings). */
function cloudWithForwarding(listed: boolean): string {
  const topo = shippedTopology('seed');
  const api = apiOf(topo);
  const fips = (api.get(`api/${API_FILES.floatingips}`) as { floatingips: Fip[] }).floatingips;
  const vm1 = topo.ports.find((p) => p.name === 'vm1:0')!;
  const router = topo.routers.find((r) => r.name === 'router1')!;
  fips.push({
    ...fips[0],
    id: 'f0f0f0f0-0000-4000-8000-00000000f0f0',
    floating_ip_address: '203.0.113.150',
    port_id: null,
    fixed_ip_address: null,
    router_id: router.id,
    ...(listed ? { port_forwardings: [{ id: 'pf-1', protocol: 'tcp', internal_ip_address: vm1.ip, internal_port: 22, external_port: 2222, internal_port_id: vm1.id }] } : {}),
  });
  if (!listed) for (const f of fips) delete f.port_forwardings;
  const dir = writeCloud(serialise(api));
  made.push(dir);
  return dir;
}

const notesOf = (dir: string) => loadCloudApi(dir).notes;

describe('floating IP port forwardings in the API view', () => {
  it('are left out with a note naming them, the floating IP, router, external network and internal port made unknown', () => {
    const n = notesOf(cloudWithForwarding(true)).find((x) => /203\.0\.113\.150/.test(x.message));
    expect(n?.message).toBe('floating IP 203.0.113.150 on router router1 has 1 port forwarding (tcp 2222 → 192.168.1.11:22): not modelled');
    expect(n?.file).toBe('api/floatingips.json');
    expect(n?.line).toBeGreaterThan(1);
    expect(n?.taints).toEqual(['fip:203.0.113.150', 'router:router1', 'network:public', 'port:vm1:0']);
  });

  it('a floating IP a router holds without a port, where the view lists no forwardings, is left out the same way', () => {
    const n = notesOf(cloudWithForwarding(false)).find((x) => /203\.0\.113\.150/.test(x.message));
    expect(n?.message).toMatch(/held by router router1 without a port: port forwardings \(not listed in this API view\)/);
    expect(n?.taints).toEqual(['fip:203.0.113.150', 'router:router1', 'network:public']);
  });

  it('an unused floating IP (no port, no router) says nothing', () => {
    const topo = shippedTopology('seed');
    const api = apiOf(topo);
    const fips = (api.get(`api/${API_FILES.floatingips}`) as { floatingips: Fip[] }).floatingips;
    fips.push({ ...fips[0], id: 'f1f1f1f1-0000-4000-8000-00000000f1f1', floating_ip_address: '203.0.113.151', port_id: null, fixed_ip_address: null, router_id: null, port_forwardings: [] });
    const dir = writeCloud(serialise(api));
    made.push(dir);
    expect(notesOf(dir).filter((x) => /203\.0\.113\.151/.test(x.message))).toEqual([]);
  });

  it('verify answers unknown, not holds, for vm1\'s and router1\'s subjects', async () => {
    const r = await runCli('verify', cloudWithForwarding(true), '--format', 'json');
    const results = (JSON.parse(r.stdout) as { results: { property: string; subject: string; verdict: string; message: string }[] }).results;
    const touched = results.filter((x) => /^(router:router1|port:vm1:0|network:public)/.test(x.subject));
    expect(touched.length).toBeGreaterThan(3);
    for (const x of touched) {
      expect(x.verdict, `${x.property} ${x.subject}`).toBe('unknown');
      expect(x.message).toMatch(/port forwarding.*api\/floatingips\.json:\d+/);
    }
    expect(r.code).toBe(3);
  });
});
