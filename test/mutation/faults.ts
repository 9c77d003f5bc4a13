// Single faults in rendered artifacts, one class per way a real node's dataplane goes wrong: each
// class lists every place in a model's artifacts where its fault can be put, and a fault applied gives
// the artifacts as a node with that one fault would dump them (read back by the same parsers). The
// classes: a flow deleted, a VNI or a local VLAN changed on one host only, `strip_vlan` dropped, a DNAT
// or SNAT rule deleted, a floating IP's fixed address swapped, a security-group rule removed or
// widened, the anti-spoofing DROP removed, an ipset member dropped, a router's route deleted, an
// address deleted from a router's or DHCP server's namespace, an address or route deleted from an HA
// router instance's keepalived.conf, an HA router instance's VRID changed to an unused one; on a
// compute host, a jump of the hybrid firewall's chains deleted (a port's chain or the whole firewall
// skipped, or its fallback DROP), a port chain's RELATED,ESTABLISHED RETURN deleted, a conntrack
// zone rule deleted, a tap device unplugged from its Linux bridge, an OVS port's access tag changed; in a
// router's namespace, a floating IP port forwarding's rules altered (its DNAT deleted, the jump into its
// chain deleted, its internal port moved, its internal address another VM port's, a range's --dport cut short).
// Guarantees: a fault changes exactly one artifact (the VNI and local VLAN faults: one host's files
// only; an address deleted: its namespace's addresses and routes); line provenance follows the lines it keeps.
import type { Artifact, Provenance } from '../../src/render/artifacts.ts';
import type { Topology } from '../../src/topology/model.ts';

export const FAULT_CLASSES = [
  'flow-deleted',
  'vni-changed-on-one-host',
  'local-vlan-changed-on-one-host',
  'strip-vlan-dropped',
  'nat-rule-deleted',
  'fip-fixed-address-swapped',
  'sg-rule-removed',
  'sg-rule-widened',
  'anti-spoofing-removed',
  'ipset-member-dropped',
  'route-deleted',
  'address-deleted',
  'vrrp-address-deleted',
  'vrid-changed-on-one-host',
  'firewall-jump-deleted',
  'conntrack-return-deleted',
  'conntrack-zone-deleted',
  'tap-unplugged',
  'port-tag-changed',
  'port-forwarding-altered',
] as const;

export type FaultClass = (typeof FAULT_CLASSES)[number];

export interface Fault {
  readonly cls: FaultClass;
  /** The artifact it changes (`host/file`) and the 1-based line, for people. */
  readonly artifact: string;
  readonly line: number;
  /** One line: what was changed. */
  readonly what: string;
  /** The artifacts with the fault in place. */
  apply(artifacts: readonly Artifact[]): Artifact[];
}

type Edit = (lines: readonly string[]) => { lines: string[]; deleted: number | null };

/** `artifact` with `edit` applied; a deleted line's provenance goes, the later lines' moves up. */
function edited(a: Artifact, edit: Edit): Artifact {
  const { lines, deleted } = edit(a.text.split('\n'));
  const provenance = new Map<number, Provenance>();
  for (const [n, p] of a.provenance) {
    if (deleted === null || n < deleted) provenance.set(n, p);
    else if (n > deleted) provenance.set(n - 1, p);
  }
  return { path: a.path, text: lines.join('\n'), provenance };
}

function fault(cls: FaultClass, a: Artifact, line: number, what: string, edit: Edit): Fault {
  return {
    cls, artifact: a.path, line, what,
    apply: (all) => all.map((x) => (x.path === a.path ? edited(x, edit) : x)),
  };
}

const deleteLine = (n: number): Edit => (lines) => ({ lines: lines.filter((_, i) => i !== n - 1), deleted: n });
const replaceLine = (n: number, text: string): Edit => (lines) => ({ lines: lines.map((l, i) => (i === n - 1 ? text : l)), deleted: null });
const rewriteAll = (f: (l: string) => string): Edit => (lines) => ({ lines: lines.map(f), deleted: null });

