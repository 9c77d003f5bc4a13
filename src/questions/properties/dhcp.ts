// `dhcp` (per network with a DHCP-enabled subnet, subject `network:N`): every VM port on a
// DHCP-enabled subnet reaches a DHCP server of its network with a request — broadcast (0.0.0.0 →
// 255.255.255.255) and unicast to the DHCP port's address (its MAC resolved by the port's ARP, as a
// renewing client's stack does), UDP 68 → 67 — and the reply (UDP 67 → 68, unicast to the port) comes
// back. With several DHCP agents on the network, each agent's server must do all three: a client
// takes the first offer and renews with the server that gave it, so a server a port cannot reach is a
// lease that fails when the other agent's host does (what `dhcp_agents_per_network` is there for).
// Under a failure scenario (hosts down, underlay cut) the question is whether DHCP survives it: one
// live server that does all three is enough. Concrete evaluator traces of these standard
// packets, per port. Ports on subnets without DHCP, and on networks not checked, are left out and
// counted (in the network's message, or an `n/a` result per network).
// The reply is traced as the DHCP namespace puts it on br-int: from a stand-in sender attached at the
// qdhcp tap port (the evaluator traces from stations only), so the path checked is the real one from
// br-int through the tunnels and the port's firewall to the VM.
import type { Dataplane, Link, Station } from '../../ir/dataplane.ts';
import { BROADCAST_MAC, ETH_TYPE, IP_PROTO, type Packet } from '../../ir/packet.ts';
import type { NetworkT, PortT } from '../../topology/model.ts';
import type { Trace } from '../../evaluate/trace.ts';
import { deviceName } from '../../render/names.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../property.ts';
import { traceOutcome } from '../witness-replay.ts';
import { byNetwork, holds, leftOut, notApplicable, portLabel, portOf, portCount, tick, unknown, vmStations, type VmStation, elsewhere, owned } from './common.ts';
import { copies } from './search.ts';
import { dhcpPortsOn } from '../../topology/lookup.ts';
import { inPrefix } from '../../net/ipv4.ts';
import { firstPacketOf } from '../trace.ts';
import { isEmptyFailure } from '../../scenario/failures.ts';

const ID = 'dhcp';

const udp = (eth: [string, string], ip: [string, string], sport: number, dport: number): Packet => ({
  eth_src: eth[0], eth_dst: eth[1], vlan: null, tun_id: null, eth_type: ETH_TYPE.ipv4, ip_src: ip[0], ip_dst: ip[1],
  proto: IP_PROTO.udp, sport, dport, icmp_type: null, icmp_code: null,
});

const internalLinks = new WeakMap<Dataplane, ReadonlyMap<string, Link>>();

/** The first internal link with an end on (host, device) — indexed once per dataplane, as ports ask per server. */
function internalLinkOf(dp: Dataplane, host: string, device: string): Link | undefined {
  let m = internalLinks.get(dp);
  if (!m) {
    const byEnd = new Map<string, Link>();
    for (const l of dp.links) {
      if (l.kind !== 'internal') continue;
      for (const x of [l.a, l.b]) {
        const k = `${x.host}\u0000${x.device}`;
        if (!byEnd.has(k)) byEnd.set(k, l);
      }
    }
    internalLinks.set(dp, (m = byEnd));
  }
  return m.get(`${host}\u0000${device}`);
}

/** The VM stations by network and by subnet, each list in station order; and each station's rank in it. */
interface StationIndex {
  readonly byNetwork: ReadonlyMap<string, readonly VmStation[]>;
  readonly bySubnet: ReadonlyMap<string, readonly VmStation[]>;
  readonly rank: ReadonlyMap<VmStation, number>;
}

function stationIndex(ctx: VerifyContext): StationIndex {
  const stations = vmStations(ctx);
  const bySubnet = new Map<string, VmStation[]>();
  const rank = new Map<VmStation, number>();
  stations.forEach((s, i) => {
    rank.set(s, i);
    const k = portOf(ctx.topology, s)?.subnet ?? '';
    const l = bySubnet.get(k);
    if (l) l.push(s);
    else bySubnet.set(k, [s]);
  });
  return { byNetwork: byNetwork(stations), bySubnet, rank };
}

