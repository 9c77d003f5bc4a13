// `ha-config` (per instance of an HA router, subject `router:R@HOST`): the keepalived configuration
// the instance runs (as parsed from its keepalived.conf) holds exactly the router's addresses — each
// qr- device's subnet gateway address, the qg- address, every floating IP the router serves as /32,
// and the primary VIP 169.254.0.<vrid>/24 on its ha- device — and exactly its routes (the default route
// via the external subnet's gateway, the extra routes), on the devices they belong on, with the
// router's VRID on its own ha- device, which holds an address of its own to advertise from. Anything
// missing or extra means a failover to this instance brings up the wrong addresses. The expectation
// comes from the topology (what Neutron intends), the configuration from the artifact: a collected
// keepalived.conf is held to the API's intent. A missing address comes with a witness: the packet that
// fails once this instance is master, and its trace.
import type { Dataplane } from '../../ir/dataplane.ts';
import type { VrrpInstance } from '../../ir/vrrp.ts';
import type { Packet } from '../../ir/packet.ts';
import type { RouterT, Topology } from '../../topology/model.ts';
import type { ScenarioContext, HaRouterView } from '../../scenario/context.ts';
import { siteKey, withVrrpState } from '../../dataplane/vrrp-state.ts';
import { createEvaluator } from '../../evaluate/index.ts';
import { deviceName } from '../../render/names.ts';
import { routerFloatingIps } from '../../render/linux/ha-vips.ts';
import { traceBetween } from '../trace.ts';
import type { PropertyResult } from '../property.ts';
import { holds, outsideFor } from './common.ts';
import { advertisementOf } from '../../scenario/hearing.ts';

const ID = 'ha-config';

interface Expected {
  readonly addresses: ReadonlyMap<string, string>; // `ip/len dev` → why it belongs
  readonly routes: ReadonlyMap<string, string>; // `dst via nexthop` → why
}

function subnetOf(topo: Topology, name: string) {
  for (const n of topo.networks) for (const s of n.subnets) if (s.name === name) return s;
  return undefined;
}

function expected(topo: Topology, router: RouterT, haDev: string): Expected {
  const addresses = new Map<string, string>();
  const vrid = router.ha?.vrid ?? 0;
  addresses.set(`169.254.0.${vrid}/24 dev ${haDev}`, `the primary VIP of VRID ${vrid}`);
  for (const i of router.interfaces) {
    const s = subnetOf(topo, i.subnet);
    addresses.set(`${i.port.ip}/${s?.prefixLen ?? 32} dev ${deviceName.qr(i.port.id)}`, `the gateway address of ${i.subnet}`);
  }
  const routes = new Map<string, string>();
  if (router.gateway) {
    const g = router.gateway;
    const s = subnetOf(topo, g.subnet);
    const qg = deviceName.qg(g.port.id);
    addresses.set(`${g.port.ip}/${s?.prefixLen ?? 32} dev ${qg}`, 'the external (SNAT) address');
    for (const f of routerFloatingIps(topo, router)) addresses.set(`${f.ip}/32 dev ${qg}`, `floating IP ${f.ip} of ${f.vm}:${f.portIndex}`);
    if (s?.gateway) routes.set(`0.0.0.0/0 via ${s.gateway}`, 'the default route');
  }
  for (const r of router.routes) routes.set(`${r.destination} via ${r.nexthop}`, `the extra route to ${r.destination}`);
  return { addresses, routes };
}

function actual(v: VrrpInstance): { addresses: Set<string>; routes: Set<string> } {
  return {
    addresses: new Set([...v.vips, ...v.excludedVips].map((a) => `${a.ip}/${a.prefixLen} dev ${a.dev}`)),
    routes: new Set(v.routes.map((r) => `${r.dst.ip}/${r.dst.prefixLen} via ${r.via ?? '-'}`)),
  };
}

/** A packet that needs `address` and fails without it, from a sender that would use it. */
function witnessFor(ctx: ScenarioContext, router: RouterT, address: string): { from: Parameters<typeof traceBetween>[2]; dst: string } | null {
  const ip = address.split('/')[0] ?? '';
  const stations = ctx.dataplane.stations;
  const fip = ctx.topology.floatingIps.find((f) => f.ip === ip);
  const outside = outsideFor(stations, router.gateway?.network, ip);
  if (fip && outside) return { from: { kind: 'outside', station: outside, ip: '198.51.100.7' }, dst: ip };
  const itf = router.interfaces.find((i) => i.port.ip === ip);
  const vm = stations.find((s) => s.kind === 'vm-port' && (itf ? s.network === itf.network : router.interfaces.some((i) => i.network === s.network)));
  if (vm?.kind === 'vm-port') return { from: { kind: 'port', station: vm, ip: vm.ip }, dst: itf ? ip : '8.8.8.8' };
  return null;
}