/** Lines of `a` (1-based) that match `re`. */
function linesOf(a: Artifact, re: RegExp): { n: number; text: string }[] {
  return a.text.split('\n').flatMap((text, i) => (re.test(text) ? [{ n: i + 1, text }] : []));
}

const short = (s: string) => (s.length > 110 ? `${s.slice(0, 107)}...` : s).trim();
const hostOf = (path: string) => path.split('/')[0]!;
const isFlows = (a: Artifact) => a.path.endsWith('.dump-flows');
const isNsIptables = (a: Artifact) => /\/q(router|dhcp)-[^/]*\.iptables-save$/.test(a.path);
const isHostIptables = (a: Artifact) => /^[^/]+\/iptables-save$/.test(a.path);
const provenanceOf = (a: Artifact, n: number) => a.provenance.get(n);
const isKeepalived = (a: Artifact) => a.path.endsWith('.keepalived.conf');

/** Every fault of class `cls` that `artifacts` (rendered from `topo`) can take. */
export function faultSites(cls: FaultClass, artifacts: readonly Artifact[], topo: Topology): Fault[] {
  switch (cls) {
    case 'flow-deleted':
      return artifacts.filter(isFlows).flatMap((a) => linesOf(a, /actions=/).map(({ n, text }) =>
        fault(cls, a, n, `${a.path}:${n} deleted: ${short(text)}`, deleteLine(n))));
    case 'vni-changed-on-one-host':
      return segmentFaults(cls, artifacts, /tun_id=(0x[0-9a-f]+)/, (v) => [`tun_id=${v}`, `load:${v}->NXM_NX_TUN_ID`]);
    case 'local-vlan-changed-on-one-host':
      return localVlanFaults(artifacts);
    case 'strip-vlan-dropped':
      return artifacts.filter(isFlows).flatMap((a) => linesOf(a, /strip_vlan,/).map(({ n, text }) =>
        fault(cls, a, n, `${a.path}:${n} without strip_vlan: ${short(text)}`, replaceLine(n, text.replace('strip_vlan,', '')))));
    case 'nat-rule-deleted':
      return artifacts.filter(isNsIptables).flatMap((a) => linesOf(a, /-j (DNAT|SNAT)\b/).map(({ n, text }) =>
        fault(cls, a, n, `${a.path}:${n} deleted: ${short(text)}`, deleteLine(n))));
    case 'fip-fixed-address-swapped':
      return fipSwaps(artifacts, topo);
    case 'sg-rule-removed':
      return sgRuleLines(artifacts).map(({ a, n, text }) => fault(cls, a, n, `${a.path}:${n} deleted: ${short(text)}`, deleteLine(n)));
    case 'sg-rule-widened':
      return sgRuleLines(artifacts).flatMap(({ a, n, text }) => {
        const wider = widen(text);
        return wider === null ? [] : [fault(cls, a, n, `${a.path}:${n} widened: ${short(text)} → ${short(wider.replace(/^-A \S+ /, ''))}`, replaceLine(n, wider))];
      });
    case 'anti-spoofing-removed':
      return artifacts.filter(isHostIptables).flatMap((a) => linesOf(a, /-j DROP/).filter(({ n }) => /^anti-spoofing: any other/.test(provenanceOf(a, n)?.why ?? ''))
        .map(({ n, text }) => fault(cls, a, n, `${a.path}:${n} deleted: ${short(text)}`, deleteLine(n))));
    case 'ipset-member-dropped':
      return artifacts.filter((a) => a.path.endsWith('/ipset-save')).flatMap((a) => linesOf(a, /^add /).map(({ n, text }) =>
        fault(cls, a, n, `${a.path}:${n} deleted: ${short(text)}`, deleteLine(n))));
    case 'address-deleted':
      return addressFaults(artifacts);
    case 'vrrp-address-deleted':
      return artifacts.filter(isKeepalived).flatMap((a) => vrrpManagedLines(a).map(({ n, text }) =>
        fault(cls, a, n, `${a.path}:${n} deleted: ${short(text)}`, deleteLine(n))));
    case 'vrid-changed-on-one-host':
      return vridFaults(artifacts);
    case 'route-deleted':
      return artifacts.filter((a) => /\/qrouter-[^/]*\.ip-route$/.test(a.path)).flatMap((a) => linesOf(a, /\S/).map(({ n, text }) =>
        fault(cls, a, n, `${a.path}:${n} deleted: ${short(text)}`, deleteLine(n))));
    case 'firewall-jump-deleted':
      // Every jump between the hybrid firewall's own chains (FORWARD into it, into sg-chain, a port's
      // chains, the fallback), but the built-in chains' own jumps into neutron-filter-top and -local.
      return artifacts.filter(isHostIptables).flatMap((a) => filterLines(a, /-j neutron-openvswi-(?!local\b)\S+$/).map(({ n, text }) =>
        fault(cls, a, n, `${a.path}:${n} deleted: ${short(text)}`, deleteLine(n))));
    case 'conntrack-return-deleted':
      return artifacts.filter(isHostIptables).flatMap((a) => filterLines(a, /--state RELATED,ESTABLISHED .*-j RETURN$/).map(({ n, text }) =>
        fault(cls, a, n, `${a.path}:${n} deleted: ${short(text)}`, deleteLine(n))));
    case 'conntrack-zone-deleted':
      return artifacts.filter(isHostIptables).flatMap((a) => linesOf(a, /^-A \S+ .*-j CT --zone \d+/).map(({ n, text }) =>
        fault(cls, a, n, `${a.path}:${n} deleted: ${short(text)}`, deleteLine(n))));
    case 'tap-unplugged':
      return tapFaults(artifacts);
    case 'port-tag-changed':
      return tagFaults(artifacts);
    case 'port-forwarding-altered':
      return forwardingFaults(artifacts, topo);
    default: {
      const never: never = cls;
      throw new Error(`unknown fault class ${String(never)}`);
    }
  }
}

