// `ha-failover` (per HA router, subject `router:R`): for each single failure of a host of the router,
// the traffic of its VM ports that got through before still gets through, leaving the cloud with the
// same address (the SNAT address and floating IPs move with the master). Checked with the evaluator on
// standard flows, per class of ports (one representative each, as the other properties group them):
// an ICMP echo and a TCP connection (port 443) to the outside world, and from the outside world to each
// floating IP the router serves an ICMP echo and one connection per TCP/UDP service the port's security
// groups open (their lowest port; TCP 22 for a rule of any protocol), an ICMP echo to a port on each
// other subnet of the router. For each choice of masters VRRP
// allows without the failure, what got through then must still get through under every choice it
// allows after. Endpoints that die with the failed host are not counted, nor are flows that do not cross
// the router (a port's gateway may be another router's address) or that also cross a legacy router on
// the failed host: that router dies with the host, and no failover of this router could keep the flow.
// The proof over all packets under a failure is `verify --failures 1`, which asks every other property
// in each single-failure scenario.
import type { Trace } from '../../evaluate/trace.ts';
import { ETH_TYPE, type Ipv4 } from '../../ir/packet.ts';
import type { ScenarioContext, HaRouterView, Variant } from '../../scenario/context.ts';
import { diagonalVariants } from '../../scenario/variants.ts';
import { failureScenarios, type ScenarioContexts } from '../../scenario/scenarios.ts';
import type { PacketFields } from '../packet.ts';
import { traceBetween, type Sender } from '../trace.ts';
import type { PropertyResult } from '../property.ts';
import type { Topology } from '../../topology/model.ts';
import { deviceName } from '../../render/names.ts';
import { INTERNET, groupPorts, holds, outsideFor, notApplicable, portLabel, type OutsideStation, type VmStation } from './common.ts';

const ID = 'ha-failover';

interface Flow {
  readonly label: string;
  readonly from: Sender;
  readonly dst: Ipv4;
  readonly fields: PacketFields;
  /** Hosts whose failure takes an endpoint along. */
  readonly hosts: readonly string[];
  readonly reached: (t: Trace) => boolean;
}

const OUTSIDE_HOST = '198.51.100.7';
/** Out to the internet: an echo and a connection (the router routes and NATs them alike, by protocol). */
const EGRESS: readonly PacketFields[] = [{ proto: 'icmp' }, { proto: 'tcp', dport: 443 }];
/** At most this many services per port are asked through its floating IP. */
const MAX_SERVICES = 4;

/** In through a floating IP: an echo, and the services the port's groups open to addresses outside. */
function ingressFields(topo: Topology, portId: string): PacketFields[] {
  const port = topo.ports.find((x) => x.id === portId);
  const groups = topo.securityGroups.filter((g) => port?.securityGroups.includes(g.id));
  const out = new Map<string, PacketFields>([['icmp', { proto: 'icmp' }]]);
  for (const r of groups.flatMap((g) => g.rules)) {
    if (r.direction !== 'ingress' || r.ethertype !== 'IPv4' || r.remoteGroup !== null) continue;
    const f: PacketFields | null = r.protocol === null ? { proto: 'tcp', dport: 22 }
      : r.protocol === 6 ? { proto: 'tcp', dport: r.portMin ?? 22 }
      : r.protocol === 17 ? { proto: 'udp', dport: r.portMin ?? 53 }
      : null;
    if (f && out.size <= MAX_SERVICES) out.set(`${String(f.proto)} ${f.dport ?? ''}`, f);
  }
  return [...out.values()];
}

function flowsOf(ctx: ScenarioContext, r: HaRouterView): Flow[] {
  const topo = ctx.topology;
  const nets = new Set(r.router.interfaces.map((i) => i.network));
  const ports = ctx.dataplane.stations.filter((s): s is VmStation => s.kind === 'vm-port' && nets.has(s.network));
  const reps = groupPorts(topo, ports).map((g) => g.rep);
  const outside = ctx.dataplane.stations.find((s): s is OutsideStation => s.kind === 'outside' && s.network === r.router.gateway?.network);
  const out: Flow[] = [];
  const fmt = (f: PacketFields) => (f.dport !== undefined ? `${String(f.proto)} ${f.dport}` : String(f.proto));
  for (const p of reps) {
    const from: Sender = { kind: 'port', station: p, ip: p.ip };
    if (outside) {
      for (const f of EGRESS) out.push({ label: `${portLabel(p)} → ${INTERNET} (${fmt(f)})`, from, dst: INTERNET, fields: f, hosts: [p.host], reached: (t) => t.disposition === 'exited' });
      for (const fip of topo.floatingIps.filter((x) => x.portId === p.portId && x.router === r.router.name)) {
        const src: Sender = { kind: 'outside', station: outsideFor(ctx.dataplane.stations, r.router.gateway?.network, fip.ip) ?? outside, ip: OUTSIDE_HOST };
        for (const f of ingressFields(topo, p.portId)) {
          out.push({ label: `${OUTSIDE_HOST} → ${fip.ip} (${fmt(f)})`, from: src, dst: fip.ip, fields: f, hosts: [p.host],
            reached: (t) => t.disposition === 'delivered' && t.deliveredTo?.kind === 'vm' && t.deliveredTo.vm === p.vm && t.deliveredTo.port === p.index });
        }
      }
    }
    const port = topo.ports.find((x) => x.id === p.portId);
    for (const other of r.router.interfaces.filter((i) => i.subnet !== port?.subnet)) {
      const q = ports.find((s) => topo.ports.find((x) => x.id === s.portId)?.subnet === other.subnet);
      if (!q) continue;
      out.push({ label: `${portLabel(p)} → ${portLabel(q)} (icmp)`, from, dst: q.ip, fields: { proto: 'icmp' }, hosts: [p.host, q.host],
        reached: (t) => t.disposition === 'delivered' && t.deliveredTo?.kind === 'vm' && t.deliveredTo.vm === q.vm && t.deliveredTo.port === q.index });
    }
  }
  return out;
}

