// Invalid topologies, one family per validation rule of the loader (its error code), for testing
// that bad input is refused with that code, the file, line and field, and nothing else. Each family
// breaks one thing in a valid generated topology — a field misspelt, a reference dangling, an address
// outside its subnet, a segmentation ID reused… — choosing among several ways to break it, and says
// which field paths the error may be reported at. Where the topology lacks what a family needs (a
// floating IP, a second network node), the family adds it first, in a way that is valid by itself.
// Guarantees: the case's text differs from a valid topology by that one mistake, so the loader must
// report `code` and no other code.
import fc from 'fast-check';
import type { ErrorCode } from '../errors.ts';
import type { TopologyFile } from '../topology/schema.ts';
import { parseCidr, usableRange } from '../topology/ipv4.ts';
import { formatIpv4, parseIpv4 } from '../net/ipv4.ts';
import { arbitraryTopology } from './topology.ts';
import { releaseOrdinal } from '../topology/release.ts';
import type { TopologyBounds } from './spec.ts';
import { topologyYaml } from './yaml.ts';

export interface InvalidCase {
  /** The family's code and how this case breaks the rule, e.g. `NP201 a VM on a host that does not exist`. */
  readonly family: string;
  /** The only code the loader may report. */
  readonly code: ErrorCode;
  /** The topology file's text. */
  readonly text: string;
  /** Field paths the error may be reported at (one of them, or a field below one); empty: no field (syntax). */
  readonly paths: readonly string[];
}

/** A topology file as plain data, edited in place by a family. */
type Obj = Record<string, unknown>;
type Broken = { readonly how: string; readonly paths: readonly string[]; readonly text?: string } | null;

/** How one family breaks a topology (`k` picks among the ways and targets); null when it cannot. */
interface Family {
  readonly code: ErrorCode;
  readonly breaks: (f: Obj, k: number) => Broken;
}

const o = (v: unknown): Obj => v as Obj;
const pick = <T>(xs: readonly T[], k: number): T | null => (xs.length === 0 ? null : xs[k % xs.length]!);
const entries = (v: unknown): [string, Obj][] => Object.entries(o(v ?? {})).map(([k, x]) => [k, o(x)]);
const section = (f: Obj, key: string): Obj => o((f[key] ??= {}));

/**
 * A floating IP of the file turned into a port forwarding (tcp 2222 → 22 on the same port, its fixed address
 * written when the port writes one): the forwarding, or null when no floating IP names its address (or, unless
 * `rockyOrLater` is false, the file's release is before Rocky).
 */
function forwardingFrom(f: Obj, k: number, rockyOrLater = true): Obj | null {
  // Before Rocky a forwarding is refused for the release (NP506) whatever else it says.
  const release = o(f.defaults ?? {}).release;
  if (rockyOrLater && release !== undefined && (releaseOrdinal(String(release)) ?? 0) < (releaseOrdinal('rocky') as number)) return null;
  const fips = (f.floating_ips as Obj[] | undefined) ?? [];
  const fip = pick(fips.filter((x) => typeof x.ip === 'string' && typeof x.vm === 'string'), k);
  if (!fip) return null;
  const port = Number(fip.port ?? 0);
  const ip = ((o(o(f.vms)[String(fip.vm)]).ports as Obj[] | undefined) ?? [])[port];
  f.floating_ips = fips.filter((x) => x !== fip);
  if ((f.floating_ips as Obj[]).length === 0) delete f.floating_ips;
  const pf: Obj = { floating_ip: fip.ip, protocol: 'tcp', external_port: 2222, vm: fip.vm, ...(fip.port !== undefined ? { port } : {}), internal_port: 22, ...(typeof ip?.ip === 'string' ? { internal_ip: ip.ip } : {}) };
  f.port_forwardings = [pf];
  return pf;
}
const rolesOf = (h: Obj): string[] => (Array.isArray(h.role) ? (h.role as string[]) : [String(h.role)]);

interface PortRef { readonly vm: string; readonly index: number; readonly port: Obj; readonly path: string }

function vmPorts(f: Obj): PortRef[] {
  return entries(f.vms).flatMap(([vm, v]) => (v.ports as Obj[]).map((port, index) => ({ vm, index, port, path: `vms.${vm}.ports[${index}]` })));
}

function networkOf(f: Obj, name: unknown): Obj | null {
  const n = o(f.networks ?? {})[String(name)];
  return n === undefined ? null : o(n);
}

function subnetsOf(f: Obj): { net: string; name: string; subnet: Obj; path: string }[] {
  return entries(f.networks).flatMap(([net, n]) => entries(n.subnets).map(([name, subnet]) => ({ net, name, subnet, path: `networks.${net}.subnets.${name}` })));
}

/** Sets one field of a VM port to a bad value. */
function onPort(f: Obj, k: number, field: string, value: string, how: string): Broken {
  const p = pick(vmPorts(f), k);
  if (!p) return null;
  p.port[field] = value;
  return { how, paths: [`${p.path}.${field}`] };
}

/** The rule list of one security group (either form) and its path. */
function someRules(f: Obj, k: number): { rules: Obj[]; path: string } | null {
  const groups = entries(f.security_groups).flatMap(([p, gs]) => Object.entries(o(gs)).map(([n, g]) => ({ path: `security_groups.${p}.${n}`, g })));
  const g = pick(groups, k);
  if (!g) return null;
  return Array.isArray(g.g) ? { rules: g.g as Obj[], path: g.path } : { rules: o(g.g).rules as Obj[], path: `${g.path}.rules` };
}

/** Whether the file's release has stateless security groups (Ussuri and later; the default release does). */
function statelessRelease(f: Obj): boolean {
  const release = o(f.defaults ?? {}).release;
  return release === undefined || (releaseOrdinal(String(release)) ?? 0) >= (releaseOrdinal('ussuri') as number);
}

/** Every address written anywhere in the file, so a new one can avoid them. */
function writtenAddresses(f: Obj): Set<string> {
  return new Set(JSON.stringify(f).match(/\d+\.\d+\.\d+\.\d+/g) ?? []);
}