/**
 * A VNI changed on one host only: every flow of that host's bridges that matches or sets the VNI gets
 * another one (another network's when there is one, so traffic may leak; else an unused one).
 */
function segmentFaults(cls: FaultClass, artifacts: readonly Artifact[], find: RegExp, forms: (v: string) => string[]): Fault[] {
  const byHost = new Map<string, Artifact[]>();
  for (const a of artifacts.filter(isFlows)) byHost.set(hostOf(a.path), [...(byHost.get(hostOf(a.path)) ?? []), a]);
  const all = new Set(artifacts.filter(isFlows).flatMap((a) => linesOf(a, find).map(({ text }) => find.exec(text)![1]!)));
  const out: Fault[] = [];
  for (const [host, files] of byHost) {
    const here = new Set(files.flatMap((a) => linesOf(a, find).map(({ text }) => find.exec(text)![1]!)));
    for (const v of [...here].sort()) {
      const other = [...all].sort().find((x) => x !== v) ?? `0x${(Number(v) + 4000).toString(16)}`;
      const from = forms(v);
      const to = forms(other);
      const swap = (l: string) => from.reduce((s, f, i) => s.split(f).join(to[i]!), l);
      const touched = files.filter((a) => from.some((f) => a.text.includes(f)));
      const first = touched[0]!;
      out.push({
        cls, artifact: first.path, line: linesOf(first, find)[0]?.n ?? 0,
        what: `${host}: VNI ${Number(v)} → ${Number(other)} in ${touched.map((a) => a.path).join(', ')}`,
        apply: (arts) => arts.map((x) => (touched.some((t) => t.path === x.path) ? edited(x, rewriteAll(swap)) : x)),
      });
    }
  }
  return out;
}

/**
 * A local VLAN changed on one host only: the VLAN br-tun tags a tunnel's traffic with on its way into
 * br-int (`mod_vlan_vid:L` of a `tun_id=` flow) becomes another local VLAN of that host, or an unused one.
 */
