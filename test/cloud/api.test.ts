// The Neutron API view of a cloud directory: read, checked and turned into the topology its intent is
// verified from, and written by `netproof import`. The API views are generated from the shipped
// topologies (src/cloud/generate/api.ts), in the real responses' shapes; the neutron-lib API reference
// samples are read as they come; bad input gets coded errors naming the file and line.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readApi } from '../../src/cloud/api/read.ts';
import { topologyToApi } from '../../src/cloud/generate/api.ts';
import { API_FILES } from '../../src/cloud/layout.ts';
import { formatInputError } from '../../src/errors.ts';
import { loadTopologyFile } from '../../src/topology/index.ts';
import type { Topology } from '../../src/topology/model.ts';
import { runCli } from '../cli/run.ts';
import { readSample } from '../fixtures/samples.ts';
import { apiOf, serialise, shippedTopology, writeCloud, loadCloudApi } from './cloud-dir.ts';

const made: string[] = [];
const cloud = (files: ReadonlyMap<string, string>) => {
  const d = writeCloud(files);
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

const loadCloudTopology = loadCloudApi;

/**
 * A topology with what the API view cannot carry normalised away: the Neutron API gives every network an
 * owning project (the topology leaves the external one's unwritten), and IPv6 rules of security groups
 * have no effect on the IPv4 dataplane (the reader leaves them out).
 */
function comparable(t: Topology): unknown {
  return {
    ...t,
    file: '',
    networks: t.networks.map((n) => ({ ...n, project: n.project ?? 'admin' })),
    ports: t.ports.map((p) => ({ ...p, project: p.deviceOwner === 'network:dhcp' ? (p.project ?? 'admin') : p.project })),
    securityGroups: t.securityGroups.map((g) => ({ ...g, rules: g.rules.filter((r) => r.ethertype === 'IPv4') })),
    // The API reports every HA router's agent states; a topology file need not write them.
    routers: t.routers.map((r) => (r.ha ? { ...r, ha: { ...r.ha, observed: {} } } : r)),
  };
}

describe('a network with two DHCP-enabled subnets', () => {
  it('its DHCP port is one API port with a fixed IP on each, and reads back as the same topology', () => {
    const loaded = loadTopologyFile('test/properties/topologies/dhcp-two-subnets.yaml');
    if (!loaded.ok) throw new Error(loaded.errors.map(formatInputError).join('\n'));
    const topo = loaded.value;
    const files = topologyToApi(topo);
    const ports = (JSON.parse(files.get(`api/${API_FILES.ports}`)!) as { ports: { device_owner: string; fixed_ips: unknown[] }[] }).ports.filter((p) => p.device_owner === 'network:dhcp');
    expect(ports.map((p) => p.fixed_ips.length)).toEqual([2]);
    const { topology, notes } = loadCloudTopology(cloud(files));
    expect(comparable(topology)).toEqual(comparable(topo));
    expect(notes).toEqual([]);
  });
});

describe('the API view of a shipped topology', () => {
  for (const name of ['seed', 'seed-vlan', 'provider', 'ha']) {
    it(`${name}: reads back as the same topology (ids, MACs, addresses, bindings, DHCP and router ports, local VLANs)`, () => {
      const topo = shippedTopology(name);
      const { topology, notes } = loadCloudTopology(cloud(topologyToApi(topo)));
      expect(comparable(topology)).toEqual(comparable(topo));
      expect(notes.filter((n) => !/is an L3 HA router/.test(n.message))).toEqual([]);
    });
  }

  it('a rule\'s protocol keeps its spelling: "6" as a number, "tcp" as a name (agents before Ocata wrote no ports for a number)', () => {
    const file = new URL('../properties/topologies/numbered-protocols.yaml', import.meta.url).pathname;
    const loaded = loadTopologyFile(file);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const files = topologyToApi(loaded.value);
    const groups = (JSON.parse(files.get(`api/${API_FILES.securityGroups}`)!) as { security_groups: { security_group_rules: { protocol: string | null; port_range_min: number | null }[] }[] }).security_groups;
    const rules = groups.flatMap((g) => g.security_group_rules);
    expect(rules.filter((r) => r.port_range_min === 22).map((r) => r.protocol).sort()).toEqual(['6', 'tcp']);
    expect(rules.filter((r) => r.port_range_min === 8).map((r) => r.protocol).sort()).toEqual(['1', 'icmp']);
    const { topology } = loadCloudTopology(cloud(files));
    expect(comparable(topology)).toEqual(comparable(loaded.value));
    const numbered = topology.securityGroups.flatMap((g) => g.rules.filter((r) => r.protocolNumbered).map(() => g.name));
    expect(numbered).toEqual(['by-number', 'by-number']);
  });

  it('is generated deterministically, byte for byte', () => {
    const t = shippedTopology('seed');
    expect([...topologyToApi(t)]).toEqual([...topologyToApi(t)]);
  });

  it('netproof import writes a topology file that loads as exactly the cloud\'s intent', async () => {
    const dir = cloud(topologyToApi(shippedTopology('seed')));
    const out = join(dir, 'imported.yaml');
    const r = await runCli('import', dir, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('3 hosts, 3 networks, 1 routers, 4 servers, 1 floating IPs');
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^# Imported by `netproof import`/);
    // Names from the API, ids and MACs as the API shows them.
    expect(text).toContain('vm4:');
    expect(text).toContain('dhcp_hosts:');
    const imported = loadTopologyFile(out);
    if (!imported.ok) throw new Error(imported.errors.map(formatInputError).join('\n'));
    expect({ ...imported.value, file: '' }).toEqual({ ...loadCloudTopology(dir).topology, file: '' });
  });
});

describe('real API samples (neutron-lib API reference), read as they come', () => {
  const files = new Map<string, string>([
    [`api/${API_FILES.networks}`, readSample('api/neutronlib_networks_networks-provider-list-response.json')],
    [`api/${API_FILES.subnets}`, readSample('api/neutronlib_subnets_subnets-list-response.json')],
    [`api/${API_FILES.ports}`, readSample('api/neutronlib_ports_ports-bind-list-response.json')],
    [`api/${API_FILES.routers}`, readSample('api/neutronlib_routers_routers-list-response.json')],
    [`api/${API_FILES.floatingips}`, readSample('api/neutronlib_floatingips_floating-ips-list-response.json')],
    [`api/${API_FILES.securityGroups}`, readSample('api/neutronlib_security-groups_security-groups-list-response.json')],
    [`api/${API_FILES.agents}`, readSample('api/neutronlib_agents_agents-list-response.json')],
  ]);

  it('loads without error, and says by file and line what it leaves out and which verdicts that touches', () => {
    const { topology, notes } = loadCloudTopology(cloud(files));
    expect(topology.networks.map((n) => n.name)).toContain('net1');
    const by = (re: RegExp) => notes.find((n) => re.test(n.message));
    // The samples are independent examples: their objects do not refer to each other consistently.
    expect(by(/multi-segment/)).toMatchObject({ file: 'api/networks.json', taints: ['network:net2'] });
    expect(by(/router router1: scheduled to no L3 agent/)?.taints).toContain('router:router1');
    expect(by(/floating IP 172\.24\.4\.228/)?.taints).toEqual(['fip:172.24.4.228']);
    for (const n of notes) expect(n.line, n.message).toBeGreaterThan(0);
  });
});

describe('bad input', () => {
  const seedApi = () => apiOf(shippedTopology('seed'));

  it('a directory with neither api/ nor hosts/ is not a cloud directory (NP901, exit 2)', async () => {
    const dir = cloud(new Map([['README', 'x']]));
    const r = await runCli('verify', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NP901 cloud: not a cloud directory/);
  });

  it('a missing API file is NP902 naming it', () => {
    const files = serialise(seedApi());
    files.delete(`api/${API_FILES.ports}`);
    const r = readApi(cloud(files));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map(formatInputError)).toEqual([expect.stringMatching(/^api\/ports\.json: NP902 .*GET \/v2\.0\/ports/)]);
  });

  it('a truncated API file is NP903 at the line where the JSON stops', () => {
    const files = serialise(seedApi());
    const text = files.get(`api/${API_FILES.routers}`) as string;
    files.set(`api/${API_FILES.routers}`, text.slice(0, Math.floor(text.length / 2)));
    const r = readApi(cloud(files));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0]?.code).toBe('NP903');
      expect(r.errors[0]?.file).toBe('api/routers.json');
      expect(r.errors[0]?.position?.line).toBeGreaterThan(5);
      expect(r.errors[0]?.message).toMatch(/not JSON.*truncated/);
    }
  });

  it('an API file of the wrong shape is NP903 at the field, with its line', () => {
    const api = seedApi();
    const ports = api.get(`api/${API_FILES.ports}`) as { ports: Record<string, unknown>[] };
    (ports.ports[3] as Record<string, unknown>).fixed_ips = '192.168.1.11';
    const dir = cloud(serialise(api));
    const r = readApi(dir);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0]).toMatchObject({ code: 'NP903', file: 'api/ports.json', path: 'ports[3].fixed_ips' });
      const line = readFileSync(join(dir, 'api/ports.json'), 'utf8').split('\n')[(r.errors[0]?.position?.line ?? 0) - 1];
      expect(line).toContain('"fixed_ips": "192.168.1.11"');
    }
  });

  it('a body that is not the list response is NP903', () => {
    const files = serialise(seedApi());
    files.set(`api/${API_FILES.networks}`, '{"network": {}}\n');
    const r = readApi(cloud(files));
    expect(!r.ok && r.errors[0]).toMatchObject({ code: 'NP903', message: expect.stringContaining('"networks" list') });
  });

  it('a view taken without admin credentials (no bindings) is NP905', () => {
    const api = seedApi();
    const ports = api.get(`api/${API_FILES.ports}`) as { ports: Record<string, unknown>[] };
    for (const p of ports.ports) delete p['binding:host_id'];
    const r = readApi(cloud(serialise(api)));
    expect(!r.ok && r.errors[0]?.code).toBe('NP905');
  });

  it('through the CLI: one line per error, exit 2, nothing verified', async () => {
    const files = serialise(seedApi());
    files.set(`api/${API_FILES.subnets}`, '');
    const r = await runCli('verify', cloud(files));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/subnets\.json: NP903 .*empty/)]);
  });
});

