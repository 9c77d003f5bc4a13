import { describe, it, expect } from 'vitest';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { A, flow, ipv4, route } from './build.ts';
import { MAC, routed } from './fixtures.ts';

describe('a router namespace between two subnets', () => {
  it('routes vm1 → vm3: in on qr-a, out of qr-b with its MAC, ARP for vm3 on qr-b', () => {
    const dp = routed();
    const ev = createEvaluator(dp);
    const [vm1] = dp.stations;
    const gw = ev.resolveArp(vm1!, '192.168.1.1');
    expect(gw.mac).toBe(MAC.qra);
    expect(gw.trace.deliveredTo).toEqual({ kind: 'namespace', namespace: 'qrouter-r1', host: 'h' });
    // The router answers only for the address of the interface the request came in on.
    expect(ev.resolveArp(vm1!, '192.168.2.1').mac).toBeNull();

    const t = ev.trace(vm1!, ipv4({ eth_src: MAC.vm1, eth_dst: MAC.qra, ip_src: '192.168.1.11', ip_dst: '192.168.2.13' }));
    expect(t.disposition).toBe('delivered');
    expect(t.deliveredTo).toEqual({ kind: 'vm', vm: 'vm3', port: 0, host: 'h' });
    expect(t.hops.map((h) => `${h.device}:${h.inPort ?? '-'}>${h.outPort ?? '-'}`)).toEqual([
      'vm:vm1:->0', 'br-int:tap1>qr-a', 'qrouter-r1:qr-a>qr-b', 'br-int:qr-b>tap3', 'vm:vm3:0>-',
    ]);
    const r = t.hops[2]!;
    expect(r.events).toContainEqual({ kind: 'route', route: route('192.168.2.0/24', 'qr-b') });
    expect(r.events).toContainEqual({ kind: 'arp', ip: '192.168.2.13', mac: MAC.vm3 });
    expect(r.out).toMatchObject({ eth_src: MAC.qrb, eth_dst: MAC.vm3, vlan: null });
    // br-int: the router's frame enters the access port of VLAN 2 and leaves untagged to vm3.
    expect(t.hops[3]!.events).toContainEqual({ kind: 'vlan-push', vid: 2 });
  });

  it('delivers to the namespace itself for its own address', () => {
    const dp = routed();
    const t = createEvaluator(dp).trace(dp.stations[0]!, ipv4({ eth_src: MAC.vm1, eth_dst: MAC.qra, ip_src: '192.168.1.11', ip_dst: '192.168.2.1' }));
    expect(t.disposition).toBe('delivered');
    expect(t.deliveredTo).toEqual({ kind: 'namespace', namespace: 'qrouter-r1', host: 'h' });
    expect(t.hops.at(-1)!.events).toContainEqual({ kind: 'local-delivery', iface: 'qr-b' });
  });

  it('no-route when no route covers the destination', () => {
    const dp = routed();
    const t = createEvaluator(dp).trace(dp.stations[0]!, ipv4({ eth_src: MAC.vm1, eth_dst: MAC.qra, ip_src: '192.168.1.11', ip_dst: '8.8.8.8' }));
    expect(t.disposition).toBe('no-route');
    expect(t.droppedAt).toMatchObject({ device: 'qrouter-r1', rule: 'no route to 8.8.8.8' });
  });

  it('no-arp when an anti-spoof flow drops the router\'s ARP request on br-int', () => {
    // A table 0 ARP flow for the qr-b port whose table 24 entry has the wrong arp_spa: the request dies.
    const spoof = [
      flow(0, 10, { dl_type: 0x0806, in_port: { kind: 'name', name: 'qr-b' } }, [A.resubmit(24)], 'table=0, priority=10,arp,in_port="qr-b" actions=resubmit(,24)'),
      flow(24, 2, { dl_type: 0x0806, in_port: { kind: 'name', name: 'qr-b' }, arp_spa: { ip: '192.168.2.99', prefixLen: 32 } }, [A.resubmit(25)], 'table=24, priority=2,arp,in_port="qr-b",arp_spa=192.168.2.99 actions=resubmit(,25)'),
      flow(24, 0, {}, [A.drop], 'table=24, priority=0 actions=drop'),
    ];
    const dp = routed({ brIntExtra: spoof });
    const t = createEvaluator(dp).trace(dp.stations[0]!, ipv4({ eth_src: MAC.vm1, eth_dst: MAC.qra, ip_src: '192.168.1.11', ip_dst: '192.168.2.13' }));
    expect(t.disposition).toBe('no-arp');
    expect(t.droppedAt?.rule).toBe('no ARP reply for 192.168.2.13 on qr-b');
    const r = t.hops.at(-1)!;
    expect(r.events).toContainEqual({ kind: 'arp', ip: '192.168.2.13', mac: null });
    expect(r.events.some((e) => e.kind === 'note' && e.text.includes('table=24, priority=0 actions=drop'))).toBe(true);
  });

  it('resolveArp from a VM fails when its own anti-spoof entry does not allow its address', () => {
    const spoof = [
      flow(0, 10, { dl_type: 0x0806, in_port: { kind: 'name', name: 'tap1' } }, [A.resubmit(24)]),
      flow(24, 2, { dl_type: 0x0806, in_port: { kind: 'name', name: 'tap1' }, arp_spa: { ip: '192.168.1.11', prefixLen: 32 } }, [A.resubmit(60)]),
      flow(24, 0, {}, [A.drop], 'table=24, priority=0 actions=drop'),
    ];
    const okDp = routed({ brIntExtra: spoof });
    expect(createEvaluator(okDp).resolveArp(okDp.stations[0]!, '192.168.1.1').mac).toBe(MAC.qra);
    const bad = spoof.map((f) => (f.table === 24 && f.priority === 2 ? { ...f, match: { ...f.match, arp_spa: { ip: '192.168.1.77', prefixLen: 32 } } } : f));
    const dp = routed({ brIntExtra: bad });
    const a = createEvaluator(dp).resolveArp(dp.stations[0]!, '192.168.1.1');
    expect(a.mac).toBeNull();
    expect(a.trace.disposition).toBe('dropped');
    expect(a.trace.droppedAt).toMatchObject({ host: 'h', device: 'br-int', rule: 'table=24, priority=0 actions=drop' });
  });
});
