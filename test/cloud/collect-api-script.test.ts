// `netproof collect-api-script` run for real under dash, against a fake `openstack` on PATH (which
// records every invocation and answers as the CLI does) and a fake Neutron (an HTTP server on
// 127.0.0.1 serving the neutron-lib API reference samples, which checks the token). Checks that every
// file of api/ is the served body byte for byte, that every `openstack` command line is one the
// OpenStack CLI documents, and that a paginated answer is refused instead of saved as if complete. The fake
// Neutron has the port-ranges extension: each floating IP without a port has its port forwardings saved.
import { createServer, type Server } from 'node:http';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectApiScript } from '../../src/cloud/collect-api-script.ts';
import { API_DIRS, API_FILES } from '../../src/cloud/layout.ts';
import { run } from '../oracle/exec.ts';
import { describeOracle } from '../oracle/prereq.ts';
import { readSample } from '../fixtures/samples.ts';

const TOKEN = 'gAAAAABfake-token';
const sample = (name: string) => readSample(`api/neutronlib_${name}.json`);
/** GET /v2.0/floatingips/<id>/port_forwardings: neutron-lib's api-ref sample (port-fowarding-list-response.json). */
const PF_LIST = `${JSON.stringify({ port_forwardings: [
  { protocol: 'tcp', internal_ip_address: '10.0.0.24', internal_port: 25, internal_port_id: '070ef0b2-0175-4299-be5c-01fea8cca522', external_port: 2229, description: 'Some description', id: '1798dc82-c0ed-4b79-b12d-4c3c18f90eb2' },
  { protocol: 'tcp', internal_ip_address: '10.0.0.12', internal_port_range: '80:90', internal_port_id: '2057ec54-8be2-11eb-8dcd-0242ac130003', external_port_range: '8080:8090', description: 'using port ranges', id: '0f23a90a-8be2-11eb-8dcd-0242ac130003' },
] }, null, 2)}\n`;
const ids = (body: string, key: string) => (JSON.parse(body)[key] as { id: string }[]).map((o) => o.id.trim());

/**
 * The options each `openstack` subcommand documents (python-openstackclient: identity/v3/token.py
 * IssueToken, identity/v3/endpoint.py ListEndpoint, network/v2/router.py ListRouter, network/v2/network.py
 * ListNetwork, compute/v2/server.py ListServer, identity/v3/project.py ListProject; the formatter options
 * -f/-c come from cliff). An option taking a value is followed by `=value`.
 */
const DOCUMENTED: Readonly<Record<string, { readonly flags: readonly string[]; readonly valued: readonly string[] }>> = {
  'token issue': { flags: [], valued: ['-f', '-c'] },
  'endpoint list': { flags: [], valued: ['--service', '--interface', '--region', '-f', '-c'] },
  'router list': { flags: ['--long'], valued: ['-f', '-c', '--project'] },
  'network list': { flags: ['--long', '--external', '--internal'], valued: ['-f', '-c', '--project'] },
  'server list': { flags: ['--all-projects', '--long'], valued: ['-f', '-c', '--limit'] },
  'project list': { flags: ['--long'], valued: ['-f', '-c', '--domain'] },
  // network/v2/floating_ip.py ListFloatingIP.
  'floating ip list': { flags: ['--long'], valued: ['-f', '-c', '--network', '--port', '--router', '--project'] },
};

/** The subcommand's words: three for `floating ip …`, else two. */
const subcommand = (argv: readonly string[]): number => (argv[0] === 'floating' ? 3 : 2);

function undocumented(argv: readonly string[]): string | null {
  const cmd = argv.slice(0, subcommand(argv)).join(' ');
  const doc = DOCUMENTED[cmd];
  if (!doc) return `unknown subcommand "${cmd}"`;
  for (let i = subcommand(argv); i < argv.length; i++) {
    const a = argv[i] as string;
    if (doc.flags.includes(a)) continue;
    if (doc.valued.includes(a) && i + 1 < argv.length) {
      i++;
      continue;
    }
    return `"${a}" is not a documented option of openstack ${cmd}`;
  }
  return null;
}

interface Fake {
  readonly dir: string;
  readonly server: Server;
  readonly requests: { path: string; token: string | undefined }[];
  readonly bodies: Map<string, string>;
}

