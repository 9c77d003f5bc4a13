// SCTP, DCCP and UDP-Lite ports, evaluate ≡ encode: fixed packets of every protocol with ports (and
// of one without) cross an OpenFlow table and netfilter hooks parsed from the text OVS and
// iptables-save print for Neutron's rules — port matches (`-m sctp`, `-m dccp`, `-m multiport`), a
// DNAT to another port and an SNAT into a port range. The solver's folded result must equal the
// evaluator's, and both must do what the kernel and OVS do: Linux matches and rewrites the ports of
// all five protocols alike (nf_nat_proto.c), OVS holds ports in its flow key for TCP, UDP and SCTP
// only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getZ3, shutdownZ3 } from '../../src/smt/z3.ts';
import type { Ctx } from '../../src/smt/z3.ts';
import { Enc } from '../../src/smt/cond.ts';
import { concretePacket, numToIp } from '../../src/smt/headers.ts';
import { symRunBridge } from '../../src/smt/openflow.ts';
import { flowTables } from '../../src/semantics/ovs-bridge.ts';
import { runBridge } from '../../src/evaluate/openflow.ts';
import { LearningState } from '../../src/evaluate/state.ts';
import { parseDumpFlows, parseIptablesSave } from '../../src/parse/index.ts';
import type { Packet } from '../../src/ir/packet.ts';
import { bridge, ipv4, port } from './build.ts';
import { throughHooks } from './hooks-both.ts';

let ctx: Ctx;
let e: Enc;
beforeAll(async () => { ctx = await getZ3(); e = new Enc(ctx); });
afterAll(async () => { await shutdownZ3(); });

const TCP = 6, UDP = 17, DCCP = 33, GRE = 47, SCTP = 132, UDPLITE = 136;
const WITH_PORTS = [TCP, UDP, DCCP, SCTP, UDPLITE];

/** Every protocol with ports (and GRE, without) to each port the rules name, from two source ports. */
const packets: Packet[] = [...WITH_PORTS, GRE].flatMap((proto) =>
  [38412, 5000, 5004, 80].flatMap((dport) => [1000, 40000].map((sport) => ipv4({
    proto, ip_dst: '203.0.113.50', sport: proto === GRE ? null : sport, dport: proto === GRE ? null : dport,
  }))),
);
const label = (p: Packet) => `proto ${p.proto} ${p.sport ?? '-'} → ${p.dport ?? '-'}`;

describe('OpenFlow port matches', () => {
  // `sctp_src` is OVS's own name of the field dump-flows also prints as tp_src; no OVS would accept a
  // DCCP port match (its prerequisites are tcp, udp or sctp): netproof must not match one either.
  const flows = parseDumpFlows([
    ' table=0, priority=20,sctp,tp_dst=38412 actions=output:2',
    ' table=0, priority=15,sctp,sctp_src=1000 actions=output:3',
    ' table=0, priority=10,ip,nw_proto=33,tp_dst=5004 actions=output:3',
    ' table=0, priority=10,udp,tp_dst=5000 actions=output:3',
    ' table=0, priority=0 actions=drop',
  ].join('\n'), 'br.dump-flows');
  const br = bridge('br', [port('p1', 1), port('p2', 2), port('p3', 3)], flows.value);

  it('the SCTP flows read without a warning', () => {
    expect(flows.warnings).toEqual([]);
    expect(flows.value[1]!.match).toMatchObject({ nw_proto: 132, tp_src: { value: 1000, mask: null } });
  });

  it('the solver sends every packet where the evaluator does, and that is where OVS would', () => {
    const where = (p: Packet) => {
      const ref = runBridge({ host: 'h', bridge: br, tables: flowTables(br.flows), state: new LearningState(), learn: false }, 'p1', p);
      const refOut = ref.copies.filter((c) => c.kind === 'emit').map((c) => c.port).join(',') || 'dropped';
      const sym = symRunBridge(e, { host: 'h', bridge: br, tables: flowTables(br.flows), fdb: [] }, 'p1', { pc: [], packet: concretePacket(p) });
      const symOut = sym.flatMap((s) => (s.kind === 'emit' ? [s.port] : [])).join(',') || 'dropped';
      expect(sym.every((s) => s.path.pc.length === 0), label(p)).toBe(true);
      expect(symOut, label(p)).toBe(refOut);
      return refOut;
    };
    const out = new Map(packets.map((p) => [label(p), where(p)]));
    expect(out.get('proto 132 40000 → 38412')).toBe('p2');
    expect(out.get('proto 132 1000 → 80')).toBe('p3');
    expect(out.get('proto 6 40000 → 38412')).toBe('dropped');
    expect(out.get('proto 33 40000 → 5004')).toBe('dropped');
    expect(out.get('proto 136 40000 → 5000')).toBe('dropped');
    expect(out.get('proto 17 40000 → 5000')).toBe('p3');
  });
});

