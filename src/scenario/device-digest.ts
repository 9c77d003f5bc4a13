// What one device of a dataplane is, as a comparable string: everything a question that explores that
// device alone (src/smt/local.ts `exploreDevice`, following at most its ports' links into a VM) can read.
// Two dataplanes (another choice of HA masters, another failure scenario) whose digests of a device are
// equal give such a question the very same answer there, so a verdict settled by that device alone
// (`PropertyResult.rests`) holds in both without being asked again (src/questions/carry.ts).
// A digest holds: the host's name and tunnel address; the device's contents whole (an OVS or Linux
// bridge with its ports and flows, a namespace with its interfaces, routes, tables and ipsets, a VM's
// ports as stations), bar where a rule or flow was read from; what convergence learned there (every
// learned flow in the order learned, every MAC table entry); every link and physical network at its
// ports; whether the host is down or its underlay cut; and whether learning was capped. Coarser than
// needed is safe: a digest that differs only costs asking again.
import type { Dataplane, Endpoint, Link, Station } from '../ir/dataplane.ts';
import type { Evaluator } from '../evaluate/index.ts';
import { vmDevice } from '../semantics/topology-index.ts';

/** JSON of `v` without `origin` fields (where a rule or flow was read from; it does not change what it does). */
const canon = (v: unknown): string => JSON.stringify(v, (k, x: unknown) => (k === 'origin' ? undefined : x));

const key = (host: string, device: string) => `${host}\u0000${device}`;

/** What is plugged into one device: its links, its ports on each physical network, its VM's ports. */
interface Attached {
  readonly links: Link[];
  readonly wires: { readonly physnet: string; readonly members: Endpoint[] }[];
  readonly vms: Station[];
}

const NOTHING_ATTACHED: Attached = { links: [], wires: [], vms: [] };

/** The digests of one dataplane's devices under one evaluator's converged state, each computed once when first asked. */
export class DeviceDigests {
  private readonly done = new Map<string, string>();
  private learned: Map<string, unknown[]> | null = null;

  private attached: Map<string, Attached> | null = null;

  constructor(private readonly dp: Dataplane, private readonly ev: Evaluator) {}

  /**
   * The links, physical networks and VM ports at each device, in the dataplane's order: built on the first
   * digest asked, since a filter of every link per device grew as devices times links.
   */
  private attachedAt(host: string, device: string): Attached {
    if (this.attached === null) {
      const m = new Map<string, Attached>();
      const at = (k: string): Attached => {
        let a = m.get(k);
        if (a === undefined) m.set(k, (a = { links: [], wires: [], vms: [] }));
        return a;
      };
      for (const l of this.dp.links) {
        const ka = key(l.a.host, l.a.device);
        const kb = key(l.b.host, l.b.device);
        at(ka).links.push(l);
        if (kb !== ka) at(kb).links.push(l);
      }
      for (const w of this.dp.wires) {
        const members = new Map<string, Endpoint[]>();
        for (const e of w.members) {
          const k = key(e.host, e.device);
          const list = members.get(k);
          if (list) list.push(e);
          else members.set(k, [e]);
        }
        for (const [k, list] of members) at(k).wires.push({ physnet: w.physnet, members: list });
      }
      for (const s of this.dp.stations) if (s.kind === 'vm-port') at(key(s.host, vmDevice(s.vm))).vms.push(s);
      this.attached = m;
    }
    return this.attached.get(key(host, device)) ?? NOTHING_ATTACHED;
  }