function checkInstance(ctx: ScenarioContext, dp: Dataplane, r: HaRouterView, host: string): PropertyResult {
  const name = r.router.name;
  const subject = `router:${name}@${host}`;
  const ns = dp.hosts.find((h) => h.name === host)?.namespaces.find((n) => n.name === r.namespace);
  const haPort = r.router.ha?.ports.find((p) => p.host === host);
  const haDev = haPort ? deviceName.ha(haPort.id) : '?';
  const instances = ns?.vrrp ?? [];
  const fail = (message: string, extra: Partial<PropertyResult> = {}): PropertyResult => ({ property: ID, subject, verdict: 'violated', witness: null, trace: null, message, ...extra });
  if (!ns) return fail(`no namespace ${r.namespace} on ${host}: the instance is missing`);
  if (instances.length === 0) return fail(`${r.namespace} on ${host} has no keepalived configuration: this instance never becomes master`);
  if (instances.length > 1) return fail(`${r.namespace} on ${host} runs ${instances.length} VRRP instances (${instances.map((v) => v.name).join(', ')}); Neutron writes one`);
  const v = instances[0]!;
  const problems: string[] = [];
  if (v.interface !== haDev) problems.push(`it runs VRRP on ${v.interface}, not on the instance's ha- device ${haDev}`);
  // keepalived advertises from its interface's own address (the L3 agent's, on the HA network): without
  // one this instance is never heard — never master while another lives, and a master nobody hears.
  const unheard = v.interface === haDev && advertisementOf(dp, { host, namespace: r.namespace, instance: v }) === null
    ? `its ha- device ${haDev} has no address of its own to advertise from${haPort ? ` (the L3 agent gives it ${haPort.ip} on the HA network)` : ''}, so no other instance hears it`
    : null;
  if (v.vrid !== r.router.ha?.vrid) problems.push(`its VRID is ${v.vrid}, the router's is ${r.router.ha?.vrid ?? '?'}`);
  const want = expected(ctx.topology, r.router, haDev);
  const have = actual(v);
  const missing = [...want.addresses].filter(([a]) => !have.addresses.has(a));
  const extra = [...have.addresses].filter((a) => !want.addresses.has(a));
  const missingRoutes = [...want.routes].filter(([k]) => !have.routes.has(k));
  const extraRoutes = [...have.routes].filter((k) => !want.routes.has(k));
  if (missing.length > 0) problems.push(`missing ${missing.map(([a, why]) => `${a} (${why})`).join(', ')}`);
  if (extra.length > 0) problems.push(`extra ${extra.join(', ')}`);
  if (missingRoutes.length > 0) problems.push(`missing route ${missingRoutes.map(([k, why]) => `${k} (${why})`).join(', ')}`);
  if (extraRoutes.length > 0) problems.push(`extra route ${extraRoutes.join(', ')}`);
  if (problems.length === 0 && unheard !== null) return fail(`keepalived on ${host}: ${unheard} — while another instance lives this one never becomes master, and as master (the other down, then back: nopreempt) it is not heard, so both are`);
  if (unheard !== null) problems.push(unheard);
  if (problems.length === 0) {
    return holds(ID, subject, `keepalived on ${host} holds exactly ${name}'s ${want.addresses.size} addresses and ${want.routes.size} route${want.routes.size === 1 ? '' : 's'} (VRID ${v.vrid} on ${v.interface})`);
  }
  const message = `keepalived on ${host}: ${problems.join('; ')} — a failover to this instance brings up the wrong addresses`;
  // Show it: make this instance the master and send what needs the first missing address.
  const need = missing.map(([a]) => a).find((a) => !a.startsWith('169.254.0.'));
  const w = need ? witnessFor(ctx, r.router, need) : null;
  if (!w) return fail(message);
  const asMaster = withVrrpState(dp, (s) => (s.namespace === r.namespace ? s.host === host : ctx.vrrp.groups.some((g) => g.first.includes(siteKey(s)))));
  const ev = createEvaluator(asMaster);
  const trace = traceBetween(ctx.topology, ev, w.from, w.dst, { proto: 'icmp' });
  const packet: Packet = trace.packet;
  const claim = { says: 'does not get through', shownBy: (t: typeof trace) => t.disposition !== 'delivered' && t.disposition !== 'exited' };
  // The namespace may hold the address now without keepalived's configuration listing it (left from
  // an earlier configuration: keepalived removes only the addresses it manages): the packet gets
  // through, and the configuration is wrong all the same — the address is gone once the namespace is
  // made again (the node restarts). No trace shows that, so none is claimed.
  if (!claim.shownBy(trace)) return fail(`${message}; ${r.namespace} on ${host} holds ${need} now, outside keepalived's configuration, so it is lost when the namespace is made again (the node restarts)`);
  return fail(`${message}; with it master, ${w.from.kind === 'outside' ? w.from.ip : `${w.from.station.vm}:${w.from.station.index}`} → ${w.dst} ends ${trace.disposition}`, { witness: packet, trace, claim, masters: { [name]: [host] } });
}

/** Every instance of every HA router, on the scenario's dataplane (its failures applied). */
export function haConfig(ctx: ScenarioContext): PropertyResult[] {
  return ctx.haRouters.flatMap((r) => (r.router.ha?.ports ?? []).filter((p) => !(ctx.spec.failures.down.includes(p.host))).map((p) => checkInstance(ctx, ctx.dataplane, r, p.host)));
}
