import { describe, it, expect } from 'vitest';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { A, bridge, dataplane, ep, flow, host, ipv4, patch, port, vm } from './build.ts';

describe('loops', () => {
  it('two bridges sending a packet round their patch pairs is a loop', () => {
    const inP = (n: string) => ({ in_port: { kind: 'name', name: n } as const });
    const a = bridge('br-a', [port('tap1', { type: 'system' }), patch('a1', 'b2'), patch('a2', 'b1')], [
      flow(0, 1, inP('tap1'), [A.out('a2')]),
      flow(0, 1, inP('a1'), [A.out('a2')]),
    ]);
    const b = bridge('br-b', [patch('b1', 'a2'), patch('b2', 'a1')], [flow(0, 1, inP('b1'), [A.out('b2')])]);
    const v = vm({ vm: 'vm1', host: 'h', mac: 'fa:16:3e:00:00:01', ip: '10.0.0.1', at: ep('h', 'br-a', 'tap1') });
    const dp = dataplane([host('h', { ovs: [a, b] })], [v.link], [v.station]);
    const t = createEvaluator(dp).trace(v.station, ipv4({ eth_src: 'fa:16:3e:00:00:01', eth_dst: 'fa:16:3e:00:00:02', ip_src: '10.0.0.1', ip_dst: '10.0.0.2' }));
    expect(t.disposition).toBe('loop');
    expect(t.hops.map((h) => `${h.device}:${h.inPort}`)).toEqual(['vm:vm1:null', 'br-a:tap1', 'br-b:b1', 'br-a:a1', 'br-b:b1']);
    expect(t.droppedAt?.device).toBe('br-b');
  });

  it('a broadcast between two NORMAL bridges joined twice comes back to its sender and loops', () => {
    const a = bridge('br-a', [port('tap1', { type: 'system' }), patch('a1', 'b1'), patch('a2', 'b2')], [flow(0, 0, {}, [A.normal])]);
    const b = bridge('br-b', [patch('b1', 'a1'), patch('b2', 'a2')], [flow(0, 0, {}, [A.normal])]);
    const v = vm({ vm: 'vm1', host: 'h', mac: 'fa:16:3e:00:00:01', ip: '10.0.0.1', at: ep('h', 'br-a', 'tap1') });
    const dp = dataplane([host('h', { ovs: [a, b] })], [v.link], [v.station]);
    const t = createEvaluator(dp).trace(v.station, ipv4({ eth_src: 'fa:16:3e:00:00:01', eth_dst: 'ff:ff:ff:ff:ff:ff', ip_src: '10.0.0.1', ip_dst: '10.0.0.255' }));
    // The flood returns to vm1 round the cycle (the main copy); the copies that go round again loop.
    expect(t.disposition).toBe('delivered');
    expect(t.deliveredTo).toMatchObject({ vm: 'vm1' });
    expect(t.hops.map((h) => h.device)).toEqual(['vm:vm1', 'br-a', 'br-b', 'br-a', 'vm:vm1']);
    expect(t.branches.some((b) => b.disposition === 'loop')).toBe(true);
  });
});
