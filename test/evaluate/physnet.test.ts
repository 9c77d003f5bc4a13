import { describe, it, expect } from 'vitest';
import { createEvaluator } from '../../src/evaluate/index.ts';
import type { Station } from '../../src/ir/dataplane.ts';
import { A, bridge, dataplane, ep, flow, host, ipv4, link, patch, port, vm } from './build.ts';
import { brIntFlows, MAC } from './fixtures.ts';

const SEG = 100;
const OUT_MAC = 'fa:16:3e:ee:ee:ee';

/** A compute host on VLAN network seg 100 with local VLAN `lvid`: br-int ↔ br-vlan ↔ eth1 on physnet1. */
function vlanHost(name: string, lvid: number, tap: string) {
  const fromPhys = { kind: 'name', name: 'int-br-vlan' } as const;
  const toPhys = { kind: 'name', name: 'phy-br-vlan' } as const;
  return host(name, {
    ovs: [
      bridge('br-int', [port(tap, { type: 'system', tag: lvid }), patch('int-br-vlan', 'phy-br-vlan')], brIntFlows([
        flow(0, 3, { in_port: fromPhys, dl_vlan: SEG }, [A.modVlan(lvid), A.resubmit(60)], `table=0, priority=3,in_port="int-br-vlan",dl_vlan=${SEG} actions=mod_vlan_vid:${lvid},resubmit(,60)`),
        flow(0, 2, { in_port: fromPhys }, [A.drop], 'table=0, priority=2,in_port="int-br-vlan" actions=drop'),
      ])),
      bridge('br-vlan', [patch('phy-br-vlan', 'int-br-vlan'), port('eth1', { type: 'system' })], [
        flow(0, 4, { in_port: toPhys, dl_vlan: lvid }, [A.modVlan(SEG), A.normal], `table=0, priority=4,in_port="phy-br-vlan",dl_vlan=${lvid} actions=mod_vlan_vid:${SEG},NORMAL`),
        flow(0, 2, { in_port: toPhys }, [A.drop], 'table=0, priority=2,in_port="phy-br-vlan" actions=drop'),
        flow(0, 0, {}, [A.normal], 'table=0, priority=0 actions=NORMAL'),
      ]),
    ],
  });
}

function build() {
  const v1 = vm({ vm: 'vm1', host: 'c1', mac: MAC.vm1, ip: '198.51.100.11', gateway: '198.51.100.1', at: ep('c1', 'br-int', 'tap1') });
  const v2 = vm({ vm: 'vm2', host: 'c2', mac: MAC.vm2, ip: '198.51.100.12', gateway: '198.51.100.1', at: ep('c2', 'br-int', 'tap2') });
  const outside: Station = { kind: 'outside', network: 'provider', physnet: 'physnet1', vlan: SEG, mac: OUT_MAC, gateway: '198.51.100.1', cidr: { ip: '198.51.100.0', prefixLen: 24 } };
  return dataplane(
    [vlanHost('c1', 1, 'tap1'), vlanHost('c2', 3, 'tap2')],
    [v1.link, v2.link],
    [v1.station, v2.station, outside],
    [{ physnet: 'physnet1', members: [ep('c1', 'br-vlan', 'eth1'), ep('c2', 'br-vlan', 'eth1')] }],
  );
}

describe('a VLAN provider network over a physnet wire', () => {
  const dp = build();
  const ev = createEvaluator(dp);
  const [vm1, vm2, outside] = dp.stations;

  it('translates lvid ↔ segmentation id on both hosts', () => {
    const t = ev.trace(vm1!, ipv4({ eth_src: MAC.vm1, eth_dst: MAC.vm2, ip_src: '198.51.100.11', ip_dst: '198.51.100.12' }));
    expect(t.disposition).toBe('delivered');
    expect(t.deliveredTo).toMatchObject({ vm: 'vm2', host: 'c2' });
    const at = (h: string, d: string) => t.hops.find((x) => x.host === h && x.device === d)!;
    expect(at('c1', 'br-int').out?.vlan).toBe(1);
    expect(at('c1', 'br-vlan').events).toContainEqual({ kind: 'vlan-mod', from: 1, to: SEG });
    expect(at('c1', 'br-vlan').outPort).toBe('eth1');
    expect(at('c1', 'physnet:physnet1').out?.vlan).toBe(SEG);
    expect(at('c2', 'br-vlan').out?.vlan).toBe(SEG);
    expect(at('c2', 'br-int').events).toContainEqual({ kind: 'vlan-mod', from: SEG, to: 3 });
    expect(at('c2', 'br-int').out?.vlan).toBeNull();
    // The fdb of br-vlan on c2 learned vm1 on the NIC in VLAN 100.
    expect(ev.converged.fdb).toContainEqual({ host: 'c2', bridge: 'br-vlan', vlan: SEG, mac: MAC.vm1, port: 'eth1' });
  });

  it('exits to the outside through the upstream router', () => {
    const arp = ev.resolveArp(vm1!, '198.51.100.1');
    expect(arp.mac).toBe(OUT_MAC);
    const t = ev.trace(vm1!, ipv4({ eth_src: MAC.vm1, eth_dst: OUT_MAC, ip_src: '198.51.100.11', ip_dst: '8.8.8.8' }));
    expect(t.disposition).toBe('exited');
    expect(t.deliveredTo).toEqual({ kind: 'external', network: 'provider' });
    expect(t.final.vlan).toBe(SEG);
  });

  it('an outside packet arrives tagged and is delivered to vm2', () => {
    const t = ev.trace(outside!, ipv4({ eth_src: OUT_MAC, eth_dst: MAC.vm2, ip_src: '8.8.8.8', ip_dst: '198.51.100.12' }));
    expect(t.packet.vlan).toBe(SEG);
    expect(t.disposition).toBe('delivered');
    expect(t.deliveredTo).toMatchObject({ vm: 'vm2' });
    // The copy to c1 (if any) is a branch, never the main path.
    expect(t.hops.at(-1)!.host).toBe('c2');
  });

  it('a frame from br-int on an unprovisioned local VLAN dies at br-vlan\'s drop_port flow', () => {
    const dp2 = build();
    const brInt = dp2.hosts[0]!.ovsBridges[0]!;
    // vm1's port moved to local VLAN 9, which br-vlan does not translate.
    const moved = { ...dp2, hosts: [{ ...dp2.hosts[0]!, ovsBridges: [{ ...brInt, ports: brInt.ports.map((p) => (p.name === 'tap1' ? { ...p, tag: 9 } : p)) }, dp2.hosts[0]!.ovsBridges[1]!] }, dp2.hosts[1]!] };
    const t = createEvaluator(moved).trace(moved.stations[0]!, ipv4({ eth_src: MAC.vm1, eth_dst: MAC.vm2, ip_src: '198.51.100.11', ip_dst: '198.51.100.12' }));
    expect(t.disposition).toBe('dropped');
    expect(t.droppedAt).toMatchObject({ host: 'c1', device: 'br-vlan', rule: 'table=0, priority=2,in_port="phy-br-vlan" actions=drop' });
  });
});
