// Drift of one host's Open vSwitch: bridges, ports (type, local VLAN tag, patch peer, tunnel endpoints)
// and flows compared by meaning (canon.ts). Flows a `learn` action installs at run time (br-tun's table
// 20 MAC learning) are not the agent's and are left out on the node's side. The NIC of a physical bridge
// is whatever the node has: its name is not compared. A port of a Neutron port the API shows but
// netproof does not model is not drift (its note says so); a port of no Neutron port is stale.
import type { OvsBridge, OvsPort } from '../../ir/openflow.ts';
import type { HostDataplane } from '../../ir/dataplane.ts';
import { canonFlow, isOpaque, portNamer, type CanonFlow } from './canon.ts';
import type { Describer } from './describe.ts';
import type { DriftItem } from './item.ts';

export interface OvsContext {
  readonly host: string;
  readonly d: Describer;
  /** Bridges of the host's bridge_mappings (their NIC names are the node's business). */
  readonly physicalBridges: ReadonlySet<string>;
  /** Whether a device name belongs to a Neutron port the API shows but netproof does not model. */
  readonly unmodelledDevice: (name: string) => boolean;
}

const originOf = (f: CanonFlow) => `${f.flow.origin.file}:${f.flow.origin.line}`;
const lineOf = (f: CanonFlow) => f.flow.origin.text;

function portText(p: OvsPort): string {
  const parts = [`type ${p.type}`];
  if (p.tag !== null) parts.push(`tag ${p.tag}`);
  if (p.peer !== null) parts.push(`peer ${p.peer}`);
  if (p.remoteIp !== null) parts.push(`remote_ip ${p.remoteIp}`);
  if (p.localIp !== null) parts.push(`local_ip ${p.localIp}`);
  return parts.join(', ');
}

const isNic = (b: OvsBridge, p: OvsPort, ctx: OvsContext) => ctx.physicalBridges.has(b.name) && p.type === 'system' && p.name !== b.name;

function comparePorts(want: OvsBridge, got: OvsBridge, ctx: OvsContext): DriftItem[] {
  const out: DriftItem[] = [];
  const base = { host: ctx.host, device: want.name, kind: 'port' as const, origin: null };
  const gotByName = new Map(got.ports.map((p) => [p.name, p]));
  const wantNames = new Set(want.ports.map((p) => p.name));
  const gotNics = got.ports.filter((p) => isNic(got, p, ctx));
  for (const p of want.ports) {
    if (isNic(want, p, ctx)) {
      if (gotNics.length === 0) out.push({ ...base, change: 'missing', neutron: null, message: `${want.name} on ${ctx.host} has no NIC: the physical network is not plugged in`, expected: `${p.name} (${portText(p)})`, found: null });
      continue;
    }
    const g = gotByName.get(p.name);
    const who = ctx.d.device(p.name);
    if (!g) {
      out.push({ ...base, change: 'missing', neutron: who, message: `${want.name} on ${ctx.host} lacks port ${who}${p.tag !== null ? ` on ${ctx.d.localVlan(ctx.host, p.tag)}` : ''}`, expected: `${p.name} (${portText(p)})`, found: null });
    } else if (portText(p) !== portText(g)) {
      const dead = g.tag === 4095 ? ': the agent marked it dead (VLAN 4095)' : '';
      const vlan = g.tag !== p.tag && p.tag !== null ? ` (should be on ${ctx.d.localVlan(ctx.host, p.tag)}${g.tag !== null ? `, is on ${g.tag === 4095 ? 'the dead VLAN 4095' : ctx.d.localVlan(ctx.host, g.tag)}` : ', is untagged'})` : '';
      out.push({ ...base, change: 'changed', neutron: who, message: `port ${who} on ${want.name} of ${ctx.host} differs${vlan}${dead}`, expected: portText(p), found: portText(g) });
    }
  }
  for (const g of got.ports) {
    if (wantNames.has(g.name) || isNic(got, g, ctx) || ctx.unmodelledDevice(g.name)) continue;
    out.push({ ...base, change: 'extra', neutron: null, message: `stale port ${g.name} on ${want.name} of ${ctx.host}: it belongs to no Neutron port the API shows`, expected: null, found: `${g.name} (${portText(g)})` });
  }
  return out;
}