describe('what the topology format cannot say is left out, with the verdicts it touches', () => {
  const withRouter = (edit: (r: Record<string, unknown>) => void, extra?: (api: Map<string, unknown>) => void) => {
    const topo = shippedTopology('seed');
    const api = apiOf(topo);
    const routers = api.get(`api/${API_FILES.routers}`) as { routers: Record<string, unknown>[] };
    edit(routers.routers[0] as Record<string, unknown>);
    extra?.(api);
    return loadCloudTopology(cloud(serialise(api)));
  };

  it('a DVR router', () => {
    const { topology, notes } = withRouter((r) => (r.distributed = true));
    expect(topology.routers).toEqual([]);
    const n = notes.find((x) => /DVR/.test(x.message));
    expect(n?.file).toBe('api/routers.json');
    expect(n?.taints).toEqual(expect.arrayContaining(['router:router1', 'network:net1', 'network:net2', 'network:public', 'fip:203.0.113.101', 'port:vm1:0', 'project:demo', 'host:network1']));
    // The floating IP it served goes with it, said too.
    expect(notes.some((x) => /floating IP 203\.0\.113\.101/.test(x.message) || x.taints.includes('fip:203.0.113.101'))).toBe(true);
  });

  it('a router the loader refuses (scheduled to a host that cannot hold it) is left out with the loader\'s reason, and the rest loaded', () => {
    const topo = shippedTopology('seed');
    const router = topo.routers[0] as Topology['routers'][number];
    const { topology, notes } = withRouter(() => undefined, (api) => {
      const l3 = api.get(`api/l3-agents/${router.id}.json`) as { agents: Record<string, unknown>[] };
      l3.agents[0] = { ...(l3.agents[0] as Record<string, unknown>), host: 'compute1' };
    });
    expect(topology.routers).toEqual([]);
    expect(topology.vms.length).toBe(4);
    // The L3 agent of compute1 would hold the gateway on a physical network compute1 does not map (NP402).
    const n = notes.find((x) => /^router router1: NP402 network not mapped in bridge_mappings/.test(x.message));
    expect(n).toMatchObject({ file: 'api/routers.json', taints: expect.arrayContaining(['router:router1', 'network:net1']) });
  });

  it('an L3 HA router: its hosts and the states its L3 agents report', () => {
    const topo = shippedTopology('ha');
    const { topology, notes } = loadCloudTopology(cloud(topologyToApi(topo)));
    for (const r of topo.routers.filter((x) => x.ha !== null)) {
      const got = topology.routers.find((x) => x.name === r.name);
      expect(got?.hosts).toEqual(r.hosts);
      expect(got?.ha?.master).toBe(r.ha?.master);
      expect(got?.ha?.observed).toEqual(Object.fromEntries(r.hosts.map((h) => [h, h === r.ha?.master ? 'active' : 'standby'])));
    }
    // The HA network and ha- ports are the topology's own derivation, said in a note that touches no verdict.
    expect(notes.filter((n) => /L3 HA router/.test(n.message)).every((n) => n.taints.length === 0)).toBe(true);
  });

  it('a port of a kind netproof does not model (a load balancer VIP) taints its network', () => {
    const topo = shippedTopology('seed');
    const api = apiOf(topo);
    const ports = api.get(`api/${API_FILES.ports}`) as { ports: Record<string, unknown>[] };
    const vip = { ...(ports.ports.find((p) => p.device_owner === 'compute:nova') as Record<string, unknown>) };
    Object.assign(vip, { id: '7d1d7c44-8c3a-4e59-9f5e-4b8f0d7b2a01', device_owner: 'Octavia', mac_address: 'fa:16:3e:00:00:99', fixed_ips: [{ subnet_id: topo.networks[1]?.subnets[0]?.id, ip_address: '192.168.1.99' }] });
    ports.ports.push(vip);
    const { notes } = loadCloudTopology(cloud(serialise(api)));
    expect(notes).toEqual([expect.objectContaining({ file: 'api/ports.json', taints: ['network:net1'], message: expect.stringContaining('Octavia') })]);
  });

  it('IPv6 subnets are left out without touching any verdict', () => {
    const topo = shippedTopology('seed');
    const api = apiOf(topo);
    const subnets = api.get(`api/${API_FILES.subnets}`) as { subnets: Record<string, unknown>[] };
    subnets.subnets.push({ ...(subnets.subnets[1] as Record<string, unknown>), id: '5b0f7a1c-2b7e-4f1a-9c3d-0e7b8a6f4d21', name: 'v6', ip_version: 6, cidr: 'fd00:1::/64', gateway_ip: 'fd00:1::1' });
    const { topology, notes } = loadCloudTopology(cloud(serialise(api)));
    expect(topology.networks.flatMap((n) => n.subnets.map((s) => s.name))).not.toContain('v6');
    expect(notes).toEqual([expect.objectContaining({ code: 'cloud/ipv6', taints: [] })]);
  });
});