/**
 * The flow's trace in one variant (its own stations: the variant's dataplane may have lost some).
 * Checking needs only how it ends (`outcomeOnly`); a violation is shown with the whole trace.
 */
function run(ctx: ScenarioContext, v: Variant, f: Flow, whole = false): Trace {
  return traceBetween(ctx.topology, v.evaluator, f.from, f.dst, f.fields, { outcomeOnly: !whole });
}

/**
 * How a lost flow ended. A sender whose own ARP request is answered by nobody (its gateway gone with
 * the failed host) is said so: the trace's drop is then only where the request's last flooded copy
 * died, not the cause.
 */
function lostHow(t: Trace): string {
  const first = t.hops[0]?.out;
  const drop = t.droppedAt ? ` at ${t.droppedAt.device}@${t.droppedAt.host}: ${t.droppedAt.rule}` : '';
  if (t.disposition === 'no-arp' && first && first.eth_type === ETH_TYPE.arp && first.proto === 1) {
    return `no-arp: nothing answers the sender's ARP request for ${first.ip_dst}${t.droppedAt ? `; its last copy ends${drop}` : ''}`;
  }
  return `${t.disposition}${drop}`;
}

/**
 * Whether a flow's trace crosses the HA router (an instance of its namespace), and the hosts of the
 * legacy routers it crosses: each of those dies with its host.
 */
function pathOf(topo: Topology, r: HaRouterView, t: Trace): { readonly crosses: boolean; readonly legacyHosts: readonly string[] } {
  const legacy = new Set(topo.routers.filter((x) => x.ha === null).map((x) => deviceName.qrouter(x.id)));
  return {
    crosses: t.hops.some((h) => h.device === r.namespace),
    legacyHosts: [...new Set(t.hops.filter((h) => legacy.has(h.device)).map((h) => h.host))],
  };
}

/** `contexts` builds the scenarios with a host down (`verify --failures 1` checks the same ones, and takes them from there). */
export function haFailover(base: ScenarioContext, contexts: ScenarioContexts): PropertyResult[] {
  const beforeVariants = diagonalVariants(base).variants;
  return base.haRouters.map((r): PropertyResult => {
    const name = r.router.name;
    const subject = `router:${name}`;
    const hosts = [...r.sites.keys()];
    const flows = flowsOf(base, r);
    // Per choice of masters before the failure: what got through across the router, the address it
    // left with, and the hosts of the legacy routers on its way.
    const before = beforeVariants.map((v) => flows.flatMap((f) => {
      const t = run(base, v, f, true);
      if (!f.reached(t)) return [];
      const path = pathOf(base.topology, r, t);
      return path.crosses ? [{ f, source: t.final.ip_src, legacyHosts: path.legacyHosts }] : [];
    }));
    let checked = 0;
    // The single failures among the router's hosts: the scenarios of `verify --failures 1` that fail one of them.
    for (const single of failureScenarios(base.spec, hosts, 1).slice(1)) {
      const after = contexts.of(single);
      const h = single.failures.down.find((x) => !base.spec.failures.down.includes(x)) ?? '';
      for (const v of diagonalVariants(after).variants) {
        // A flow is traced once per choice of masters after the failure, whichever choices before it held under.
        const traced = new Map<Flow, Trace>();
        for (const held of before) {
          for (const { f, source, legacyHosts } of held) {
            if (f.hosts.includes(h) || legacyHosts.includes(h)) continue;
            checked++;
            let t = traced.get(f);
            if (t === undefined) traced.set(f, (t = run(after, v, f)));
            const lost = !f.reached(t);
            const moved = !lost && t.disposition === 'exited' && t.final.ip_src !== source;
            if (!lost && !moved) continue;
            t = run(after, v, f, true);
            const what = lost ? `no longer gets through (${lostHow(t)})` : `leaves with ${t.final.ip_src} instead of ${source}`;
            const claim = lost
              ? { says: 'does not get through', shownBy: (x: Trace) => !f.reached(x) }
              : { says: `leaves with ${t.final.ip_src}`, shownBy: (x: Trace) => x.disposition === 'exited' && x.final.ip_src !== source };
            return {
              property: ID, subject, verdict: 'violated', witness: t.packet, trace: t, claim,
              message: `when ${h} fails, ${f.label} ${what} — with ${after.describeMasters(v, [r])}${hosts.length === 1 ? ` (${h} holds ${name}'s only instance: there is none to fail over to)` : ''}`,
              masters: after.mastersJson(v), scenario: { failed: [...after.spec.failures.down], cut: after.spec.failures.cuts.map(([a, b]) => [a, b] as const) },
            };
          }
        }
      }
    }
    if (hosts.length === 0) return notApplicable(ID, subject, `no live instance of ${name}: nothing to fail over`);
    const worked = new Set(before.flatMap((b) => b.map((x) => x.f.label))).size;
    if (worked === 0) return notApplicable(ID, subject, `no standard flow of ${name}'s ports gets through ${name} under any master (${flows.length} tried): nothing a failover could lose`);
    return holds(ID, subject, `for each single failure of its hosts (${hosts.join(', ')}), the ${worked} standard flows of ${name}'s ports that got through it under a master still do under every master left (${checked} checks), leaving with the same addresses (evaluator, one port per class)`);
  });
}