function localVlanFaults(artifacts: readonly Artifact[]): Fault[] {
  const out: Fault[] = [];
  for (const a of artifacts.filter((x) => x.path.endsWith('/br-tun.dump-flows'))) {
    const rows = linesOf(a, /tun_id=0x[0-9a-f]+ actions=mod_vlan_vid:\d+/);
    const vlans = rows.map(({ text }) => Number(/mod_vlan_vid:(\d+)/.exec(text)![1]));
    for (const [i, { n, text }] of rows.entries()) {
      const other = vlans.find((v) => v !== vlans[i]) ?? vlans[i]! + 100;
      const wrong = text.replace(/mod_vlan_vid:\d+/, `mod_vlan_vid:${other}`);
      out.push(fault('local-vlan-changed-on-one-host', a, n, `${a.path}:${n} local VLAN ${vlans[i]} → ${other}: ${short(wrong)}`, replaceLine(n, wrong)));
    }
  }
  return out;
}

/**
 * A floating IP's fixed address swapped for another VM port's on a subnet of the same router: its DNAT
 * rules and its float SNAT rule in the router's namespace name the other port.
 */
function fipSwaps(artifacts: readonly Artifact[], topo: Topology): Fault[] {
  const out: Fault[] = [];
  const vmIps = topo.ports.filter((p) => p.deviceOwner.startsWith('compute')).map((p) => p.ip);
  for (const a of artifacts.filter(isNsIptables)) {
    for (const { n, text } of linesOf(a, /-A neutron-l3-agent-PREROUTING -d [\d.]+\/32 -j DNAT --to-destination [\d.]+/)) {
      const [, fip, fixed] = /-d ([\d.]+)\/32 -j DNAT --to-destination ([\d.]+)/.exec(text)!;
      const prefix = fixed!.split('.').slice(0, 3).join('.');
      const other = vmIps.filter((ip) => ip !== fixed).sort((x, y) => Number(y.startsWith(prefix)) - Number(x.startsWith(prefix)))[0];
      if (other === undefined) continue;
      const swap = (l: string) => (l.includes(`-d ${fip}/32 -j DNAT --to-destination ${fixed}`) ? l.replace(`--to-destination ${fixed}`, `--to-destination ${other}`)
        : l.includes(`-s ${fixed}/32 -j SNAT --to-source ${fip}`) ? l.replace(`-s ${fixed}/32`, `-s ${other}/32`) : l);
      out.push({
        cls: 'fip-fixed-address-swapped', artifact: a.path, line: n,
        what: `${a.path}: floating IP ${fip} → ${other} instead of ${fixed}`,
        apply: (arts) => arts.map((x) => (x.path === a.path ? edited(x, rewriteAll(swap)) : x)),
      });
    }
  }
  return out;
}

/** The hybrid firewall's lines that a security-group rule put there (by their provenance). */
function sgRuleLines(artifacts: readonly Artifact[]): { a: Artifact; n: number; text: string }[] {
  return artifacts.filter(isHostIptables).flatMap((a) => linesOf(a, /^-A /)
    .filter(({ n }) => /^security group .* rule /.test(provenanceOf(a, n)?.neutron ?? ''))
    .map(({ n, text }) => ({ a, n, text })));
}

/** A security-group rule let through more: its port or ICMP type match, else its remote group or prefix, else its protocol dropped. */
function widen(rule: string): string | null {
  const steps: RegExp[] = [/ --dports? [\d:,]+/, / --icmp-type \S+/, / -m set --match-set \S+ (src|dst)/, / -[sd] [\d./]+/, / -p \w+( -m \w+)?/];
  for (const re of steps) if (re.test(rule)) return rule.replace(re, '').replace(/ -m (tcp|udp|icmp|multiport)(?= -j| -m)/, '');
  return null;
}

/**
 * An address deleted from a router's or DHCP server's namespace, as `ip addr del` leaves it: the
 * kernel takes the address's connected route with it (the namespace's `proto kernel … src ADDRESS`
 * route), so a dump after it lacks both.
 */
