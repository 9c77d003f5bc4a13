// Choosing the parser for a text: by artifact file name for what netproof renders (the
// `artifactPath` layout of src/render/artifacts.ts), by content for real captures (detect.ts).
// Both give one kind-tagged ParsedContent, or NP505 when the format is not one netproof reads.
import type { InputError, Result } from '../errors.ts';
import type { LinuxBridge, NsInterface, Route } from '../ir/dataplane.ts';
import type { NetfilterRuleset } from '../ir/netfilter.ts';
import type { Cidr, Flow } from '../ir/openflow.ts';
import type { Warning } from '../ir/origin.ts';
import { parseBrctlShow } from './brctl-show.ts';
import { detectFormat, guessIptablesTable, splitSections, type ArtifactFormat } from './detect.ts';
import { parseIpAddr } from './ip-addr.ts';
import { parseIpRoute } from './ip-route.ts';
import { parseIpsetSave } from './ipset-save.ts';
import { parseIptablesS, parseIptablesSave } from './iptables-save.ts';
import { parseDumpFlows } from './ofctl-flows.ts';
import { parseOfctlShow } from './ofctl-show.ts';
import { parseOvsVsctlShow, type VsctlShow } from './ovs-vsctl-show.ts';
import type { Parsed } from './parsed.ts';
import { parseKeepalivedConf } from './keepalived-conf.ts';
import type { VrrpInstance } from '../ir/vrrp.ts';

export type ParsedContent =
  | { readonly kind: 'dump-flows'; readonly flows: Flow[] }
  | { readonly kind: 'ofctl-show'; readonly ofports: Record<string, number> }
  | { readonly kind: 'ovs-vsctl-show'; readonly show: VsctlShow }
  | { readonly kind: 'brctl-show'; readonly bridges: LinuxBridge[] }
  | { readonly kind: 'iptables'; readonly ruleset: NetfilterRuleset }
  | { readonly kind: 'ipset-save'; readonly sets: Record<string, Cidr[]> }
  | { readonly kind: 'ip-addr'; readonly interfaces: NsInterface[] }
  | { readonly kind: 'ip-route'; readonly routes: Route[] }
  | { readonly kind: 'keepalived'; readonly instances: VrrpInstance[] };

export interface ParsedText {
  readonly format: ArtifactFormat;
  readonly content: ParsedContent;
  readonly warnings: Warning[];
}

function unsupportedFormat(file: string, message: string): Result<never> {
  const error: InputError = { code: 'NP505', file, position: null, path: '', message };
  return { ok: false, errors: [error] };
}

function wrap<T>(format: ArtifactFormat, r: Parsed<T>, content: (v: T) => ParsedContent): Result<ParsedText> {
  if (r.errors && r.errors.length > 0) return { ok: false, errors: r.errors };
  return { ok: true, value: { format, content: content(r.value), warnings: r.warnings } };
}

/**
 * Parses `text` as `format`. `table` is the netfilter table of an `iptables -S` text (which does
 * not name it); when absent it is guessed from the rules.
 */
