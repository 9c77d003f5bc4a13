// What a node's capture says about how its agents are configured and which Neutron runs there: the
// dataplane options of openvswitch_agent.ini (firewall driver, l2population, ARP responder, bridge
// mappings, tunnel address and types) and the release from `neutron-openvswitch-agent --version`.
// Each value keeps the file and line it was read from; an option the capture does not show is absent.
import { HOST_FILES, hostPath } from '../layout.ts';
import type { HostCapture } from './capture.ts';

export interface IniValue { readonly value: string; readonly line: number }
export type Ini = ReadonlyMap<string, ReadonlyMap<string, IniValue>>;

/** An ini text: section → key → value (the last one written wins, as oslo.config reads it). */
export function parseIni(text: string): Ini {
  const out = new Map<string, Map<string, IniValue>>();
  let section = 'DEFAULT';
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) return;
    const s = /^\[([^\]]+)\]$/.exec(t);
    if (s) {
      section = (s[1] as string).trim();
      return;
    }
    const eq = t.indexOf('=');
    if (eq <= 0) return;
    const m = out.get(section) ?? new Map<string, IniValue>();
    m.set(t.slice(0, eq).trim(), { value: t.slice(eq + 1).trim(), line: i + 1 });
    out.set(section, m);
  });
  return out;
}

export interface Sourced<T> { readonly value: T; readonly file: string; readonly line: number }

export interface HostOptions {
  readonly firewallDriver?: Sourced<string>;
  readonly l2Population?: Sourced<boolean>;
  readonly arpResponder?: Sourced<boolean>;
  readonly bridgeMappings?: Sourced<Readonly<Record<string, string>>>;
  readonly localIp?: Sourced<string>;
  readonly tunnelTypes?: Sourced<readonly string[]>;
  /** The neutron version the OVS agent reports (e.g. `24.0.1`): a release name the topology accepts. */
  readonly release?: Sourced<string>;
}

const truthy = (v: string) => /^(true|yes|on|1)$/i.test(v);
const list = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);

/** The firewall driver names oslo.config accepts for the same driver, as the topology names them. */
function driverName(v: string): string {
  if (/hybrid/i.test(v)) return 'iptables_hybrid';
  if (/^openvswitch$|OVSFirewallDriver/i.test(v)) return 'openvswitch';
  if (/^noop$|NoopFirewallDriver/i.test(v)) return 'noop';
  return v;
}

export function hostOptions(c: HostCapture): HostOptions {
  const out: { -readonly [K in keyof HostOptions]: HostOptions[K] } = {};
  const iniFile = hostPath.ini('ovsAgent');
  const text = c.files.get(iniFile);
  const file = `${c.dir}/${iniFile}`;
  if (text !== undefined) {
    const ini = parseIni(text);
    const get = (section: string, key: string) => ini.get(section)?.get(key);
    const at = (v: IniValue) => ({ file, line: v.line });
    const fw = get('securitygroup', 'firewall_driver');
    if (fw) out.firewallDriver = { value: driverName(fw.value), ...at(fw) };
    const l2 = get('agent', 'l2_population');
    if (l2) out.l2Population = { value: truthy(l2.value), ...at(l2) };
    const arp = get('agent', 'arp_responder');
    if (arp) out.arpResponder = { value: truthy(arp.value), ...at(arp) };
    const bm = get('ovs', 'bridge_mappings');
    if (bm) {
      out.bridgeMappings = {
        value: Object.fromEntries(list(bm.value).map((m) => m.split(':').map((x) => x.trim())).filter((kv) => kv.length === 2 && kv[0] && kv[1]) as [string, string][]),
        ...at(bm),
      };
    }
    const ip = get('ovs', 'local_ip');
    if (ip && ip.value !== '') out.localIp = { value: ip.value, ...at(ip) };
    const tt = get('agent', 'tunnel_types');
    if (tt) out.tunnelTypes = { value: list(tt.value), ...at(tt) };
  }
  const version = c.files.get(HOST_FILES.agentVersion);
  const v = version === undefined ? null : /(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (v) out.release = { value: `${v[1]}.${v[2]}.${v[3]}`, file: `${c.dir}/${HOST_FILES.agentVersion}`, line: 1 };
  return out;
}

/** The dataplane-wide options of a cloud's nodes: each the first node's that says it. */
export interface CloudOptions {
  readonly firewallDriver?: Sourced<string>;
  readonly l2Population?: Sourced<boolean>;
  readonly arpResponder?: Sourced<boolean>;
  readonly release?: Sourced<string>;
  /** Options the nodes disagree on: what each says, for a note. */
  readonly disagreements: readonly string[];
}

export function cloudOptions(byHost: ReadonlyMap<string, HostOptions>): CloudOptions {
  const disagreements: string[] = [];
  const pick = <K extends 'firewallDriver' | 'l2Population' | 'arpResponder' | 'release'>(key: K): HostOptions[K] => {
    const seen = [...byHost].filter(([, o]) => o[key] !== undefined) as [string, HostOptions][];
    const first = seen[0]?.[1][key];
    const values = new Set(seen.map(([, o]) => String(o[key]?.value)));
    if (values.size > 1) disagreements.push(`${key}: ${seen.map(([h, o]) => `${h} ${String(o[key]?.value)}`).join(', ')}`);
    return first;
  };
  const fw = pick('firewallDriver');
  const l2 = pick('l2Population');
  const arp = pick('arpResponder');
  const rel = pick('release');
  return { ...(fw ? { firewallDriver: fw } : {}), ...(l2 ? { l2Population: l2 } : {}), ...(arp ? { arpResponder: arp } : {}), ...(rel ? { release: rel } : {}), disagreements };
}
