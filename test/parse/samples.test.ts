// Every real capture in neutron-samples whose format netproof reads must parse without throwing,
// give a non-empty IR, and report exactly the constructs it does not model (listed here per file).
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Warning } from '../../src/ir/origin.ts';
import { parseCapture, type ParsedContent } from '../../src/parse/index.ts';
import { SAMPLES_DIR } from '../fixtures/samples.ts';

const files = readdirSync(SAMPLES_DIR)
  .filter((f) => /\.(txt|conf)$/.test(f) && statSync(path.join(SAMPLES_DIR, f)).isFile())
  .sort();
const read = (f: string) => readFileSync(path.join(SAMPLES_DIR, f), 'utf8');

/** Captures of things netproof does not parse (OSC tables, dnsmasq files). */
const NOT_ARTIFACTS = new Set([
  'netnode_dhcp_addn_hosts.txt',
  'netnode_dhcp_host.txt',
  'netnode_dhcp_interface_file.txt',
  'netnode_dhcp_leases.txt',
  'netnode_dnsmasq_ps.txt',
  'netnode_openstack_network_agent_list_table.txt',
  'netnode_openstack_port_list_router_table.txt',
  'netnode_openstack_router_create_table.txt',
  'openstack_floating_ip_create_table.txt',
  'openstack_network_create_vlan_table.txt',
  'openstack_port_show_dhcp_table.txt',
  'openstack_subnet_create_table.txt',
]);

/** The iptables -L listing, refused with NP505. */
const LOSSY = 'netnode_qrouter_iptables_L_nat.txt';