/** The stations on any of `subnets`, in station order. */
function onSubnets(idx: StationIndex, subnets: ReadonlySet<string>): VmStation[] {
  const out = [...subnets].flatMap((n) => idx.bySubnet.get(n) ?? []);
  if (subnets.size > 1) out.sort((a, b) => (idx.rank.get(a) ?? 0) - (idx.rank.get(b) ?? 0));
  return out;
}

/** The DHCP server's reply as a sender plugged where its namespace meets br-int. */
function serverStation(ctx: VerifyContext, net: NetworkT, server: PortT): Station | null {
  const host = server.host;
  const ns = deviceName.qdhcp(net.id);
  const link = internalLinkOf(ctx.dataplane, host, ns);
  if (!link) return null;
  const onBridge = link.a.device === ns ? link.b : link.a;
  return {
    kind: 'vm-port', vm: `dhcp:${net.name}`, index: 0, host, project: net.project, network: net.name, portId: server.id,
    mac: server.mac, ip: server.ip, prefixLen: 32, gateway: null, attachment: onBridge,
  };
}

function checkNetwork(ctx: VerifyContext, idx: StationIndex, net: NetworkT): PropertyResult {
  const subject = `network:${net.name}`;
  const ns = deviceName.qdhcp(net.id);
  const dhcpSubnets = new Set(net.subnets.filter((s) => s.dhcp).map((s) => s.name));
  const servers = dhcpPortsOn(ctx.topology, net.name);
  const ports = onSubnets(idx, dhcpSubnets);
  const note = leftOut((idx.byNetwork.get(net.name)?.length ?? 0) - ports.length, 'on subnets without DHCP');
  if (servers.length === 0) return ports.length === 0 ? notApplicable(ID, subject, `no DHCP port and no VM port: nothing to serve${note}`) : unknown(ID, subject, `no DHCP port on ${net.name} in the topology`);
  const toServer = (host: string) => (t: Trace) =>
    copies(t).some((c) => c.disposition === 'delivered' && c.deliveredTo?.kind === 'namespace' && c.deliveredTo.namespace === ns && c.deliveredTo.host === host);
  const toPort = (s: VmStation) => (t: Trace) => copies(t).some((c) => c.disposition === 'delivered' && c.deliveredTo?.kind === 'vm' && c.deliveredTo.vm === s.vm && c.deliveredTo.port === s.index);
  // A failure seen only across something not modelled (a truncated capture's bridge) proves nothing.
  const fail = (s: VmStation, what: string, t: Trace, got: (t: Trace) => boolean): PropertyResult =>
    t.uncertain.length > 0 ? unknown(ID, subject, `${portLabel(s)}: ${what} fails across something not modelled: ${t.uncertain.join('; ')}`) : ({ property: ID, subject, verdict: 'violated', witness: t.packet, trace: t, message: `${portLabel(s)}: ${what} fails: ${traceOutcome(t)}`, claim: { says: `(${what}) does not get there`, shownBy: (x) => !got(x) } });
  const hosts = [...new Set(servers.map((p) => p.host))];
  const failing = ctx.dataplane.failures !== undefined && !isEmptyFailure(ctx.dataplane.failures);
  for (const s of ports) {
    const subnet = portOf(ctx.topology, s)?.subnet;
    // Each agent's server in turn: with no failure, the first that fails this port is the finding;
    // under a failure, the port is served when one does all three (else an unknown answer from some
    // server leaves it unknown, else the first failure is the finding).
    const outcomes: PropertyResult[] = [];
    for (const host of hosts) {
      const mine = servers.filter((p) => p.host === host);
      const server = mine.find((p) => p.subnet === subnet) ?? mine[0]!;
      const r = serve(ctx, net, s, server, toServer(host), toPort(s), fail);
      if (r === null && failing) break;
      if (r !== null && !failing) return r;
      if (r !== null) outcomes.push(r);
    }
    if (failing && outcomes.length === hosts.length) return outcomes.find((r) => r.verdict === 'unknown') ?? outcomes[0]!;
  }
  const where = hosts.length === 1 ? ns : failing ? `${ns} on one of ${hosts.join(', ')}` : `${ns} on each of ${hosts.join(', ')}`;
  if (ports.length === 0) return notApplicable(ID, subject, `no VM port on a DHCP-enabled subnet of ${net.name}: nothing to serve${note}`);
  return holds(ID, subject, `all ${ports.length} VM ports reach ${where} with broadcast and unicast requests and get the reply back${note}`);
}

