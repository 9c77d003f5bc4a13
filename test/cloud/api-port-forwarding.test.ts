// Floating IP port forwardings (Rocky+, the port_forwarding service plugin) in the API view: a floating IP
// with no port whose forwardings the floating IP lists (pf_plugin.py _extend_floatingip_dict) becomes the
// topology's `port_forwardings`, all of them or none. What cannot be modelled is left out loudly — a note,
// with the floating IP, its router, its external network and the internal ports `unknown`: a forwarding of a
// port range, to a port or address not modelled, and a floating IP a router holds without a port where the
// view lists no forwardings.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_DIRS, API_FILES } from '../../src/cloud/layout.ts';
import { loadTopologyFile } from '../../src/topology/index.ts';
import type { Topology } from '../../src/topology/model.ts';
import { runCli } from '../cli/run.ts';
import { apiOf, serialise, shippedTopology, writeCloud, loadCloudApi } from './cloud-dir.ts';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

type Fip = Record<string, unknown>;
const PF_ID = 'a1b2c3d4-0000-4000-8000-0000000000a1';

function cloudOf(topo: Topology, edit: (fips: Fip[]) => void = () => {}): string {
  const api = apiOf(topo);
  edit((api.get(`api/${API_FILES.floatingips}`) as { floatingips: Fip[] }).floatingips);
  const dir = writeCloud(serialise(api));
  made.push(dir);
  return dir;
}

/** The seed's API view with a second floating IP on router1, forwarding TCP 2222 to vm1:22 (`pf` overrides the forwarding; null: none listed). */
function cloudWithForwarding(pf: Record<string, unknown> | null): string {
  const topo = shippedTopology('seed');
  const vm1 = topo.ports.find((p) => p.name === 'vm1:0')!;
  const router = topo.routers.find((r) => r.name === 'router1')!;
  return cloudOf(topo, (fips) => {
    fips.push({
      ...fips[0],
      id: 'f0f0f0f0-0000-4000-8000-00000000f0f0',
      floating_ip_address: '203.0.113.150',
      port_id: null,
      fixed_ip_address: null,
      router_id: router.id,
      port_details: null,
      ...(pf ? { port_forwardings: [{ id: PF_ID, protocol: 'tcp', internal_ip_address: vm1.ip, internal_port: 22, external_port: 2222, internal_port_id: vm1.id, ...pf }] } : {}),
    });
    if (!pf) for (const f of fips) delete f.port_forwardings;
  });
}

const notesOf = (dir: string) => loadCloudApi(dir).notes;
const about = (dir: string, ip: string) => notesOf(dir).filter((x) => x.message.includes(ip));