/** A host address of `cidr` written nowhere in the file (searched from the top down). */
function freeAddressIn(f: Obj, cidr: string): string | null {
  const c = parseCidr(cidr);
  const range = c.ok ? usableRange(c.cidr) : null;
  if (!range) return null;
  const used = writtenAddresses(f);
  for (let ip = range.last - 7; ip >= range.first; ip--) if (!used.has(formatIpv4(ip))) return formatIpv4(ip);
  return null;
}

/** Adds a host with `roles` that reaches every network (tunnel_ip and every physical network), and returns its name. */
function addHost(f: Obj, roles: readonly string[], name: string): string {
  const physnets = new Set(entries(f.networks).flatMap(([, n]) => (typeof n.physical_network === 'string' ? [n.physical_network] : [])));
  const mappings = Object.fromEntries([...physnets].map((p, i) => [p, `br-phys${i}`]));
  const tunnels = entries(f.networks).some(([, n]) => n.type === 'vxlan' || n.type === 'gre');
  section(f, 'hosts')[name] = {
    role: roles.length === 1 ? roles[0] : [...roles],
    ...(tunnels ? { tunnel_ip: '172.24.0.99' } : {}),
    ...(physnets.size > 0 ? { bridge_mappings: mappings } : {}),
  };
  // A new network node may run HA router instances (the default placement takes the first three).
  if (roles.includes('network') && entries(f.routers).some(([, r]) => r.ha !== undefined || (Array.isArray(r.hosts) && r.hosts.length > 1))) haReady(f, [name]);
  return name;
}

/** Whether a floating IP is bound to the port (moving its address elsewhere would break that too). */
const hasFip = (f: Obj, p: PortRef): boolean => ((f.floating_ips as Obj[] | undefined) ?? []).some((x) => x.vm === p.vm && Number(x.port ?? 0) === p.index);

/** The HA network's type and physical network, as src/topology/ha.ts derives them. */
function haNetwork(f: Obj): { type: string; physnet: string | null } {
  const d = o(f.defaults ?? {});
  const tenant = entries(f.networks).find(([, n]) => n.external !== true && n.type !== 'flat');
  const type = typeof d.l3_ha_network_type === 'string' ? d.l3_ha_network_type : tenant ? String(tenant[1].type) : 'vxlan';
  const physnet = type !== 'vlan' ? null : typeof d.l3_ha_network_physical_name === 'string' ? d.l3_ha_network_physical_name : tenant?.[1].type === 'vlan' ? String(tenant[1].physical_network) : null;
  return { type, physnet };
}

/** Readies `hosts` to run HA router instances (a tunnel_ip, or the HA VLAN's bridge mapping), as valid by itself. */
function haReady(f: Obj, hosts: readonly string[]): void {
  const t = haNetwork(f);
  if (t.type === 'vlan' && t.physnet === null) section(f, 'defaults').l3_ha_network_physical_name = 'physnet1';
  const physnet = haNetwork(f).physnet;
  hosts.forEach((h, i) => {
    const host = o(o(f.hosts)[h]);
    if (t.type !== 'vlan' && host.tunnel_ip === undefined) host.tunnel_ip = `172.24.9.${10 + i}`;
    if (physnet !== null) o((host.bridge_mappings ??= {}))[physnet] ??= `br-${physnet}`;
  });
}

/** The hosts an HA router's instances run on (written, else the first three network nodes). */
const instanceHosts = (f: Obj, r: Obj): string[] => (Array.isArray(r.hosts) ? (r.hosts as string[]) : networkHosts(f).slice(0, 3));

/** A new network like `net` (same type and physical network, so every host reaching one reaches the other), with one subnet. */
function twinNetwork(f: Obj, net: Obj, name: string, cidr: string): void {
  const twin: Obj = { ...(net.project !== undefined ? { project: net.project } : {}), type: net.type === 'flat' ? 'vlan' : net.type, subnets: { [`${name}-v4`]: { cidr, dhcp: false } } };
  if (net.physical_network !== undefined) twin.physical_network = net.physical_network;
  section(f, 'networks')[name] = twin;
}

/** A subnet of `cidr` that overlaps it: its first half (or, for a /31 or longer, the /24 around it). */
function overlapping(cidr: string): string | null {
  const c = parseCidr(cidr);
  if (!c.ok) return null;
  return c.cidr.prefix < 30 ? `${formatIpv4(c.cidr.network)}/${c.cidr.prefix + 1}` : null;
}

const networkHosts = (f: Obj): string[] => entries(f.hosts).filter(([, h]) => rolesOf(h).includes('network')).map(([n]) => n);
const computeOnlyHosts = (f: Obj): string[] => entries(f.hosts).filter(([, h]) => !rolesOf(h).includes('network')).map(([n]) => n);

/** The line of `text` that starts (after indentation) with `key:`, for text-level families. */
function lineOf(text: string, key: string, indent: number): number {
  return text.split('\n').findIndex((l) => l.startsWith(`${' '.repeat(indent)}${key}:`));
}