describe('topology fields the API view writes out', () => {
  const base = (extra: string) => `
hosts:
  c1: { role: compute, tunnel_ip: 10.0.0.1 }
  n1: { role: network, tunnel_ip: 10.0.0.2 }
  n2: { role: network, tunnel_ip: 10.0.0.3 }
networks:
  net1:
    type: vxlan
    dhcp_hosts: [n2]
    subnets:
      s1: { cidr: 10.1.0.0/24, dhcp_ports: { n2: { id: 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f, ip: 10.1.0.5, mac: "fa:16:3e:11:22:33" } } }
routers:
  r1: { hosts: [n1], interfaces: [{ subnet: s1, ip: 10.1.0.1, id: 0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d, mac: "fa:16:3e:44:55:66" }] }
vms:
  v1: { project: p, host: c1, ports: [{ network: net1 }] }
${extra}`;
  const load = (text: string) => {
    const dir = cloud(new Map([['t.yaml', text]]));
    return loadTopologyFile(join(dir, 't.yaml'));
  };

  it('dhcp_ports and a router interface\'s id and MAC are used as written', () => {
    const r = load(base(''));
    if (!r.ok) throw new Error(r.errors.map(formatInputError).join('\n'));
    expect(r.value.dhcpHosts).toEqual({ net1: ['n2'] });
    const dhcp = r.value.ports.find((p) => p.deviceOwner === 'network:dhcp');
    expect(dhcp).toMatchObject({ id: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f', ip: '10.1.0.5', mac: 'fa:16:3e:11:22:33', host: 'n2' });
    expect(r.value.routers[0]?.interfaces[0]?.port).toMatchObject({ id: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d', mac: 'fa:16:3e:44:55:66' });
    // The VM gets the lowest address not written: .2 (the gateway .1 and the DHCP port's .5 are taken).
    expect(r.value.vms[0]?.ports[0]?.ip).toBe('10.1.0.2');
  });

  it('bad values are coded errors at the field', () => {
    const bad = base('').replace('dhcp_ports: { n2:', 'dhcp_ports: { n1:').replace('ip: 10.1.0.5', 'ip: 10.2.0.5').replace('"fa:16:3e:44:55:66"', 'nope');
    const r = load(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => `${e.code} ${e.path}`)).toEqual([
        'NP201 networks.net1.subnets.s1.dhcp_ports.n1',
        'NP301 networks.net1.subnets.s1.dhcp_ports.n1.ip',
        'NP309 routers.r1.interfaces[0].mac',
      ]);
    }
    const dup = load(base('').replace('ip: 10.1.0.5', 'ip: 10.1.0.1'));
    expect(!dup.ok && dup.errors.map((e) => `${e.code} ${e.path}`)).toEqual(['NP302 networks.net1.subnets.s1.dhcp_ports.n2.ip']);
  });
});

