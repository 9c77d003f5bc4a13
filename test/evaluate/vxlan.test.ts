import { describe, it, expect } from 'vitest';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { ipv4 } from './build.ts';
import { MAC, VNI, vxlanPair } from './fixtures.ts';

describe('VXLAN between two hosts (br-int/br-tun, learned flows)', () => {
  const dp = vxlanPair();
  const ev = createEvaluator(dp);
  const [vm1, vm2] = dp.stations;

  it('converges: NORMAL fdb per VLAN and br-tun table 20 flows learned from tunnel ports', () => {
    const fdb = ev.converged.fdb;
    expect(fdb).toContainEqual({ host: 'compute1', bridge: 'br-int', vlan: 1, mac: MAC.vm2, port: 'patch-tun' });
    expect(fdb).toContainEqual({ host: 'compute2', bridge: 'br-int', vlan: 2, mac: MAC.vm1, port: 'patch-tun' });
    expect(fdb).toContainEqual({ host: 'compute1', bridge: 'br-int', vlan: 1, mac: MAC.vm1, port: 'tap1' });
    const learned = ev.converged.learnedFlows.find((l) => l.host === 'compute1' && l.bridge === 'br-tun');
    expect(learned?.flow.table).toBe(20);
    expect(learned?.flow.match).toEqual({ vlan_tci: { value: 1, mask: 0x0fff }, dl_dst: { mac: MAC.vm2, mask: null } });
    expect(learned?.flow.actions).toEqual([{ kind: 'strip_vlan' }, { kind: 'set_tun_id', value: VNI }, { kind: 'output', port: { kind: 'name', name: 'vxlan-0a00000c' } }]);
    expect(learned?.flow.origin.why).toBe(`learned from ${MAC.vm2} on vxlan-0a00000c`);
    expect(ev.converged.capped).toBe(false);
  });

  it('delivers vm1 → vm2 with the local VLAN and VNI at each hop', () => {
    const t = ev.trace(vm1!, ipv4({ eth_src: MAC.vm1, eth_dst: MAC.vm2, ip_src: '192.168.1.11', ip_dst: '192.168.1.12' }));
    expect(t.disposition).toBe('delivered');
    expect(t.deliveredTo).toEqual({ kind: 'vm', vm: 'vm2', port: 0, host: 'compute2' });
    expect(t.hops.map((h) => `${h.host}/${h.device}`)).toEqual([
      'compute1/vm:vm1', 'compute1/br-int', 'compute1/br-tun', 'compute1/underlay', 'compute2/br-tun', 'compute2/br-int', 'compute2/vm:vm2',
    ]);
    const [, int1, tun1, under, tun2, int2] = t.hops;
    expect(int1!.out).toMatchObject({ vlan: 1, tun_id: null });
    expect(int1!.events).toContainEqual({ kind: 'vlan-push', vid: 1 });
    expect(tun1!.out).toMatchObject({ vlan: null, tun_id: VNI });
    expect(tun1!.events).toContainEqual({ kind: 'tunnel-encap', tunId: VNI, remoteIp: '10.0.0.12', port: 'vxlan-0a00000c' });
    // Unicast to a learned MAC goes through the learned table 20 flow, not the flood table.
    expect(tun1!.steps.some((s) => s.origin?.why === `learned from ${MAC.vm2} on vxlan-0a00000c`)).toBe(true);
    expect(under!.out).toMatchObject({ vlan: null, tun_id: VNI });
    expect(tun2!.inPort).toBe('vxlan-0a00000b');
    expect(tun2!.events).toContainEqual({ kind: 'tunnel-decap', tunId: VNI, port: 'vxlan-0a00000b' });
    expect(tun2!.out).toMatchObject({ vlan: 2, tun_id: null });
    expect(int2!.out).toMatchObject({ vlan: null });
    expect(int2!.events).toContainEqual({ kind: 'vlan-strip', vid: 2 });
    expect(t.final.eth_dst).toBe(MAC.vm2);
    expect(t.uncertain).toEqual([]);
  });

  it('resolves ARP across the tunnel by flooding (table 22)', () => {
    const a = ev.resolveArp(vm1!, '192.168.1.12');
    expect(a.mac).toBe(MAC.vm2);
    expect(a.trace.deliveredTo).toEqual({ kind: 'vm', vm: 'vm2', port: 0, host: 'compute2' });
    expect(ev.resolveArp(vm1!, '192.168.1.99').mac).toBeNull();
  });

  it('drops an unknown unicast destination at the remote host quietly, not at the sender', () => {
    const t = ev.trace(vm2!, ipv4({ eth_src: MAC.vm2, eth_dst: 'fa:16:3e:99:99:99', ip_src: '192.168.1.12', ip_dst: '192.168.1.99' }));
    expect(t.disposition).toBe('dropped');
    // Flooded: br-int of compute2 → br-tun → table 22 → compute1 → its NIC, which ignores the frame.
    expect(t.droppedAt?.rule).toMatch(/not addressed/);
    expect(t.hops.some((h) => h.device === 'underlay')).toBe(true);
  });
});
