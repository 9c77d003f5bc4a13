// What Open vSwitch's NORMAL and a Linux bridge refuse before forwarding, and the VLAN-tagged frames
// br_netfilter leaves out of iptables, in both engines (src/semantics/link-layer.ts). Each case was
// found by the real-dataplane oracles (test/oracle/ovs-bridges.test.ts, firewall.test.ts): the real
// switch or bridge dropped, or let through, what netproof did not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import type { Ctx } from '../../src/smt/z3.ts';
import { Enc, type Cond } from '../../src/smt/cond.ts';
import { symbolicPacket } from '../../src/smt/headers.ts';
import { symRunBridge } from '../../src/smt/openflow.ts';
import { SymWalker } from '../../src/smt/walk.ts';
import { pathCond, type Step } from '../../src/smt/path.ts';
import { checkSat } from '../../src/smt/solve.ts';
import { runBridge } from '../../src/evaluate/openflow.ts';
import { LearningState } from '../../src/evaluate/state.ts';
import { runLinuxBridge } from '../../src/evaluate/linux-bridge.ts';
import { flowTables } from '../../src/semantics/ovs-bridge.ts';
import { OVS_RESERVED_MACS } from '../../src/semantics/link-layer.ts';
import type { Dataplane, LinuxBridge } from '../../src/ir/dataplane.ts';
import type { Packet } from '../../src/ir/packet.ts';
import { EMPTY, bridge, chain, flow, ipv4, port, ruleset } from '../smt/build.ts';
import { conntrackSession } from '../oracle/evaluator-probe.ts';

let ctx: Ctx;
beforeAll(async () => { ctx = await getZ3(); });
afterAll(async () => { await shutdownZ3(); });

const sat = async (e: Enc, c: Cond) => (await checkSat(ctx, e, c, 5_000)).status;
const emitted = (e: Enc, steps: readonly Step[]) => e.or(...steps.filter((s) => s.kind === 'emit').map((s) => pathCond(e, s.path)));

describe('Open vSwitch NORMAL refuses reserved multicast destinations (is_admissible)', () => {
  const br = bridge('br-int', [port('p1', 1, null, 'system'), port('p2', 2, null, 'system'), port('p3', 3, 5, 'system')], [flow(0, 0, {}, [{ kind: 'normal' }])]);
  const run = (p: Packet) => runBridge({ host: 'h', bridge: br, tables: flowTables(br.flows), state: new LearningState(), learn: false }, 'p1', p);

  it('the evaluator drops a frame to 01:80:c2:00:00:03 or 01:00:0c:cc:cc:cc, naming why, and floods a broadcast', () => {
    for (const dst of ['01:80:c2:00:00:03', '01:00:0c:cc:cc:cc', '01:80:c2:00:00:00']) {
      const r = run(ipv4({ eth_dst: dst }));
      expect(r.copies.map((c) => c.kind)).toEqual(['end']);
      const c = r.copies[0]!;
      expect(c.kind === 'end' && c.drop?.rule).toMatch(/reserved multicast.*forward-bpdu/);
    }
    expect(run(ipv4({ eth_dst: 'ff:ff:ff:ff:ff:ff' })).copies.filter((c) => c.kind === 'emit').map((c) => c.kind === 'emit' && c.port).sort()).toEqual(['p2']); // p3 is an access port of another VLAN
  });

  it('the solver lets no frame to any of the 31 reserved MACs out, and still floods other group addresses', async () => {
    const e = new Enc(ctx);
    const p = symbolicPacket(ctx, 'r', null);
    const steps = symRunBridge(e, { host: 'h', bridge: br, tables: flowTables(br.flows), fdb: [] }, 'p1', { pc: [], packet: p });
    const out = emitted(e, steps);
    expect(OVS_RESERVED_MACS).toHaveLength(31); // 16 IEEE 802.1D, 3 Extreme, 4 Cisco, 8 Cisco CFM (lib/packets.c)
    expect(await sat(e, e.and(out, e.or(...OVS_RESERVED_MACS.map((m) => e.eq(p.eth_dst, m, 48)))))).toBe('unsat');
    expect(await sat(e, e.and(out, e.eq(p.eth_dst, 0xffffffffffff, 48)))).toBe('sat');
    expect(await sat(e, e.and(out, e.eq(p.eth_dst, 0x01005e000001, 48)))).toBe('sat');
  });
});

