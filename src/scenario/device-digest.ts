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
import type { Dataplane } from '../ir/dataplane.ts';
import type { Evaluator } from '../evaluate/index.ts';
import { vmDevice } from '../semantics/topology-index.ts';

/** JSON of `v` without `origin` fields (where a rule or flow was read from; it does not change what it does). */
const canon = (v: unknown): string => JSON.stringify(v, (k, x: unknown) => (k === 'origin' ? undefined : x));

const key = (host: string, device: string) => `${host}\u0000${device}`;

/** The digests of one dataplane's devices under one evaluator's converged state, each computed once when first asked. */
export class DeviceDigests {
  private readonly done = new Map<string, string>();
  private learned: Map<string, unknown[]> | null = null;

  constructor(private readonly dp: Dataplane, private readonly ev: Evaluator) {}

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
    const contents =
      h?.ovsBridges.find((b) => b.name === device) ??
      h?.linuxBridges.find((b) => b.name === device) ??
      h?.namespaces.find((n) => n.name === device) ??
      dp.stations.filter((s) => s.kind === 'vm-port' && s.host === host && vmDevice(s.vm) === device);
    const at = (e: { host: string; device: string }) => e.host === host && e.device === device;
    const failures = dp.failures;
    const d = canon({
      host: h === undefined ? null : { name: h.name, tunnelIp: h.tunnelIp },
      contents: h === undefined ? 'absent' : contents,
      learned: this.learnedAt(host, device),
      links: dp.links.filter((l) => at(l.a) || at(l.b)),
      wires: dp.wires.filter((w) => w.members.some(at)).map((w) => ({ physnet: w.physnet, members: w.members.filter(at) })),
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