const FAMILIES: readonly Family[] = [
  {
    code: 'NP002',
    breaks: (f, k) => {
      const text = topologyYaml(f as TopologyFile);
      const lines = text.split('\n');
      const i = lineOf(text, 'hosts', 0);
      switch (k % 3) {
        case 0: lines[i] = 'hosts: [oops'; return { how: 'an unclosed flow sequence', paths: [], text: lines.join('\n') };
        case 1: lines[i + 1] = `\t${lines[i + 1]}`; return { how: 'a tab in the indentation', paths: [], text: lines.join('\n') };
        default: lines.splice(i + 1, 0, '  oops: "unterminated'); return { how: 'an unterminated string', paths: [], text: lines.join('\n') };
      }
    },
  },
  {
    code: 'NP003',
    breaks: (f, k) => {
      const text = topologyYaml(f as TopologyFile);
      const lines = text.split('\n');
      const sectionKey = k % 2 === 0 || f.vms === undefined ? 'hosts' : 'vms';
      const i = lineOf(text, sectionKey, 0);
      const first = lines[i + 1]!;
      const name = /^ {2}([^:]+):/.exec(first)?.[1];
      if (name === undefined) return null;
      // The entry's whole block (one line in flow style, or the lines indented below it).
      let end = i + 2;
      while (end < lines.length && lines[end]!.startsWith('    ')) end++;
      lines.splice(end, 0, ...lines.slice(i + 1, end));
      return { how: `${sectionKey}.${name} written twice`, paths: [`${sectionKey}.${name}`], text: lines.join('\n') };
    },
  },
  {
    code: 'NP101',
    breaks: (f, k) => {
      const targets: [string, Obj, string][] = [
        ...entries(f.hosts).map(([n, h]): [string, Obj, string] => [`hosts.${n}`, h, 'tunel_ip']),
        ...entries(f.networks).map(([n, x]): [string, Obj, string] => [`networks.${n}`, x, 'segmentation']),
        ...subnetsOf(f).map((s): [string, Obj, string] => [s.path, s.subnet, 'gatway']),
        ...entries(f.routers).map(([n, r]): [string, Obj, string] => [`routers.${n}`, r, 'gateways']),
        ...vmPorts(f).map((p): [string, Obj, string] => [p.path, p.port, 'fixed_ip']),
        ...entries(f.vms).map(([n, v]): [string, Obj, string] => [`vms.${n}`, v, 'flavor']),
        ['', f, 'ports'],
      ];
      const [path, target, key] = pick(targets, k)!;
      target[key] = 'x';
      return { how: `a misspelt field "${key}"`, paths: [path === '' ? key : `${path}.${key}`] };
    },
  },
  {
    code: 'NP102',
    breaks: (f, k) => {
      const hosts = entries(f.hosts);
      const nets = entries(f.networks);
      switch (k % 6) {
        case 0: {
          const [n, h] = pick(hosts, k)!;
          h.role = 'storage';
          return { how: 'a host role that does not exist', paths: [`hosts.${n}.role`] };
        }
        case 1: {
          const [n, x] = pick(nets, k)!;
          x.type = 'geneve';
          return { how: 'a network type that does not exist', paths: [`networks.${n}.type`] };
        }
        case 2: {
          section(f, 'defaults').release = 'neutron-x';
          return { how: 'a release that names no Neutron release', paths: ['defaults.release'] };
        }
        case 3: {
          const flat = nets.find(([, x]) => x.type === 'flat');
          if (flat) {
            flat[1].segmentation_id = 7;
            return { how: 'a flat network with a segmentation_id', paths: [`networks.${flat[0]}.segmentation_id`] };
          }
          const [n, x] = pick(nets, k)!;
          x.segmentation_id = '101';
          return { how: 'a segmentation_id written as a string', paths: [`networks.${n}.segmentation_id`] };
        }
        case 4: {
          const internal = nets.find(([, x]) => x.external !== true && Object.keys(o(x.subnets ?? {})).length > 0);
          const router = pick(entries(f.routers).filter(([, r]) => r.gateway !== undefined && r.gateway !== null), k);
          if (!internal || !router) return null;
          router[1].gateway = { network: internal[0] };
          // Its floating IPs and extra routes would be second mistakes: gone.
          delete router[1].routes;
          delete f.floating_ips;
          return { how: 'a router gateway on a network that is not external', paths: [`routers.${router[0]}.gateway.network`] };
        }
        default: {
          const p = pick(vmPorts(f), k);
          if (p === null) return null;
          p.port.port_security = 'yes';
          return { how: 'port_security written as a string', paths: [`${p.path}.port_security`] };
        }
      }
    },
  },
  {
    code: 'NP103',
    breaks: (f, k) => {
      const choices: (() => Broken)[] = [
        () => {
          const [n, h] = pick(entries(f.hosts), k)!;
          delete h.role;
          return { how: 'a host without a role', paths: [`hosts.${n}`] };
        },
        () => {
          const [n, x] = pick(entries(f.networks), k)!;
          delete x.type;
          return { how: 'a network without a type', paths: [`networks.${n}`] };
        },
        () => {
          const v = pick(entries(f.vms), k);
          if (!v) return null;
          delete v[1].host;
          return { how: 'a VM without a host', paths: [`vms.${v[0]}`] };
        },
        () => {
          const vlan = pick(entries(f.networks).filter(([, x]) => x.type === 'vlan' || x.type === 'flat'), k);
          if (!vlan) return null;
          delete vlan[1].physical_network;
          return { how: `a ${String(vlan[1].type)} network without a physical_network`, paths: [`networks.${vlan[0]}`] };
        },
        () => {
          const s = pick(subnetsOf(f), k)!;
          delete s.subnet.cidr;
          return { how: 'a subnet without a CIDR', paths: [s.path] };
        },
      ];
      return pick(choices, k)!();
    },
  },
  {
    code: 'NP201',
    breaks: (f, k) => {
      const choices: (() => Broken)[] = [
        () => {
          const v = pick(entries(f.vms), k);
          if (!v) return null;
          v[1].host = 'nowhere1';
          return { how: 'a VM on a host that does not exist', paths: [`vms.${v[0]}.host`] };
        },
        () => onPort(f, k, 'network', 'no-such-net', 'a port on a network that does not exist'),
        () => {
          const p = pick(vmPorts(f).filter((x) => x.port.port_security !== false), k);
          if (!p) return null;
          p.port.security_groups = ['no-such-group'];
          return { how: 'a port in a security group that does not exist', paths: [`${p.path}.security_groups`] };
        },
        () => {
          const r = pick(entries(f.routers), k);
          if (!r) return null;
          r[1].interfaces = [...((r[1].interfaces as unknown[] | undefined) ?? []), 'no-such-subnet'];
          return { how: 'a router interface on a subnet that does not exist', paths: [`routers.${r[0]}.interfaces`] };
        },
        () => {
          const v = pick(entries(f.vms), k);
          if (!v) return null;
          (f.floating_ips as Obj[] | undefined)?.forEach((x) => { if (x.vm === v[0]) x.vm = 'no-such-vm'; });
          if (!(f.floating_ips as Obj[] | undefined)?.some((x) => x.vm === 'no-such-vm')) return null;
          return { how: 'a floating IP on a VM that does not exist', paths: ['floating_ips'] };
        },
      ];
      return pick(choices, k)!();
    },
  },
  {
    code: 'NP301',
    breaks: (f, k) => {
      const choices: (() => Broken)[] = [
        () => onPort(f, k, 'ip', '100.127.0.5', 'a fixed IP in no subnet of its network'),
        () => {
          const p = pick(vmPorts(f).filter((x) => !hasFip(f, x)), k);
          if (!p) return null;
          const net = networkOf(f, p.port.network);
          const first = net === null ? null : entries(net.subnets)[0];
          if (!first) return null;
          delete p.port.ip;
          const c = parseCidr(String(first[1].cidr));
          if (!c.ok) return null;
          p.port.ip = formatIpv4(c.cidr.network);
          return { how: "a fixed IP that is its subnet's network address", paths: [`${p.path}.ip`] };
        },
        () => {
          const s = pick(subnetsOf(f).filter((x) => !networkOf(f, x.net)?.external), k);
          if (!s) return null;
          // Only where no router interface takes the gateway's address (that would be a second mistake).
          const used = JSON.stringify(f.routers ?? {}).includes(`"${s.name}"`);
          if (used) return null;
          s.subnet.gateway = '100.127.0.1';
          return { how: 'a subnet gateway outside its CIDR', paths: [`${s.path}.gateway`] };
        },
        () => {
          const r = pick(entries(f.routers), k);
          if (!r) return null;
          r[1].routes = [...((r[1].routes as unknown[] | undefined) ?? []), { destination: '10.77.0.0/24', nexthop: '100.127.0.9' }];
          return { how: 'an extra route via a nexthop on no subnet of the router', paths: [`routers.${r[0]}.routes`] };
        },
      ];
      return pick(choices, k)!();
    },
  },
  {
    code: 'NP302',
    breaks: (f, k) => {
      // A written address of a VM port given to another VM port of the same network.
      const ports = vmPorts(f);
      const written = ports.filter((p) => typeof p.port.ip === 'string');
      const a = pick(written, k);
      if (!a) return null;
      const b = pick(ports.filter((p) => p !== a && p.port.network === a.port.network && !hasFip(f, p)), k);
      if (b) {
        b.port.ip = a.port.ip;
        return { how: "a fixed IP already another port's", paths: [`${a.path}.ip`, `${b.path}.ip`] };
      }
      // None: a second port on the same network for the same VM, with that address.
      const vm = o(o(f.vms)[a.vm]);
      const ports2 = vm.ports as Obj[];
      ports2.push({ network: a.port.network, ip: a.port.ip, port_security: false });
      return { how: "a fixed IP already another port's", paths: [`${a.path}.ip`, `vms.${a.vm}.ports[${ports2.length - 1}].ip`] };
    },
  },
  {
    code: 'NP303',
    breaks: (f, k) => {
      const nets = entries(f.networks);
      const [name, net] = pick(nets, k)!;
      const dup: Obj = { type: net.type };
      if (net.type === 'flat') {
        dup.physical_network = net.physical_network;
        section(f, 'networks')['dup-net'] = dup;
        return { how: 'a second flat network on one physical network', paths: ['networks.dup-net.physical_network', `networks.${name}.physical_network`] };
      }
      if (net.type === 'vlan') dup.physical_network = net.physical_network;
      if (net.segmentation_id === undefined) net.segmentation_id = net.type === 'vlan' ? 4000 : 400000;
      dup.segmentation_id = net.segmentation_id;
      section(f, 'networks')['dup-net'] = dup;
      return { how: `a ${String(net.type)} segmentation ID used twice`, paths: ['networks.dup-net.segmentation_id', `networks.${name}.segmentation_id`] };
    },
  },
  {
    code: 'NP304',
    breaks: (f, k) => {
      const segmented = entries(f.networks).filter(([, x]) => x.type !== 'flat');
      const target = pick(segmented, k);
      if (!target) return null;
      const [name, net] = target;
      const bad: Record<string, readonly number[]> = { vlan: [0, 4095, 5000], vxlan: [0, 16777216], gre: [0, 4294967296] };
      net.segmentation_id = pick(bad[String(net.type)]!, k)!;
      return { how: `a ${String(net.type)} segmentation ID out of range`, paths: [`networks.${name}.segmentation_id`] };
    },
  },
  {
    code: 'NP305',
    breaks: (f, k) => {
      const fips = (f.floating_ips as Obj[] | undefined) ?? [];
      const fip = pick(fips, k);
      const bad = pick(['100.64.0.1', '10.0.0.200', '8.8.4.4'], k)!;
      if (fip) {
        fip.ip = bad;
        return { how: 'a floating IP in no external subnet', paths: [`floating_ips[${fips.indexOf(fip)}].ip`] };
      }
      const vm = pick(Object.keys(o(f.vms ?? {})), k);
      if (vm === null) return null;
      f.floating_ips = [{ ip: bad, vm }];
      return { how: 'a floating IP in no external subnet', paths: ['floating_ips[0].ip'] };
    },
  },
  {
    code: 'NP306',
    breaks: (f, k) => {
      const fips = (f.floating_ips as Obj[] | undefined) ?? [];
      const fip = pick(fips, k);
      if (!fip) return null;
      fips.push({ ...fip });
      delete fips[fips.length - 1]!.id;
      return { how: 'a floating IP bound twice', paths: [`floating_ips[${fips.length - 1}]`] };
    },
  },
  {
    code: 'NP307',
    breaks: (f, k) => {
      const r = pick(entries(f.routers).filter(([, x]) => ((x.interfaces as unknown[] | undefined) ?? []).length > 0), k);
      if (!r) return null;
      const itfs = r[1].interfaces as (string | Obj)[];
      const first = itfs[0]!;
      const subnet = typeof first === 'string' ? first : String(first.subnet);
      const s = subnetsOf(f).find((x) => x.name === subnet);
      const ip = s ? freeAddressIn(f, String(s.subnet.cidr)) : null;
      if (ip === null) return null;
      itfs.push({ subnet, ip });
      return { how: 'a router interface on a subnet it already has one on', paths: [`routers.${r[0]}.interfaces[${itfs.length - 1}]`] };
    },
  },
  {
    code: 'NP308',
    breaks: (f, k) => {
      const p = pick(vmPorts(f).filter((x) => networkOf(f, x.port.network)?.external !== true), k);
      if (!p) return null;
      const net = networkOf(f, p.port.network)!;
      // A network like the port's (so every host that reaches one reaches the other), without a
      // segmentation ID (allocated), with a /30 holding one free address, or no subnet at all.
      const twin: Obj = { ...(net.project !== undefined ? { project: net.project } : {}), ...(net.shared === true ? { shared: true } : {}), type: net.type === 'flat' ? 'vlan' : net.type };
      if (net.physical_network !== undefined) twin.physical_network = net.physical_network;
      const vm = o(o(f.vms)[p.vm]);
      const ports = vm.ports as Obj[];
      if (k % 2 === 0) {
        twin.subnets = { 'tiny-v4': { cidr: '10.250.0.0/30', dhcp: false } };
        section(f, 'networks').tiny = twin;
        ports.push({ network: 'tiny', port_security: false }, { network: 'tiny', port_security: false });
        return { how: 'more ports than free addresses in a subnet', paths: [`vms.${p.vm}.ports[${ports.length - 1}]`] };
      }
      section(f, 'networks').bare = twin;
      ports.push({ network: 'bare', port_security: false });
      return { how: 'a port on a network without a subnet', paths: [`vms.${p.vm}.ports[${ports.length - 1}]`] };
    },
  },
  {
    code: 'NP309',
    breaks: (f, k) => {
      const choices: (() => Broken)[] = [
        () => onPort(f, k, 'ip', '10.0.0.300', 'a fixed IP that is not an address'),
        () => onPort(f, k, 'mac', 'fa:16:3e:zz:00:01', 'a MAC that is not one'),
        () => {
          const [n, h] = pick(entries(f.hosts), k)!;
          if (h.tunnel_ip === undefined) return null;
          h.tunnel_ip = '172.24.0.256';
          return { how: 'a tunnel_ip that is not an address', paths: [`hosts.${n}.tunnel_ip`] };
        },
        () => {
          const g = someRules(f, k);
          if (!g) return null;
          const { rules, path } = g;
          rules.push({ direction: 'ingress', remote_ip_prefix: '10.0.0.5/24' });
          return { how: 'a remote prefix with host bits set', paths: [`${path}[${rules.length - 1}].remote_ip_prefix`] };
        },
        () => {
          const p = pick(vmPorts(f).filter((x) => x.port.port_security !== false), k);
          if (!p) return null;
          p.port.allowed_address_pairs = [{ ip_address: '10.0.0.0/40' }];
          return { how: 'an allowed address pair that is not a prefix', paths: [`${p.path}.allowed_address_pairs[0].ip_address`] };
        },
      ];
      return pick(choices, k)!();
    },
  },
  {
    code: 'NP310',
    breaks: (f, k) => {
      // A port on a subnet no router connects to an external network.
      const served = new Set(entries(f.routers).filter(([, r]) => r.gateway !== undefined && r.gateway !== null).flatMap(([, r]) => ((r.interfaces as (string | Obj)[] | undefined) ?? []).map((i) => (typeof i === 'string' ? i : String(i.subnet)))));
      const externals = subnetsOf(f).filter((s) => networkOf(f, s.net)?.external === true);
      const candidates = vmPorts(f).filter((p) => {
        const net = networkOf(f, p.port.network);
        if (net === null || net.external === true) return false;
        const subnets = entries(net.subnets);
        const ip = typeof p.port.ip === 'string' ? parseIpv4(p.port.ip) : null;
        const mine = ip === null ? subnets[0] : subnets.find(([, s]) => { const c = parseCidr(String(s.cidr)); return c.ok && ((ip ^ c.cidr.network) >>> (32 - c.cidr.prefix)) === 0; });
        return mine !== undefined && !served.has(mine[0]);
      });
      const p = pick(candidates, k);
      const ext = pick(externals, k);
      const taken = new Set(((f.floating_ips as Obj[] | undefined) ?? []).map((x) => `${String(x.vm)}:${String(x.port ?? 0)}`));
      if (!p || !ext || taken.has(`${p.vm}:${p.index}`)) return null;
      const ip = freeAddressIn(f, String(ext.subnet.cidr));
      if (ip === null) return null;
      const fips = ((f.floating_ips as Obj[] | undefined) ?? []);
      fips.push({ ip, vm: p.vm, ...(p.index > 0 ? { port: p.index } : {}) });
      f.floating_ips = fips;
      return { how: 'a floating IP on a port no router connects to its external network', paths: [`floating_ips[${fips.length - 1}]`] };
    },
  },
  {
    code: 'NP401',
    breaks: (f, k) => {
      const v = pick(entries(f.vms), k);
      if (!v) return null;
      const only = entries(f.hosts).filter(([, h]) => !rolesOf(h).includes('compute')).map(([n]) => n);
      v[1].host = pick(only, k) ?? addHost(f, ['network'], 'network9');
      // The network-only host must reach the VM's networks too (or that would be a second mistake).
      const host = o(o(f.hosts)[String(v[1].host)]);
      const mappings = o((host.bridge_mappings ??= {}));
      for (const p of v[1].ports as Obj[]) {
        const net = networkOf(f, p.network);
        if (typeof net?.physical_network === 'string' && mappings[net.physical_network] === undefined) mappings[net.physical_network] = `br-${net.physical_network}`;
      }
      return { how: 'a VM on a host without the compute role', paths: [`vms.${v[0]}.host`] };
    },
  },
  {
    code: 'NP402',
    breaks: (f, k) => {
      const p = pick(vmPorts(f).filter((x) => typeof networkOf(f, x.port.network)?.physical_network === 'string'), k);
      if (!p) return null;
      const vm = o(o(f.vms)[p.vm]);
      // Moved to a new compute host that maps nothing, so no router or DHCP server loses its mapping.
      const host = addHost(f, ['compute'], 'compute9');
      delete o(o(f.hosts)[host]).bridge_mappings;
      vm.host = host;
      return { how: 'a VM port on a flat or VLAN network its host does not map', paths: [`vms.${p.vm}.ports`] };
    },
  },
  {
    code: 'NP403',
    breaks: (f, k) => {
      const p = pick(vmPorts(f), k);
      if (!p) return null;
      p.port.port_security = false;
      p.port.security_groups = ['default'];
      delete p.port.allowed_address_pairs;
      return { how: 'port_security false with security groups', paths: [`${p.path}.security_groups`] };
    },
  },
  {
    code: 'NP406',
    breaks: (f, k) => {
      const [n, h] = pick(entries(f.hosts), k)!;
      if (!entries(f.networks).some(([, x]) => x.type === 'vxlan' || x.type === 'gre')) section(f, 'networks').tunnel9 = { type: 'vxlan' };
      delete h.tunnel_ip;
      return { how: 'a host without tunnel_ip beside a tunnel network', paths: [`hosts.${n}`, 'hosts'] };
    },
  },
  {
    code: 'NP407',
    breaks: (f) => {
      const hosts = networkHosts(f);
      if (hosts.length === 0) return null;
      for (const n of hosts) o(o(f.hosts)[n]).role = 'compute';
      return { how: 'no host with the network role left for routers and DHCP', paths: ['routers', 'networks'] };
    },
  },
  {
    code: 'NP501',
    breaks: (f, k) => {
      const r = pick(entries(f.routers), k);
      if (!r) return null;
      r[1].distributed = true;
      return { how: 'a distributed (DVR) router', paths: [`routers.${r[0]}.distributed`] };
    },
  },
  {
    code: 'NP502',
    breaks: (f) => {
      section(f, 'defaults').firewall_driver = 'openvswitch';
      return { how: 'the native OVS firewall', paths: ['defaults.firewall_driver'] };
    },
  },
  {
    code: 'NP006',
    breaks: (f) => {
      // Ten aliases of ten aliases of … : a few lines that expand past the loader's alias limit.
      const bomb = ['bomb0: &b0 [x, x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i <= 5; i++) bomb.push(`bomb${i}: &b${i} [${Array.from({ length: 10 }, () => `*b${i - 1}`).join(', ')}]`);
      return { how: 'aliases that expand a thousandfold (an alias bomb)', paths: [], text: `${topologyYaml(f as TopologyFile)}${bomb.join('\n')}\n` };
    },
  },
  {
    code: 'NP104',
    breaks: (f, k) => {
      const bad = pick(['bad name', 'bad/name', '-bad', 'bad;rm', 'bäd'], k)!;
      switch (k % 3) {
        case 0: {
          const project = pick(Object.keys(o(f.security_groups ?? {})), k) ?? 'demo';
          o((section(f, 'security_groups')[project] ??= {}))[bad] = [];
          return { how: `a security group named "${bad}"`, paths: [`security_groups.${project}`] };
        }
        case 1: {
          addHost(f, ['compute'], bad);
          return { how: `a host named "${bad}"`, paths: ['hosts'] };
        }
        default: {
          const p = pick(vmPorts(f), k);
          if (!p) return null;
          p.port.network = bad;
          return { how: `a port on a network named "${bad}"`, paths: [`${p.path}.network`] };
        }
      }
    },
  },
  {
    code: 'NP311',
    breaks: (f, k) => {
      const r = pick(entries(f.routers), k);
      if (!r) return null;
      r[1].ha = { vrid: pick([0, 255, 300, -1], k)! };
      haReady(f, instanceHosts(f, r[1]));
      return { how: 'a VRID outside 1–254', paths: [`routers.${r[0]}.ha.vrid`] };
    },
  },
  {
    code: 'NP312',
    breaks: (f, k) => {
      const r = pick(entries(f.routers), k);
      if (!r) return null;
      const vrid = 1 + (k % 254);
      r[1].ha = { vrid };
      section(f, 'routers')['dup-ha'] = { ...(r[1].project !== undefined ? { project: r[1].project } : {}), ha: { vrid } };
      haReady(f, [...instanceHosts(f, r[1]), ...networkHosts(f).slice(0, 3)]);
      return { how: 'two HA routers of a project with one VRID', paths: ['routers.dup-ha.ha.vrid', `routers.${r[0]}.ha.vrid`] };
    },
  },
  {
    code: 'NP313',
    breaks: (f) => {
      const routers = section(f, 'routers');
      for (let i = 1; i <= 255; i++) routers[`ha${i}`] = { project: 'crowded', ha: {} };
      haReady(f, networkHosts(f).slice(0, 3));
      return { how: '255 HA routers in one project (Neutron allows 254 per HA network)', paths: ['routers'] };
    },
  },
  {
    code: 'NP314',
    breaks: (f, k) => {
      const s = pick(subnetsOf(f).filter((x) => overlapping(String(x.subnet.cidr)) !== null), k);
      if (!s) return null;
      // No gateway: an external subnet's gateway is an address claimed (the upstream router's).
      o(o(networkOf(f, s.net)!).subnets)['overlap-v4'] = { cidr: overlapping(String(s.subnet.cidr)), gateway: null, dhcp: false };
      return { how: 'two overlapping subnets in one network', paths: [`networks.${s.net}.subnets.overlap-v4`, `${s.path}`] };
    },
  },
  {
    code: 'NP315',
    breaks: (f, k) => {
      const r = pick(entries(f.routers).filter(([, x]) => ((x.interfaces as unknown[] | undefined) ?? []).length > 0), k);
      if (!r) return null;
      const itfs = r[1].interfaces as (string | Obj)[];
      const first = itfs[0]!;
      const s = subnetsOf(f).find((x) => x.name === (typeof first === 'string' ? first : first.subnet));
      if (!s) return null;
      twinNetwork(f, networkOf(f, s.net)!, 'twin', String(s.subnet.cidr));
      const ip = freeAddressIn(f, String(s.subnet.cidr));
      if (ip === null) return null;
      itfs.push({ subnet: 'twin-v4', ip });
      return { how: 'a router with interfaces on two overlapping subnets', paths: [`routers.${r[0]}.interfaces`] };
    },
  },
  {
    code: 'NP316',
    breaks: (f, k) => {
      const r = pick(entries(f.routers).filter(([, x]) => x.gateway !== undefined && x.gateway !== null), k);
      const tenant = pick(entries(f.networks).filter(([, n]) => n.external !== true), k);
      if (!r || !tenant) return null;
      const ext = subnetsOf(f).find((x) => x.net === o(r[1].gateway).network);
      if (!ext) return null;
      twinNetwork(f, tenant[1], 'twin', String(ext.subnet.cidr));
      const ip = freeAddressIn(f, String(ext.subnet.cidr));
      if (ip === null) return null;
      r[1].interfaces = [...((r[1].interfaces as unknown[] | undefined) ?? []), { subnet: 'twin-v4', ip }];
      return { how: "a router interface on a subnet overlapping its gateway's external subnet", paths: [`routers.${r[0]}.interfaces`] };
    },
  },
  {
    code: 'NP317',
    breaks: (f, k) => {
      // The address the router's interface holds: written, else its subnet's gateway (written, or the first usable address).
      const ownAddress = (itf: string | Obj): string | null => {
        if (typeof itf !== 'string' && typeof itf.ip === 'string') return itf.ip;
        const s = subnetsOf(f).find((x) => x.name === (typeof itf === 'string' ? itf : itf.subnet));
        if (!s) return null;
        if (typeof s.subnet.gateway === 'string') return s.subnet.gateway;
        if (s.subnet.gateway === null) return null;
        const c = parseCidr(String(s.subnet.cidr));
        const range = c.ok ? usableRange(c.cidr) : null;
        return range ? formatIpv4(range.first) : null;
      };
      const r = pick(entries(f.routers).filter(([, x]) => ((x.interfaces as (string | Obj)[] | undefined) ?? []).some((i) => ownAddress(i) !== null)), k);
      if (!r) return null;
      const own = (r[1].interfaces as (string | Obj)[]).map(ownAddress).filter((a): a is string => a !== null);
      const nexthop = pick(own, k)!;
      r[1].routes = [...((r[1].routes as unknown[] | undefined) ?? []), { destination: '10.77.0.0/24', nexthop }];
      return { how: "an extra route whose nexthop is the router's own interface address", paths: [`routers.${r[0]}.routes`] };
    },
  },
  {
    code: 'NP318',
    breaks: (f, k) => {
      const pf = forwardingFrom(f, k);
      if (!pf) return null;
      // Another address than the port's own: one of another subnet, or the port's own with its last byte moved.
      pf.internal_ip = k % 2 === 0 ? '10.255.255.77' : pf.internal_ip === undefined ? '192.0.2.77' : `${String(pf.internal_ip).split('.').slice(0, 3).join('.')}.${(Number(String(pf.internal_ip).split('.')[3]) % 250) + 3}`;
      return { how: 'a port forwarding to an address its port does not hold', paths: ['port_forwardings[0].internal_ip'] };
    },
  },
  {
    code: 'NP506',
    breaks: (f, k) => {
      // Queens has no stateless groups either: a file that writes one is left to other families.
      if (entries(f.security_groups).some(([, groups]) => entries(groups).some(([, g]) => g.stateful === false))) return null;
      if (!forwardingFrom(f, k, false)) return null;
      section(f, 'defaults').release = pick(['queens', 'pike', 'newton'], k)!;
      return { how: 'a port forwarding on a release before Rocky', paths: ['port_forwardings'] };
    },
  },
  {
    code: 'NP319',
    breaks: (f, k) => {
      // Ranges need Zed: an older file is left to other families.
      const release = o(f.defaults ?? {}).release;
      if (release !== undefined && (releaseOrdinal(String(release)) ?? 0) < (releaseOrdinal('zed') as number)) return null;
      const pf = forwardingFrom(f, k);
      if (!pf) return null;
      // An internal range longer or shorter than the external one, or behind one external port.
      delete pf.internal_port;
      if (k % 2 === 0) {
        delete pf.external_port;
        pf.external_port_range = '2222:2231';
        pf.internal_port_range = '22:25';
      } else pf.internal_port_range = '22:23';
      return { how: 'a port forwarding whose internal port range is neither one port nor as long as the external one', paths: ['port_forwardings[0].internal_port_range'] };
    },
  },
  {
    code: 'NP507',
    breaks: (f, k) => {
      if (!forwardingFrom(f, k)) return null;
      const pf = (f.port_forwardings as Obj[])[0]!;
      delete pf.external_port;
      pf.external_port_range = '2222:2225';
      // Rocky to Yoga have forwardings but no ranges (stateless groups, since Wallaby, are kept from Wallaby on).
      const release = o(f.defaults ?? {}).release;
      const rank = release === undefined ? null : releaseOrdinal(String(release));
      if (rank === null || rank >= (releaseOrdinal('zed') as number)) section(f, 'defaults').release = pick(['yoga', 'xena', 'wallaby'], k)!;
      return { how: 'a port forwarding with a port range on a release before Zed', paths: ['port_forwardings[0].external_port_range'] };
    },
  },
  {
    code: 'NP408',
    breaks: (f, k) => {
      const h = pick(networkHosts(f), k);
      if (h === null) return null;
      const dhcp = pick(entries(f.networks).filter(([, n]) => entries(n.subnets).some(([, x]) => x.dhcp !== false)), k);
      if (k % 2 === 0 && dhcp) {
        dhcp[1].dhcp_hosts = [h, h];
        // DHCP ports written for the hosts no longer listed would dangle (NP201).
        for (const [, x] of entries(dhcp[1].subnets)) if (x.dhcp_ports !== undefined) x.dhcp_ports = Object.fromEntries(entries(x.dhcp_ports).filter(([host]) => host === h));
        return { how: 'a DHCP host listed twice', paths: [`networks.${dhcp[0]}.dhcp_hosts`] };
      }
      const r = pick(entries(f.routers), k);
      if (!r) return null;
      r[1].hosts = [h, h];
      delete r[1].ha_state;
      haReady(f, [h]);
      return { how: "a router's host listed twice", paths: [`routers.${r[0]}.hosts`] };
    },
  },
  {
    code: 'NP409',
    breaks: (f, k) => {
      const r = pick(entries(f.routers), k);
      const h = pick(Object.keys(o(f.hosts)), k);
      if (!r || h === null) return null;
      const ha = r[1].ha !== undefined || (Array.isArray(r[1].hosts) && r[1].hosts.length > 1);
      if (ha && instanceHosts(f, r[1]).includes(h)) return null;
      r[1].ha_state = { [h]: 'active' };
      return { how: ha ? 'an HA state for a host that runs no instance of the router' : 'an HA state for a router that is not an HA router', paths: [`routers.${r[0]}.ha_state`] };
    },
  },
  {
    code: 'NP410',
    breaks: (f, k) => {
      const p = pick(vmPorts(f), k);
      if (!p) return null;
      // A second port of the same VM (so on the same host), on the same network, whose id shares the
      // first 11 characters of the first's (their devices), or only the first 10 (the hybrid
      // firewall's chains, for two port-secured ports).
      const chains = k % 2 === 1 && p.port.port_security !== false && o(f.defaults ?? {}).firewall_driver !== 'noop';
      p.port.id = 'abcdef01-2345-4000-8000-000000000001';
      const ports = o(f.vms as Obj)[p.vm] as Obj;
      const list = ports.ports as Obj[];
      list.push({ network: p.port.network, id: chains ? 'abcdef01-2999-4000-8000-000000000002' : 'abcdef01-2399-4000-8000-000000000002' });
      return { how: chains ? 'two port-secured ports of a VM whose ids share their first 10 characters' : 'two ports of a VM whose ids share their first 11 characters', paths: [`vms.${p.vm}.ports[${list.length - 1}].id`] };
    },
  },
  {
    code: 'NP411',
    breaks: (f, k) => {
      // A network its DHCP agents serve, given a second DHCP-enabled subnet: the agent's port written
      // on both with one id (one port, as `netproof import` writes it) and two MACs.
      const served = entries(f.networks).filter(([, n]) => Array.isArray(n.dhcp_hosts) && (n.dhcp_hosts as unknown[]).length > 0 && entries(n.subnets).some(([, x]) => x.dhcp !== false));
      const net = pick(served, k);
      if (!net) return null;
      const host = String((net[1].dhcp_hosts as unknown[])[0]);
      const first = entries(net[1].subnets).find(([, x]) => x.dhcp !== false)!;
      const written = o(first[1].dhcp_ports ?? {})[host] as Obj | undefined;
      const id = typeof written?.id === 'string' ? written.id : 'a4110000-0000-4000-8000-000000000411';
      first[1].dhcp_ports = { ...o(first[1].dhcp_ports ?? {}), [host]: { ...(written ?? {}), id, mac: 'fa:16:3e:41:10:01' } };
      o(net[1].subnets)['np411-v4'] = { cidr: '10.251.0.0/24', dhcp_ports: { [host]: { id, mac: 'fa:16:3e:41:10:02' } } };
      return { how: "a DHCP agent's port written on two subnets with one id and two MACs", paths: [`networks.${net[0]}.subnets.np411-v4.dhcp_ports.${host}.mac`] };
    },
  },
  {
    code: 'NP412',
    breaks: (f, k) => {
      // A port-secured port put in a new stateless group and a new stateful one (a release with them).
      const p = pick(vmPorts(f).filter((x) => x.port.port_security !== false), k);
      if (!p || !statelessRelease(f)) return null;
      const groups = section(section(f, 'security_groups'), String(o(o(f.vms)[p.vm]).project));
      groups['np412-stateless'] = { rules: [{ direction: 'ingress', protocol: 'tcp', port: 22 }], stateful: false };
      groups['np412-stateful'] = k % 2 === 0 ? [{ direction: 'ingress', protocol: 'icmp' }] : { rules: [], stateful: true };
      p.port.security_groups = k % 2 === 0 ? ['np412-stateful', 'np412-stateless'] : ['np412-stateless', 'np412-stateful'];
      return { how: 'a port in a stateless and a stateful group', paths: [`${p.path}.security_groups`] };
    },
  },
  {
    code: 'NP413',
    breaks: (f, k) => {
      // Under the hybrid firewall, a port-secured port in two new stateless groups, one without rules.
      const p = pick(vmPorts(f).filter((x) => x.port.port_security !== false), k);
      if (!p || !statelessRelease(f) || o(f.defaults ?? {}).firewall_driver === 'noop') return null;
      const groups = section(section(f, 'security_groups'), String(o(o(f.vms)[p.vm]).project));
      groups['np413-rules'] = { rules: k % 2 === 0 ? [{ direction: 'ingress', protocol: 'tcp', port: 22 }] : [], stateful: false };
      groups['np413-none'] = { rules: [], auto_egress: false, stateful: false };
      p.port.security_groups = ['np413-rules', 'np413-none'];
      return { how: 'a port in stateless groups with and without rules', paths: [`${p.path}.security_groups`] };
    },
  },
  {
    code: 'NP504',
    breaks: (f, k) => {
      const choices: (() => Broken)[] = [
        () => onPort(f, k, 'ip', '2001:db8::5', 'an IPv6 fixed IP'),
        () => {
          const g = someRules(f, k);
          if (!g) return null;
          const { rules, path } = g;
          rules.push({ direction: 'ingress', ethertype: 'IPv6' });
          return { how: 'an IPv6 security group rule', paths: [`${path}[${rules.length - 1}].ethertype`] };
        },
        () => {
          const fips = (f.floating_ips as Obj[] | undefined) ?? [];
          const fip = pick(fips, k);
          if (!fip) return null;
          fip.ip = '2001:db8::101';
          return { how: 'an IPv6 floating IP', paths: [`floating_ips[${fips.indexOf(fip)}].ip`] };
        },
      ];
      return pick(choices, k)!();
    },
  },
];

/** The codes the families cover (one family each). */
export const INVALID_FAMILY_CODES: readonly ErrorCode[] = FAMILIES.map((x) => x.code);

/**
 * Invalid topologies of one family (`code`), or of every family: a random valid topology broken
 * in one way the family knows. Topologies where a family finds nothing to break are skipped.
 */
export function arbitraryInvalidTopology(code?: ErrorCode, bounds: TopologyBounds = {}): fc.Arbitrary<InvalidCase> {
  const families = code === undefined ? FAMILIES : FAMILIES.filter((x) => x.code === code);
  if (families.length === 0) throw new Error(`no family of invalid topologies for ${code}`);
  // Rich enough that most families find what they break (a VM port, a router, a floating IP).
  const base = arbitraryTopology({ minVms: 2, minRouters: 1, minExternals: 1, minGroups: 1, minFloatingIps: 1, ...bounds });
  return fc
    .tuple(base, fc.constantFrom(...families), fc.nat({ max: 1000 }))
    .map(([g, family, k]) => {
      const f = JSON.parse(JSON.stringify(g.file)) as Obj;
      const broken = family.breaks(f, k);
      if (broken === null) return null;
      return { family: `${family.code} ${broken.how}`, code: family.code, text: broken.text ?? topologyYaml(f as TopologyFile), paths: broken.paths };
    })
    .filter((x): x is InvalidCase => x !== null);
}
