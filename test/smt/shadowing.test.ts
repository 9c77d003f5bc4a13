// OpenFlow priorities in the symbolic encoding: a flow only gets the packets every higher-priority
// flow of its table leaves (equal priorities: the one listed first wins), also where a table's
// exact (VLAN, MAC) flows are looked up through an index. Each case is asked of the solver over all
// packets, so a fault that lets a lower-priority flow take what a higher one matched (a missing
// "not earlier" conjunct, a match left out of the earlier ones, an index that reorders) fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getZ3, shutdownZ3, type Ctx } from '../../src/smt/z3.ts';
import { Enc, type Cond } from '../../src/smt/cond.ts';
import { macToNum, symbolicPacket } from '../../src/smt/headers.ts';
import { symRunBridge } from '../../src/smt/openflow.ts';
import { flowTables } from '../../src/semantics/ovs-bridge.ts';
import { checkSat } from '../../src/smt/solve.ts';
import { exists, type End, type SymPacket } from '../../src/smt/index.ts';
import type { Path, Step } from '../../src/smt/path.ts';
import type { Flow, FlowAction } from '../../src/ir/openflow.ts';
import { MAC, VM1, bridge, cloud, flow, port } from './build.ts';

let ctx: Ctx;
let e: Enc;
beforeAll(async () => { ctx = await getZ3(); e = new Enc(ctx); });
afterAll(async () => { await shutdownZ3(); });

const out = (p: string): FlowAction => ({ kind: 'output', port: { kind: 'name', name: p } });
const tcpTo = (port: number) => ({ dl_type: 0x0800, nw_proto: 6, tp_dst: { value: port, mask: null } });
let n = 0;
const sym = (o: { dst?: string } = {}): Path => {
  const p = symbolicPacket(ctx, `shadow${n++}`, null);
  return { pc: [], packet: o.dst === undefined ? p : { ...p, eth_dst: macToNum(o.dst) } };
};
const sat = async (...cs: Cond[]) => (await checkSat(ctx, e, e.and(...cs), 5000)).status;

/** The condition under which the run emits a copy out of `port` (false: never). */
function emitsTo(steps: Step[], port: string): Cond {
  return e.or(...steps.filter((s) => s.kind === 'emit' && s.port === port).map((s) => e.and(...s.path.pc)));
}

function run(flows: Flow[], path: Path): Step[] {
  const br = bridge('br', [port('p1', 1), port('p2', 2), port('p3', 3)], flows);
  return symRunBridge(e, { host: 'h', bridge: br, tables: flowTables(br.flows), fdb: [] }, 'p1', path);
}

describe('OpenFlow shadowing, symbolically', () => {
  it('three layers: tcp/22 dropped (100), tcp to p2 (50), the rest to p3 (1)', async () => {
    const path = sym();
    const pk = path.packet;
    const steps = run([flow(0, 1, {}, [out('p3')]), flow(0, 100, tcpTo(22), [{ kind: 'drop' }]), flow(0, 50, { dl_type: 0x0800, nw_proto: 6 }, [out('p2')])], path);
    const ssh = e.and(e.eq(pk.eth_type, 0x0800, 16), e.eq(pk.proto, 6, 8), e.eq(pk.dport, 22, 16));
    const tcp = e.and(e.eq(pk.eth_type, 0x0800, 16), e.eq(pk.proto, 6, 8));
    expect(await sat(emitsTo(steps, 'p2'), ssh)).toBe('unsat');
    expect(await sat(emitsTo(steps, 'p3'), ssh)).toBe('unsat');
    expect(await sat(emitsTo(steps, 'p3'), tcp)).toBe('unsat');
    expect(await sat(emitsTo(steps, 'p2'), tcp, e.eq(pk.dport, 23, 16))).toBe('sat');
    expect(await sat(emitsTo(steps, 'p3'), e.not(tcp))).toBe('sat');
  });

  it('equal priorities: the flow listed first takes what both match', async () => {
    const path = sym();
    const pk = path.packet;
    const steps = run([flow(0, 10, tcpTo(22), [out('p2')]), flow(0, 10, { dl_type: 0x0800, nw_proto: 6 }, [out('p3')])], path);
    const ssh = e.and(e.eq(pk.eth_type, 0x0800, 16), e.eq(pk.proto, 6, 8), e.eq(pk.dport, 22, 16));
    expect(await sat(emitsTo(steps, 'p3'), ssh)).toBe('unsat');
    expect(await sat(emitsTo(steps, 'p2'), ssh)).toBe('sat');
  });

  it('an indexed exact (VLAN, MAC) flow still yields to a higher-priority flow that is not indexed', async () => {
    // Learned MAC-table flows (vlan_tci + dl_dst) are looked up by the packet's VLAN and MAC.
    const learned = flow(0, 5, { vlan_tci: { value: 0, mask: 0x0fff }, dl_dst: { mac: MAC.vm2, mask: null } }, [out('p2')]);
    const steps = run([learned, flow(0, 10, tcpTo(22), [{ kind: 'drop' }]), flow(0, 1, {}, [out('p3')])], sym({ dst: MAC.vm2 }));
    const pk = steps.find((s) => s.kind === 'emit')!.path.packet;
    const ssh = e.and(e.eq(pk.eth_type, 0x0800, 16), e.eq(pk.proto, 6, 8), e.eq(pk.dport, 22, 16));
    expect(await sat(emitsTo(steps, 'p2'), ssh)).toBe('unsat');
    expect(await sat(emitsTo(steps, 'p2'))).toBe('sat');
    expect(emitsTo(steps, 'p3')).toBe(false); // everything to vm2's MAC is taken by the two above
  });
});

describe('OpenFlow shadowing, through a whole question', () => {
  it('a high-priority drop of tcp/22 on br-int stops SSH between two VMs; NORMAL below carries the rest', async () => {
    const intFlows = [flow(0, 0, {}, [{ kind: 'normal' }]), flow(0, 200, { in_port: { kind: 'name', name: 'tap1' }, ...tcpTo(22) }, [{ kind: 'drop' }])];
    const dp = cloud(undefined, intFlows);
    // The destination port left free, so the drop flow's match is a condition, not a folded constant.
    const toVm2 = (dport: number) => (x: Enc, final: SymPacket, end: End) =>
      end.kind === 'end' && end.disposition === 'delivered' && end.delivery?.kind === 'vm' && end.delivery.vm === 'vm2' ? x.eq(final.dport, dport, 16) : false;
    expect((await exists(dp, [VM1], { proto: 6 }, toVm2(22))).verdict).toBe('no');
    const telnet = await exists(dp, [VM1], { proto: 6 }, toVm2(23));
    expect(telnet.verdict).toBe('yes');
    expect(telnet.witness?.dport).toBe(23);
  });
});
