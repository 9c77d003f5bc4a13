import { describe, expect, it } from 'vitest';
import { deviceName } from '../../src/render/names.ts';
import { renderLinuxArtifacts } from '../../src/render/linux/index.ts';
import type { RouterT, Topology } from '../../src/topology/model.ts';
import { artifact, chainRules, expectRestorable, loadSeed } from './helpers.ts';
import { modelFromTopology } from '../../src/pipeline.ts';
import { lookupRoute } from '../../src/evaluate/namespace.ts';

const seed = loadSeed();
const router = seed.routers[0] as RouterT;
const qg = deviceName.qg(router.gateway?.port.id ?? '');
const ns = deviceName.qrouter(router.id);

const withRouter = (t: Topology, change: Partial<RouterT>): Topology => ({
  ...t,
  routers: t.routers.map((r) => (r.id === router.id ? { ...r, ...change } : r)),
});
const iptablesOf = (t: Topology) => artifact(renderLinuxArtifacts(t), `network1/${ns}.iptables-save`).text;

describe('qrouter namespace of the seed router', () => {
  const arts = renderLinuxArtifacts(seed);
  const ipt = artifact(arts, `network1/${ns}.iptables-save`).text;

  it('is a restorable iptables-save with raw, mangle, nat and filter', () => {
    expectRestorable(ipt);
    expect(ipt.split('\n').filter((l) => l.startsWith('*'))).toEqual(['*raw', '*mangle', '*nat', '*filter']);
  });

  it("DNATs vm4's floating IP in PREROUTING and OUTPUT and SNATs its fixed IP back", () => {
    expect(chainRules(ipt, 'nat', 'neutron-l3-agent-PREROUTING')).toEqual([
      '-d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697',
      '-d 203.0.113.101/32 -j DNAT --to-destination 192.168.2.14',
    ]);
    expect(chainRules(ipt, 'nat', 'neutron-l3-agent-OUTPUT')).toEqual(['-d 203.0.113.101/32 -j DNAT --to-destination 192.168.2.14']);
    expect(chainRules(ipt, 'nat', 'neutron-l3-agent-float-snat')).toEqual(['-s 192.168.2.14/32 -j SNAT --to-source 203.0.113.101 --random-fully']);
  });

  it('SNATs everything else leaving qg- to 203.0.113.10, after the floating IPs', () => {
    expect(chainRules(ipt, 'nat', 'neutron-l3-agent-snat')).toEqual([
      '-j neutron-l3-agent-float-snat',
      `-o ${qg} -j SNAT --to-source 203.0.113.10 --random-fully`,
      '-m mark ! --mark 0x2/0xffff -m conntrack --ctstate DNAT -j SNAT --to-source 203.0.113.10 --random-fully',
    ]);
    expect(chainRules(ipt, 'nat', 'POSTROUTING')).toEqual(['-j neutron-l3-agent-POSTROUTING', '-j neutron-postrouting-bottom']);
    expect(chainRules(ipt, 'nat', 'neutron-postrouting-bottom')).toEqual([
      '-m comment --comment "Perform source NAT on outgoing traffic." -j neutron-l3-agent-snat',
    ]);
  });

  it('does not NAT internal traffic that did not come through a floating IP', () => {
    expect(chainRules(ipt, 'nat', 'neutron-l3-agent-POSTROUTING')).toEqual([`! -o ${qg} -m conntrack ! --ctstate DNAT -j ACCEPT`]);
  });

  it('marks traffic from outside and lets only marked metadata requests reach the proxy', () => {
    expect(chainRules(ipt, 'mangle', 'neutron-l3-agent-mark')).toEqual([`-i ${qg} -j MARK --set-xmark 0x2/0xffff`]);
    expect(chainRules(ipt, 'filter', 'neutron-l3-agent-INPUT')).toEqual(['-m mark --mark 0x1/0xffff -j ACCEPT', '-p tcp -m tcp --dport 9697 -j DROP']);
    expect(chainRules(ipt, 'filter', 'FORWARD')).toEqual(['-j neutron-filter-top', '-j neutron-l3-agent-FORWARD']);
  });

  it('ties NAT rules to the floating IP and the router in provenance', () => {
    const a = artifact(arts, `network1/${ns}.iptables-save`);
    const lines = a.text.split('\n');
    const dnat = lines.indexOf('-A neutron-l3-agent-PREROUTING -d 203.0.113.101/32 -j DNAT --to-destination 192.168.2.14') + 1;
    expect(a.provenance.get(dnat)?.neutron).toMatch(/^floating IP 203\.0\.113\.101 .* of vm4:0$/);
    const snat = lines.findIndex((l) => l.startsWith(`-A neutron-l3-agent-snat -o ${qg}`)) + 1;
    expect(a.provenance.get(snat)?.neutron).toBe(`router router1 (${router.id})`);
  });

  it('ip addr: qr- with the subnet gateways, qg- with the gateway address and the floating IP as /32', () => {
    const text = artifact(arts, `network1/${ns}.ip-addr`).text;
    const qr1 = deviceName.qr(router.interfaces[0]?.port.id ?? '');
    expect(text).toContain(`    inet 192.168.1.1/24 brd 192.168.1.255 scope global ${qr1}\n`);
    expect(text).toContain(`    inet 203.0.113.10/24 brd 203.0.113.255 scope global ${qg}\n`);
    expect(text).toContain(`    inet 203.0.113.101/32 brd 203.0.113.101 scope global ${qg}\n`);
    expect(text).toContain(`    link/ether ${router.gateway?.port.mac} brd ff:ff:ff:ff:ff:ff\n`);
    expect(text).toMatch(new RegExp(`^\\d+: ${qr1}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 `, 'm'));
    expect(text).toMatch(new RegExp(`^\\d+: ${qg}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 `, 'm'));
  });

  it('ip route: default via the external gateway, connected routes per interface', () => {
    const text = artifact(arts, `network1/${ns}.ip-route`).text;
    const qr2 = deviceName.qr(router.interfaces[1]?.port.id ?? '');
    expect(text.split('\n')[0]).toBe(`default via 203.0.113.1 dev ${qg} proto static`);
    expect(text).toContain(`192.168.2.0/24 dev ${qr2} proto kernel scope link src 192.168.2.1\n`);
    expect(text).toContain(`203.0.113.0/24 dev ${qg} proto kernel scope link src 203.0.113.10\n`);
    expect(text).not.toContain('203.0.113.101');
  });
});

