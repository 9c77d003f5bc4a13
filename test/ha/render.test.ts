// What netproof renders for L3 HA routers, held to what Neutron writes: keepalived.conf in the L3
// agent's layout per release, the master's and a backup's `ip addr` / `ip route` (addresses only on the
// master, neutron_doc_l3ha_qrouter_ip_addr_{master,backup}.txt), the ha- ports on br-int with the HA
// network's local VLAN, and l2pop's treatment of HA router ports on the other hosts' br-tun.
import { describe, expect, it } from 'vitest';
import { loadTopologyFile } from '../../src/topology/index.ts';
import { renderTopology } from '../../src/render/index.ts';
import type { Artifact } from '../../src/render/artifacts.ts';
import { deviceName } from '../../src/render/names.ts';

const loaded = (() => {
  const r = loadTopologyFile('topologies/ha.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
})();


const text = (arts: readonly Artifact[], path: string): string => {
  const a = arts.find((x) => x.path === path);
  if (!a) throw new Error(`no artifact ${path}; have ${arts.map((x) => x.path).join(', ')}`);
  return a.text;
};

const edge = loaded.routers.find((r) => r.name === 'edge')!;
const ns = deviceName.qrouter(edge.id);
const ha1 = deviceName.ha(edge.ha!.ports[0]!.id);
const qr = deviceName.qr(edge.interfaces[0]!.port.id);
const qg = deviceName.qg(edge.gateway!.port.id);

describe('keepalived.conf of an HA router instance', () => {
  const arts = renderTopology(loaded);

  it('is Neutron\'s layout (2024.1): BACKUP, nopreempt, priority 50, the primary VIP, excluded addresses sorted, the default route', () => {
    expect(text(arts, `network1/${ns}.keepalived.conf`)).toBe([
      'global_defs {',
      '    notification_email_from neutron@openstack.local',
      '    router_id neutron',
      '}',
      'vrrp_instance VR_1 {',
      '    state BACKUP',
      `    interface ${ha1}`,
      '    virtual_router_id 1',
      '    priority 50',
      '    garp_master_delay 60',
      '    nopreempt',
      '    advert_int 2',
      '    track_interface {',
      `        ${ha1}`,
      '    }',
      '    virtual_ipaddress {',
      `        169.254.0.1/24 dev ${ha1}`,
      '    }',
      '    virtual_ipaddress_excluded {',
      `        192.168.1.1/24 dev ${qr} no_track`,
      `        203.0.113.10/24 dev ${qg} no_track`,
      `        203.0.113.101/32 dev ${qg} no_track`,
      `        fe80::f816:3eff:fe4e:dd11/64 dev ${qg} scope link no_track`,
      `        fe80::f816:3eff:fe6d:c722/64 dev ${qr} scope link no_track`,
      '    }',
      '    virtual_routes {',
      `        0.0.0.0/0 via 203.0.113.1 dev ${qg} no_track protocol static`,
      '    }',
      '}',
      '',
    ].join('\n'));
  });

  it('differs between the instances only in the ha- device', () => {
    const ha2 = deviceName.ha(edge.ha!.ports[1]!.id);
    expect(text(arts, `network2/${ns}.keepalived.conf`)).toBe(text(arts, `network1/${ns}.keepalived.conf`).replaceAll(ha1, ha2));
  });

  it('follows the release: no no_track before Ussuri, no protocol static before 2023.1', () => {
    const conf = (release: string) => text(renderTopology({ ...loaded, release }), `network1/${ns}.keepalived.conf`);
    expect(conf('train')).toContain(`        192.168.1.1/24 dev ${qr}\n`);
    expect(conf('train')).toContain(`        0.0.0.0/0 via 203.0.113.1 dev ${qg}\n`);
    expect(conf('yoga')).toContain(`        0.0.0.0/0 via 203.0.113.1 dev ${qg} no_track\n`);
    expect(conf('2023.1')).toContain(`        0.0.0.0/0 via 203.0.113.1 dev ${qg} no_track protocol static\n`);
  });

  it('lists the extra routes after the default route, without a device, and the advert interval of the deployment', () => {
    const routed = { ...loaded, haVrrpAdvertInt: 1, routers: loaded.routers.map((r) => (r === edge ? { ...r, routes: [{ destination: '10.99.0.0/16', nexthop: '192.168.1.254' }] } : r)) };
    const conf = text(renderTopology(routed), `network1/${ns}.keepalived.conf`);
    expect(conf).toContain('    advert_int 1\n');
    expect(conf).toContain(`        0.0.0.0/0 via 203.0.113.1 dev ${qg} no_track protocol static\n        10.99.0.0/16 via 192.168.1.254 no_track protocol static\n    }\n`);
  });
});

describe('the instances\' namespaces', () => {
  const arts = renderTopology(loaded);

  it('a backup holds only its ha- address: qr-/qg- exist without addresses, not even link-local ones', () => {
    const addr = text(arts, `network1/${ns}.ip-addr`);
    expect(addr).toContain(`inet 169.254.192.1/18 brd 169.254.255.255 scope global ${ha1}`);
    expect(addr).not.toContain('169.254.0.1');
    expect(addr).toMatch(new RegExp(`\\d: ${qr}: .*\\n    link/ether fa:16:3e:6d:c7:22 brd ff:ff:ff:ff:ff:ff\\n\\d: ${qg}:`));
    expect(addr.match(/inet6 /g)).toHaveLength(2); // lo and ha- only
    expect(text(arts, `network1/${ns}.ip-route`)).toBe(`169.254.192.0/18 dev ${ha1} proto kernel scope link src 169.254.192.1\n`);
  });

  it('the master holds the primary VIP and every excluded address (keepalived adds them without broadcast) and the routes', () => {
    const ha2 = deviceName.ha(edge.ha!.ports[1]!.id);
    const addr = text(arts, `network2/${ns}.ip-addr`);
    for (const line of [`inet 169.254.0.1/24 scope global ${ha2}`, `inet 192.168.1.1/24 scope global ${qr}`, `inet 203.0.113.10/24 scope global ${qg}`, `inet 203.0.113.101/32 scope global ${qg}`]) {
      expect(addr).toContain(line);
    }
    expect(text(arts, `network2/${ns}.ip-route`)).toBe([
      `default via 203.0.113.1 dev ${qg} proto static`,
      `169.254.0.0/24 dev ${ha2} proto kernel scope link src 169.254.0.1`,
      `169.254.192.0/18 dev ${ha2} proto kernel scope link src 169.254.192.2`,
      `192.168.1.0/24 dev ${qr} proto kernel scope link src 192.168.1.1`,
      `203.0.113.0/24 dev ${qg} proto kernel scope link src 203.0.113.10`,
      '',
    ].join('\n'));
  });

  it('the L3 agent programs the same iptables in every instance', () => {
    expect(text(arts, `network1/${ns}.iptables-save`)).toBe(text(arts, `network2/${ns}.iptables-save`));
  });

  it('a legacy router has one namespace and no keepalived.conf', () => {
    const ops = loaded.routers.find((r) => r.name === 'ops-router')!;
    const paths = arts.map((a) => a.path).filter((p) => p.includes(deviceName.qrouter(ops.id)));
    expect(paths.sort()).toEqual(['ip-addr', 'ip-route', 'iptables-save'].map((f) => `network1/${deviceName.qrouter(ops.id)}.${f}`));
  });
});

describe('OVS on the hosts of an HA router', () => {
  const arts = renderTopology(loaded);

  it('plugs the ha-, qr- and qg- ports into br-int on both network nodes with local VLANs', () => {
    for (const h of ['network1', 'network2']) {
      const vsctl = text(arts, `${h}/ovs-vsctl-show`);
      const haDev = deviceName.ha(edge.ha!.ports.find((p) => p.host === h)!.id);
      const tag = loaded.localVlans[h]!['HA network project demo'];
      expect(vsctl).toContain(`        Port ${haDev}\n            tag: ${tag}\n`);
      expect(vsctl).toContain(`        Port ${qr}\n            tag: ${loaded.localVlans[h]!['web']}\n`);
      expect(vsctl).toContain(`        Port ${qg}\n            tag: ${loaded.localVlans[h]!['public']}\n`);
    }
  });

  it('with l2pop, other hosts flood a network to every instance\'s host but get no unicast entry for the HA router\'s qr- port', () => {
    const tun = text(arts, 'compute1/br-tun.dump-flows');
    const web = loaded.localVlans['compute1']!['web'];
    expect(tun).toMatch(new RegExp(`table=22, priority=1,dl_vlan=${web} actions=strip_vlan,load:0x65->NXM_NX_TUN_ID\\[\\],.*output:"vxlan-0a000015".*output:"vxlan-0a000016"`));
    expect(tun).not.toContain(edge.interfaces[0]!.port.mac);
    // The ha- ports are ordinary ports of the HA network: the network nodes reach each other's by l2pop unicast.
    const tun1 = text(arts, 'network1/br-tun.dump-flows');
    expect(tun1).toContain(`dl_dst=${edge.ha!.ports[1]!.mac} actions=strip_vlan,load:0x1->NXM_NX_TUN_ID[],output:"vxlan-0a000016"`);
  });
});