function addressFaults(artifacts: readonly Artifact[]): Fault[] {
  const out: Fault[] = [];
  for (const a of artifacts.filter((x) => /\/q(router|dhcp)-[^/]*\.ip-addr$/.test(x.path))) {
    const routes = artifacts.find((x) => x.path === a.path.replace(/\.ip-addr$/, '.ip-route'));
    for (const { n, text } of linesOf(a, /^\s+inet (?!127\.)/)) {
      const ip = /inet ([\d.]+)\//.exec(text)![1]!;
      const connected = routes === undefined ? [] : linesOf(routes, new RegExp(`proto kernel .*\\bsrc ${ip.replace(/\./g, '\\.')}$`));
      out.push({
        cls: 'address-deleted', artifact: a.path, line: n,
        what: `${a.path}:${n} deleted: ${short(text)}${connected.length > 0 ? ` (and its connected route, ${routes!.path}:${connected[0]!.n})` : ''}`,
        apply: (arts) => arts.map((x) => (x.path === a.path ? edited(x, deleteLine(n)) : connected.length > 0 && x.path === routes!.path ? edited(x, deleteLine(connected[0]!.n)) : x)),
      });
    }
  }
  return out;
}

/** The lines of a keepalived.conf inside its `virtual_ipaddress`, `virtual_ipaddress_excluded` and `virtual_routes` blocks. */
function vrrpManagedLines(a: Artifact): { n: number; text: string }[] {
  const out: { n: number; text: string }[] = [];
  let inBlock = false;
  for (const [i, text] of a.text.split('\n').entries()) {
    if (/^\s*virtual_(ipaddress|ipaddress_excluded|routes)\s*\{/.test(text)) inBlock = true;
    else if (/^\s*\}/.test(text)) inBlock = false;
    else if (inBlock && text.trim() !== '') out.push({ n: i + 1, text });
  }
  return out;
}

/**
 * One HA router instance's VRID changed to one no instance uses: its advertisements are another
 * group's to the router's other instances, so they no longer elect one master between them.
 */
function vridFaults(artifacts: readonly Artifact[]): Fault[] {
  const confs = artifacts.filter(isKeepalived);
  const vrid = (a: Artifact) => linesOf(a, /^\s*virtual_router_id \d+/).map(({ n, text }) => ({ n, text, id: Number(/virtual_router_id (\d+)/.exec(text)![1]) }));
  const used = new Set(confs.flatMap(vrid).map((x) => x.id));
  const unused = Array.from({ length: 254 }, (_, i) => i + 1).find((x) => !used.has(x));
  if (unused === undefined) return [];
  return confs.flatMap((a) => vrid(a).map(({ n, text, id }) =>
    fault('vrid-changed-on-one-host', a, n, `${a.path}:${n} VRID ${id} → ${unused}`, replaceLine(n, text.replace(/virtual_router_id \d+/, `virtual_router_id ${unused}`)))));
}

/** The `-A` lines of an iptables-save's filter table that match `re`. */
function filterLines(a: Artifact, re: RegExp): { n: number; text: string }[] {
  let table = '';
  return a.text.split('\n').flatMap((text, i) => {
    if (text.startsWith('*')) table = text.slice(1);
    return table === 'filter' && text.startsWith('-A ') && re.test(text) ? [{ n: i + 1, text }] : [];
  });
}

/**
 * A VM's tap device unplugged from its Linux bridge (`brctl delif`): its line in `brctl show` goes.
 * Only a tap on a line of its own; one on the bridge's own line would take the bridge's columns with it.
 */
function tapFaults(artifacts: readonly Artifact[]): Fault[] {
  return artifacts.filter((a) => a.path.endsWith('/brctl-show')).flatMap((a) => linesOf(a, /^\s+tap\S+\s*$/).map(({ n, text }) =>
    fault('tap-unplugged', a, n, `${a.path}:${n} unplugged: ${text.trim()}`, deleteLine(n))));
}

/**
 * An OVS port's access tag in `ovs-vsctl show` changed to another local VLAN of the bridge (traffic
 * may leak between networks) or, with none, an unused one: the agent's flows still name the old one.
 */
