// One conntrack zone crossed twice, on real Linux bridges, as the oracle of the evaluator. With one
// zone per network (the hybrid firewall before Neutron Ocata's per-port zones), a packet from one port
// to a sibling port of the same network on the same host goes through the sender's egress chain and
// the receiver's ingress chain in the same zone. A packet whose reply tuple is its own (source equal to
// destination, with equal ports or none) is then the reply of its own connection the second time:
// the kernel inserts the reply entry at the head of the hash chain that holds the original one, so the
// lookup meets the reply entry first (nf_conntrack_core.c `__nf_conntrack_hash_insert`,
// `resolve_normal_ct`), ESTABLISHED, and the receiver's RELATED,ESTABLISHED rule lets it in even with
// no security group.
// The rig: the host's two qbr bridges with the rendered ipsets and iptables (both backends), their qvb
// ends joined by one veth (br-int as a plain wire between two ports of one VLAN), the taps wired to a
// capture namespace. Each case is sent from the sender's tap on a fresh conntrack table; whether it
// reaches the receiver's tap must be what the evaluator's trace of the whole dataplane says, and the
// kernel's ingress RELATED,ESTABLISHED counter says why it was let in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOracle } from './prereq.ts';
import { byHost } from './rendered-host.ts';
import { createNamespace, type IptablesBackend, type Netns } from './netfilter-harness.ts';
import { bridgeBatch, bridgeLines, ipBatch, quietIpv6, staticFdbLine, vethLines } from './linux-wiring.ts';
import { startPacketIo, type PacketIo } from './packet-io.ts';
import { decodeFrame, encodeFrame } from './frame.ts';
import { markerMaker } from './linux-compare.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import { modelFromTopology } from '../../src/pipeline.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { traceCopies } from '../../src/questions/guard.ts';
import { formatInputError } from '../../src/errors.ts';
import { ETH_TYPE, IP_PROTO, type Packet } from '../../src/ir/packet.ts';
import type { LinuxBridge, Station } from '../../src/ir/dataplane.ts';

/** vm1:1 may send from 10.0.0.254 (an allowed address pair), vm1:0's own address; vm1:0 has no security group. */
const TOPOLOGY = `
defaults: { release: mitaka }
hosts:
  allinone1: { role: [ compute, network ], tunnel_ip: 172.24.0.11 }
networks:
  net1:
    project: demo
    type: vxlan
    subnets: { net1-v4: { cidr: 10.0.0.0/24 } }
vms:
  vm1:
    project: demo
    host: allinone1
    ports:
      - { network: net1, ip: 10.0.0.254, security_groups: [] }
      - network: net1
        allowed_address_pairs:
          - { ip_address: 10.0.0.254/32 }
`;

const PAIR = '10.0.0.254';

/** What is sent from vm1:1 to vm1:0's MAC, and what the kernel does with it (checked, so no case passes on a rig that forwards nothing). */
const CASES: readonly { readonly name: string; readonly l4: Pick<Packet, 'proto' | 'sport' | 'dport' | 'icmp_type' | 'icmp_code'>; readonly src: string; readonly arrives: boolean }[] = [
  { name: 'IP protocol 0 from the pair address to itself (no ports: its own reply tuple)', l4: { proto: 0, sport: null, dport: null, icmp_type: null, icmp_code: null }, src: PAIR, arrives: true },
  { name: 'UDP 7000 → 7000 from the pair address to itself', l4: { proto: IP_PROTO.udp, sport: 7000, dport: 7000, icmp_type: null, icmp_code: null }, src: PAIR, arrives: true },
  { name: 'UDP 5000 → 6000 from the pair address to itself (another reply tuple: NEW, dropped)', l4: { proto: IP_PROTO.udp, sport: 5000, dport: 6000, icmp_type: null, icmp_code: null }, src: PAIR, arrives: false },
  { name: 'ICMP echo from the pair address to itself (its reply is an echo reply: NEW again, dropped)', l4: { proto: IP_PROTO.icmp, sport: null, dport: null, icmp_type: 8, icmp_code: 0 }, src: PAIR, arrives: false },
];

const BACKENDS = ['nft', 'legacy'] as const satisfies readonly IptablesBackend[];

function model() {
  const t = loadTopologyText(TOPOLOGY, 'same-zone.yaml');
  if (!t.ok) throw new Error(t.errors.map(formatInputError).join('\n'));
  return modelFromTopology(t.value);
}