  /** What convergence learned, by device: built on the first digest asked. */
  private learnedAt(host: string, device: string): readonly unknown[] {
    if (this.learned === null) {
      const m = new Map<string, unknown[]>();
      const add = (k: string, v: unknown) => {
        const list = m.get(k);
        if (list) list.push(v);
        else m.set(k, [v]);
      };
      const conv = this.ev.converged;
      for (const l of conv.learnedFlows) add(key(l.host, l.bridge), { learned: l.flow });
      // A MAC table holds one port per VLAN and MAC and is looked up by them, so the order its entries
      // were learned in (which differs with the order announcers were walked) tells nothing: sorted.
      const fdbAt = new Map<string, string[]>();
      for (const f of conv.fdb) {
        const k = key(f.host, f.bridge);
        const line = `${f.vlan ?? '-'} ${f.mac} ${f.port}`;
        const list = fdbAt.get(k);
        if (list) list.push(line);
        else fdbAt.set(k, [line]);
      }
      for (const [k, lines] of fdbAt) add(k, { fdb: lines.sort() });
      this.learned = m;
    }
    return this.learned.get(key(host, device)) ?? [];
  }

  /** The digest of `device` (a bridge, a namespace, `vm:<name>`) on `host`; `absent` in it when there is no such device. */
  digest(host: string, device: string): string {
    const k = key(host, device);
    const hit = this.done.get(k);
    if (hit !== undefined) return hit;
    const dp = this.dp;
    const h = dp.hosts.find((x) => x.name === host);
    const attached = this.attachedAt(host, device);
    const contents =
      h?.ovsBridges.find((b) => b.name === device) ??
      h?.linuxBridges.find((b) => b.name === device) ??
      h?.namespaces.find((n) => n.name === device) ??
      attached.vms;
    const failures = dp.failures;
    const d = canon({
      host: h === undefined ? null : { name: h.name, tunnelIp: h.tunnelIp },
      contents: h === undefined ? 'absent' : contents,
      learned: this.learnedAt(host, device),
      links: attached.links,
      wires: attached.wires,
      down: failures?.down.includes(host) ?? false,
      cut: (failures?.cuts ?? []).filter(([a, b]) => a === host || b === host),
      capped: this.ev.converged.capped,
    });
    this.done.set(k, d);
    return d;
  }
}

const byEvaluator = new WeakMap<Evaluator, DeviceDigests>();

/** The digests of `dp`'s devices as `ev` converged it (one set per evaluator, kept while it lives). */
export function digestsOf(dp: Dataplane, ev: Evaluator): DeviceDigests {
  let d = byEvaluator.get(ev);
  if (d === undefined) byEvaluator.set(ev, (d = new DeviceDigests(dp, ev)));
  return d;
}

/**
 * What a question about one device reads beyond it: the addresses any DNAT rule of the dataplane
 * rewrites to (a netfilter traversal is handed them: the only way a packet comes back to its source),
 * sorted, as one string; one per dataplane.
 */
const dnatKeys = new WeakMap<Dataplane, string>();

export function dnatTargetsKey(dp: Dataplane): string {
  let k = dnatKeys.get(dp);
  if (k === undefined) {
    const to = new Set<string>();
    for (const h of dp.hosts) for (const n of h.namespaces) for (const t of n.netfilter.tables) for (const c of t.chains) for (const r of c.rules) if (r.target.kind === 'DNAT') to.add(r.target.to);
    dnatKeys.set(dp, (k = [...to].sort().join(',')));
  }
  return k;
}

/**
 * Whether a question about `devices` alone (each `host/device`) asked in `a` has the answer it has in
 * `b`: every one of them has the same digest in both, and so has what such a question reads beyond
 * them (dnatTargetsKey).
 */
export function sameDevices(a: { readonly dataplane: Dataplane; readonly evaluator: Evaluator }, b: { readonly dataplane: Dataplane; readonly evaluator: Evaluator }, devices: readonly string[]): boolean {
  if (a.dataplane === b.dataplane && a.evaluator === b.evaluator) return true;
  if (dnatTargetsKey(a.dataplane) !== dnatTargetsKey(b.dataplane)) return false;
  const da = digestsOf(a.dataplane, a.evaluator);
  const db = digestsOf(b.dataplane, b.evaluator);
  return devices.every((d) => {
    const i = d.indexOf('/');
    const host = d.slice(0, i);
    const device = d.slice(i + 1);
    return da.digest(host, device) === db.digest(host, device);
  });
}
