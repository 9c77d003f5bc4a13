// One bound on how far a path is followed, the same in both engines (src/semantics/limits.ts): a path
// of exactly MAX_DEVICE_VISITS device visits ends where it ends in both; one visit more is given up on
// in both — the evaluator's trace is uncertain, the solver's end unknown — never delivered by one and
// unknown to the other.
import { afterAll, describe, expect, it } from 'vitest';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { explore, shutdownZ3 } from '../../src/smt/index.ts';
import { MAX_DEVICE_VISITS } from '../../src/semantics/limits.ts';
import type { Dataplane, Link } from '../../src/ir/dataplane.ts';
import { MAC, bridge, flow, ipv4, port, vmStation } from '../smt/build.ts';

afterAll(async () => { await shutdownZ3(); });

/**
 * vm1 → br0 → br1 → … → br(n-1) → vm2: n OVS bridges in a line, each sending what enters by `in` out
 * of `out`; with vm2, n + 1 device visits.
 */
function line(n: number): Dataplane {
  const bridges = Array.from({ length: n }, (_, i) =>
    bridge(`br${i}`, [port('in', 1, null, 'patch'), port('out', 2, null, 'patch')], [flow(0, 1, { in_port: { kind: 'name', name: 'in' } }, [{ kind: 'output', port: { kind: 'name', name: 'out' } }])]));
  const links: Link[] = [
    { kind: 'vif', a: { host: 'h1', device: 'vm:vm1', port: '0' }, b: { host: 'h1', device: 'br0', port: 'in' } },
    ...bridges.slice(1).map((_, i): Link => ({ kind: 'patch', a: { host: 'h1', device: `br${i}`, port: 'out' }, b: { host: 'h1', device: `br${i + 1}`, port: 'in' } })),
    { kind: 'vif', a: { host: 'h1', device: 'vm:vm2', port: '0' }, b: { host: 'h1', device: `br${n - 1}`, port: 'out' } },
  ];
  const vm1 = vmStation('vm1', '10.0.0.5', MAC.vm1, 'in');
  const vm2 = vmStation('vm2', '10.0.0.6', MAC.vm2, 'out');
  return {
    hosts: [{ name: 'h1', tunnelIp: null, ovsBridges: bridges, linuxBridges: [], namespaces: [] }],
    links,
    wires: [],
    stations: [{ ...vm1, attachment: { host: 'h1', device: 'br0', port: 'in' } }, { ...vm2, attachment: { host: 'h1', device: `br${n - 1}`, port: 'out' } }],
    warnings: [],
  };
}

async function both(dp: Dataplane) {
  const vm1 = dp.stations[0]!;
  const packet = ipv4({ eth_dst: MAC.vm2, ip_dst: '10.0.0.6' });
  const trace = createEvaluator(dp).trace(vm1, packet);
  const sym = await explore(dp, [vm1], { packet });
  return { trace, ends: sym.outcomes.map((o) => o.end) };
}

describe(`the device-visit bound (${MAX_DEVICE_VISITS})`, () => {
  it(`a path of exactly ${MAX_DEVICE_VISITS} device visits is followed to its end by both engines`, async () => {
    const { trace, ends } = await both(line(MAX_DEVICE_VISITS - 1));
    expect(trace.disposition).toBe('delivered');
    expect(trace.uncertain).toEqual([]);
    expect(ends.map((e) => (e.kind === 'end' ? `${e.disposition} ${e.delivery?.kind === 'vm' ? e.delivery.vm : ''}` : e.kind))).toEqual(['delivered vm2']);
  });

  it('one visit more is given up on by both: uncertain in the evaluator, unknown in the solver', async () => {
    const { trace, ends } = await both(line(MAX_DEVICE_VISITS));
    expect(trace.disposition).toBe('dropped');
    expect(trace.uncertain.join()).toContain(`${MAX_DEVICE_VISITS} device visits`);
    expect(trace.hops.at(-1)?.device).toBe(`br${MAX_DEVICE_VISITS - 1}`);
    expect(ends.map((e) => e.kind)).toEqual(['unknown']);
    expect(ends[0]!.kind === 'unknown' && ends[0]!.reason).toContain(`longer than ${MAX_DEVICE_VISITS} devices`);
  });
});
