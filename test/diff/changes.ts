// Random changes an operator makes to a topology, for holding `diff`'s two ways of asking to each
// other: a security-group rule added or removed, an extra route added to a router, a floating IP
// removed or moved to another VM, a port's port security turned off or on. A change is drawn as a
// few small numbers and applied to a generated file; it names what it did, for failure messages.
// A change that does not apply (no group, no router…) gives null, and the caller draws another.
import fc from 'fast-check';
import type { TopologyFile } from '../../src/topology/schema.ts';

export interface ChangeChoice {
  readonly kind: 'rule-added' | 'rule-removed' | 'route' | 'fip-removed' | 'fip-moved' | 'port-security';
  /** Which object of its kind (taken modulo how many there are). */
  readonly pick: number;
  readonly other: number;
  readonly port: number;
}

export const arbitraryChange: fc.Arbitrary<ChangeChoice> = fc.record({
  kind: fc.constantFrom('rule-added', 'rule-removed', 'route', 'fip-removed', 'fip-moved', 'port-security'),
  pick: fc.nat({ max: 50 }),
  other: fc.nat({ max: 50 }),
  port: fc.constantFrom(22, 80, 443, 8080),
});

type Groups = NonNullable<TopologyFile['security_groups']>;
type Group = Groups[string][string];
const rulesOf = (g: Group) => (Array.isArray(g) ? g : g.rules);

/** The file with the change applied (a deep copy), and what it did; null when it does not apply. */
export function applyChange(file: TopologyFile, c: ChangeChoice): { file: TopologyFile; what: string } | null {
  const f = structuredClone(file) as TopologyFile;
  const at = <T>(xs: readonly T[], i: number): T | undefined => (xs.length === 0 ? undefined : xs[i % xs.length]);
  switch (c.kind) {
    case 'rule-added':
    case 'rule-removed': {
      // A group some port is in (a rule of a group nobody is in changes nothing).
      const used = new Set(Object.values(f.vms ?? {}).flatMap((v) => v.ports.flatMap((p) => (p.port_security === false ? [] : (p.security_groups ?? ['default']).map((g) => `${v.project}/${g}`)))));
      const groups = Object.entries(f.security_groups ?? {}).flatMap(([project, gs]) => Object.entries(gs).map(([name, g]) => ({ project, name, rules: rulesOf(g) }))).filter((g) => used.has(`${g.project}/${g.name}`));
      const g = at(groups, c.pick);
      if (g === undefined) return null;
      if (c.kind === 'rule-added') {
        g.rules.push({ direction: 'ingress', protocol: 'tcp', port: c.port });
        return { file: f, what: `rule tcp/${c.port} added to ${g.project}/${g.name}` };
      }
      if (g.rules.length === 0) return null;
      const i = c.other % g.rules.length;
      g.rules.splice(i, 1);
      return { file: f, what: `rule ${i} removed from ${g.project}/${g.name}` };
    }
    case 'route': {
      const routers = Object.entries(f.routers ?? {}).filter(([, r]) => (r.interfaces ?? []).length > 0);
      const r = at(routers, c.pick);
      if (r === undefined) return null;
      // The next hop: an address in one of its subnets (the gateway's neighbour in the subnet's first /30 or so).
      const subnets = Object.values(f.networks ?? {}).flatMap((n) => Object.entries(n.subnets ?? {}));
      const names = (r[1].interfaces ?? []).map((i) => (typeof i === 'string' ? i : i.subnet));
      const s = subnets.find(([name]) => names.includes(name));
      if (s === undefined) return null;
      const [base, len] = s[1].cidr.split('/');
      if (Number(len) > 28) return null;
      const o = base!.split('.').map(Number);
      const nexthop = `${o[0]}.${o[1]}.${o[2]}.${o[3]! + 5 + (c.other % 5)}`;
      (r[1].routes ??= []).push({ destination: `172.31.${c.other % 200}.0/24`, nexthop });
      return { file: f, what: `route 172.31.${c.other % 200}.0/24 via ${nexthop} on ${r[0]}` };
    }
    case 'fip-removed':
    case 'fip-moved': {
      const fips = f.floating_ips ?? [];
      const i = fips.length === 0 ? -1 : c.pick % fips.length;
      if (i < 0) return null;
      if (c.kind === 'fip-removed') {
        const [gone] = fips.splice(i, 1);
        return { file: f, what: `floating IP ${gone!.ip} removed` };
      }
      const vms = Object.keys(f.vms ?? {}).filter((v) => v !== fips[i]!.vm);
      const to = at(vms, c.other);
      if (to === undefined) return null;
      fips[i] = { ...fips[i]!, vm: to, port: 0 };
      return { file: f, what: `floating IP ${fips[i]!.ip} moved to ${to}` };
    }
    case 'port-security': {
      const ports = Object.entries(f.vms ?? {}).flatMap(([vm, v]) => v.ports.map((p, i) => ({ vm, i, p })));
      const x = at(ports, c.pick);
      if (x === undefined) return null;
      const off = x.p.port_security !== false;
      x.p.port_security = !off;
      if (off) {
        // Neutron refuses security groups (and address pairs) on a port without port security.
        x.p.security_groups = [];
        delete x.p.allowed_address_pairs;
      }
      return { file: f, what: `port security ${off ? 'off' : 'on'} on ${x.vm}:${x.i}` };
    }
    default: {
      const never: never = c.kind;
      throw new Error(`unknown change ${String(never)}`);
    }
  }
}
