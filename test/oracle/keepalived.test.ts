// L3 HA against real keepalived: the keepalived.conf netproof renders for each instance of an HA router
// of topologies/ha.yaml runs in a namespace of its own, the ha- ports joined by a bridge.
// - Exactly one instance becomes master (the model allows either), and both namespaces then hold exactly
//   the addresses and routes the model gives them with that master (from the parsed keepalived.conf).
// - Stopping the master moves exactly those addresses and routes to the other, as the model says when
//   the master's host is down.
// - Cutting the HA network between them (the bridge port detached, the ha- device keeping its carrier)
//   makes both master, both holding the router's addresses: the model's split brain.
// - Two routers with one VRID on one HA network: keepalived elects one master among their four
//   instances, as the model's single group of four says.
// The rendered advert_int is 2 s (Neutron's default); the test runs keepalived with advert_int 1 so that
// an election (3 advertisement intervals and a skew) takes under 4 s rather than 7, and says so here.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { modelFromTopology } from '../../src/pipeline.ts';
import type { Dataplane, NsInterface, Route } from '../../src/ir/dataplane.ts';
import { withVrrpState } from '../../src/dataplane/vrrp-state.ts';
import { ScenarioContext } from '../../src/scenario/context.ts';
import { deviceName } from '../../src/render/names.ts';
import { renderTopology } from '../../src/render/index.ts';
import { loadTopologyFile } from '../../src/topology/index.ts';
import type { RouterT, Topology } from '../../src/topology/model.ts';
import { describeOracle } from './prereq.ts';
import { KeepalivedBench, type InstanceSpec } from './keepalived-harness.ts';

const loaded = loadTopologyFile('topologies/ha.yaml');
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const topo: Topology = loaded.value;
const { dataplane } = modelFromTopology(topo);
const artifacts = renderTopology(topo);
const ELECTION_MS = 15_000;

const router = (name: string): RouterT => topo.routers.find((r) => r.name === name)!;

/** The instance of `r` on `host` as the harness builds it, with its rendered keepalived.conf (advert_int 1). */
function instanceOf(r: RouterT, host: string, rewrite: (conf: string) => string = (c) => c): InstanceSpec {
  const ns = deviceName.qrouter(r.id);
  const conf = artifacts.find((a) => a.path === `${host}/${ns}.keepalived.conf`)!.text.replace(/advert_int \d+/, 'advert_int 1');
  const port = r.ha!.ports.find((p) => p.host === host)!;
  const ports = [...r.interfaces.map((i) => i.port), ...(r.gateway ? [r.gateway.port] : [])];
  return {
    label: `${r.name}@${host}`,
    haDev: deviceName.ha(port.id),
    haMac: port.mac,
    haCidr: `${port.ip}/18`,
    devices: ports.map((p) => ({ name: p.deviceOwner === 'network:router_gateway' ? deviceName.qg(p.id) : deviceName.qr(p.id), mac: p.mac })),
    conf: rewrite(conf),
  };
}

/** What a packet can see of a namespace: each interface's IPv4 addresses, and the routes. */
function seen(ifaces: readonly NsInterface[], routes: readonly Route[]) {
  return {
    addresses: ifaces.filter((i) => i.name !== 'lo').map((i) => `${i.name} ${i.addresses.map((a) => `${a.ip}/${a.prefixLen}`).sort().join(' ')}`).sort(),
    routes: routes.map((r) => `${r.dst.ip}/${r.dst.prefixLen} via ${r.via ?? '-'} dev ${r.dev}`).sort(),
  };
}

/** The model's state of `r`'s namespace on `host` when the instances on `masters` are the masters. */
function modelled(dp: Dataplane, r: RouterT, host: string, masters: readonly string[]) {
  const ns = deviceName.qrouter(r.id);
  const state = withVrrpState(dp, (s) => s.namespace === ns && masters.includes(s.host));
  const n = state.hosts.find((h) => h.name === host)!.namespaces.find((x) => x.name === ns)!;
  return seen(n.interfaces, n.routes);
}

