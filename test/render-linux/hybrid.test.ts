import { describe, expect, it } from 'vitest';
import { chainName, deviceName } from '../../src/render/names.ts';
import { conntrackZone, conntrackZones, renderLinuxArtifacts } from '../../src/render/linux/index.ts';
import type { PortT, SecurityGroupT, Topology } from '../../src/topology/model.ts';
import { IDS, SG_DEFAULT, seedFixture, withChanges } from './fixture.ts';
import { artifact, chainRules, expectRestorable, loadSeed } from './helpers.ts';

const portOf = (t: Topology, vm: string): PortT => {
  const p = t.ports.find((x) => x.name === `${vm}:0`);
  if (!p) throw new Error(`no port of ${vm}`);
  return p;
};

const replacePort = (t: Topology, id: string, change: Partial<PortT>): Topology => ({
  ...t,
  ports: t.ports.map((p) => (p.id === id ? { ...p, ...change } : p)),
});

describe('hybrid firewall on the seed', () => {
  const seed = loadSeed();
  const arts = renderLinuxArtifacts(seed);
  const ipt = artifact(arts, 'compute1/iptables-save').text;
  const vm1 = portOf(seed, 'vm1');
  const defaultSg = seed.securityGroups.find((g) => g.name === 'default' && g.project === 'demo');

  it('renders a restorable iptables-save per compute host', () => {
    expectRestorable(ipt);
    expectRestorable(artifact(arts, 'compute2/iptables-save').text);
    expect(arts.some((a) => a.path === 'network1/iptables-save')).toBe(false);
  });

  it("vm1's ingress chain allows ssh, icmp and its own group, between established and the fallback", () => {
    const rules = chainRules(ipt, 'filter', chainName.ingress(vm1.id));
    const ipset = chainName.ipset(defaultSg?.id ?? '');
    expect(rules[0]).toContain('-m state --state RELATED,ESTABLISHED');
    expect(rules).toContain('-p tcp -m tcp --dport 22 -j RETURN');
    expect(rules).toContain('-p icmp -j RETURN');
    expect(rules).toContain(`-m set --match-set ${ipset} src -j RETURN`);
    expect(rules.at(-2)).toContain('-m state --state INVALID');
    expect(rules.at(-1)).toMatch(/-j neutron-openvswi-sg-fallback$/);
    // default is listed before ssh on the port: its remote-group rule comes first.
    expect(rules.findIndex((r) => r.includes('--match-set'))).toBeLessThan(rules.indexOf('-p tcp -m tcp --dport 22 -j RETURN'));
  });

  it('lets DHCP replies in as the release writes the rule: since Pike to the port\'s IP and the broadcast, from anyone', () => {
    const rules = chainRules(ipt, 'filter', chainName.ingress(vm1.id));
    expect(rules).toContain(`-d ${vm1.ip}/32 -p udp -m udp --sport 67 --dport 68 -j RETURN`);
    expect(rules).toContain('-d 255.255.255.255/32 -p udp -m udp --sport 67 --dport 68 -j RETURN');
    expect(rules.some((r) => r.startsWith('-s ') && r.includes('--sport 67 --dport 68'))).toBe(false);
  });

  it('before Pike, lets DHCP replies in from the network\'s DHCP port only', () => {
    const ocata = renderLinuxArtifacts({ ...seed, release: 'ocata' });
    const rules = chainRules(artifact(ocata, 'compute1/iptables-save').text, 'filter', chainName.ingress(vm1.id));
    const dhcp = seed.ports.find((p) => p.deviceOwner === 'network:dhcp' && p.network === 'net1');
    expect(rules.filter((r) => r.includes('--sport 67 --dport 68'))).toEqual([`-s ${dhcp?.ip}/32 -p udp -m udp --sport 67 --dport 68 -j RETURN`]);
  });

  it("vm1's egress chain sends traffic through anti-spoofing with its own IP and upper-case MAC", () => {
    const o = chainRules(ipt, 'filter', chainName.egress(vm1.id));
    expect(o[1]).toBe(`-j ${chainName.spoof(vm1.id)}`);
    expect(o).toContain('-p udp -m udp --sport 67 --dport 68 -m comment --comment "Prevent DHCP Spoofing by VM." -j DROP');
    expect(o).toContain('-j RETURN'); // the automatic allow-all egress rule
    const s = chainRules(ipt, 'filter', chainName.spoof(vm1.id));
    expect(s).toEqual([
      `-s 192.168.1.11/32 -m mac --mac-source ${vm1.mac.toUpperCase()} -m comment --comment "Allow traffic from defined IP/MAC pairs." -j RETURN`,
      '-m comment --comment "Drop traffic without an IP/MAC allow rule." -j DROP',
    ]);
  });

  it('wires each tap into the sg-chain and the port chains', () => {
    const tap = deviceName.tap(vm1.id);
    const fwd = chainRules(ipt, 'filter', 'neutron-openvswi-FORWARD');
    expect(fwd.filter((r) => r.includes(tap)).map((r) => r.split(' ')[2])).toEqual(['--physdev-out', '--physdev-in']);
    const sg = chainRules(ipt, 'filter', 'neutron-openvswi-sg-chain');
    expect(sg.at(-1)).toBe('-j ACCEPT');
    expect(sg).toContain(`-m physdev --physdev-out ${tap} --physdev-is-bridged -m comment --comment "Jump to the VM specific chain." -j ${chainName.ingress(vm1.id)}`);
  });

  it('fills the ipset with every member of the group, on every host that references it', () => {
    const name = chainName.ipset(defaultSg?.id ?? '');
    const text = artifact(arts, 'compute1/ipset-save').text;
    expect(text.split('\n')[0]).toBe(`create ${name} hash:net family inet hashsize 1024 maxelem 65536`);
    for (const ip of ['192.168.1.11', '192.168.1.12', '192.168.2.13', '192.168.2.14']) expect(text).toContain(`add ${name} ${ip}\n`);
  });

  it('puts each VM port on its own qbr with its qvb and tap', () => {
    const text = artifact(arts, 'compute1/brctl-show').text;
    expect(text).toMatch(new RegExp(`^${deviceName.qbr(vm1.id)}\\t\\t8000\\.[0-9a-f]{12}\\tno\\t\\t${deviceName.qvb(vm1.id)}$`, 'm'));
    expect(text).toContain(`\t\t\t\t\t\t\t${deviceName.tap(vm1.id)}\n`);
    expect(text).not.toContain(deviceName.tap(portOf(seed, 'vm2').id));
  });

  it('records why each rule exists', () => {
    const a = artifact(arts, 'compute1/iptables-save');
    const lines = a.text.split('\n');
    const n = lines.findIndex((l) => l.endsWith('-p tcp -m tcp --dport 22 -j RETURN')) + 1;
    expect(a.provenance.get(n)?.neutron).toMatch(/^security group ssh \(/);
    expect(a.provenance.get(n)?.why).toContain('tcp port 22');
    const s = lines.findIndex((l) => l.includes('--mac-source')) + 1;
    expect(a.provenance.get(s)?.neutron).toContain('port vm');
  });
});

describe('conntrack zones', () => {
  it('gives each filtered port its own zone from 4097, in port-id order (current releases)', () => {
    // vm3's id sorts before vm1's on compute1.
    expect(conntrackZone(seedFixture, 'compute1', IDS.vm3)).toBe(4097);
    expect(conntrackZone(seedFixture, 'compute1', IDS.vm1)).toBe(4098);
    const ipt = artifact(renderLinuxArtifacts(seedFixture), 'compute1/iptables-save').text;
    expect(chainRules(ipt, 'raw', 'neutron-openvswi-PREROUTING')).toEqual([
      `-m physdev --physdev-in qvb7d000003-00 -m comment --comment "Set zone for ${IDS.vm3}" -j CT --zone 4097`,
      `-i qvb7d000003-00 -m comment --comment "Set zone for ${IDS.vm3}" -j CT --zone 4097`,
      `-m physdev --physdev-in tap7d000003-00 -m comment --comment "Set zone for ${IDS.vm3}" -j CT --zone 4097`,
      `-m physdev --physdev-in qvb9f000001-00 -m comment --comment "Set zone for ${IDS.vm1}" -j CT --zone 4098`,
      `-i qvb9f000001-00 -m comment --comment "Set zone for ${IDS.vm1}" -j CT --zone 4098`,
      `-m physdev --physdev-in tap9f000001-00 -m comment --comment "Set zone for ${IDS.vm1}" -j CT --zone 4098`,
    ]);
  });

  it('uses per-network zones from 1 without comments before Queens (the Newton layout)', () => {
    const old = withChanges({ release: 'newton' });
    const sameNet = replacePort(old, IDS.vm3, { network: 'net1', subnet: 'subnet1', ip: '192.168.1.13' });
    expect(conntrackZones(old, 'compute1').get(IDS.vm1)).toBe(1);
    expect(conntrackZones(old, 'compute1').get(IDS.vm3)).toBe(2);
    expect(conntrackZones(sameNet, 'compute1').get(IDS.vm3)).toBe(1);
    const ipt = artifact(renderLinuxArtifacts(old), 'compute1/iptables-save').text;
    expect(chainRules(ipt, 'raw', 'neutron-openvswi-PREROUTING')).toEqual([
      '-m physdev --physdev-in qvb7d000003-00 -j CT --zone 2',
      '-m physdev --physdev-in tap7d000003-00 -j CT --zone 2',
      '-m physdev --physdev-in qvb9f000001-00 -j CT --zone 1',
      '-m physdev --physdev-in tap9f000001-00 -j CT --zone 1',
    ]);
  });
});

describe('hybrid firewall variants', () => {
  it('accepts all traffic of a port without port security and gives it no chains or zone', () => {
    const t = replacePort(seedFixture, IDS.vm1, { portSecurity: false, securityGroups: [] });
    const arts = renderLinuxArtifacts(t);
    const ipt = artifact(arts, 'compute1/iptables-save').text;
    expectRestorable(ipt);
    expect(ipt).not.toContain(chainName.ingress(IDS.vm1));
    expect(ipt).not.toContain(chainName.spoof(IDS.vm1));
    const tap = deviceName.tap(IDS.vm1);
    const accept = '--physdev-is-bridged -m comment --comment "Accept all packets when port security is disabled." -j ACCEPT';
    const fwd = chainRules(ipt, 'filter', 'neutron-openvswi-FORWARD');
    expect(fwd.slice(-2)).toEqual([`-m physdev --physdev-out ${tap} ${accept}`, `-m physdev --physdev-in ${tap} ${accept}`]);
    expect(chainRules(ipt, 'filter', 'neutron-openvswi-INPUT')).toContain(`-m physdev --physdev-in ${tap} ${accept}`);
    expect(conntrackZone(t, 'compute1', IDS.vm1)).toBeNull();
    // The port is still plugged through a qbr (hybrid plugging does not depend on port security).
    expect(artifact(arts, 'compute1/brctl-show').text).toContain(deviceName.qbr(IDS.vm1));
  });

  it('renders remote prefixes, port ranges, icmp types and egress remote groups', () => {
    const web: SecurityGroupT = {
      name: 'web',
      id: 'aaaa0000-0000-4000-8000-00000000feed',
      project: 'demo',
      stateful: true,
      rules: [
        { id: 'w0', direction: 'ingress', ethertype: 'IPv4', protocol: 6, portMin: 8000, portMax: 8080, icmpType: null, icmpCode: null, remoteIpPrefix: '10.0.0.0/8', remoteGroup: null },
        { id: 'w1', direction: 'ingress', ethertype: 'IPv4', protocol: 1, portMin: null, portMax: null, icmpType: 8, icmpCode: 0, remoteIpPrefix: '0.0.0.0/0', remoteGroup: null },
        { id: 'w2', direction: 'egress', ethertype: 'IPv4', protocol: 17, portMin: 53, portMax: 53, icmpType: null, icmpCode: null, remoteIpPrefix: null, remoteGroup: SG_DEFAULT },
        { id: 'w3', direction: 'ingress', ethertype: 'IPv6', protocol: 6, portMin: 22, portMax: 22, icmpType: null, icmpCode: null, remoteIpPrefix: null, remoteGroup: null },
      ],
    };
    const t = replacePort({ ...seedFixture, securityGroups: [...seedFixture.securityGroups, web] }, IDS.vm1, { securityGroups: [web.id] });
    const ipt = artifact(renderLinuxArtifacts(t), 'compute1/iptables-save').text;
    const i = chainRules(ipt, 'filter', chainName.ingress(IDS.vm1));
    expect(i).toContain('-s 10.0.0.0/8 -p tcp -m tcp -m multiport --dports 8000:8080 -j RETURN');
    expect(i).toContain('-p icmp -m icmp --icmp-type 8/0 -j RETURN');
    expect(i.some((r) => r.includes('22'))).toBe(false); // IPv6 rules are not in iptables
    const o = chainRules(ipt, 'filter', chainName.egress(IDS.vm1));
    expect(o).toContain(`-p udp -m udp --dport 53 -m set --match-set ${chainName.ipset(SG_DEFAULT)} dst -j RETURN`);
  });

  it('leaves out a remote-group rule whose group has no member, and creates no ipset for it', () => {
    const lonely: SecurityGroupT = {
      name: 'lonely',
      id: 'bbbb0000-0000-4000-8000-0000000000aa',
      project: 'demo',
      stateful: true,
      rules: [{ id: 'l0', direction: 'ingress', ethertype: 'IPv4', protocol: null, portMin: null, portMax: null, icmpType: null, icmpCode: null, remoteIpPrefix: null, remoteGroup: 'cccc0000-0000-4000-8000-0000000000bb' }],
    };
    const t = replacePort({ ...seedFixture, securityGroups: [...seedFixture.securityGroups, lonely] }, IDS.vm1, { securityGroups: [lonely.id] });
    const arts = renderLinuxArtifacts(t);
    expect(chainRules(artifact(arts, 'compute1/iptables-save').text, 'filter', chainName.ingress(IDS.vm1)).some((r) => r.includes('match-set'))).toBe(false);
    expect(artifact(arts, 'compute1/ipset-save').text).not.toContain('cccc0000');
  });

  it('allows allowed-address-pair sources (before the fixed IP) and adds them to the group ipset', () => {
    const t = replacePort(seedFixture, IDS.vm1, {
      allowedAddressPairs: [{ ipAddress: '192.168.1.200', macAddress: null }, { ipAddress: '10.9.0.0/24', macAddress: 'fa:16:3e:12:34:56' }],
    });
    const arts = renderLinuxArtifacts(t);
    const s = chainRules(artifact(arts, 'compute1/iptables-save').text, 'filter', chainName.spoof(IDS.vm1));
    expect(s.map((r) => r.split(' ').slice(0, 6).join(' '))).toEqual([
      '-s 192.168.1.200/32 -m mac --mac-source FA:16:3E:AA:01:11',
      '-s 10.9.0.0/24 -m mac --mac-source FA:16:3E:12:34:56',
      '-s 192.168.1.11/32 -m mac --mac-source FA:16:3E:AA:01:11',
      '-m comment --comment "Drop traffic without',
    ]);
    const ipset = artifact(arts, 'compute1/ipset-save').text;
    expect(ipset).toContain(`add ${chainName.ipset(SG_DEFAULT)} 192.168.1.200\n`);
    expect(ipset).toContain(`add ${chainName.ipset(SG_DEFAULT)} 10.9.0.0/24\n`);
  });

  it('writes an allowed address pair of 0.0.0.0/0 into the group ipset as its two /1 halves, which ipset restore accepts (hash:net refuses /0)', () => {
    const t = replacePort(seedFixture, IDS.vm1, { allowedAddressPairs: [{ ipAddress: '0.0.0.0/0', macAddress: null }] });
    const ipset = artifact(renderLinuxArtifacts(t), 'compute1/ipset-save').text;
    expect(ipset).toContain(`add ${chainName.ipset(SG_DEFAULT)} 0.0.0.0/1\n`);
    expect(ipset).toContain(`add ${chainName.ipset(SG_DEFAULT)} 128.0.0.0/1\n`);
    expect(ipset).not.toMatch(/\/0\b/);
  });

  it('renders nothing for the root namespace with the noop firewall driver', () => {
    const paths = renderLinuxArtifacts(withChanges({ firewallDriver: 'noop' })).map((a) => a.path);
    expect(paths.filter((p) => p.startsWith('compute'))).toEqual([]);
  });
});
