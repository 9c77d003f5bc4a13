// Golden-style checks of the OVS artifacts rendered for topologies/seed.yaml (2024.1, l2population,
// VXLAN tenant networks, a flat external network on the network node's br-ex).
import { describe, it, expect } from 'vitest';
import { renderOvsArtifacts, ofportsFor } from '../../src/render/ovs/index.ts';
import { deviceName } from '../../src/render/names.ts';
import { artifact, flows, load, lvid, port } from './helpers.ts';

const topo = load('topologies/seed.yaml');
const arts = renderOvsArtifacts(topo);
const VX = { compute1: 'vxlan-0a00000b', compute2: 'vxlan-0a00000c', network1: 'vxlan-0a000015' } as const;

/** br-int's ARP/MAC anti-spoofing flows of a VM port entering by `dev` (2024.1). */
const antiSpoofing = (dev: string, p: { ip: string; mac: string }): string[] => [
  `priority=10,arp,in_port="${dev}" actions=resubmit(,24)`,
  `priority=9,in_port="${dev}" actions=resubmit(,25)`,
  `table=24, priority=2,arp,in_port="${dev}",arp_spa=${p.ip} actions=resubmit(,25)`,
  `table=25, priority=2,in_port="${dev}",dl_src=${p.mac} actions=resubmit(,30)`,
];

describe('artifact set', () => {
  it('renders ovs-vsctl show and per-bridge dump-flows and ofctl show for every host', () => {
    expect(arts.map((a) => a.path).sort()).toEqual([
      'compute1/br-int.dump-flows', 'compute1/br-int.ofctl-show', 'compute1/br-tun.dump-flows', 'compute1/br-tun.ofctl-show', 'compute1/ovs-vsctl-show',
      'compute2/br-int.dump-flows', 'compute2/br-int.ofctl-show', 'compute2/br-tun.dump-flows', 'compute2/br-tun.ofctl-show', 'compute2/ovs-vsctl-show',
      'network1/br-ex.dump-flows', 'network1/br-ex.ofctl-show', 'network1/br-int.dump-flows', 'network1/br-int.ofctl-show',
      'network1/br-tun.dump-flows', 'network1/br-tun.ofctl-show', 'network1/ovs-vsctl-show',
    ]);
  });

  it('is deterministic', () => {
    const again = renderOvsArtifacts(topo);
    expect(again.map((a) => a.text)).toEqual(arts.map((a) => a.text));
  });

  it('gives every flow line a provenance and one cookie per bridge, reused by the learn action', () => {
    const cookies = new Set<string>();
    for (const a of arts.filter((x) => x.path.endsWith('.dump-flows'))) {
      const lines = a.text.trimEnd().split('\n');
      lines.forEach((_, i) => expect(a.provenance.get(i + 1), `${a.path}:${i + 1}`).toBeDefined());
      const bridgeCookies = new Set(lines.map((l) => /^ cookie=(0x[0-9a-f]+), /.exec(l)?.[1]));
      expect(bridgeCookies.size).toBe(1);
      const [cookie] = [...bridgeCookies];
      expect(cookie).toMatch(/^0x[0-9a-f]{1,16}$/);
      cookies.add(cookie ?? '');
      const learn = lines.find((l) => l.includes('learn('));
      if (learn) expect(learn).toContain(`cookie=${cookie},NXM_OF_VLAN_TCI`);
    }
    expect(cookies.size).toBe(7);
  });
});