describe('floating IP port forwardings read from the API view', () => {
  it('a listed forwarding becomes the topology\'s, with its ids, and no note', () => {
    const dir = cloudWithForwarding({});
    const { topology } = loadCloudApi(dir);
    expect(topology.portForwardings.map((p) => ({ ...p }))).toEqual([{
      id: PF_ID, floatingIpId: 'f0f0f0f0-0000-4000-8000-00000000f0f0', floatingIp: '203.0.113.150', network: 'public', protocol: 'tcp', externalPort: 2222, externalPortEnd: 2222,
      portId: topology.ports.find((p) => p.name === 'vm1:0')!.id, vm: 'vm1', portIndex: 0, internalIp: '192.168.1.11', internalPort: 22, internalPortEnd: 22, router: 'router1',
    }]);
    expect(about(dir, '203.0.113.150')).toEqual([]);
  });

  it('a topology\'s forwardings come back from its own API view (several VMs on one floating IP, both protocols)', () => {
    const loaded = loadTopologyFile(join(import.meta.dirname, '..', 'properties', 'topologies', 'port-forwarding.yaml'));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const dir = cloudOf(loaded.value);
    const { topology, notes } = loadCloudApi(dir);
    const key = (t: Topology) => t.portForwardings.map((p) => [p.id, p.floatingIpId, p.floatingIp, p.protocol, p.externalPort, p.vm, p.portIndex, p.internalIp, p.internalPort, p.router].join(' '));
    expect(key(topology)).toEqual(key(loaded.value));
    expect(key(topology)).toHaveLength(3);
    expect(notes.filter((n) => n.message.includes('203.0.113.50'))).toEqual([]);
  });

  it('a port range (Zed+) listed as the floating IP shows it — no ports, the range fields dropped — is left out with a note naming where its ports are; the floating IP, router, network and port made unknown', () => {
    const dir = cloudWithForwarding({ external_port: undefined, internal_port: undefined });
    expect(loadCloudApi(dir).topology.portForwardings).toEqual([]);
    const [n, ...rest] = about(dir, '203.0.113.150');
    expect(rest).toEqual([]);
    expect(n?.message).toBe('floating IP 203.0.113.150 on router router1: port forwarding tcp ? → 192.168.1.11:?: its ports are not listed (a port range: the floating IP\'s listing leaves them out; port-forwardings/f0f0f0f0-0000-4000-8000-00000000f0f0.json, GET /v2.0/floatingips/f0f0f0f0-0000-4000-8000-00000000f0f0/port_forwardings, gives them); not modelled');
    expect(n?.file).toBe('api/floatingips.json');
    expect(n?.line).toBeGreaterThan(1);
    expect(n?.taints).toEqual(['fip:203.0.113.150', 'router:router1', 'network:public', 'port:vm1:0']);
  });

  it('a port range with its ports listed becomes the topology\'s range, port for port', () => {
    const dir = cloudWithForwarding({ external_port: null, internal_port: null, external_port_range: '2222:2230', internal_port_range: '22:30' });
    expect(loadCloudApi(dir).topology.portForwardings.map((p) => [p.externalPort, p.externalPortEnd, p.internalPort, p.internalPortEnd])).toEqual([[2222, 2230, 22, 30]]);
    expect(about(dir, '203.0.113.150')).toEqual([]);
  });

  it('ranges Neutron refuses (an internal range of another length) are left out with a note', () => {
    const dir = cloudWithForwarding({ external_port: null, internal_port: null, external_port_range: '2222:2230', internal_port_range: '22:25' });
    expect(loadCloudApi(dir).topology.portForwardings).toEqual([]);
    expect(about(dir, '203.0.113.150')[0]?.message).toMatch(/an internal range neither one port nor as long as the external one/);
  });

  it('a range topology\'s forwardings come back from its own API view: the floating IP lists them without their ranges, port-forwardings/<id>.json with them', () => {
    const loaded = loadTopologyFile(join(import.meta.dirname, '..', 'properties', 'topologies', 'port-forwarding-range.yaml'));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const api = apiOf(loaded.value);
    const fip = (api.get(`api/${API_FILES.floatingips}`) as { floatingips: Fip[] }).floatingips.find((f) => f.floating_ip_address === '203.0.113.60')!;
    // As _extend_floatingip_dict lists them: N-N without ports, 1-N with its internal port only, no range fields.
    expect(fip.port_forwardings).toEqual([
      expect.not.objectContaining({ external_port: expect.anything(), internal_port: expect.anything() }),
      expect.objectContaining({ internal_port: 53 }),
      expect.objectContaining({ external_port: 2201, internal_port: 22 }),
    ]);
    for (const pf of fip.port_forwardings as Fip[]) expect(Object.keys(pf).some((k) => k.endsWith('_range'))).toBe(false);
    const dir = writeCloud(serialise(api));
    made.push(dir);
    const { topology, notes } = loadCloudApi(dir);
    const key = (x: Topology) => x.portForwardings.map((p) => [p.id, p.floatingIpId, p.floatingIp, p.protocol, p.externalPort, p.externalPortEnd, p.vm, p.portIndex, p.internalIp, p.internalPort, p.internalPortEnd, p.router].join(' '));
    expect(key(topology)).toEqual(key(loaded.value));
    expect(key(topology)).toHaveLength(3);
    expect(notes.filter((n) => n.message.includes('203.0.113.60'))).toEqual([]);
    // Without the per-floating-IP file the range forwardings cannot be read: all of the floating IP's are left out.
    api.delete(`api/${API_DIRS.portForwardings}/${fip.id as string}.json`);
    const bare = writeCloud(serialise(api));
    made.push(bare);
    expect(loadCloudApi(bare).topology.portForwardings).toEqual([]);
    expect(about(bare, '203.0.113.60')[0]?.message).toMatch(/its ports are not listed/);
  });

  it('a range of one port is that port', () => {
    const dir = cloudWithForwarding({ external_port: null, internal_port: null, external_port_range: '2222:2222', internal_port_range: '22:22' });
    expect(loadCloudApi(dir).topology.portForwardings.map((p) => [p.externalPort, p.internalPort])).toEqual([[2222, 22]]);
  });

  it('an address the modelled port does not carry is left out', () => {
    const dir = cloudWithForwarding({ internal_ip_address: '192.168.1.99' });
    expect(loadCloudApi(dir).topology.portForwardings).toEqual([]);
    expect(about(dir, '203.0.113.150')[0]?.message).toMatch(/192\.168\.1\.99 is not the modelled address of vm1:0; not modelled$/);
  });

  it('an internal port not modelled is left out', () => {
    const dir = cloudWithForwarding({ internal_port_id: 'eeeeeeee-0000-4000-8000-00000000eeee' });
    expect(about(dir, '203.0.113.150')[0]?.message).toMatch(/its internal port eeeeeeee-0000-4000-8000-00000000eeee is not modelled; not modelled$/);
  });

  it('a floating IP a router holds without a port, where the view lists no forwardings, is left out', () => {
    const n = about(cloudWithForwarding(null), '203.0.113.150');
    expect(n[0]?.message).toMatch(/held by its router without a port: port forwardings \(not listed in this API view\)/);
    expect(n[0]?.taints).toEqual(['fip:203.0.113.150', 'router:router1', 'network:public']);
  });

  it('an unused floating IP (no port, no router) says nothing', () => {
    const topo = shippedTopology('seed');
    const dir = cloudOf(topo, (fips) => fips.push({ ...fips[0], id: 'f1f1f1f1-0000-4000-8000-00000000f1f1', floating_ip_address: '203.0.113.151', port_id: null, fixed_ip_address: null, router_id: null, port_forwardings: [] }));
    expect(about(dir, '203.0.113.151')).toEqual([]);
  });

  it('verify answers unknown, not holds, for the subjects a left-out forwarding touches', async () => {
    const r = await runCli('verify', cloudWithForwarding({ external_port: undefined, internal_port: undefined }), '--format', 'json');
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
