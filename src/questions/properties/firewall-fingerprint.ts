// What a port's hybrid firewall does, as a comparable string: every rule of its host's root
// namespace that names the port's own devices (tap, qvb), and every chain those rules reach, with the
// members of each ipset a reached rule matches on. The port's own names, addresses, MAC and conntrack
// zone are written as placeholders, so two ports whose hosts programmed the same rules for them have
// the same fingerprint whatever host they are on.
// Why: a property that checks one representative per class of ports may let it stand for a port on
// another host only where that host's firewall is shown to treat the port alike. A fault in one
// host's rules (a rule removed or widened, an ipset member dropped, the anti-spoofing rules gone)
// makes the fingerprints differ, and the port is then checked on its own. The same goes for the
// other side of a remote-group rule: the ipsets that hold a port's address, on every host
// (`setMemberships`), so a port left out of a set on one host is not stood for by one that is in.
import type { Dataplane } from '../../ir/dataplane.ts';
import type { NetfilterRuleset, NfChain, NfMatch, NfRule } from '../../ir/netfilter.ts';
import { deviceName } from '../../render/names.ts';
import { inPrefix } from '../../net/ipv4.ts';
import type { VmStation } from './common.ts';

const fingerprints = new WeakMap<Dataplane, Map<string, string>>();

/** The fingerprint of `s`'s firewall in `dp` (see the top of this file); memoized per dataplane. */
export function firewallFingerprint(dp: Dataplane, s: VmStation): string {
  let memo = fingerprints.get(dp);
  if (!memo) fingerprints.set(dp, (memo = new Map()));
  let f = memo.get(s.portId);
  if (f === undefined) memo.set(s.portId, (f = compute(dp, s)));
  return f;
}

const memberships = new WeakMap<Dataplane, { exact: Map<string, string[]>; wide: { where: string; ip: string; prefixLen: number }[] }>();

/** The ipsets, on every host, that hold `s`'s address: `host/set` names, sorted; memoized per dataplane. */
export function setMemberships(dp: Dataplane, s: VmStation): string {
  let m = memberships.get(dp);
  if (!m) {
    m = { exact: new Map(), wide: [] };
    for (const h of dp.hosts) {
      for (const ns of h.namespaces) {
        for (const [name, members] of Object.entries(ns.netfilter.ipsets)) {
          const where = `${h.name}/${ns.name}/${name}`;
          for (const c of members) {
            if (c.prefixLen === 32) m.exact.set(c.ip, [...(m.exact.get(c.ip) ?? []), where]);
            else m.wide.push({ where, ip: c.ip, prefixLen: c.prefixLen });
          }
        }
      }
    }
    memberships.set(dp, m);
  }
  const wide = m.wide.filter((x) => inPrefix(s.ip, x.ip, x.prefixLen)).map((x) => x.where);
  return [...new Set([...(m.exact.get(s.ip) ?? []), ...wide])].sort().join(' ');
}

/** Per host's root namespace: the rules naming each device, with their table and chain. */
type DeviceIndex = Map<string, { table: string; chain: string; r: NfRule }[]>;
const indexes = new WeakMap<NetfilterRuleset, DeviceIndex>();

function deviceIndex(nf: NetfilterRuleset): DeviceIndex {
  let ix = indexes.get(nf);
  if (ix) return ix;
  ix = new Map();
  for (const t of nf.tables) {
    for (const c of t.chains) {
      for (const r of c.rules) {
        for (const d of new Set(r.matches.flatMap(devicesNamed))) ix.set(d, [...(ix.get(d) ?? []), { table: t.name, chain: c.name, r }]);
      }
    }
  }
  indexes.set(nf, ix);
  return ix;
}

function compute(dp: Dataplane, s: VmStation): string {
  const root = dp.hosts.find((h) => h.name === s.host)?.namespaces.find((n) => n.name === 'root');
  if (!root) return 'no root namespace';
  const nf = root.netfilter;
  const own = [deviceName.tap(s.portId), deviceName.qvb(s.portId)];
  // The chain names the agent derives from the port id carry its first characters.
  const id10 = s.portId.slice(0, 10);
  const mac = new RegExp(s.mac, 'gi');
  const generic = (text: string) => own.reduce((t, d) => t.split(d).join('<dev>'), text).split(id10).join('<id>').split(`"${s.ip}"`).join('"<ip>"').replace(mac, '<mac>');
  const ix = deviceIndex(nf);
  const entry = [...new Set(own.flatMap((d) => ix.get(d) ?? []))];
  const lines: string[] = [];
  for (const table of nf.tables) {
    const chains = new Map(table.chains.map((c) => [c.name, c]));
    const reached = new Set<string>();
    const queue: NfChain[] = [];
    const follow = (to: string | null) => {
      if (to !== null && !reached.has(to) && chains.has(to)) {
        reached.add(to);
        queue.push(chains.get(to)!);
      }
    };
    for (const { chain, r } of entry.filter((x) => x.table === table.name)) {
      lines.push(`${table.name} ${generic(chain)}: ${ruleText(r, generic, nf)}`);
      // Only into the port's own chains: a shared one (sg-chain) holds every port's dispatch.
      const to = jumpTarget(r);
      if (to?.includes(id10)) follow(to);
    }
    for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
      for (const r of c.rules) {
        lines.push(`${table.name} ${generic(c.name)}: ${ruleText(r, generic, nf)}`);
        follow(jumpTarget(r));
      }
    }
  }
  return lines.join('\n');
}

function devicesNamed(m: NfMatch): string[] {
  if (m.kind === 'physdev') return [m.in?.name, m.out?.name].filter((x): x is string => x !== undefined);
  if (m.kind === 'in-iface' || m.kind === 'out-iface') return [m.name];
  return [];
}

const jumpTarget = (r: NfRule): string | null => (r.target.kind === 'jump' || r.target.kind === 'goto' ? r.target.chain : null);

/** A rule without its origin (the line it came from), ipsets with their members, zones as placeholders. */
function ruleText(r: NfRule, generic: (t: string) => string, nf: NetfilterRuleset): string {
  // A set's members are the same for every port of its group: they are compared as they are, as a
  // set (ipset save lists them in its hash order, which differs from host to host).
  const matches = r.matches.filter((m) => m.kind !== 'comment').map((m) =>
    m.kind === 'set' ? `${generic(JSON.stringify(m))}=${membersText(nf.ipsets[m.name])}` : generic(JSON.stringify(m)));
  const target = r.target.kind === 'CT' ? { ...r.target, zone: r.target.zone === null ? null : '<zone>' } : r.target;
  return `${matches.join(' ')} -> ${generic(JSON.stringify(target))}`;
}

const membersText = (members: NetfilterRuleset['ipsets'][string] | undefined): string =>
  members === undefined ? 'no such set' : [...new Set(members.map((c) => `${c.ip}/${c.prefixLen}`))].sort().join(',');
