// The dataplane of a cloud directory's node captures, through the same assembly a rendered topology
// goes through (src/dataplane/assemble.ts): bridges, ports, ofports and flows as `ovs-vsctl show` and
// `ovs-ofctl` printed them, the host firewall and ipsets, Linux bridges from `bridge link`, and each
// namespace's addresses, main routing table and rules — device names, ports, local VLANs, conntrack
// zones and ofports all read from the capture, never assumed. Origins name the capture file and line.
// A device whose capture cannot be trusted in full is made opaque (opaque.ts), with a note saying why.
import type { Endpoint, LinuxBridge, NsInterface, Route } from '../../ir/dataplane.ts';
import type { Cidr, Flow } from '../../ir/openflow.ts';
import type { NetfilterRuleset } from '../../ir/netfilter.ts';
import type { Origin, Warning } from '../../ir/origin.ts';
import type { Topology } from '../../topology/model.ts';
import type { HostSource } from '../../dataplane/assemble.ts';
import {
  PARSE_WARNING,
  parseBrctlShow,
  parseBridgeLink,
  parseDumpFlows,
  parseIpAddr,
  parseIpRouteAll,
  parseIpRule,
  parseIpsetSave,
  parseIptablesSave,
  parseKeepalivedConf,
  parseOfctlShow,
  parseOvsVsctlShow,
  type VsctlShow,
} from '../../parse/index.ts';
import { hostPath, HOST_DIRS, HOST_FILES } from '../layout.ts';
import { CLOUD_NOTE, note, type CloudNote } from '../notes.ts';
import type { HostCapture } from './capture.ts';
import type { HostOptions } from './options.ts';
import { opaqueFlows, opaqueRuleset } from './opaque.ts';

const EMPTY: NetfilterRuleset = { tables: [], ipsets: {} };
type Parse<T> = (text: string, file: string) => { value: T; warnings: Warning[] };
/** A capture file parsed: its value (null when absent), the warnings that lost a line, and all its warnings. */
interface Read<T> { readonly value: T | null; readonly lost: readonly Warning[]; readonly all: readonly Warning[] }

/** Parse warnings that mean a line of the capture contributed nothing: the device is then not fully known. */
const LOST_LINE = new Set<string>([PARSE_WARNING.unrecognisedLine, PARSE_WARNING.badValue]);

export interface CaptureSource extends HostSource {
  readonly notes: readonly CloudNote[];
}

/** The subjects a namespace's owner answers for: its router (and the networks it attaches) or its DHCP network. */
function namespaceSubjects(topo: Topology, ns: string): string[] {
  const r = topo.routers.find((x) => ns === `qrouter-${x.id}`);
  if (r) return [`router:${r.name}`, ...new Set([...r.interfaces.map((i) => `network:${i.network}`), ...(r.gateway ? [`network:${r.gateway.network}`] : [])])];
  const n = topo.networks.find((x) => ns === `qdhcp-${x.id}`);
  return n ? [`network:${n.name}`] : [];
}