describe('qrouter variants', () => {
  it('snat: false removes the router SNAT rule but keeps floating IPs, their hairpin rule and the no-NAT rule', () => {
    const gw = router.gateway;
    if (!gw) throw new Error('seed router has a gateway');
    const ipt = iptablesOf(withRouter(seed, { gateway: { ...gw, snat: false } }));
    expectRestorable(ipt);
    // Since Newton (bug 1551530) the hairpin rule is the floating IPs' (external_gateway_nat_fip_rules), programmed without SNAT too.
    expect(chainRules(ipt, 'nat', 'neutron-l3-agent-snat')).toEqual([
      '-j neutron-l3-agent-float-snat',
      '-m mark ! --mark 0x2/0xffff -m conntrack --ctstate DNAT -j SNAT --to-source 203.0.113.10 --random-fully',
    ]);
    expect(ipt).not.toMatch(/-o qg-\S+ -j SNAT/);
    expect(chainRules(ipt, 'nat', 'neutron-l3-agent-float-snat')).toHaveLength(1);
    expect(chainRules(ipt, 'nat', 'neutron-l3-agent-POSTROUTING')).toHaveLength(1);
  });

  it('a router without a gateway has no NAT for the outside and no floating IPs', () => {
    const ipt = iptablesOf(withRouter(seed, { gateway: null }));
    expectRestorable(ipt);
    expect(ipt).not.toContain('SNAT');
    expect(ipt).not.toContain('DNAT --to-destination');
    expect(ipt).not.toContain('qg-');
    const arts = renderLinuxArtifacts(withRouter(seed, { gateway: null }));
    expect(artifact(arts, `network1/${ns}.ip-route`).text).not.toContain('default');
  });

  it('extra routes leave through the interface that holds the next hop', () => {
    const t = withRouter(seed, { routes: [{ destination: '10.20.0.0/16', nexthop: '192.168.1.254' }] });
    const text = artifact(renderLinuxArtifacts(t), `network1/${ns}.ip-route`).text;
    const qr1 = deviceName.qr(router.interfaces[0]?.port.id ?? '');
    expect(text.split('\n')).toEqual([
      `default via 203.0.113.1 dev ${qg} proto static`,
      `10.20.0.0/16 via 192.168.1.254 dev ${qr1} proto static`,
      expect.stringMatching(/^192\.168\.1\.0\/24 /),
      expect.stringMatching(/^192\.168\.2\.0\/24 /),
      expect.stringMatching(/^203\.0\.113\.0\/24 /),
      '',
    ]);
  });

  it('an extra route to a connected subnet or to 0.0.0.0/0 takes that route\'s place (the agent adds it with ip route replace), and the model routes by it', () => {
    const t = withRouter(seed, { routes: [{ destination: '192.168.2.0/24', nexthop: '192.168.1.254' }, { destination: '0.0.0.0/0', nexthop: '192.168.1.254' }] });
    const text = artifact(renderLinuxArtifacts(t), `network1/${ns}.ip-route`).text;
    const qr1 = deviceName.qr(router.interfaces[0]?.port.id ?? '');
    expect(text.split('\n')).toEqual([
      `0.0.0.0/0 via 192.168.1.254 dev ${qr1} proto static`,
      expect.stringMatching(/^192\.168\.1\.0\/24 dev .* proto kernel /),
      `192.168.2.0/24 via 192.168.1.254 dev ${qr1} proto static`,
      expect.stringMatching(/^203\.0\.113\.0\/24 /),
      '',
    ]);
    const routes = modelFromTopology(t).dataplane.hosts.find((h) => h.name === 'network1')?.namespaces.find((n) => n.name === ns)?.routes ?? [];
    expect(lookupRoute(routes, '192.168.2.7')?.via).toBe('192.168.1.254');
    expect(lookupRoute(routes, '198.51.100.1')?.via).toBe('192.168.1.254');
  });

  it('uses the pre-Train layout for older releases', () => {
    const ipt = iptablesOf({ ...seed, release: 'stein' });
    expect(chainRules(ipt, 'nat', 'neutron-l3-agent-POSTROUTING')).toEqual([`! -i ${qg} ! -o ${qg} -m conntrack ! --ctstate DNAT -j ACCEPT`]);
    expect(ipt).not.toContain('--random-fully');
    expect(chainRules(ipt, 'nat', 'neutron-l3-agent-snat')).toContain(`-o ${qg} -j SNAT --to-source 203.0.113.10`);
  });
});
