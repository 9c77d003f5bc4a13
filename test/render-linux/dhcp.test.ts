import { describe, expect, it } from 'vitest';
import { deviceName } from '../../src/render/names.ts';
import { renderLinuxArtifacts } from '../../src/render/linux/index.ts';
import type { Topology } from '../../src/topology/model.ts';
import { artifact, loadSeed } from './helpers.ts';

const seed = loadSeed();
const net1 = seed.networks.find((n) => n.name === 'net1');
const dhcp1 = seed.ports.find((p) => p.deviceOwner === 'network:dhcp' && p.network === 'net1');
const ns = deviceName.qdhcp(net1?.id ?? '');
const tap = deviceName.dhcpTap(dhcp1?.id ?? '');

describe('qdhcp namespaces', () => {
  const arts = renderLinuxArtifacts(seed);

  it('has the DHCP port address on its tap, and no metadata address', () => {
    const text = artifact(arts, `${seed.dhcpHosts['net1']}/${ns}.ip-addr`).text;
    expect(text).toContain(`    inet ${dhcp1?.ip}/24 brd 192.168.1.255 scope global ${tap}\n`);
    expect(text).toContain(`    link/ether ${dhcp1?.mac} brd ff:ff:ff:ff:ff:ff\n`);
    expect(text).not.toContain('169.254.169.254');
  });

  it('routes the subnet directly and everything else via the subnet gateway', () => {
    const text = artifact(arts, `network1/${ns}.ip-route`).text;
    expect(text).toBe(`default via 192.168.1.1 dev ${tap} proto static\n192.168.1.0/24 dev ${tap} proto kernel scope link src ${dhcp1?.ip}\n`);
  });

  it('has no default route when the subnet has no gateway, and no iptables-save', () => {
    const noGw: Topology = {
      ...seed,
      networks: seed.networks.map((n) => (n.name === 'net1' ? { ...n, subnets: n.subnets.map((s) => ({ ...s, gateway: null })) } : n)),
    };
    const a = renderLinuxArtifacts(noGw);
    expect(artifact(a, `network1/${ns}.ip-route`).text).not.toContain('default');
    expect(a.some((x) => x.path.includes('qdhcp-') && x.path.endsWith('.iptables-save'))).toBe(false);
  });
});
