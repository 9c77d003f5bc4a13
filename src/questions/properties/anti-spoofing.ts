// `anti-spoofing` (per VM port with port security, subject `port:VM:N`): no IPv4 packet whose source
// MAC or address is not the port's own — its fixed MAC and IP, or an allowed address pair's — gets
// past the port's firewall, except the DHCP client requests Neutron's rules let through on purpose.
// A VM may put any MAC and address on the wire; what stops it is the firewall's rules, read like any
// other: every IPv4 packet entering the port's first device from the VM (its qbr with the hybrid
// firewall, else br-int) is followed through that device with the solver, and a packet counts as past
// when the device sends it on towards the network. The port's addresses come from the topology, never
// from the rules.
// The DHCP client exceptions (UDP 68 → 67: a client asks for an address before it has one) are not
// violations but are reported as what the rendered rules let through — from 0.0.0.0 to
// 255.255.255.255 in current releases, from any address in older ones — and with which MACs.
// Guarantees: `holds` only when the solver proves no other spoofed packet gets past; a violation
// carries a witness replayed through the evaluator past the same device (else `unknown` with both
// shown); an unmodelled rule on the way makes the port `unknown`.
import { ETH_TYPE, IP_PROTO } from '../../ir/packet.ts';
import type { Trace } from '../../evaluate/trace.ts';
import type { PortT } from '../../topology/model.ts';
import { anyOf, checkSat, decodeWitness, defaultPreferences, exploreDevice, getZ3, unsatIndices, type Cond, type Conjunction, type Enc, type SymPacket } from '../../smt/index.ts';
import type { Port } from '../../smt/walk-ctx.ts';
import { traceCopies } from '../guard.ts';
import type { PropertyCheck, PropertyResult, VerifyContext } from '../property.ts';
import { disagreementText, traceOutcome } from '../witness-replay.ts';
import { holds, portLabel, portOf, unknown, vmStations, type VmStation } from './common.ts';
import { ipNum, macNum } from './search.ts';
import { ownSource } from './sg-intent.ts';

const ID = 'anti-spoofing';

/** A DHCP client request: UDP 68 → 67. */
function dhcpClient(e: Enc, p: SymPacket): Cond {
  return e.and(e.eq(p.eth_type, ETH_TYPE.ipv4, 16), e.eq(p.proto, IP_PROTO.udp, 8), e.eq(p.sport, 68, 16), e.eq(p.dport, 67, 16));
}

/** What one port's first device lets past, as conditions over the packet the VM sent. */
interface PortQuestion {
  readonly s: VmStation;
  readonly port: PortT;
  readonly at: Port;
  readonly sent: SymPacket;
  /** Spoofed, not a DHCP client request, and past. */
  readonly bad: Cond;
  /** Spoofed DHCP client requests that get past. */
  readonly dhcp: Cond;
  /** Spoofed packets whose fate in the device is not modelled. */
  readonly open: Cond;
}

async function ask(ctx: VerifyContext, s: VmStation, port: PortT): Promise<{ e: Enc; q: PortQuestion }> {
  const at = s.attachment;
  const x = await exploreDevice(ctx.dataplane, { kind: 'any-ipv4', at, prefix: `spoof.${portLabel(s)}` }, [], { converged: ctx.evaluator.converged, timeoutMs: ctx.timeoutMs });
  const e = x.enc;
  const bad: Conjunction[] = [];
  const dhcp: Conjunction[] = [];
  const open: Conjunction[] = [];
  let sent: SymPacket | null = null;
  for (const o of x.outcomes) {
    sent = o.sent;
    const st = o.step;
    const spoofed = e.not(ownSource(e, port, o.sent));
    // A spoofed packet whose fate is not modelled might get past.
    if (st.kind === 'unknown') open.push({ pc: st.path.pc, last: spoofed });
    // Past: sent on by any port but the VM's own.
    if (st.kind !== 'emit' || st.port === at.port) continue;
    bad.push({ pc: st.path.pc, last: e.and(spoofed, e.not(dhcpClient(e, o.sent))) });
    dhcp.push({ pc: st.path.pc, last: e.and(spoofed, dhcpClient(e, o.sent)) });
  }
  if (sent === null) throw new Error(`no packet explored at ${at.host}/${at.device}`);
  return { e, q: { s, port, at, sent, bad: anyOf(e, bad), dhcp: anyOf(e, dhcp), open: anyOf(e, open) } };
}

/** Some copy of the replayed trace is sent on by the port's first device, not back to the VM. */
function gotPast(at: Port, t: Trace): boolean {
  return traceCopies(t).some((c) => c.hops.some((h) => h.host === at.host && h.device === at.device && h.inPort === at.port && h.outPort !== null && h.outPort !== at.port));
}

const where = (at: Port) => `${at.device}@${at.host}`;