function tagFaults(artifacts: readonly Artifact[]): Fault[] {
  const out: Fault[] = [];
  for (const a of artifacts.filter((x) => x.path.endsWith('/ovs-vsctl-show'))) {
    const rows = linesOf(a, /^\s+tag: \d+\s*$/);
    const tags = rows.map(({ text }) => Number(/tag: (\d+)/.exec(text)![1]));
    for (const [i, { n, text }] of rows.entries()) {
      const other = tags.find((t) => t !== tags[i]) ?? tags[i]! + 100;
      out.push(fault('port-tag-changed', a, n, `${a.path}:${n} tag ${tags[i]} → ${other}`, replaceLine(n, text.replace(/tag: \d+/, `tag: ${other}`))));
    }
  }
  return out;
}

/**
 * A floating IP port forwarding's rules in its router's namespace altered, as a hand edit or a half-applied
 * update of the L3 agent's port_forwarding extension leaves them: per `pf-` chain's DNAT (`-d FIP/32 -p P -m P
 * --dport EXT -j DNAT --to-destination IP:PORT`, a range `--dport A:B … IP:C-D/A`), the rule deleted, the jump
 * from fip-pf into its chain deleted, its internal port moved up one (a range: C-D/A → C+1-D+1/A, each port
 * one off), its internal address another VM port's (one of the same subnet first), and for a range the last
 * port cut from --dport (A:B → A:B-1).
 */
function forwardingFaults(artifacts: readonly Artifact[], topo: Topology): Fault[] {
  const cls = 'port-forwarding-altered';
  const out: Fault[] = [];
  const vmIps = topo.ports.filter((p) => p.deviceOwner.startsWith('compute')).map((p) => p.ip);
  const DNAT = /^-A (neutron-l3-agent-pf-[0-9a-f]+) -d [\d.]+\/32 -p \w+ -m \w+ --dport (\d+)(?::(\d+))? -j DNAT --to-destination ([\d.]+):(\d+)(?:-(\d+))?(\/\d+)?$/;
  for (const a of artifacts.filter((x) => /\/qrouter-[^/]*\.iptables-save$/.test(x.path))) {
    for (const { n, text } of linesOf(a, DNAT)) {
      const [, chain, , extEnd, ip, from, to, base] = DNAT.exec(text)!;
      out.push(fault(cls, a, n, `${a.path}:${n} deleted: ${short(text)}`, deleteLine(n)));
      for (const j of linesOf(a, new RegExp(`^-A neutron-l3-agent-fip-pf -j ${chain}$`))) {
        out.push(fault(cls, a, j.n, `${a.path}:${j.n} deleted: ${short(j.text)}`, deleteLine(j.n)));
      }
      const moved = `--to-destination ${ip}:${Number(from) + 1}${to === undefined ? '' : `-${Number(to) + 1}`}${base ?? ''}`;
      const movedText = text.replace(/--to-destination \S+$/, moved);
      out.push(fault(cls, a, n, `${a.path}:${n} internal port moved: ${short(movedText.replace(/^-A \S+ /, ''))}`, replaceLine(n, movedText)));
      const prefix = ip!.split('.').slice(0, 3).join('.');
      const other = vmIps.filter((x) => x !== ip).sort((x, y) => Number(y.startsWith(prefix)) - Number(x.startsWith(prefix)))[0];
      if (other !== undefined) {
        const swapped = text.replace(`--to-destination ${ip}:`, `--to-destination ${other}:`);
        out.push(fault(cls, a, n, `${a.path}:${n} internal address ${ip} → ${other}: ${short(swapped.replace(/^-A \S+ /, ''))}`, replaceLine(n, swapped)));
      }
      if (extEnd !== undefined) {
        const cut = text.replace(/--dport (\d+):(\d+)/, (_, x: string, y: string) => `--dport ${x}:${Number(y) - 1}`);
        out.push(fault(cls, a, n, `${a.path}:${n} range cut short: ${short(cut.replace(/^-A \S+ /, ''))}`, replaceLine(n, cut)));
      }
    }
  }
  return out;
}