/** Per file: [pattern a warning message matches, how many]. Files not listed must give none. */
const OVS_FIREWALL_BR_INT: readonly (readonly [RegExp, number])[] = [[/ct_state=/, 1], [/ct_clear/, 1]];
const EXPECTED_WARNINGS: Readonly<Record<string, readonly (readonly [RegExp, number])[]>> = {
  // Native OVS firewall pipelines (tables 71-94): conntrack, conjunctive matches, IPv6 fields.
  'compute_ofw_dump-flows_br-int_lb.txt': [[/ct_state=/, 72], [/ct_mark=/, 18], [/ct_zone=/, 12], [/ipv6_src=/, 15], [/ct_clear/, 4], [/action not modelled: ct\(/, 36], [/conjunction\(/, 2]],
  'compute_vxlan_ofw_dump-flows_br-int.txt': [[/ct_state=/, 26], [/ct_mark=/, 6], [/ct_zone=/, 4], [/ipv6_src=/, 5], [/ct_clear/, 2], [/action not modelled: ct\(/, 12]],
  'netnode_ofw_dump-flows_br-int.txt': OVS_FIREWALL_BR_INT,
  'netnode_vlan_ofw_dump-flows_br-int.txt': OVS_FIREWALL_BR_INT,
  'netnode_vxlan_ofw_dump-flows_br-int.txt': OVS_FIREWALL_BR_INT,
  // libvirt's rules beside Neutron's on the all-in-one node.
  'hybrid_allinone_newton_iptables-save.txt': [[/-j MASQUERADE/, 3], [/-j CHECKSUM/, 1]],
  // Tap devices of deleted VMs.
  'compute_ovs-vsctl_show_lb.txt': [[/reports an error: could not open network device/, 2]],
  // A documentation excerpt: one router port shown without its link line.
  'neutron_doc_l3ha_qrouter_ip_addr_backup.txt': [[/qr-442e36eb-fc has no link\/ether/, 1]],
  // Partial dumps: chains used without their declarations, `...` elisions.
  'hybrid_netnode_mitaka_qrouter_iptables_S_nat_partial.txt': [[/is used but not declared/, 4]],
  'qrouter_iptables-save_metadata_excerpt_2022.txt': [[/: \.\.\.$/, 4], [/is used but not declared/, 3]],
  'qrouter_iptables_S_filter_nat_legacy_juno.txt': [[/is used but not declared/, 5]],
  // Juno's HA routers put their one instance in a sync group with notify scripts.
  'l3ha_keepalived_juno_blog_excerpt.conf': [[/sync groups are not modelled/, 1]],
};

function size(c: ParsedContent): number {
  switch (c.kind) {
    case 'dump-flows':
      return c.flows.length;
    case 'ofctl-show':
      return Object.keys(c.ofports).length;
    case 'ovs-vsctl-show':
      return c.show.bridges.reduce((n, b) => n + b.ports.length, 0);
    case 'brctl-show':
      return c.bridges.length;
    case 'iptables':
      return c.ruleset.tables.reduce((n, t) => n + t.chains.reduce((m, ch) => m + ch.rules.length, 0), 0);
    case 'ipset-save':
      return Object.keys(c.sets).length;
    case 'ip-addr':
      return c.interfaces.length;
    case 'ip-route':
      return c.routes.length;
    case 'keepalived':
      return c.instances.length;
    default: {
      const never: never = c;
      return never;
    }
  }
}

describe('real neutron samples', () => {
  it('finds the samples directory', () => {
    expect(files.length).toBeGreaterThan(30);
  });

  for (const f of files) {
    it(f, () => {
      const sections = parseCapture(read(f), f);
      expect(sections.length).toBeGreaterThan(0);
      if (NOT_ARTIFACTS.has(f)) {
        expect(sections.map((s) => s.format)).toEqual(sections.map(() => 'unknown'));
        return;
      }
      if (f === LOSSY) {
        expect(sections.map((s) => s.format)).toEqual(['iptables-L']);
        expect(sections[0]!.result).toMatchObject({ ok: false, errors: [{ code: 'NP505' }] });
        return;
      }
      const warnings: Warning[] = [];
      for (const s of sections) {
        expect(s.format).not.toBe('unknown');
        expect(s.result.ok).toBe(true);
        if (!s.result.ok) continue;
        expect(size(s.result.value.content)).toBeGreaterThan(0);
        warnings.push(...s.result.value.warnings);
      }
      for (const w of warnings) {
        expect(w.file).toBe(f);
        expect(w.line).toBeGreaterThan(0);
      }
      const expected = EXPECTED_WARNINGS[f] ?? [];
      for (const [pattern, count] of expected) expect(warnings.filter((w) => pattern.test(w.message)).length, String(pattern)).toBe(count);
      expect(warnings.length).toBe(expected.reduce((n, [, c]) => n + c, 0));
    });
  }
});

describe('what the samples say, read back', () => {
  const only = (f: string) => {
    const [s] = parseCapture(read(f), f);
    if (!s || !s.result.ok) throw new Error(`${f} did not parse`);
    return s.result.value.content;
  };

  it('Mitaka br-tun: learned flows strip the VLAN, set the VNI and output to the learned port', () => {
    const c = only('hybrid_compute_mitaka_dump-flows_br-tun_fragments.txt');
    if (c.kind !== 'dump-flows') throw new Error(c.kind);
    const learned = c.flows.filter((x) => x.table === 20 && x.priority === 1);
    expect(learned).toHaveLength(2);
    expect(learned[0]!.match.vlan_tci).toEqual({ value: 1, mask: 0x0fff });
    expect(learned[0]!.actions).toEqual([{ kind: 'strip_vlan' }, { kind: 'set_tun_id', value: 0x40b }, { kind: 'output', port: { kind: 'number', ofport: 2 } }]);
    const learn = c.flows.find((x) => x.table === 10)!.actions[0]!;
    expect(learn.kind === 'learn' && learn.spec?.table).toBe(20);
  });

  it('Newton hybrid firewall: per-port chains with physdev jumps and the spoof chain MAC', () => {
    const c = only('hybrid_allinone_newton_iptables-save.txt');
    if (c.kind !== 'iptables') throw new Error(c.kind);
    const filter = c.ruleset.tables.find((t) => t.name === 'filter')!;
    const sg = filter.chains.find((x) => x.name === 'neutron-openvswi-sg-chain')!;
    expect(sg.rules[0]!.matches[0]).toEqual({ kind: 'physdev', in: null, out: { name: 'tap0695f2ca-bf', negate: false }, isBridged: { negate: false }, isIn: null, isOut: null });
    expect(sg.rules[0]!.target).toEqual({ kind: 'jump', chain: 'neutron-openvswi-i0695f2ca-b' });
    const spoof = filter.chains.find((x) => x.name === 'neutron-openvswi-s0695f2ca-b')!;
    expect(spoof.rules[0]!.matches.slice(0, 2)).toEqual([
      { kind: 'src', cidr: { ip: '172.24.220.12', prefixLen: 32 }, negate: false },
      { kind: 'mac-source', mac: 'fa:16:3e:99:44:9e', negate: false },
    ]);
    const raw = c.ruleset.tables.find((t) => t.name === 'raw')!;
    expect(raw.chains.find((x) => x.name === 'neutron-openvswi-PREROUTING')!.rules.map((r) => r.target)).toEqual([1, 1, 2, 2].map((zone) => ({ kind: 'CT', zone, notrack: false })));
  });

  it('Juno qrouter: the filter part and the nat part land in their own tables', () => {
    const parts = parseCapture(read('qrouter_iptables_S_filter_nat_legacy_juno.txt'), 'j');
    const tables = parts.map((p) => (p.result.ok && p.result.value.content.kind === 'iptables' ? p.result.value.content.ruleset.tables.map((t) => t.name) : null));
    expect(tables).toEqual([['filter'], ['nat']]);
  });

  it("Neutron's keepalived unit-test expectation: two instances, their VIPs, routes and authentication", () => {
    const c = only('neutron_unittest_expected_keepalived.conf');
    if (c.kind !== 'keepalived') throw new Error(c.kind);
    expect(c.instances.map((i) => [i.name, i.interface, i.vrid, i.priority, i.initialState, i.nopreempt, i.advertInt])).toEqual([
      ['VR_1', 'eth0', 1, 50, 'MASTER', false, 5],
      ['VR_2', 'eth4', 2, 50, 'MASTER', false, 1],
    ]);
    const [vr1, vr2] = c.instances;
    expect(vr1!.authentication).toEqual({ type: 'AH', pass: 'pass123' });
    expect(vr1!.trackInterfaces).toEqual(['eth0']);
    expect(vr1!.vips.map((v) => [v.ip, v.prefixLen, v.dev])).toEqual([['169.254.0.1', 24, 'eth0']]);
    expect(vr1!.excludedVips.map((v) => `${v.ip}/${v.prefixLen} ${v.dev}`)).toEqual(['192.168.1.0/24 eth1', '192.168.2.0/24 eth2', '192.168.3.0/24 eth2', '192.168.55.0/24 eth10']);
    expect(vr1!.routes.map((r) => [r.dst, r.via, r.dev])).toEqual([[{ ip: '0.0.0.0', prefixLen: 0 }, '192.168.1.1', 'eth1']]);
    expect(vr1!.routes[0]!.origin).toMatchObject({ file: 'neutron_unittest_expected_keepalived.conf', line: 29 });
    expect(vr2!.routes).toEqual([]);
    expect(vr2!.authentication).toBeNull();
  });

  it('Juno HA router: the gateway address was the advertised VIP, the subnet address excluded', () => {
    const c = only('l3ha_keepalived_juno_blog_excerpt.conf');
    if (c.kind !== 'keepalived') throw new Error(c.kind);
    const [vr] = c.instances;
    expect([vr!.interface, vr!.vrid, vr!.nopreempt, vr!.advertInt]).toEqual(['ha-45249562-ec', 1, true, 2]);
    expect(vr!.vips.map((v) => `${v.ip}/${v.prefixLen} ${v.dev}`)).toEqual(['19.4.4.4/24 qg-843de7e6-8f']);
    expect(vr!.excludedVips.map((v) => `${v.ip}/${v.prefixLen} ${v.dev}`)).toEqual(['10.0.0.1/24 qr-dc9d93c6-e2']);
  });
});
