// The port-local question behind `security-groups`, asked before any whole-path search: what the
// port's own firewall (its qbr) does with
// - egress: every first packet the port may send, as it enters the qbr from the VM's tap;
// - ingress: every first IPv4 packet that could arrive from the network side (any header at all),
//   followed through the tap into the VM.
// Why this settles the property: a packet only leaves a port through its qbr and only reaches the VM
// through it, and every netfilter pass starts with an empty conntrack table (the first packet is NEW
// wherever it came from). So the ends the whole-path search asks about are among these, judged by the
// same predicates: none here means none there. The ingress arrivals are a superset (any header, not
// only one a sender can produce): when something is found here, the caller asks the whole-path search,
// which gives the real answer and a witness a person can replay.
// Guarantees: a direction is settled only on an unsat answer from the solver; a timeout, an
// unmodelled rule or a satisfiable formula leaves it unsettled.
import { anyOf, exploreDevice, getZ3, unsatIndices, type Cond, type Conjunction, type DeviceExploration, type DeviceStart, type Enc } from '../../smt/index.ts';
import type { PortT } from '../../topology/model.ts';
import type { VerifyContext } from '../property.ts';
import { portOf, sourceSpec, tick, type VmStation } from './common.ts';
import { allows, type Direction } from './sg-intent.ts';
import { droppedAllowed, droppedAt, firewallSite, type FirewallSite } from './sg-completeness.ts';
import type { FinishedEnd } from './search.ts';

/** The violations of one direction at the port's own firewall, as conjunctions; null when an outcome was not followed to its end. */
function violations(ctx: VerifyContext, s: VmStation, port: PortT, site: FirewallSite, dir: Direction, x: DeviceExploration): Conjunction[] | null {
  const e = x.enc;
  const dropped = droppedAllowed(ctx, port, site, dir);
  const out: Conjunction[] = [];
  let forbidden: Cond | null = null;
  for (const o of x.outcomes) {
    const step = o.step;
    let last: Cond = false;
    if (step.kind === 'unknown') return null;
    if (step.kind === 'cut') continue;
    if (step.kind === 'emit') {
      // egress: past the firewall towards the network; ingress: leaving by another port is not for the port.
      // Every copy of one exploration has the same sent packet: its intent is built once.
      if (dir === 'egress' && step.port !== site.tap) last = (forbidden ??= e.not(allows(e, ctx.topology, port, o.sent, 'egress')));
    } else {
      const end: FinishedEnd = step;
      const d = end.delivery;
      const delivered = end.disposition === 'delivered' && d?.kind === 'vm' && d.vm === s.vm && d.port === s.index;
      if (dir === 'ingress' && delivered) last = e.not(allows(e, ctx.topology, port, end.path.packet, 'ingress'));
      else if (droppedAt(end, site, dir)) last = dropped(e, o.sent, end.path.packet, end);
    }
    if (last !== false) out.push({ pc: step.path.pc, last });
  }
  return out;
}

/**
 * The packets that violate `dir` at the port's own firewall, as one condition (unsat: settled there);
 * null when the firewall cannot settle it (no bridge to start from, or a rule netproof does not model).
 */
export async function firewallViolation(ctx: VerifyContext, s: VmStation, port: PortT, site: FirewallSite, dir: Direction): Promise<{ enc: Enc; cond: Cond } | null> {
  const opts = { converged: ctx.evaluator.converged, timeoutMs: ctx.timeoutMs };
  const starts: DeviceStart[] = dir === 'egress'
    ? [{ kind: 'sender', source: sourceSpec(ctx.topology, s) }]
    : (ctx.dataplane.hosts.find((h) => h.name === site.host)?.linuxBridges.find((b) => b.name === site.device)?.ports ?? [])
        .filter((p) => p !== site.tap)
        .map((p) => ({ kind: 'any-ipv4', at: { host: site.host, device: site.device, port: p }, prefix: 'fw' }));
  const all: Conjunction[] = [];
  let e: Enc | null = null;
  for (const start of starts) {
    const x = await exploreDevice(ctx.dataplane, start, dir === 'ingress' ? [site.tap] : [], opts);
    const v = violations(ctx, s, port, site, dir, x);
    if (v === null) return null;
    all.push(...v);
    e = x.enc;
  }
  return e === null ? null : { enc: e, cond: anyOf(e, all) };
}

/** Which directions a port's own firewall settles. */
export interface Settled {
  readonly egress: boolean;
  readonly ingress: boolean;
}

/** Conditions asked in one solver check (unsatIndices' batch). */
const BATCH = 64;

/**
 * Per port, the directions its own firewall settles: every port's local violations asked together
 * (unsatIndices: one solver call per batch of them, halves only where something is found). Each batch
 * is asked as soon as it is full and its conditions are then let go: held until the last port was
 * explored, every port's conditions and the Z3 terms under them were alive at once (at 10,000 VMs about
 * 2.3 GB of the peak). The batches are the ones asking them all at the end would make: the same
 * conditions, in order.
 */
export async function settledAtFirewalls(ctx: VerifyContext, ports: readonly VmStation[]): Promise<Settled[]> {
  const dirs = ['egress', 'ingress'] as const;
  const out = ports.map(() => ({ egress: false, ingress: false }));
  let asked: { port: number; dir: (typeof dirs)[number]; cond: Cond }[] = [];
  let enc: Enc | null = null;
  const settle = async (): Promise<void> => {
    if (enc === null || asked.length === 0) return;
    const batch = asked;
    asked = [];
    const unsat = await unsatIndices(await getZ3(), enc, batch.map((a) => a.cond), ctx.timeoutMs, BATCH);
    batch.forEach((a, k) => { if (unsat.has(k)) out[a.port]![a.dir] = true; });
  };
  for (const [i, s] of ports.entries()) {
    tick(ctx, i, ports.length, 'port firewalls explored');
    const site = firewallSite(ctx, s);
    if (site === null) continue;
    for (const dir of dirs) {
      const v = await firewallViolation(ctx, s, portOf(ctx.topology, s)!, site, dir);
      if (v === null) continue;
      enc = v.enc;
      asked.push({ port: i, dir, cond: v.cond });
      if (asked.length === BATCH) await settle();
    }
  }
  await settle();
  return out;
}