describeOracle('oracle: one conntrack zone crossed twice on real Linux bridges, against the evaluator', ['ip', 'iptables', 'ipset', 'python3'], () => {
  const m = model();
  const ev = createEvaluator(m.dataplane);
  const port = (n: number): Extract<Station, { kind: 'vm-port' }> => {
    const s = m.dataplane.stations.find((x) => x.kind === 'vm-port' && x.vm === 'vm1' && x.index === n);
    if (s?.kind !== 'vm-port') throw new Error(`no vm1:${n}`);
    return s;
  };
  const sender = port(1);
  const receiver = port(0);
  const host = m.dataplane.hosts.find((h) => h.name === 'allinone1')!;
  const bridgeOf = (s: Extract<Station, { kind: 'vm-port' }>): LinuxBridge => {
    const b = host.linuxBridges.find((br) => br.ports.some((p) => p.startsWith('tap') && s.portId.startsWith(p.slice(3))));
    if (!b) throw new Error(`no qbr for ${s.portId}`);
    return b;
  };
  const tapOf = (b: LinuxBridge) => b.ports.find((p) => p.startsWith('tap'))!;
  const qvbOf = (b: LinuxBridge) => b.ports.find((p) => p.startsWith('qvb'))!;
  const brS = bridgeOf(sender);
  const brR = bridgeOf(receiver);
  const files = byHost(m.artifacts).get('allinone1')!;
  const made: Netns[] = [];
  const rigs = new Map<IptablesBackend, Netns>();
  let capture: Netns | null = null;
  let io: PacketIo | null = null;
  const results = new Map<string, { kernel: boolean; established: number; evaluator: boolean; evaluatorEstablished: boolean }>();

  /** The packets the receiver's ingress RELATED,ESTABLISHED rule has counted. */
  const establishedCount = async (ns: Netns, backend: IptablesBackend): Promise<number> => {
    const chain = `-i${receiver.portId.slice(0, 10)}`;
    const saved = await ns.exec(`iptables-${backend}-save`, ['-c', '-t', 'filter']);
    const line = saved.split('\n').find((l) => l.includes(`${chain} `) && l.includes('RELATED,ESTABLISHED'));
    if (line === undefined) throw new Error(`no RELATED,ESTABLISHED rule in the ingress chain of ${receiver.portId}`);
    return Number(/^\[(\d+):/.exec(line)?.[1] ?? NaN);
  };

  beforeAll(async () => {
    io = await startPacketIo();
    capture = await createNamespace('npszc');
    made.push(capture);
    await quietIpv6(capture);
    const peers: string[] = [];
    for (const backend of BACKENDS) {
      const ns = await createNamespace('npszh');
      made.push(ns);
      rigs.set(backend, ns);
      await quietIpv6(ns);
      const [ps, pr] = [`${backend}s`, `${backend}r`];
      peers.push(ps, pr);
      await ipBatch(ns, [
        ...vethLines(tapOf(brS), capture, ps),
        ...vethLines(tapOf(brR), capture, pr),
        // br-int between the two qvo ends, reduced to a wire: the same VLAN, nothing rewritten.
        `link add ${qvbOf(brS)} type veth peer name ${qvbOf(brR)}`,
        `link set ${qvbOf(brS)} up`,
        `link set ${qvbOf(brR)} up`,
        ...bridgeLines(brS.name, brS.ports),
        ...bridgeLines(brR.name, brR.ports),
      ]);
      await bridgeBatch(ns, ev.converged.fdb.filter((e) => e.host === 'allinone1' && (e.bridge === brS.name || e.bridge === brR.name)).map((e) => staticFdbLine(e.port, e.mac)));
      const ipsets = files.get('ipset-save')?.text;
      if (ipsets) await ns.ipsetRestore(ipsets);
      await ns.iptablesRestore(files.get('iptables-save')?.text ?? '', backend);
    }
    await ipBatch(capture, peers.map((p) => `link set ${p} up`));
    await io.listen(capture.name, peers);
    const marker = markerMaker();
    for (const c of CASES) {
      const packet: Packet = { eth_src: sender.mac, eth_dst: receiver.mac, vlan: null, tun_id: null, eth_type: ETH_TYPE.ipv4, ip_src: c.src, ip_dst: receiver.ip, ...c.l4 };
      const t = ev.trace(sender, packet);
      const copies = traceCopies(t);
      if (copies.some((x) => x.uncertain.length > 0)) throw new Error(`${c.name}: the evaluator crossed something it does not model`);
      const at = copies.find((x) => x.disposition === 'delivered' && x.deliveredTo?.kind === 'vm' && x.deliveredTo.vm === 'vm1' && x.deliveredTo.port === 0);
      const evaluatorEstablished = at !== undefined && JSON.stringify(at.hops).includes('ESTABLISHED');
      for (const backend of BACKENDS) {
        const ns = rigs.get(backend)!;
        await io.flushConntrack(ns.name);
        const before = await establishedCount(ns, backend);
        const mk = marker();
        const seen = await io.send(capture.name, `${backend}s`, encodeFrame(packet, { marker: mk }));
        const kernel = seen.some((s) => s.iface === `${backend}r` && decodeFrame(s.frame).marker === mk);
        results.set(`${backend}|${c.name}`, { kernel, established: (await establishedCount(ns, backend)) - before, evaluator: at !== undefined, evaluatorEstablished });
      }
    }
  });
  afterAll(async () => {
    await io?.close();
    for (const ns of made.splice(0)) await ns.delete();
  });

  for (const backend of BACKENDS) {
    describe(`iptables-${backend}`, () => {
      for (const c of CASES) {
        it(`${c.name}: ${c.arrives ? 'arrives' : 'is dropped'}, in the kernel as in the evaluator`, () => {
          const r = results.get(`${backend}|${c.name}`)!;
          console.info(`${backend}: ${c.name}: kernel ${r.kernel ? 'delivered' : 'dropped'} (ingress ESTABLISHED counted ${r.established}), evaluator ${r.evaluator ? 'delivered' : 'dropped'}`);
          expect(r.kernel).toBe(c.arrives);
          expect(r.evaluator).toBe(r.kernel);
          // Let in as the reply of its own connection, on both sides (not by some other rule).
          expect(r.established).toBe(c.arrives ? 1 : 0);
          expect(r.evaluatorEstablished).toBe(c.arrives);
        });
      }
    });
  }
});