describe('a Linux bridge (qbr): its discards, and VLAN-tagged IPv4 past iptables', () => {
  // A qbr whose host firewall drops every bridged IPv4 packet.
  const qbr: LinuxBridge = { kind: 'linux-bridge', name: 'qbrX', ports: ['tapX', 'qvbX'], netfilter: true };
  const dropAll = ruleset({ filter: [chain('FORWARD', [], 'DROP')] });
  const dp: Dataplane = {
    hosts: [{ name: 'h1', tunnelIp: null, ovsBridges: [], linuxBridges: [qbr], namespaces: [{ kind: 'namespace', name: 'root', interfaces: [], routes: [], netfilter: dropAll, forwarding: false }] }],
    links: [], wires: [], stations: [], warnings: [],
  };
  const run = (p: Packet) => {
    const { nf } = conntrackSession();
    return runLinuxBridge({ host: 'h1', state: new LearningState(), learn: false, nf, rootNetfilter: dropAll, portIdOf: (s) => s }, qbr, 'tapX', p);
  };
  const arp = (fields: Partial<Packet>): Packet => ({ ...ipv4(), eth_type: 0x0806, ip_src: '10.0.0.5', ip_dst: '10.0.0.1', proto: 1, sport: null, dport: null, ...fields });

  it('the evaluator discards an all-zero or group source MAC and keeps 802.1D link-local frames, naming why', () => {
    for (const src of ['00:00:00:00:00:00', '01:00:5e:01:02:03']) {
      const c = run(arp({ eth_src: src })).copies;
      expect(c).toHaveLength(1);
      expect(c[0]?.kind === 'end' && c[0].drop?.rule).toMatch(/is_valid_ether_addr/);
    }
    expect(run(arp({ eth_dst: '01:80:c2:00:00:0e' })).copies[0]?.kind).toBe('end');
    // The STP group address is forwarded while STP is off, as Neutron creates its qbr bridges.
    expect(run(arp({ eth_dst: '01:80:c2:00:00:00' })).copies.map((c) => c.kind)).toEqual(['emit']);
    expect(runLinuxBridge({ host: 'h1', state: new LearningState(), learn: false, nf: conntrackSession().nf, rootNetfilter: EMPTY, portIdOf: (s) => s },
      { ...qbr, stp: true }, 'tapX', arp({ eth_dst: '01:80:c2:00:00:00' })).copies[0]?.kind).toBe('end');
  });

  it('the evaluator lets a VLAN-tagged IPv4 frame through a firewall that drops every untagged one, and says why', () => {
    expect(run(ipv4({ vlan: null })).copies[0]?.kind).toBe('end');
    for (const vlan of [0, 7]) {
      const r = run(ipv4({ vlan }));
      expect(r.copies.map((c) => c.kind)).toEqual(['emit']);
      expect(r.events.some((e) => e.kind === 'note' && /bridge-nf-filter-vlan-tagged=0/.test(e.text))).toBe(true);
    }
  });

  it('the solver: no frame with an invalid source leaves; a tagged IPv4 frame does, an untagged one does not', async () => {
    const w = new SymWalker(ctx, dp, {});
    const e = w.e;
    const at = { host: 'h1', device: 'qbrX', port: 'tapX' };
    const untagged = w.symbolic('u', null);
    const outU = emitted(e, w.deviceSteps(at, { pc: [], packet: untagged }) ?? []);
    expect(await sat(e, e.and(outU, e.or(e.eq(untagged.eth_src, 0, 48), e.masked(untagged.eth_src, 0x010000000000, 0x010000000000, 48))))).toBe('unsat');
    expect(await sat(e, e.and(outU, e.eq(untagged.eth_dst, 0x0180c2000003, 48)))).toBe('unsat');
    expect(await sat(e, e.and(outU, e.eq(untagged.eth_type, 0x0800, 16)))).toBe('unsat');
    expect(await sat(e, e.and(outU, e.eq(untagged.eth_type, 0x0806, 16)))).toBe('sat');
    const tagged = w.symbolic('t', 0);
    const outT = emitted(e, w.deviceSteps(at, { pc: [], packet: tagged }) ?? []);
    expect(await sat(e, e.and(outT, e.eq(tagged.eth_type, 0x0800, 16)))).toBe('sat');
  });
});