describe('br-tun', () => {
  it('table 20 has an l2population flow for every port of net1/net2 bound to another host', () => {
    for (const host of ['compute1', 'compute2', 'network1'] as const) {
      const t20 = flows(arts, host, 'br-tun').filter((l) => l.startsWith('table=20, priority=2,'));
      const remote = topo.ports.filter((p) => p.host !== host && (p.network === 'net1' || p.network === 'net2'));
      expect(t20).toHaveLength(remote.length);
      for (const p of remote) {
        const seg = p.network === 'net1' ? '0x65' : '0x66';
        expect(t20).toContain(
          `table=20, priority=2,dl_vlan=${lvid(topo, host, p.network)},dl_dst=${p.mac} actions=strip_vlan,load:${seg}->NXM_NX_TUN_ID[],output:"${VX[p.host as keyof typeof VX]}"`,
        );
      }
    }
    // compute1 sees vm2 (compute2) and the router/DHCP ports (network1), never its own vm1/vm3.
    const c1 = flows(arts, 'compute1', 'br-tun').join('\n');
    expect(c1).toContain(`dl_dst=${port(topo, 'vm2:0').mac}`);
    expect(c1).toContain(`dl_dst=${port(topo, 'router1:subnet1').mac}`);
    expect(c1).not.toContain(`dl_dst=${port(topo, 'vm1:0').mac}`);
    // The public network is flat: its ports never appear on br-tun.
    expect(c1).not.toContain(`dl_dst=${port(topo, 'router1:gateway').mac}`);
  });

  it('table 22 floods each network to the hosts where it is present', () => {
    expect(flows(arts, 'compute1', 'br-tun').filter((l) => l.startsWith('table=22'))).toEqual([
      `table=22, priority=1,dl_vlan=${lvid(topo, 'compute1', 'net1')} actions=strip_vlan,load:0x65->NXM_NX_TUN_ID[],output:"${VX.compute2}",output:"${VX.network1}"`,
      `table=22, priority=1,dl_vlan=${lvid(topo, 'compute1', 'net2')} actions=strip_vlan,load:0x66->NXM_NX_TUN_ID[],output:"${VX.compute2}",output:"${VX.network1}"`,
      'table=22, priority=0 actions=drop',
    ]);
  });

  it('renders the fixed tables as the samples show them', () => {
    const nn = flows(arts, 'network1', 'br-tun');
    expect(nn.slice(0, 4)).toEqual([
      'priority=1,in_port="patch-int" actions=resubmit(,2)',
      `priority=1,in_port="${VX.compute1}" actions=resubmit(,4)`,
      `priority=1,in_port="${VX.compute2}" actions=resubmit(,4)`,
      'priority=0 actions=drop',
    ]);
    expect(nn).toContain(`table=4, priority=1,tun_id=0x65 actions=mod_vlan_vid:${lvid(topo, 'network1', 'net1')},resubmit(,10)`);
    expect(nn).toContain('table=2, priority=0,dl_dst=00:00:00:00:00:00/01:00:00:00:00:00 actions=resubmit(,20)');
    expect(nn).toContain('table=2, priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=resubmit(,22)');
    expect(nn.filter((l) => l.startsWith('table=21') || l.includes('resubmit(,21)'))).toEqual([]); // no arp_responder
    expect(nn.find((l) => l.startsWith('table=10'))).toMatch(
      /^table=10, priority=1 actions=learn\(table=20,hard_timeout=300,priority=1,cookie=0x[0-9a-f]+,NXM_OF_VLAN_TCI\[0\.\.11\],NXM_OF_ETH_DST\[\]=NXM_OF_ETH_SRC\[\],load:0->NXM_OF_VLAN_TCI\[\],load:NXM_NX_TUN_ID\[\]->NXM_NX_TUN_ID\[\],output:OXM_OF_IN_PORT\[\]\),output:"patch-int"$/,
    );
  });
});

