// The OVS renderer on test/render-ovs/mixed.yaml: VLAN provider network on br-vlan, a GRE network
// present on two hosts only, allowed address pairs, a port without port security, the ARP
// responder; and the same topology without l2population.
import { describe, it, expect } from 'vitest';
import { renderOvsArtifacts, ofportsFor } from '../../src/render/ovs/index.ts';
import { deviceName } from '../../src/render/names.ts';
import type { Topology } from '../../src/topology/model.ts';
import { artifact, flows, load, lvid, port } from './helpers.ts';

const topo = load('test/render-ovs/mixed.yaml');
const arts = renderOvsArtifacts(topo);
const GRE_C2 = 'gre-0a00000c';

describe('VLAN provider network', () => {
  it('br-int maps VLAN 100 to the local VLAN, br-vlan maps it back', () => {
    for (const host of ['compute1', 'compute2', 'network1']) {
      const l = lvid(topo, host, 'prov100');
      expect(flows(arts, host, 'br-int')).toContain(`priority=3,in_port="int-br-vlan",dl_vlan=100 actions=mod_vlan_vid:${l},resubmit(,58)`);
      expect(flows(arts, host, 'br-vlan')).toEqual([
        `priority=4,in_port="phy-br-vlan",dl_vlan=${l} actions=mod_vlan_vid:100,NORMAL`,
        'priority=2,in_port="phy-br-vlan" actions=drop',
        'priority=0 actions=NORMAL',
      ]);
    }
  });

  it('network1 has br-ex (flat, strip_vlan) and br-vlan, with NICs numbered by mapping order', () => {
    expect(flows(arts, 'network1', 'br-ex')[0]).toBe(`priority=4,in_port="phy-br-ex",dl_vlan=${lvid(topo, 'network1', 'public')} actions=strip_vlan,NORMAL`);
    const of = ofportsFor(topo, 'network1');
    expect(of.get('br-ex')?.get('eth1')).toBe(2);
    expect(of.get('br-vlan')?.get('eth2')).toBe(2);
    expect([...(of.get('br-int')?.keys() ?? [])].slice(1, 4)).toEqual(['int-br-ex', 'int-br-vlan', 'patch-tun']);
  });
});

describe('GRE and tunnel ports with l2population', () => {
  it('compute3 (only on gnet) tunnels to compute2 only, over GRE, decapsulating in table 3', () => {
    const f = flows(arts, 'compute3', 'br-tun');
    expect([...(ofportsFor(topo, 'compute3').get('br-tun')?.keys() ?? [])]).toEqual(['br-tun', 'patch-int', GRE_C2]);
    expect(f).toContain(`priority=1,in_port="${GRE_C2}" actions=resubmit(,3)`);
    expect(f).toContain(`table=3, priority=1,tun_id=0xc9 actions=mod_vlan_vid:${lvid(topo, 'compute3', 'gnet')},resubmit(,10)`);
    expect(f).toContain(`table=22, priority=1,dl_vlan=1 actions=strip_vlan,load:0xc9->NXM_NX_TUN_ID[],output:"${GRE_C2}"`);
    const vm5 = port(topo, 'vm5:0');
    expect(f).toContain(`table=20, priority=2,dl_vlan=1,dl_dst=${vm5.mac} actions=strip_vlan,load:0xc9->NXM_NX_TUN_ID[],output:"${GRE_C2}"`);
  });

  it('compute2 has both VXLAN and GRE tunnels, each only where a network of that type is shared', () => {
    expect([...(ofportsFor(topo, 'compute2').get('br-tun')?.keys() ?? [])]).toEqual(['br-tun', 'patch-int', 'vxlan-0a00000b', 'gre-0a00000d', 'vxlan-0a000015']);
  });

  it('the ARP responder answers for every remote port of the host\'s tunnel networks', () => {
    const f = flows(arts, 'compute1', 'br-tun');
    expect(f).toContain('table=2, priority=1,arp,dl_dst=ff:ff:ff:ff:ff:ff actions=resubmit(,21)');
    expect(f).toContain('table=21, priority=0 actions=resubmit(,22)');
    const vm2 = port(topo, 'vm2:0'); // 192.168.1.12 = 0xc0a8010c
    expect(f).toContain(
      `table=21, priority=1,arp,dl_vlan=${lvid(topo, 'compute1', 'net1')},arp_tpa=192.168.1.12 actions=load:0x2->NXM_OF_ARP_OP[],move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],load:0x${vm2.mac.split(':').join('')}->NXM_NX_ARP_SHA[],load:0xc0a8010c->NXM_OF_ARP_SPA[],move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],mod_dl_src:${vm2.mac},IN_PORT`,
    );
    const remote = topo.ports.filter((p) => p.network === 'net1' && p.host !== 'compute1');
    expect(f.filter((l) => l.startsWith('table=21, priority=1'))).toHaveLength(remote.length);
  });
});