export function parseAs(format: ArtifactFormat, text: string, file: string, table?: string): Result<ParsedText> {
  switch (format) {
    case 'dump-flows':
      return wrap(format, parseDumpFlows(text, file), (flows) => ({ kind: 'dump-flows', flows }));
    case 'ofctl-show':
      return wrap(format, parseOfctlShow(text, file), (ofports) => ({ kind: 'ofctl-show', ofports }));
    case 'ovs-vsctl-show':
      return wrap(format, parseOvsVsctlShow(text, file), (show) => ({ kind: 'ovs-vsctl-show', show }));
    case 'brctl-show':
      return wrap(format, parseBrctlShow(text, file), (bridges) => ({ kind: 'brctl-show', bridges }));
    case 'iptables-save':
      return wrap(format, parseIptablesSave(text, file), (ruleset) => ({ kind: 'iptables', ruleset }));
    case 'iptables-S':
      return wrap(format, parseIptablesS(text, file, table ?? guessIptablesTable(text)), (ruleset) => ({ kind: 'iptables', ruleset }));
    case 'iptables-L':
      return unsupportedFormat(file, 'iptables -L output is lossy; collect iptables-save (or iptables -S) instead');
    case 'ipset-save':
      return wrap(format, parseIpsetSave(text, file), (sets) => ({ kind: 'ipset-save', sets }));
    case 'ip-addr':
      return wrap(format, parseIpAddr(text, file), (interfaces) => ({ kind: 'ip-addr', interfaces }));
    case 'ip-route':
      return wrap(format, parseIpRoute(text, file), (routes) => ({ kind: 'ip-route', routes }));
    case 'keepalived-conf':
      return wrap(format, parseKeepalivedConf(text, file), (instances) => ({ kind: 'keepalived', instances }));
    case 'unknown':
      return unsupportedFormat(file, 'not a format netproof reads (dump-flows, ovs-vsctl show, ovs-ofctl show, iptables-save/-S, ipset save, ip addr, ip route, brctl show, keepalived.conf)');
    default: {
      const never: never = format;
      return never;
    }
  }
}

/** A rendered artifact, parsed: which host and device it belongs to, and its content. */
export interface ParsedArtifact extends ParsedText {
  readonly path: string;
  readonly host: string;
  /** The bridge (`br-int`) or namespace (`qrouter-…`; `root` for host-wide files); null for host-wide OVS/bridge files. */
  readonly device: string | null;
}

/** File name (after `<host>/`) → format and device, per `artifactPath`. */
function byName(name: string): { format: ArtifactFormat; device: string | null } | null {
  const fixed: Record<string, { format: ArtifactFormat; device: string | null }> = {
    'ovs-vsctl-show': { format: 'ovs-vsctl-show', device: null },
    'brctl-show': { format: 'brctl-show', device: null },
    'iptables-save': { format: 'iptables-save', device: 'root' },
    'ipset-save': { format: 'ipset-save', device: 'root' },
  };
  const f = fixed[name];
  if (f) return f;
  const conf = /^(.+)\.keepalived\.conf$/.exec(name);
  if (conf) return { format: 'keepalived-conf', device: conf[1] as string };
  const m = /^(.+)\.(dump-flows|ofctl-show|ip-addr|ip-route|iptables-save)$/.exec(name);
  return m ? { format: m[2] as ArtifactFormat, device: m[1] as string } : null;
}

/** Parses a rendered artifact, choosing the parser from its path (`<host>/<file>`). */
export function parseArtifactFile(path: string, text: string): Result<ParsedArtifact> {
  const slash = path.lastIndexOf('/');
  const host = slash < 0 ? '' : path.slice(0, slash).split('/').pop() ?? '';
  const kind = byName(path.slice(slash + 1));
  if (!kind) return unsupportedFormat(path, `no artifact format is named by the file name ${path.slice(slash + 1)}`);
  const r = parseAs(kind.format, text, path);
  return r.ok ? { ok: true, value: { ...r.value, path, host, device: kind.device } } : r;
}

/** One section of a capture, parsed after detecting its format. */
export interface DetectedSection {
  readonly command: string | null;
  readonly startLine: number;
  readonly format: ArtifactFormat;
  readonly result: Result<ParsedText>;
}

/**
 * Parses a real capture whose format is known only from its content: each command's output in it
 * (see `splitSections`) is detected and parsed on its own, with line numbers of the whole file.
 */
export function parseCapture(text: string, file: string): DetectedSection[] {
  return splitSections(text).map((s) => {
    const format = detectFormat(s.text);
    const table = s.command ? /\s(?:-t|--table)\s+(\S+)/.exec(s.command)?.[1] : undefined;
    return { command: s.command, startLine: s.startLine, format, result: parseAs(format, s.text, file, table) };
  });
}
