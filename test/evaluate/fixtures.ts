// Small dataplanes shared by the evaluator's tests: Neutron-shaped br-int/br-tun flows for a VXLAN
// network over two hosts, and a router namespace between two subnets on one host.
import { A, bridge, dataplane, ep, flow, host, link, ns, patch, port, route, vm, vxlan } from './build.ts';
import type { Flow } from '../../src/ir/openflow.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';

export const MAC = { vm1: 'fa:16:3e:00:00:01', vm2: 'fa:16:3e:00:00:02', vm3: 'fa:16:3e:00:00:03', qra: 'fa:16:3e:00:0a:01', qrb: 'fa:16:3e:00:0b:01' };

/** br-int as Pike+ renders it: table 0 → 60 → NORMAL, dead VLAN dropped. */
export function brIntFlows(extra: Flow[] = []): Flow[] {
  return [
    flow(0, 65535, { dl_vlan: 4095 }, [A.drop], 'table=0, priority=65535,dl_vlan=4095 actions=drop'),
    ...extra,
    flow(0, 0, {}, [A.resubmit(60)], 'table=0, priority=0 actions=resubmit(,60)'),
    flow(60, 3, {}, [A.normal], 'table=60, priority=3 actions=NORMAL'),
  ];
}

/** br-tun of netnode_vxlan_dump-flows_br-tun.txt: one network (lvid ↔ vni), one tunnel port. */
export function brTunFlows(lvid: number, vni: number, tunPort: string): Flow[] {
  return [
    flow(0, 1, { in_port: { kind: 'name', name: 'patch-int' } }, [A.resubmit(2)], 'table=0, priority=1,in_port="patch-int" actions=resubmit(,2)'),
    flow(0, 1, { in_port: { kind: 'name', name: tunPort } }, [A.resubmit(4)], `table=0, priority=1,in_port="${tunPort}" actions=resubmit(,4)`),
    flow(0, 0, {}, [A.drop], 'table=0, priority=0 actions=drop'),
    flow(2, 0, { dl_dst: { mac: '00:00:00:00:00:00', mask: '01:00:00:00:00:00' } }, [A.resubmit(20)], 'table=2, priority=0,dl_dst=00:00:00:00:00:00/01:00:00:00:00:00 actions=resubmit(,20)'),
    flow(2, 0, { dl_dst: { mac: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' } }, [A.resubmit(22)], 'table=2, priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=resubmit(,22)'),
    flow(3, 0, {}, [A.drop], 'table=3, priority=0 actions=drop'),
    flow(4, 1, { tun_id: { value: vni, mask: null } }, [A.modVlan(lvid), A.resubmit(10)], `table=4, priority=1,tun_id=0x${vni.toString(16)} actions=mod_vlan_vid:${lvid},resubmit(,10)`),
    flow(4, 0, {}, [A.drop], 'table=4, priority=0 actions=drop'),
    flow(10, 1, {}, [A.learn, A.out('patch-int')], 'table=10, priority=1 actions=learn(...),output:"patch-int"'),
    flow(20, 0, {}, [A.resubmit(22)], 'table=20, priority=0 actions=resubmit(,22)'),
    flow(22, 1, { dl_vlan: lvid }, [A.strip, A.tun(vni), A.out(tunPort)], `table=22, priority=1,dl_vlan=${lvid} actions=strip_vlan,load:0x${vni.toString(16)}->NXM_NX_TUN_ID[],output:"${tunPort}"`),
    flow(22, 0, {}, [A.drop], 'table=22, priority=0 actions=drop'),
  ];
}

export const VNI = 0x65;

/** vm1 on compute1 (lvid 1), vm2 on compute2 (lvid 2), one VXLAN network (VNI 0x65). */
export function vxlanPair(opts: { brInt1Extra?: Flow[] } = {}): Dataplane {
  const v1 = vm({ vm: 'vm1', host: 'compute1', mac: MAC.vm1, ip: '192.168.1.11', at: ep('compute1', 'br-int', 'tap1') });
  const v2 = vm({ vm: 'vm2', host: 'compute2', mac: MAC.vm2, ip: '192.168.1.12', at: ep('compute2', 'br-int', 'tap2') });
  const c1 = host('compute1', {
    tunnelIp: '10.0.0.11',
    ovs: [
      bridge('br-int', [port('tap1', { type: 'system', tag: 1 }), patch('patch-tun', 'patch-int')], brIntFlows(opts.brInt1Extra)),
      bridge('br-tun', [patch('patch-int', 'patch-tun'), vxlan('vxlan-0a00000c', '10.0.0.12')], brTunFlows(1, VNI, 'vxlan-0a00000c')),
    ],
  });
  const c2 = host('compute2', {
    tunnelIp: '10.0.0.12',
    ovs: [
      bridge('br-int', [port('tap2', { type: 'system', tag: 2 }), patch('patch-tun', 'patch-int')], brIntFlows()),
      bridge('br-tun', [patch('patch-int', 'patch-tun'), vxlan('vxlan-0a00000b', '10.0.0.11')], brTunFlows(2, VNI, 'vxlan-0a00000b')),
    ],
  });
  return dataplane([c1, c2], [v1.link, v2.link], [v1.station, v2.station]);
}

/** One host: vm1 (192.168.1.11, tag 1) and vm3 (192.168.2.13, tag 2) with a router between the subnets. */
export function routed(opts: { brIntExtra?: Flow[]; routes?: ReturnType<typeof route>[] } = {}): Dataplane {
  const v1 = vm({ vm: 'vm1', host: 'h', mac: MAC.vm1, ip: '192.168.1.11', gateway: '192.168.1.1', at: ep('h', 'br-int', 'tap1') });
  const v3 = vm({ vm: 'vm3', host: 'h', mac: MAC.vm3, ip: '192.168.2.13', gateway: '192.168.2.1', at: ep('h', 'br-int', 'tap3'), network: 'net2' });
  const router = ns('qrouter-r1', [{ name: 'qr-a', mac: MAC.qra, cidr: '192.168.1.1/24' }, { name: 'qr-b', mac: MAC.qrb, cidr: '192.168.2.1/24' }],
    opts.routes ?? [route('192.168.1.0/24', 'qr-a'), route('192.168.2.0/24', 'qr-b')]);
  const h = host('h', {
    ovs: [bridge('br-int', [
      port('tap1', { type: 'system', tag: 1 }), port('tap3', { type: 'system', tag: 2 }),
      port('qr-a', { tag: 1 }), port('qr-b', { tag: 2 }),
    ], brIntFlows(opts.brIntExtra))],
    ns: [router, ns('root', [])],
  });
  const links = [v1.link, v3.link, link('internal', ep('h', 'br-int', 'qr-a'), ep('h', 'qrouter-r1', 'qr-a')), link('internal', ep('h', 'br-int', 'qr-b'), ep('h', 'qrouter-r1', 'qr-b'))];
  return dataplane([h], links, [v1.station, v3.station]);
}