describe('br-int', () => {
  it('provisions the flat external network from int-br-ex on the network node only', () => {
    const nn = flows(arts, 'network1', 'br-int');
    expect(nn).toContain(`priority=3,in_port="int-br-ex",vlan_tci=0x0000/0x1fff actions=mod_vlan_vid:${lvid(topo, 'network1', 'public')},resubmit(,58)`);
    expect(nn).toContain('priority=2,in_port="int-br-ex" actions=drop');
    expect(flows(arts, 'compute1', 'br-int').some((l) => l.includes('int-br-'))).toBe(false);
  });

  it('installs ARP/MAC anti-spoofing for VM ports and none for router or DHCP ports', () => {
    const p = port(topo, 'vm1:0');
    const qvo = deviceName.qvo(p.id);
    const c1 = flows(arts, 'compute1', 'br-int');
    for (const line of antiSpoofing(qvo, p)) expect(c1).toContain(line);
    expect(flows(arts, 'network1', 'br-int').some((l) => /in_port="(qr-|qg-|tap)/.test(l))).toBe(false);
  });

  it('has the 2024.1 default tables', () => {
    const nn = flows(arts, 'network1', 'br-int');
    for (const line of [
      'priority=65535,dl_vlan=4095 actions=drop', 'priority=0 actions=resubmit(,58)', 'table=23, priority=0 actions=drop',
      'table=24, priority=0 actions=drop', 'table=30, priority=0 actions=resubmit(,58)', 'table=31, priority=0 actions=resubmit(,58)',
      'table=58, priority=0 actions=resubmit(,60)', 'table=60, priority=3 actions=NORMAL', 'table=62, priority=3 actions=NORMAL',
    ]) expect(nn).toContain(line);
  });

  it('ties lines to the Neutron object behind them', () => {
    const a = artifact(arts, 'compute1/br-int.dump-flows');
    const lines = a.text.split('\n');
    const i = lines.findIndex((l) => l.includes('arp_spa=192.168.1.11'));
    expect(a.provenance.get(i + 1)?.neutron).toBe(`port vm1:0 (${port(topo, 'vm1:0').id})`);
    expect(a.provenance.get(i + 1)?.why).toContain('192.168.1.11');
  });
});

describe('ports and ofports', () => {
  it('numbers br-int ports int-br-*, patch-tun, then the host ports in topo.ports order', () => {
    const of = ofportsFor(topo, 'network1');
    const hostPorts = topo.ports.filter((p) => p.host === 'network1');
    const intNames = [...(of.get('br-int')?.entries() ?? [])];
    expect(intNames[0]).toEqual(['br-int', 65534]);
    expect(intNames.slice(1, 3)).toEqual([['int-br-ex', 1], ['patch-tun', 2]]);
    expect(intNames.slice(3).map(([, n]) => n)).toEqual(hostPorts.map((_, i) => i + 3));
    expect(of.get('br-int')?.get(deviceName.qr(port(topo, 'router1:subnet1').id))).toBe(3 + hostPorts.findIndex((p) => p.name === 'router1:subnet1'));
    expect([...(of.get('br-tun')?.entries() ?? [])]).toEqual([['br-tun', 65534], ['patch-int', 1], [VX.compute1, 2], [VX.compute2, 3]]);
    expect([...(of.get('br-ex')?.entries() ?? [])]).toEqual([['br-ex', 65534], ['phy-br-ex', 1], ['eth1', 2]]);
  });

  it('ovs-ofctl show lists the same numbers, LOCAL last', () => {
    const text = artifact(arts, 'network1/br-tun.ofctl-show').text;
    const ports = [...text.matchAll(/^ (\w+)\(([^)]+)\): addr:([0-9a-f:]{17})$/gm)].map((m) => `${m[1]}(${m[2]})`);
    expect(ports).toEqual(['1(patch-int)', `2(${VX.compute1})`, `3(${VX.compute2})`, 'LOCAL(br-tun)']);
    expect(text.split('\n')[0]).toMatch(/^OFPT_FEATURES_REPLY \(xid=0x2\): dpid:[0-9a-f]{16}$/);
  });

  it('ovs-vsctl show tags each port with its local VLAN and describes patches and tunnels', () => {
    const text = artifact(arts, 'compute2/ovs-vsctl-show').text;
    expect(text.split('\n')[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const vm4 = deviceName.qvo(port(topo, 'vm4:0').id);
    expect(text).toContain(`        Port ${vm4}\n            tag: ${lvid(topo, 'compute2', 'net2')}\n            Interface ${vm4}\n`);
    expect(text).toContain('        Port patch-tun\n            Interface patch-tun\n                type: patch\n                options: {peer=patch-int}\n');
    expect(text).toContain(
      `        Port ${VX.network1}\n            Interface ${VX.network1}\n                type: vxlan\n                options: {df_default="true", egress_pkt_mark="0", in_key=flow, local_ip="10.0.0.12", out_key=flow, remote_ip="10.0.0.21"}\n`,
    );
    expect(text).toContain('    Bridge br-int\n        Controller "tcp:127.0.0.1:6633"\n            is_connected: true\n        fail_mode: secure\n        datapath_type: system\n        Port br-int\n            Interface br-int\n                type: internal\n');
    expect(text.trimEnd().split('\n').at(-1)).toBe('    ovs_version: "3.3.1"');
    const nn = artifact(arts, 'network1/ovs-vsctl-show').text;
    const qg = deviceName.qg(port(topo, 'router1:gateway').id);
    expect(nn).toContain(`        Port ${qg}\n            tag: ${lvid(topo, 'network1', 'public')}\n            Interface ${qg}\n                type: internal\n`);
    expect(nn).toContain('        Port eth1\n            Interface eth1\n                type: system\n');
  });
});

describe('the noop firewall driver: Nova plugs the VM tap straight into br-int', () => {
  const noop = { ...topo, firewallDriver: 'noop' as const };
  const na = renderOvsArtifacts(noop);
  const p = port(topo, 'vm1:0');
  const tap = deviceName.tap(p.id);

  it('br-int has the tap where the hybrid plug has the qvo, tagged alike, with the same OpenFlow number', () => {
    const show = artifact(na, 'compute1/ovs-vsctl-show').text;
    expect(show).toContain(`        Port ${tap}\n            tag: ${lvid(topo, 'compute1', 'net1')}\n            Interface ${tap}\n`);
    expect(show).not.toContain('qvo');
    expect(ofportsFor(noop, 'compute1').get('br-int')?.get(tap)).toBe(ofportsFor(topo, 'compute1').get('br-int')?.get(deviceName.qvo(p.id)));
    expect(artifact(na, 'compute1/br-int.ofctl-show').text).toContain(`(${tap}): addr:`);
  });

  it('keeps the ARP/MAC anti-spoofing flows on the tap (the noop driver provides no ARP protection, so the agent installs them)', () => {
    const c1 = flows(na, 'compute1', 'br-int');
    for (const line of antiSpoofing(tap, p)) expect(c1).toContain(line);
    expect(c1.some((l) => l.includes('qvo'))).toBe(false);
  });

  it('says why in the provenance of the port', () => {
    const a = artifact(na, 'compute1/ovs-vsctl-show');
    const i = a.text.split('\n').findIndex((l) => l === `        Port ${tap}`);
    expect(a.provenance.get(i + 1)?.why).toContain('straight into br-int');
  });
});