describeOracle('L3 HA: rendered keepalived.conf under real keepalived', ['keepalived', 'ip'], () => {
  const edge = router('edge');
  const bench = new KeepalivedBench();
  const label = (h: string) => `edge@${h}`;
  const hostOf = (l: string) => l.split('@')[1]!;
  const primary = `169.254.0.${edge.ha!.vrid}`;

  beforeAll(async () => {
    await bench.setup(['network1', 'network2'].map((h) => instanceOf(edge, h)));
    for (const h of ['network1', 'network2']) bench.start(label(h));
  }, 60_000);
  afterAll(async () => { await bench.teardown(); }, 60_000);

  const actual = async (h: string) => seen(await bench.interfaces(label(h)), await bench.routes(label(h)));

  let master = '';
  it('elects exactly one master, one the model allows, and both namespaces hold what the model says', async () => {
    const holders = await bench.settle(primary, (x) => x.length === 1, ELECTION_MS);
    expect(holders, bench.log(label('network1')) + bench.log(label('network2'))).toHaveLength(1);
    master = hostOf(holders[0]!);
    const ctx = new ScenarioContext(topo, dataplane, { failures: { down: [], cuts: [] }, pins: new Map() });
    const allowed = ctx.groups.filter((g) => g.vrid === edge.ha!.vrid).flatMap((g) => g.stable.map((s) => s.map((k) => k.split('/')[0]).join(',')));
    expect(allowed).toContain(master);
    for (const h of ['network1', 'network2']) expect(await actual(h), h).toEqual(modelled(dataplane, edge, h, [master]));
  }, 30_000);

  it('stopping the master moves exactly the addresses and routes the model says to the other', async () => {
    const other = master === 'network1' ? 'network2' : 'network1';
    await bench.stop(label(master));
    const holders = await bench.settle(primary, (x) => x.length === 1 && x[0] === label(other), ELECTION_MS);
    expect(holders).toEqual([label(other)]);
    const ctx = new ScenarioContext(topo, dataplane, { failures: { down: [master], cuts: [] }, pins: new Map() });
    expect(ctx.groups.find((g) => g.vrid === edge.ha!.vrid)?.stable.map((s) => s.map((k) => k.split('/')[0]))).toEqual([[other]]);
    expect(await actual(other)).toEqual(modelled(dataplane, edge, other, [other]));
    expect(await actual(master)).toEqual(modelled(dataplane, edge, master, [other]));
    master = other;
  }, 30_000);

  it('cutting the HA network makes both master, each holding the router\'s addresses: split brain, as the model says', async () => {
    const other = master === 'network1' ? 'network2' : 'network1';
    bench.start(label(other)); // back as a backup (nopreempt): the master stays
    await new Promise((r) => setTimeout(r, 2500));
    expect(await bench.holders(primary)).toEqual([label(master)]);
    await bench.partition(label(other));
    const holders = await bench.settle(primary, (x) => x.length === 2, ELECTION_MS);
    expect(holders.sort()).toEqual([label('network1'), label('network2')]);
    const ctx = new ScenarioContext(topo, dataplane, { failures: { down: [], cuts: [['network1', 'network2']] }, pins: new Map() });
    const states = ctx.groups.filter((g) => g.vrid === edge.ha!.vrid).map((g) => g.stable.map((s) => s.map((k) => k.split('/')[0])));
    expect(states).toEqual([[['network1']], [['network2']]]);
    for (const h of ['network1', 'network2']) expect(await actual(h), h).toEqual(modelled(dataplane, edge, h, ['network1', 'network2']));
  }, 30_000);
});

describeOracle('L3 HA: two routers with one VRID are one VRRP group to real keepalived', ['keepalived', 'ip'], () => {
  const bench = new KeepalivedBench();
  const edge = router('edge');
  const backend = router('backend');
  const vrid = edge.ha!.vrid;
  const sameVrid = (c: string) => c.replace(/VR_\d+/, `VR_${vrid}`).replace(/virtual_router_id \d+/, `virtual_router_id ${vrid}`).replace(/169\.254\.0\.\d+\/24/, `169.254.0.${vrid}/24`);

  beforeAll(async () => {
    await bench.setup([
      instanceOf(edge, 'network1'), instanceOf(edge, 'network2'),
      instanceOf(backend, 'network1', sameVrid), instanceOf(backend, 'network2', sameVrid),
    ]);
    for (const l of bench.labels) bench.start(l);
  }, 60_000);
  afterAll(async () => { await bench.teardown(); }, 60_000);

  it('elects one master among the four instances, so one router has none — as the model\'s single group of four says', async () => {
    const holders = await bench.settle(`169.254.0.${vrid}`, (x) => x.length === 1, ELECTION_MS);
    expect(holders).toHaveLength(1);
    // Two more advertisement intervals: still one.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await bench.holders(`169.254.0.${vrid}`)).toEqual(holders);
    const won = holders[0]!.split('@')[0];
    const lost = won === 'edge' ? backend : edge;
    const gw = lost.interfaces[0]!.port.ip;
    expect(await bench.holders(gw)).toEqual([]);
    // The model: the same clash injected into the rendered keepalived.conf makes one group of four.
    const { injected, withVrid } = await import('../ha/inject.ts');
    const ctx = new ScenarioContext(topo, injected(topo, withVrid(topo, 'backend', vrid)), { failures: { down: [], cuts: [] }, pins: new Map() });
    expect(ctx.groups).toHaveLength(1);
    expect(ctx.groups[0]!.stable.every((s) => s.length === 1)).toBe(true);
    expect(ctx.groups[0]!.stable).toHaveLength(4);
  }, 30_000);
});