describe('anti-spoofing', () => {
  it('allows the fixed IP, the allowed address pairs and their MACs', () => {
    const qvo = deviceName.qvo(port(topo, 'vm1:0').id);
    const f = flows(arts, 'compute1', 'br-int').filter((l) => l.includes(`"${qvo}"`));
    expect(f.filter((l) => l.startsWith('table=24, priority=2,arp'))).toEqual([
      `table=24, priority=2,arp,in_port="${qvo}",arp_spa=192.168.1.11 actions=resubmit(,25)`,
      `table=24, priority=2,arp,in_port="${qvo}",arp_spa=192.168.1.200 actions=resubmit(,25)`,
      `table=24, priority=2,arp,in_port="${qvo}",arp_spa=10.9.0.0/16 actions=resubmit(,25)`,
    ]);
    expect(f.filter((l) => l.startsWith('table=25'))).toEqual([
      `table=25, priority=2,in_port="${qvo}",dl_src=${port(topo, 'vm1:0').mac} actions=resubmit(,30)`,
      `table=25, priority=2,in_port="${qvo}",dl_src=fa:16:3e:00:00:99 actions=resubmit(,30)`,
    ]);
    expect(f).toContain(`table=24, priority=2,icmp6,in_port="${qvo}",icmp_type=136,nd_target=fe80::f816:3eff:fe00:99 actions=resubmit(,58)`);
  });

  it('installs nothing for a port without port security', () => {
    const qvo = deviceName.qvo(port(topo, 'vm2:0').id);
    expect(flows(arts, 'compute2', 'br-int').filter((l) => l.includes(qvo))).toEqual([]);
    expect(artifact(arts, 'compute2/ovs-vsctl-show').text).toContain(`Port ${qvo}\n            tag: ${lvid(topo, 'compute2', 'net1')}\n`);
  });

  it('skips ARP protection (but keeps MAC protection) when an allowed address is a /0', () => {
    const vm1 = port(topo, 'vm1:0');
    const open: Topology = {
      ...topo,
      ports: topo.ports.map((p) => (p.id === vm1.id ? { ...p, allowedAddressPairs: [{ ipAddress: '0.0.0.0/0', macAddress: null }] } : p)),
    };
    const qvo = deviceName.qvo(vm1.id);
    const f = flows(renderOvsArtifacts(open), 'compute1', 'br-int').filter((l) => l.includes(`"${qvo}"`));
    expect(f.some((l) => l.includes(',arp,'))).toBe(false);
    expect(f).toContain(`priority=9,in_port="${qvo}" actions=resubmit(,25)`);
    expect(f).toContain(`table=25, priority=2,in_port="${qvo}",dl_src=${vm1.mac} actions=resubmit(,30)`);
  });
});

describe('without l2population', () => {
  const flat = { ...topo, l2Population: false };
  const a = renderOvsArtifacts(flat);

  it('meshes tunnels of every type to every other tunnel host and floods to all of them', () => {
    expect([...(ofportsFor(flat, 'compute3').get('br-tun')?.keys() ?? [])]).toEqual([
      'br-tun', 'patch-int', 'vxlan-0a00000b', 'gre-0a00000b', 'vxlan-0a00000c', 'gre-0a00000c', 'vxlan-0a000015', 'gre-0a000015',
    ]);
    expect(flows(a, 'compute3', 'br-tun')).toContain(
      'table=22, priority=1,dl_vlan=1 actions=strip_vlan,load:0xc9->NXM_NX_TUN_ID[],output:"gre-0a00000b",output:"gre-0a00000c",output:"gre-0a000015"',
    );
  });

  it('has no l2population unicast and no ARP responder even with arp_responder set', () => {
    const f = flows(a, 'compute1', 'br-tun');
    expect(f.filter((l) => l.startsWith('table=20'))).toEqual(['table=20, priority=0 actions=resubmit(,22)']);
    expect(f.some((l) => l.startsWith('table=21') || l.includes('resubmit(,21)'))).toBe(false);
  });
});