describe('netfilter port matches and NAT', () => {
  // The forms of iptables_firewall.py (single SCTP/DCCP port, SCTP range, UDP-Lite by multiport) and
  // the router's DNAT/SNAT with ports, which Linux applies to SCTP, DCCP and UDP-Lite as to TCP and UDP.
  const text = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    '-A PREROUTING -d 203.0.113.50/32 -p sctp -m sctp --dport 38412 -j DNAT --to-destination 10.0.0.6:36412',
    '-A PREROUTING -d 203.0.113.50/32 -p udplite -m multiport --dports 5000 -j DNAT --to-destination 10.0.0.7:6000',
    '-A POSTROUTING -o qg-1 -p dccp -j SNAT --to-source 203.0.113.5:2000-2001',
    'COMMIT',
    '*filter',
    ':FORWARD DROP [0:0]',
    '-A FORWARD -p sctp -m sctp --dport 36412 -j ACCEPT',
    '-A FORWARD -p sctp -m sctp -m multiport --dports 5000:5004 -j ACCEPT',
    '-A FORWARD -p dccp -m dccp --sport 1000 -j ACCEPT',
    '-A FORWARD -p udplite -m multiport --dports 6000 -j ACCEPT',
    '-A FORWARD -p tcp -m tcp --dport 80 -j ACCEPT',
    'COMMIT',
  ].join('\n');
  const parsed = parseIptablesSave(text, 'iptables-save');
  const hooks = [
    ['PREROUTING', { inIface: 'qr-1', outIface: null }],
    ['FORWARD', { inIface: 'qr-1', outIface: 'qg-1' }],
    ['POSTROUTING', { inIface: 'qr-1', outIface: 'qg-1' }],
  ] as const;

  /** The evaluator's and the solver's verdict and packet out, as text. */
  const run = (p: Packet): { ref: string; sym: string } => {
    const { refVerdict, ref, sym } = throughHooks(e, parsed.value, hooks, p);
    const refText = refVerdict === 'drop' ? 'dropped' : `${ref.packet.ip_src}:${ref.packet.sport ?? '-'} → ${ref.packet.ip_dst}:${ref.packet.dport ?? '-'}`;
    expect(sym.length, label(p)).toBeLessThanOrEqual(1);
    const out = sym[0]?.path.packet;
    const num = (v: unknown) => (typeof v === 'number' ? v : `symbolic ${String(v)}`);
    const symText = out === undefined ? 'dropped' : `${numToIp(out.ip_src as number)}:${p.sport === null ? '-' : num(out.sport)} → ${numToIp(out.ip_dst as number)}:${p.dport === null ? '-' : num(out.dport)}`;
    return { ref: refText, sym: symText };
  };

  it('the rules read without a warning', () => expect(parsed.warnings).toEqual([]));

  it('the solver accepts, drops and rewrites each packet as the evaluator does, and as the kernel would', () => {
    const out = new Map<string, string>();
    for (const p of packets) {
      const r = run(p);
      expect(r.sym, label(p)).toBe(r.ref);
      out.set(label(p), r.ref);
    }
    // DNAT to another port, then the filter's port match on the new port.
    expect(out.get('proto 132 40000 → 38412')).toBe('10.0.0.5:40000 → 10.0.0.6:36412');
    expect(out.get('proto 136 40000 → 5000')).toBe('10.0.0.5:40000 → 10.0.0.7:6000');
    // The SCTP range, the DCCP source port, moved into the SNAT range.
    expect(out.get('proto 132 1000 → 5004')).toBe('10.0.0.5:1000 → 203.0.113.50:5004');
    expect(out.get('proto 33 1000 → 80')).toBe('203.0.113.5:2000 → 203.0.113.50:80');
    // Ports of another protocol never match: TCP 38412 is no SCTP packet, UDP-Lite 5004 no DCCP one.
    expect(out.get('proto 6 40000 → 38412')).toBe('dropped');
    expect(out.get('proto 136 1000 → 5004')).toBe('dropped');
    expect(out.get('proto 33 40000 → 80')).toBe('dropped');
    expect(out.get('proto 47 - → -')).toBe('dropped');
  });
});