/** The three exchanges between port `s` and one DHCP server: null when all work, else the failure (or unknown). */
function serve(
  ctx: VerifyContext,
  net: NetworkT,
  s: VmStation,
  server: PortT,
  toServer: (t: Trace) => boolean,
  toPort: (t: Trace) => boolean,
  fail: (s: VmStation, what: string, t: Trace, got: (t: Trace) => boolean) => PropertyResult,
): PropertyResult | null {
  const subject = `network:${net.name}`;
  // Every copy of the flood: a trace lists only the first few besides its main path (walk.ts
  // `maxBranches`), and on a network with many ports and routers the server's may not be among them.
  const bcast = ctx.evaluator.trace(s, udp([s.mac, BROADCAST_MAC], ['0.0.0.0', '255.255.255.255'], 68, 67), { everyCopy: true });
  if (!toServer(bcast)) return fail(s, `broadcast DHCP request (68 → 67) to the server on ${server.host}`, bcast, toServer);
  // A renewing client unicasts through its own stack, which ARPs for the server first (ISC dhclient's
  // fallback UDP socket, systemd-networkd alike): a port whose ARP the dataplane drops (br-int's ARP
  // anti-spoofing table without its address) renews nothing. A server off the port's subnet is sent to
  // as before, straight to its MAC.
  const first = inPrefix(server.ip, s.ip, s.prefixLen)
    ? firstPacketOf(ctx.topology, ctx.evaluator, { kind: 'port', station: s, ip: s.ip }, server.ip, { proto: 'udp', sport: 68, dport: 67 })
    : { packet: udp([s.mac, server.mac], [s.ip, server.ip], 68, 67) };
  const uni = 'stopped' in first ? first.stopped : ctx.evaluator.trace(s, first.packet, { everyCopy: true });
  if (!toServer(uni)) return fail(s, `unicast DHCP request to ${server.ip}`, uni, toServer);
  const from = serverStation(ctx, net, server);
  if (from === null) return unknown(ID, subject, `no br-int port of ${deviceName.qdhcp(net.id)} on ${server.host} to send the reply from`);
  const reply = ctx.evaluator.trace(from, udp([server.mac, s.mac], [server.ip, s.ip], 67, 68), { everyCopy: true });
  if (!toPort(reply)) return fail(s, `DHCP reply from ${server.ip} (67 → 68)`, reply, toPort);
  const unc = [bcast, uni, reply].flatMap((t) => t.uncertain);
  if (unc.length > 0) return unknown(ID, subject, `${portLabel(s)}: DHCP works only across unmodelled rules: ${unc.join('; ')}`);
  return null;
}

export const dhcp: PropertyCheck = {
  id: ID,
  description: 'every port on a DHCP-enabled subnet reaches its DHCP server (broadcast and unicast) and gets the reply back',
  // DHCP runs between VM ports and qdhcp namespaces; a router namespace only sees the broadcasts, the same on every instance.
  mastersIndependent: true,
  async check(ctx) {
    const checked = ctx.topology.networks.filter(served);
    const idx = stationIndex(ctx);
    const results = checked.map((n, i) => {
      tick(ctx, i, checked.length, 'networks');
      return owned(ctx, `network:${n.name}`) ? checkNetwork(ctx, idx, n) : elsewhere(ID, `network:${n.name}`);
    });
    return [...results, ...unserved(ctx, new Set(checked.map((n) => n.name)))];
  },
};

/** The networks checked: tenant and provider networks with DHCP on some subnet. */
const served = (n: NetworkT): boolean => n.subnets.some((s) => s.dhcp) && !n.external && !n.ha;

/** The VM ports on networks not checked, one `n/a` result per network saying how many and why. */
function unserved(ctx: VerifyContext, checked: ReadonlySet<string>): PropertyResult[] {
  const left = vmStations(ctx).filter((s) => !checked.has(s.network));
  return [...byNetwork(left)].map(([name, on]) => {
    const external = ctx.topology.networks.find((n) => n.name === name)?.external === true;
    const why = external ? 'an external network (DHCP is checked on tenant and provider networks)' : 'where DHCP is off on every subnet';
    return notApplicable(ID, `network:${name}`, `left out: ${portCount(on.length)} on ${name}, ${why}`);
  });
}
