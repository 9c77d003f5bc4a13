// Canonical forms for comparing what Neutron's agents should have programmed with what a node really
// runs, by meaning rather than text: a flow is its table, priority and match (ports by name, VLAN matches
// in one form) and its actions (the OpenFlow 1.0 and 1.3 spellings of the same VLAN actions, and a
// final resubmit or goto, made one); cookies, counters and order do not count. An iptables rule is its
// matches and target without comments, with conntrack zones named by the port they belong to (the agent
// numbers zones as ports come up, so numbers differ between nodes and restarts).
import { headerWriteText } from '../../semantics/header-write.ts';
import type { Flow, FlowAction, FlowMatch, OvsBridge, PortRef } from '../../ir/openflow.ts';
import type { NetfilterRuleset, NfRule } from '../../ir/netfilter.ts';

/** Whether an injected rule or flow stands for a device netproof made opaque (src/cloud/hosts/opaque.ts). */
export const isOpaque = (text: string | undefined): boolean => text !== undefined && / is (incomplete|not modelled in full): /.test(text);

export type PortNames = (ref: PortRef) => string;

export function portNamer(bridge: OvsBridge): PortNames {
  const byNumber = new Map(bridge.ports.filter((p) => p.ofport !== null).map((p) => [p.ofport as number, p.name]));
  return (ref) => (ref.kind === 'name' ? ref.name : byNumber.get(ref.ofport) ?? `#${ref.ofport}`);
}

function canonMatch(m: FlowMatch, names: PortNames): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === undefined) continue;
    if (k === 'in_port') out[k] = names(v as PortRef);
    else if (k === 'dl_vlan') out.vlan_tci = `${0x1000 | (v as number)}/${0x1fff}`;
    else if (k === 'vlan_tci') {
      const t = v as { value: number; mask: number | null };
      out.vlan_tci = `${t.value}/${t.mask ?? 0xffff}`;
    } else out[k] = v;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function canonAction(a: FlowAction, names: PortNames): string {
  switch (a.kind) {
    case 'output': return `output:${names(a.port)}`;
    case 'resubmit': return `resubmit(${a.port ? names(a.port) : ''},${a.table ?? ''})`;
    case 'goto_table': return `resubmit(,${a.table})`;
    case 'mod_vlan_vid':
    case 'set_vlan_vid': return `mod_vlan_vid:${a.vid}`;
    case 'push_vlan': return `push_vlan:${a.ethertype}`;
    case 'strip_vlan': return 'strip_vlan';
    case 'set_tun_id': return `set_tun_id:${a.value}`;
    case 'set_reg': return `set_reg${a.reg}:${a.value}`;
    case 'mod_dl_src': return `mod_dl_src:${a.mac}`;
    case 'mod_dl_dst': return `mod_dl_dst:${a.mac}`;
    case 'set_arp_op':
    case 'set_arp_pa':
    case 'set_arp_ha':
    case 'move': return headerWriteText(a);
    case 'learn': return a.spec ? `learn(${JSON.stringify(a.spec)})` : `learn(${a.text.replace(/cookie=0x[0-9a-f]+,?/i, '')})`;
    case 'in_port':
    case 'normal':
    case 'drop': return a.kind;
    case 'unsupported': return `unsupported:${a.text}`;
    default: {
      const never: never = a;
      return String(never);
    }
  }
}

/** The actions as OVS would install them: `push_vlan` then setting the VID is `mod_vlan_vid` as OpenFlow 1.0 writes it. */
function canonActions(actions: readonly FlowAction[], names: PortNames): string[] {
  const out: string[] = [];
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i] as FlowAction;
    const next = actions[i + 1];
    if (a.kind === 'push_vlan' && a.ethertype === 0x8100 && next?.kind === 'set_vlan_vid') {
      out.push(`mod_vlan_vid:${next.vid}`);
      i++;
    } else out.push(canonAction(a, names));
  }
  return out;
}

export interface CanonFlow {
  /** Table, priority and match: what identifies a flow in OpenFlow. */
  readonly key: string;
  readonly actions: string;
  readonly flow: Flow;
}

export function canonFlow(f: Flow, names: PortNames): CanonFlow {
  return { key: JSON.stringify({ table: f.table, priority: f.priority, match: canonMatch(f.match, names) }), actions: canonActions(f.actions, names).join(','), flow: f };
}

/** Conntrack zone number → the ports it is set for (`port:<id prefix>`), from the raw table's CT rules. */
export function zoneNames(rs: NetfilterRuleset): Map<number, string> {
  const ports = new Map<number, Set<string>>();
  for (const t of rs.tables) {
    for (const c of t.chains) {
      for (const r of c.rules) {
        if (r.target.kind !== 'CT' || r.target.zone === null) continue;
        for (const m of r.matches) {
          const dev = m.kind === 'physdev' ? m.in?.name : m.kind === 'in-iface' ? m.name : undefined;
          const id = dev && /^(?:tap|qvb)(.+)$/.exec(dev)?.[1];
          if (id) ports.set(r.target.zone, (ports.get(r.target.zone) ?? new Set()).add(id));
        }
      }
    }
  }
  return new Map([...ports].map(([z, s]) => [z, `port:${[...s].sort().join('+')}`]));
}

export function canonRule(r: NfRule, zones: ReadonlyMap<number, string>): string {
  const matches = r.matches.filter((m) => m.kind !== 'comment');
  const target = r.target.kind === 'CT' && r.target.zone !== null ? { ...r.target, zone: zones.get(r.target.zone) ?? r.target.zone } : r.target;
  return JSON.stringify({ m: matches, t: target });
}