export function captureSource(topo: Topology, captures: readonly HostCapture[], options: ReadonlyMap<string, HostOptions>): CaptureSource {
  const warnings: Warning[] = [];
  const notes: CloudNote[] = [];
  const byHost = new Map(captures.map((c) => [c.host, c]));
  const cache = new Map<string, unknown>();

  const cap = (host: string): HostCapture => byHost.get(host) as HostCapture;
  const fileOf = (c: HostCapture, rel: string) => `${c.dir}/${rel}`;
  const origin = (c: HostCapture, rel: string, line: number, text: string): Origin => ({ file: fileOf(c, rel), line, text });

  /** Why the file cannot be trusted in full (null when it can): the command failed, stops mid-line, or has a line the parser lost. */
  const issue = (c: HostCapture, rel: string, lost: readonly Warning[]): { why: string; line: number } | null => {
    const text = c.files.get(rel);
    const logged = c.log.get(rel);
    if (text === undefined) return logged ? { why: `${logged.command} failed (exit ${logged.status}${logged.message ? `: ${logged.message}` : ''})`, line: 1 } : { why: 'not captured', line: 1 };
    if (logged && logged.status !== 0) return { why: `${logged.command} exited ${logged.status}${logged.message ? `: ${logged.message}` : ''}, so the output may be partial`, line: 1 };
    if (text !== '' && !text.endsWith('\n')) return { why: 'the capture stops mid-line (truncated?)', line: text.split('\n').length };
    const w = lost[0];
    return w ? { why: `line ${w.line} is not understood (${w.message})`, line: w.line } : null;
  };

  /** Parses a capture file once; the parse, the warnings it lost lines with, and null when absent. */
  const read = <T>(c: HostCapture, rel: string, parse: Parse<T>): Read<T> => {
    const key = `${c.host}\u0000${rel}`;
    const hit = cache.get(key) as Read<T> | undefined;
    if (hit) return hit;
    const text = c.files.get(rel);
    let out: Read<T> = { value: null, lost: [], all: [] };
    if (text !== undefined) {
      const r = parse(text, fileOf(c, rel));
      warnings.push(...r.warnings);
      out = { value: r.value, lost: r.warnings.filter((w) => LOST_LINE.has(w.code)), all: r.warnings };
    }
    cache.set(key, out);
    return out;
  };

  const opaqueNote = (c: HostCapture, rel: string, what: string, why: string, line: number, taints: readonly string[]) => {
    notes.push(note(CLOUD_NOTE.capture, { file: fileOf(c, rel), line }, `${what} on ${c.host}: ${why}; every path through it is unknown`, taints));
  };

  const show = (host: string): VsctlShow | null => read(cap(host), HOST_FILES.ovsVsctlShow, parseOvsVsctlShow).value;

  const flows = (host: string, bridge: string): readonly Flow[] => {
    const c = cap(host);
    const rel = hostPath.dumpFlows(bridge);
    const r = read(c, rel, parseDumpFlows);
    const got = r.value ?? [];
    let problem = issue(c, rel, r.lost);
    // Flows that name ports by number need the bridge's port numbers.
    const numbered = got.some((f) => f.match.in_port?.kind === 'number' || f.actions.some((a) => a.kind === 'output' && a.port.kind === 'number'));
    if (!problem && numbered && !c.files.has(hostPath.ofctlShow(bridge))) problem = { why: `its flows name ports by number and ${hostPath.ofctlShow(bridge)} is missing`, line: 1 };
    if (!problem) return got;
    opaqueNote(c, rel, bridge, problem.why, problem.line, [`host:${host}`]);
    return opaqueFlows(got, origin(c, rel, problem.line, `capture of ${bridge} on ${host} is incomplete: ${problem.why}`));
  };

  const ipsetsOf = (host: string): Readonly<Record<string, readonly Cidr[]>> => read(cap(host), HOST_FILES.ipsetSave, parseIpsetSave).value ?? {};

  const rootRules = (host: string): NetfilterRuleset => {
    const c = cap(host);
    const r = read(c, HOST_FILES.iptablesSave, parseIptablesSave);
    const rs = r.value ?? EMPTY;
    let problem = issue(c, HOST_FILES.iptablesSave, r.lost);
    // Without the host firewall's capture, a host with Linux bridges (the hybrid firewall's qbr) is unknown; one without filters nothing bridged.
    if (problem?.why === 'not captured' && linuxBridges(host).length === 0) problem = null;
    const sets = c.files.get(HOST_FILES.iptablesSave)?.match(/--match-set\s+\S+/g) ?? [];
    if (!problem && sets.length > 0) {
      const have = ipsetsOf(host);
      const missing = sets.map((s) => s.split(/\s+/)[1] as string).find((n) => !(n in have));
      if (missing !== undefined) problem = { why: `its rules use ipset ${missing}, which ${HOST_FILES.ipsetSave} does not hold`, line: 1 };
    }
    if (!problem) return rs;
    opaqueNote(c, HOST_FILES.iptablesSave, 'the host firewall (iptables)', problem.why, problem.line, [`host:${host}`]);
    return opaqueRuleset(rs, origin(c, HOST_FILES.iptablesSave, problem.line, `capture of the iptables of ${host} is incomplete: ${problem.why}`));
  };

  const linuxBridges = (host: string): readonly LinuxBridge[] => {
    const c = cap(host);
    const link = read(c, HOST_FILES.bridgeLink, parseBridgeLink);
    if (link.value !== null) return link.value;
    return read(c, HOST_FILES.brctlShow, parseBrctlShow).value ?? [];
  };

  const namespaces = (host: string): readonly string[] => {
    const prefix = `${HOST_DIRS.netns}/`;
    return [...new Set([...cap(host).files.keys()].filter((f) => f.startsWith(prefix)).map((f) => f.split('/')[1] as string))].sort();
  };

  const nsFile = (ns: string, f: 'ipAddr' | 'ipRoute' | 'ipRule' | 'iptablesSave') => hostPath.netns(ns, f);

  const nsInterfaces = (host: string, ns: string): readonly NsInterface[] => {
    const c = cap(host);
    const rel = nsFile(ns, 'ipAddr');
    const r = read(c, rel, parseIpAddr);
    const problem = issue(c, rel, r.lost);
    if (problem && !cache.has(`noted\u0000${host}\u0000${rel}`)) {
      cache.set(`noted\u0000${host}\u0000${rel}`, true);
      notes.push(note(CLOUD_NOTE.capture, { file: fileOf(c, rel), line: problem.line }, `the addresses of ${ns} on ${host} are not fully known: ${problem.why}`, [`host:${host}`, ...namespaceSubjects(topo, ns)]));
    }
    return r.value ?? [];
  };

  const nsRoutes = (host: string, ns: string): readonly Route[] => read(cap(host), nsFile(ns, 'ipRoute'), parseIpRouteAll).value?.main ?? [];

  /** Why a namespace's forwarding cannot be followed, if it cannot: routes and policy routing beyond the main table, a failed capture, a kind netproof does not model. */
  const routingProblem = (c: HostCapture, ns: string): { rel: string; why: string; line: number } | null => {
    if (!ns.startsWith('qrouter-') && !ns.startsWith('qdhcp-')) return { rel: nsFile(ns, 'ipAddr'), why: `a namespace of a kind netproof does not model (${ns.split('-')[0]})`, line: 1 };
    const routeRel = nsFile(ns, 'ipRoute');
    const routes = read(c, routeRel, parseIpRouteAll);
    const routeIssue = issue(c, routeRel, routes.lost);
    if (routeIssue) return { rel: routeRel, ...routeIssue };
    // A route the parser does not model (blackhole, unreachable, multipath, …) would otherwise be left out.
    const unmodelled = routes.all[0];
    if (unmodelled) return { rel: routeRel, why: unmodelled.message, line: unmodelled.line };
    const other = [...(routes.value?.others ?? [])][0];
    if (other) return { rel: routeRel, why: `routes in table ${other[0]}, which only policy routing reads`, line: other[1] };
    const ruleRel = nsFile(ns, 'ipRule');
    const rules = read(c, ruleRel, parseIpRule);
    if (c.files.has(ruleRel)) {
      const ruleIssue = issue(c, ruleRel, rules.lost);
      if (ruleIssue) return { rel: ruleRel, ...ruleIssue };
      const r = rules.value?.[0];
      if (r) return { rel: ruleRel, why: `policy routing (${r.text}) is not modelled`, line: r.line };
    }
    return null;
  };

  const nsRules = (host: string, ns: string): NetfilterRuleset => {
    const c = cap(host);
    const rel = nsFile(ns, 'iptablesSave');
    const r = read(c, rel, parseIptablesSave);
    const rs = r.value ?? EMPTY;
    const problem = (() => {
      const i = issue(c, rel, r.lost);
      return i ? { rel, ...i } : routingProblem(c, ns);
    })();
    if (!problem) return rs;
    opaqueNote(c, problem.rel, ns, problem.why, problem.line, [`host:${host}`, ...namespaceSubjects(topo, ns)]);
    return opaqueRuleset(rs, origin(c, problem.rel, problem.line, `${ns} on ${host} is not modelled in full: ${problem.why}`));
  };

  const physicalPorts = (host: string): ReadonlyMap<string, readonly Endpoint[]> => {
    const mappings = topo.hosts.find((h) => h.name === host)?.bridgeMappings ?? options.get(host)?.bridgeMappings?.value ?? {};
    const out = new Map<string, Endpoint[]>();
    for (const [physnet, bridge] of Object.entries(mappings)) {
      const b = show(host)?.bridges.find((x) => x.name === bridge);
      // The NICs: the bridge's system ports (not its own internal port, not the patch to br-int).
      const nics = (b?.ports ?? []).filter((p) => p.type === 'system' && p.name !== bridge);
      if (nics.length > 0) out.set(physnet, nics.map((p) => ({ host, device: bridge, port: p.name })));
    }
    return out;
  };

  const hosts = captures.map((c) => {
    const apiHost = topo.hosts.find((h) => h.name === c.host);
    const tunnelPort = show(c.host)?.bridges.flatMap((b) => b.ports).find((p) => p.localIp !== null);
    return { name: c.host, tunnelIp: apiHost?.tunnelIp ?? tunnelPort?.localIp ?? options.get(c.host)?.localIp?.value ?? null };
  });

  return {
    hosts,
    warnings,
    notes,
    ovsShow: show,
    ofports: (host, bridge) => read(cap(host), hostPath.ofctlShow(bridge), parseOfctlShow).value ?? {},
    flows,
    linuxBridges,
    rootRules,
    ipsets: ipsetsOf,
    namespaces,
    nsInterfaces,
    nsRoutes,
    nsRules,
    forwarding: (_host, ns) => ns.startsWith('qrouter-'),
    // An HA router's keepalived.conf, read by the same parser as a rendered one (keepalived/<router id>/).
    vrrp: (host, ns) => {
      const id = /^qrouter-(.+)$/.exec(ns)?.[1];
      return id === undefined ? null : read(cap(host), hostPath.keepalived(id, 'conf'), parseKeepalivedConf).value;
    },
    physicalPorts,
  };
}