async function startFakeNeutron(paginateNetworks: boolean): Promise<Fake> {
  const dir = mkdtempSync(join(tmpdir(), 'npapi-'));
  const routers = sample('routers_routers-list-response');
  const networks = sample('networks_networks-list-response');
  const bodies = new Map<string, string>([
    ['/v2.0/networks', paginateNetworks ? JSON.stringify({ ...JSON.parse(networks), networks_links: [{ href: 'http://x/v2.0/networks?marker=a', rel: 'next' }] }, null, 4) : networks],
    ['/v2.0/subnets', sample('subnets_subnets-list-response')],
    ['/v2.0/ports', sample('ports_ports-bind-list-response')],
    ['/v2.0/routers', routers],
    ['/v2.0/floatingips', sample('floatingips_floating-ips-list-response')],
    ['/v2.0/security-groups', sample('security-groups_security-groups-list-response')],
    ['/v2.0/agents', sample('agents_agents-list-response')],
  ]);
  for (const r of ids(routers, 'routers')) bodies.set(`/v2.0/routers/${r}/l3-agents`, sample('agents_router-l3-agent-list-response'));
  for (const n of ids(networks, 'networks')) bodies.set(`/v2.0/networks/${n}/dhcp-agents`, sample('agents_network-dhcp-agent-list-response'));
  // The floating IPs without a port: their forwardings (the neutron-lib api-ref's list sample, a range among them).
  const fips = JSON.parse(sample('floatingips_floating-ips-list-response')).floatingips as { id: string; port_id: string | null }[];
  for (const f of fips.filter((x) => x.port_id === null)) bodies.set(`/v2.0/floatingips/${f.id}/port_forwardings`, PF_LIST);
  // Asked to know whether Neutron has the port-ranges extension: answered, not saved.
  const extensions = new Map([['/v2.0/extensions/floating-ip-port-forwarding-port-ranges', JSON.stringify({ extension: { alias: 'floating-ip-port-forwarding-port-ranges', name: 'Floating IP Port Forwarding support port ranges' } })]]);
  const requests: Fake['requests'] = [];
  const server = createServer((req, res) => {
    const token = req.headers['x-auth-token'] as string | undefined;
    requests.push({ path: req.url ?? '', token });
    const body = bodies.get(req.url ?? '') ?? extensions.get(req.url ?? '');
    if (req.method !== 'GET') res.writeHead(405).end();
    else if (token !== TOKEN) res.writeHead(401).end('{"error": "unauthorized"}');
    else if (body === undefined) res.writeHead(404).end('{"NeutronError": "not found"}');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;

  // The fake CLI: records argv (one line, fields separated by tabs) and answers as the real one does.
  mkdirSync(join(dir, 'bin'));
  const servers = JSON.stringify([{ ID: '8e3941b4-a6e9-499f-a1ac-2a4662025cba', Name: 'web-1', Status: 'ACTIVE', Networks: {}, Image: 'cirros', Flavor: 'm1.tiny' }]);
  const projects = JSON.stringify([{ ID: '4969c491a3c74ee4af974e6d800c62de', Name: 'demo' }]);
  writeFileSync(join(dir, 'bin', 'openstack'), `#!/bin/sh
(for a in "$@"; do printf '%s\\t' "$a"; done; printf '\\n') >> ${dir}/openstack.log
case "$*" in
  "token issue -f value -c id") echo ${TOKEN} ;;
  "endpoint list --service network --interface public -f value -c URL") echo http://127.0.0.1:${port}/ ;;
  "router list -f value -c ID") printf '%s\\n' ${ids(routers, 'routers').join(' ')} ;;
  "network list -f value -c ID") printf '%s\\n' ${ids(networks, 'networks').join(' ')} ;;
  "floating ip list -f value -c ID -c Port") printf '%s\\n' ${fips.map((f) => `'${f.id} ${f.port_id ?? 'None'}'`).join(' ')} ;;
  "server list --all-projects -f json") echo '${servers}' ;;
  "project list -f json") echo '${projects}' ;;
  *) echo "openstack: '$*' is not an openstack command" >&2; exit 2 ;;
esac
`);
  chmodSync(join(dir, 'bin', 'openstack'), 0o755);
  writeFileSync(join(dir, 'collect-api.sh'), collectApiScript());
  return { dir, server, requests, bodies };
}

async function runScript(f: Fake) {
  // `env` sets PATH for the script itself (the run helper rebuilds PATH from this process's).
  return run('env', ['-u', 'OS_INTERFACE', '-u', 'OS_REGION_NAME', '-u', 'NEUTRON_URL', '-u', 'OS_CACERT', `PATH=${join(f.dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    'dash', join(f.dir, 'collect-api.sh'), join(f.dir, 'api')], { timeoutMs: 30_000 });
}

const invocations = (f: Fake) => readFileSync(join(f.dir, 'openstack.log'), 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/\t$/, '').split('\t'));

describeOracle('collect-api-script against a fake openstack CLI and a fake Neutron', ['dash', 'curl'], () => {
  let fake: Fake;
  let result: Awaited<ReturnType<typeof runScript>>;
  beforeAll(async () => {
    fake = await startFakeNeutron(false);
    result = await runScript(fake);
  });
  afterAll(() => {
    fake.server.close();
    rmSync(fake.dir, { recursive: true, force: true });
  });

  it('exits 0 and saves every Neutron response body unchanged under its layout name', () => {
    expect(result.code, result.stderr).toBe(0);
    const api = join(fake.dir, 'api');
    const want: [string, string][] = [
      [API_FILES.networks, '/v2.0/networks'], [API_FILES.subnets, '/v2.0/subnets'], [API_FILES.ports, '/v2.0/ports'],
      [API_FILES.routers, '/v2.0/routers'], [API_FILES.floatingips, '/v2.0/floatingips'],
      [API_FILES.securityGroups, '/v2.0/security-groups'], [API_FILES.agents, '/v2.0/agents'],
    ];
    for (const [path, body] of fake.bodies) {
      const m = /^\/v2\.0\/(routers|networks)\/([^/]+)\/(l3|dhcp)-agents$/.exec(path);
      if (m) want.push([`${m[3] === 'l3' ? API_DIRS.l3Agents : API_DIRS.dhcpAgents}/${m[2]}.json`, path]);
      const f = /^\/v2\.0\/floatingips\/([^/]+)\/port_forwardings$/.exec(path);
      if (f) want.push([`${API_DIRS.portForwardings}/${f[1]}.json`, path]);
      void body;
    }
    expect(want.length).toBe(7 + 2 + 2 + 2);
    for (const [file, path] of want) expect(readFileSync(join(api, file), 'utf8'), file).toBe(fake.bodies.get(path));
    expect(JSON.parse(readFileSync(join(api, API_FILES.servers), 'utf8'))[0].Name).toBe('web-1');
    expect(JSON.parse(readFileSync(join(api, API_FILES.projects), 'utf8'))[0].Name).toBe('demo');
  });

  it('sends the token from `openstack token issue` with every request, and only GETs', () => {
    // Every body once, and the extension asked about once.
    expect(fake.requests.length).toBe(fake.bodies.size + 1);
    expect(fake.requests.every((r) => r.token === TOKEN)).toBe(true);
  });

  it('runs only documented openstack command lines', () => {
    const calls = invocations(fake);
    expect(calls.map((c) => c.slice(0, subcommand(c)).join(' '))).toEqual(['token issue', 'endpoint list', 'router list', 'network list', 'floating ip list', 'server list', 'project list']);
    for (const c of calls) expect(undocumented(c), c.join(' ')).toBeNull();
  });

  it('logs every file it wrote', () => {
    const log = readFileSync(join(fake.dir, 'api', API_FILES.log), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(log.length).toBe(fake.bodies.size + 2);
    expect(log.every((l) => l.split('\t')[1] === '0')).toBe(true);
  });
});

describeOracle('collect-api-script when Neutron paginates', ['dash', 'curl'], () => {
  it('refuses to save a first page, says why and exits non-zero', async () => {
    const fake = await startFakeNeutron(true);
    try {
      const r = await runScript(fake);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('pagination_max_limit');
      expect(existsSync(join(fake.dir, 'api', API_FILES.networks))).toBe(false);
      expect(existsSync(join(fake.dir, 'api', API_FILES.subnets))).toBe(true);
    } finally {
      fake.server.close();
      rmSync(fake.dir, { recursive: true, force: true });
    }
  });
});

describe('the documented-options check', () => {
  it('refuses what the CLI does not document', () => {
    expect(undocumented(['server', 'list', '--all-tenants'])).not.toBeNull();
    expect(undocumented(['network', 'show', 'x'])).not.toBeNull();
    expect(undocumented(['server', 'list', '--all-projects', '-f', 'json'])).toBeNull();
  });
});