function compareFlows(want: OvsBridge, got: OvsBridge, ctx: OvsContext): DriftItem[] {
  const out: DriftItem[] = [];
  const base = { host: ctx.host, device: want.name, kind: 'flow' as const };
  const wantFlows = want.flows.map((f) => canonFlow(f, portNamer(want)));
  // What learn actions install at run time: (table, priority) of every learn spec of the intent.
  const learned = new Set(want.flows.flatMap((f) => f.actions.flatMap((a) => (a.kind === 'learn' && a.spec ? [`${a.spec.table}/${a.spec.priority}`] : []))));
  const gotFlows = got.flows
    .filter((f) => !isOpaque(f.origin.text) && !learned.has(`${f.table}/${f.priority}`))
    .map((f) => canonFlow(f, portNamer(got)));
  const gotByKey = new Map<string, CanonFlow[]>();
  for (const g of gotFlows) gotByKey.set(g.key, [...(gotByKey.get(g.key) ?? []), g]);
  const matched = new Set<CanonFlow>();
  for (const w of wantFlows) {
    const candidates = gotByKey.get(w.key) ?? [];
    const same = candidates.find((g) => !matched.has(g) && g.actions === w.actions);
    if (same) {
      matched.add(same);
      continue;
    }
    const other = candidates.find((g) => !matched.has(g));
    const what = ctx.d.flow(ctx.host, w.flow);
    const why = ctx.d.why(w.flow.origin);
    if (other) {
      matched.add(other);
      const now = ctx.d.flow(ctx.host, other.flow);
      out.push({
        ...base, change: 'changed', neutron: w.flow.origin.neutron ?? null,
        message: `${want.name} on ${ctx.host}: the flow that ${what || `is ${why}`} ${now ? `now ${now}` : 'has other actions'}`,
        expected: lineOf(w), found: lineOf(other), origin: originOf(other),
      });
    } else {
      out.push({
        ...base, change: 'missing', neutron: w.flow.origin.neutron ?? null,
        message: what ? `${want.name} on ${ctx.host}: no flow ${what}${why ? ` (${why})` : ''}` : `${want.name} on ${ctx.host} lacks the flow for ${why || lineOf(w)}`,
        expected: lineOf(w), found: null, origin: null,
      });
    }
  }
  for (const g of gotFlows) {
    if (matched.has(g)) continue;
    const what = ctx.d.flow(ctx.host, g.flow);
    out.push({ ...base, change: 'extra', neutron: null, message: `${want.name} on ${ctx.host} has a flow the agent would not program for the API's intent${what ? `: it ${what}` : ''}`, expected: null, found: lineOf(g), origin: originOf(g) });
  }
  return out;
}

export function compareOvs(want: HostDataplane, got: HostDataplane, ctx: OvsContext): DriftItem[] {
  const out: DriftItem[] = [];
  const gotByName = new Map(got.ovsBridges.map((b) => [b.name, b]));
  for (const w of want.ovsBridges) {
    const g = gotByName.get(w.name);
    if (!g) {
      out.push({ host: ctx.host, device: w.name, kind: 'bridge', change: 'missing', neutron: null, message: `${ctx.host} has no ${w.name}`, expected: w.name, found: null, origin: null });
      continue;
    }
    out.push(...comparePorts(w, g, ctx), ...compareFlows(w, g, ctx));
  }
  for (const g of got.ovsBridges) {
    if (!want.ovsBridges.some((w) => w.name === g.name)) {
      out.push({ host: ctx.host, device: g.name, kind: 'bridge', change: 'extra', neutron: null, message: `${ctx.host} has bridge ${g.name}, which no agent of the API's intent creates`, expected: null, found: g.name, origin: null });
    }
  }
  return out;
}