/** The violation a spoofed packet shows, with its witness replayed; `unknown` when the replay disagrees. */
async function violated(ctx: VerifyContext, e: Enc, q: PortQuestion): Promise<PropertyResult> {
  const subject = `port:${portLabel(q.s)}`;
  const z3 = await getZ3();
  const r = await checkSat(z3, e, q.bad, ctx.timeoutMs);
  if (r.status !== 'sat') return unknown(ID, subject, r.status === 'unknown' ? r.reason : 'the solver no longer finds the spoofed packet it found');
  // A witness that reads as traffic: to the port's gateway, from a neighbour's address on its subnet.
  const gw = q.s.gateway === null ? null : ctx.evaluator.resolveArp(q.s, q.s.gateway).mac;
  const prefs = [
    ...(gw !== null ? [{ name: 'to the gateway', cond: e.eq(q.sent.eth_dst, macNum(gw), 48) }] : []),
    ...defaultPreferences(e, q.sent, { ip: ipNum(q.s.ip), prefixLen: q.s.prefixLen }),
  ];
  const { packet } = await decodeWitness(e, r.solver, r.model, q.sent, prefs);
  const trace = ctx.evaluator.session().trace(q.s, packet);
  const claim = { says: `gets past ${where(q.at)}`, shownBy: (t: Trace) => gotPast(q.at, t) };
  if (!claim.shownBy(trace)) {
    return { property: ID, subject, verdict: 'unknown', witness: packet, trace, message: 'internal error: solver and evaluator disagree', error: disagreementText(`gets past ${where(q.at)}`, q.s, packet, trace) };
  }
  const message = `${portLabel(q.s)} sends from ${packet.eth_src} ${packet.ip_src}, not its own (${q.port.mac} ${q.port.ip}) nor an allowed address pair's, and it gets past its firewall (${where(q.at)}): ${traceOutcome(trace)}`;
  return { property: ID, subject, verdict: 'violated', witness: packet, trace, message, claim };
}

/** The DHCP client requests with a spoofed source that get past, in words (null: none). */
async function dhcpExceptions(ctx: VerifyContext, e: Enc, q: PortQuestion): Promise<string | null> {
  const z3 = await getZ3();
  const p = q.sent;
  const discover = e.and(e.eq(p.ip_src, 0, 32), e.eq(p.ip_dst, 0xffffffff, 32));
  const asked = [e.and(q.dhcp, discover), e.and(q.dhcp, e.not(discover)), e.and(q.dhcp, e.not(e.eq(p.eth_src, macNum(q.port.mac), 48)))];
  const none = await unsatIndices(z3, e, asked, ctx.timeoutMs, asked.length);
  if (none.has(0) && none.has(1)) return null;
  const from = !none.has(1) ? 'from any address to any' : 'from 0.0.0.0 to 255.255.255.255';
  const macs = none.has(2) ? `its own MAC ${q.port.mac}` : 'any MAC';
  return `DHCP client requests as its rules let them through: UDP 68 → 67 ${from}, from ${macs}`;
}

export const antiSpoofing: PropertyCheck = {
  id: ID,
  description: "no packet from a MAC or address other than a port's own or an allowed address pair's gets past its firewall (DHCP client requests aside, reported)",
  async check(ctx) {
    const secured = vmStations(ctx).flatMap((s) => {
      const port = portOf(ctx.topology, s);
      return port?.portSecurity === true ? [{ s, port }] : [];
    });
    const asked: PortQuestion[] = [];
    let enc: Enc | null = null;
    for (const { s, port } of secured) {
      const { e, q } = await ask(ctx, s, port);
      enc = e;
      asked.push(q);
    }
    if (enc === null) return [];
    const e = enc;
    // Every port's question at once (one solver call per batch; halves only where something is found).
    const z3 = await getZ3();
    const clean = await unsatIndices(z3, e, asked.map((q) => q.bad), ctx.timeoutMs);
    const settled = await unsatIndices(z3, e, asked.map((q) => q.open), ctx.timeoutMs);
    const out: PropertyResult[] = [];
    for (const [i, q] of asked.entries()) {
      const subject = `port:${portLabel(q.s)}`;
      if (!clean.has(i)) {
        out.push(await violated(ctx, e, q));
        continue;
      }
      if (!settled.has(i)) {
        out.push(unknown(ID, subject, `${portLabel(q.s)}: a packet's fate in ${where(q.at)} is not modelled (an unsupported rule or flow), so spoofing is not ruled out`));
        continue;
      }
      const dhcp = await dhcpExceptions(ctx, e, q);
      const pairs = q.port.allowedAddressPairs.length > 0 ? ` or its ${q.port.allowedAddressPairs.length} allowed address pair${q.port.allowedAddressPairs.length === 1 ? '' : 's'}` : '';
      out.push(holds(ID, subject, `no IPv4 packet from another MAC or address than ${portLabel(q.s)}'s (${q.port.mac} ${q.port.ip})${pairs} gets past its firewall (${where(q.at)})${dhcp === null ? '' : `, but for ${dhcp}`}`));
    }
    return out;
  },
};
