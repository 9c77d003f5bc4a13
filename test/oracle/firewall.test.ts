// Real Linux bridges with the rendered hybrid firewall as the oracle of the evaluator: each compute
// host's qbr bridges are built in a namespace of their own (one per iptables backend, nft and legacy)
// with the host's rendered ipsets and iptables-save restored (physdev matches, conntrack zones,
// br_netfilter), ports wired by veth to a capture namespace, learning off and the evaluator's
// converged MAC table installed. Random frames enter a random port (from the VM through tap, or from
// br-int through qvb); the copies that come out must be the evaluator's, header for header. When a
// first packet passes, its reply is sent back through the same conntrack table and compared too.
// Subjects: the shipped topologies, one with SCTP/DCCP/UDP-Lite port rules (test/properties/topologies/
// sctp-ports.yaml) and random topologies from the generator (netproof/testing), those
// with no qbr bridge (the noop driver, no VM port) passed over by name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOracle } from './prereq.ts';
import { byHost } from './rendered-host.ts';
import { createNamespace, type IptablesBackend, type Netns } from './netfilter-harness.ts';
import { bridgeBatch, bridgeLines, ipBatch, quietIpv6, staticFdbLine, vethLines } from './linux-wiring.ts';
import { startPacketIo, type PacketIo } from './packet-io.ts';
import { decodeFrame, encodeFrame, type FrameOptions } from './frame.ts';
import { countedKind, diffKeys, frameKey, markerMaker, packetKey, replyOptions, replyTo } from './linux-compare.ts';
import { oracleSeed, randomPacket } from './random-packet.ts';
import { firewallUnfit, generatedSubjects, rngFor, shippedSubject, testTopologySubject, type OracleSubject } from './subjects.ts';
import { Tally, type ExclusionRule } from './tally.ts';
import { linuxBridgeProbe } from './evaluator-probe.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { ETH_TYPE, IP_PROTO, type Packet } from '../../src/ir/packet.ts';
import type { Dataplane, LinuxBridge, Station } from '../../src/ir/dataplane.ts';

const IPV6: ExclusionRule = { name: 'ipv6', why: 'IPv6 frames: netproof does not model IPv6 (topologies with IPv6 are refused)' };
const UNSUPPORTED: ExclusionRule = { name: 'unsupported', why: 'the evaluator crossed a construct it marks unsupported (any verdict built on it is unknown)' };
const RULES = [IPV6, UNSUPPORTED];

const BACKENDS = ['nft', 'legacy'] as const satisfies readonly IptablesBackend[];
/** First packets per shipped topology and per generated one (each tried on both backends, replies besides). */
const PER_SHIPPED = 110;
const PER_GENERATED = 50;
const SEED = oracleSeed(20240502);
/** Random topologies from the generator: small ones, several VMs, so that hosts have qbr bridges. */
const GENERATED = 4;

const generated = generatedSubjects(SEED, GENERATED, { maxHosts: 3, maxVms: 4, minVms: 2, maxPortsPerVm: 2 }, firewallUnfit);
const SUBJECTS: readonly { readonly make: () => OracleSubject; readonly packets: number }[] = [
  ...(['seed.yaml', 'seed-vlan.yaml', 'provider.yaml'] as const).map((f) => ({ make: () => shippedSubject(f), packets: PER_SHIPPED })),
  // SCTP, DCCP and UDP-Lite port rules as Neutron renders them (ports at each rule's edges are aimed at).
  { make: () => testTopologySubject('test/properties/topologies/sctp-ports.yaml'), packets: PER_SHIPPED },
  ...generated.subjects.map((g) => ({ make: () => g, packets: PER_GENERATED })),
];

const totals = new Map<IptablesBackend, Tally>(BACKENDS.map((b) => [b, new Tally(`hybrid firewall (iptables-${b}), all subjects`, RULES)]));

interface HostRig { readonly host: string; readonly ns: Map<IptablesBackend, Netns>; readonly bridges: readonly LinuxBridge[] }
interface Ask { readonly rig: HostRig; readonly br: LinuxBridge; readonly inPort: string; readonly packet: Packet }

/** The ports SCTP and UDP-Lite rules of the dataplane's iptables name, each bound and one past it. */
function sctpUdpLitePorts(dp: Dataplane): number[] {
  const out = new Set<number>();
  for (const h of dp.hosts) for (const ns of h.namespaces) for (const t of ns.netfilter.tables) for (const c of t.chains) for (const r of c.rules) {
    if (!r.matches.some((m) => m.kind === 'proto' && !m.negate && (m.proto === IP_PROTO.sctp || m.proto === IP_PROTO.udplite))) continue;
    for (const m of r.matches) {
      const ranges = m.kind === 'dport' ? [[m.from, m.to] as const] : m.kind === 'multiport' ? m.ranges : [];
      for (const [lo, hi] of ranges) for (const p of [lo - 1, lo, hi, hi + 1]) if (p >= 0 && p <= 65535) out.add(p);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * Besides the random packets, which seldom hit a rule's port: an SCTP and a UDP-Lite first packet to
 * each VM port's address at each port an SCTP or UDP-Lite rule names (each bound and one past it),
 * entering its qbr bridge from br-int's side, from an outside address and from a sibling VM's.
 */
function portEdgeAsks(rigs: readonly HostRig[], dp: Dataplane): Ask[] {
  const out: Ask[] = [];
  const ports = sctpUdpLitePorts(dp);
  const stations = dp.stations;
  const vms = stations.filter((s): s is Extract<Station, { kind: 'vm-port' }> => s.kind === 'vm-port');
  for (const rig of rigs) {
    for (const br of rig.bridges) {
      const vm = vms.find((s) => s.attachment.host === rig.host && s.attachment.device === br.name);
      const inPort = br.ports.find((p) => p.startsWith('qvb'));
      if (vm === undefined || inPort === undefined) continue;
      const sources = ['198.51.100.7', ...vms.filter((s) => s !== vm).map((s) => s.ip).slice(0, 1)];
      for (const proto of [IP_PROTO.sctp, IP_PROTO.udplite]) {
        for (const dport of ports) {
          for (const ip_src of sources) {
            out.push({ rig, br, inPort, packet: {
              eth_src: 'fa:16:3e:00:00:fe', eth_dst: vm.mac, vlan: null, tun_id: null, eth_type: ETH_TYPE.ipv4,
              ip_src, ip_dst: vm.ip, proto, sport: 40000, dport, icmp_type: null, icmp_code: null,
            } });
          }
        }
      }
    }
  }
  return out;
}

describeOracle('oracle: real Linux bridges with the rendered hybrid firewall against the evaluator', ['ip', 'iptables', 'ipset', 'python3'], () => {
  for (const { make, packets } of SUBJECTS) {
    const { name: file, model, universe } = make();
    describe(file, () => {
      const ev = createEvaluator(model.dataplane);
      const probe = linuxBridgeProbe(model.dataplane, ev.converged);
      const tallies = new Map<IptablesBackend, Tally>(BACKENDS.map((b) => [b, new Tally(`hybrid firewall (iptables-${b}) of ${file} (seed ${SEED})`, RULES)]));
      const made: Netns[] = [];
      let io: PacketIo | null = null;

      beforeAll(async () => {
        const t0 = Date.now();
        io = await startPacketIo();
        const capture = await createNamespace('npfwc');
        made.push(capture);
        await quietIpv6(capture);
        const peerOf = new Map<string, { backend: IptablesBackend; host: string; port: string }>();
        const peerName = new Map<string, string>();
        const rigs: HostRig[] = [];
        let n = 0;
        for (const [host, files] of byHost(model.artifacts)) {
          const bridges = model.dataplane.hosts.find((h) => h.name === host)?.linuxBridges ?? [];
          if (bridges.length === 0) continue;
          const rig: HostRig = { host, ns: new Map(), bridges };
          for (const backend of BACKENDS) {
            const ns = await createNamespace('npfwh');
            made.push(ns);
            await quietIpv6(ns);
            rig.ns.set(backend, ns);
            const lines: string[] = [];
            const peersUp: string[] = [];
            const fdb: string[] = [];
            for (const br of bridges) {
              for (const port of br.ports) {
                const peer = `c${n++}`;
                lines.push(...vethLines(port, capture, peer));
                peersUp.push(`link set ${peer} up`);
                peerOf.set(peer, { backend, host, port });
                peerName.set(`${backend}/${host}/${port}`, peer);
              }
              lines.push(...bridgeLines(br.name, br.ports));
              for (const e of ev.converged.fdb) if (e.host === host && e.bridge === br.name) fdb.push(staticFdbLine(e.port, e.mac));
            }
            await ipBatch(ns, lines);
            await ipBatch(capture, peersUp);
            await bridgeBatch(ns, fdb);
            const ipsets = files.get('ipset-save')?.text;
            if (ipsets) await ns.ipsetRestore(ipsets);
            await ns.iptablesRestore(files.get('iptables-save')?.text ?? '', backend);
          }
          rigs.push(rig);
        }
        await io.listen(capture.name, [...peerOf.keys()]);
        console.info(`${file}: rigs ready in ${Date.now() - t0} ms`);
        const t1 = Date.now();

        const rng = rngFor(SEED, file);
        const marker = markerMaker();
        if (rigs.length === 0) return;
        const asks: Ask[] = [];
        for (let i = 0; i < packets; i++) {
          const rig = rng.pick(rigs);
          const br = rng.pick(rig.bridges);
          const inPort = rng.pick(br.ports);
          asks.push({ rig, br, inPort, packet: randomPacket(rng, universe, { vlan: 'any', tunnel: false }) });
        }
        asks.push(...portEdgeAsks(rigs, model.dataplane));
        for (const [i, { rig, br, inPort, packet }] of asks.entries()) {
          const icmpRest = (0x1000 + i) * 0x10000 + 1;
          for (const backend of BACKENDS) {
            const tally = tallies.get(backend)!;
            const ns = rig.ns.get(backend)!;
            const send = async (p: Packet, port: string, opts: Omit<FrameOptions, 'marker'>): Promise<{ keys: string[]; diff: string[] }> => {
              const m = marker();
              const seen = await io!.send(capture.name, peerName.get(`${backend}/${rig.host}/${port}`)!, encodeFrame(p, { ...opts, marker: m }));
              const real = seen
                .map((s) => ({ at: peerOf.get(s.iface), f: decodeFrame(s.frame) }))
                .filter((x) => x.f.marker === m && x.at !== undefined)
                .map((x) => frameKey(x.at!.port, x.f));
              const r = probe.run(rig.host, br, port, p);
              if (r.uncertain.length > 0) return { keys: [], diff: ['unsupported'] };
              const mine = r.copies.flatMap((c) => (c.kind === 'emit' ? [packetKey(c.port, c.packet)] : []));
              const d = diffKeys(mine, real);
              return { keys: mine, diff: d.length === 0 ? [] : [...d, `evaluator: ${r.steps.map((s) => `${s.where}: ${s.action}`).join(' | ')}`] };
            };
            if (packet.eth_type === ETH_TYPE.ipv6) { tally.exclude(IPV6); continue; }
            probe.fresh();
            await io.flushConntrack(ns.name);
            const first = await send(packet, inPort, { icmpRest });
            if (first.diff[0] === 'unsupported') { tally.exclude(UNSUPPORTED); continue; }
            if (first.diff.length > 0) { tally.disagree(`${rig.host}/${br.name} in ${inPort} (first packet): ${packetKey(inPort, packet)}\n    ${first.diff.join('\n    ')}`); continue; }
            tally.agreeOne(countedKind(packet));
            // The reply, in the same connection, from the first port the packet came out of.
            const out = first.keys[0];
            if (out === undefined || packet.eth_type !== ETH_TYPE.ipv4) continue;
            const outPort = out.split(' ')[0]!;
            const reply = replyTo(packet);
            const answer = replyOptions(packet);
            const second = await send(reply, outPort, { icmpRest, ...answer });
            if (second.diff[0] === 'unsupported') tally.exclude(UNSUPPORTED);
            else if (second.diff.length > 0) tally.disagree(`${rig.host}/${br.name} in ${outPort} (reply): ${packetKey(outPort, reply)}\n    ${second.diff.join('\n    ')}`);
            else tally.agreeOne(countedKind(packet));
          }
        }
        console.info(`${file}: packets in ${Date.now() - t1} ms`);
        for (const b of BACKENDS) totals.get(b)!.add(tallies.get(b)!);
      });
      afterAll(async () => {
        await io?.close();
        for (const ns of made.splice(0)) await ns.delete();
      });

      for (const backend of BACKENDS) {
        it(`iptables-${backend}: every frame that comes out is one the evaluator lets out, and the other way round`, () => {
          const t = tallies.get(backend)!;
          console.info(t.summary());
          expect(t.disagreements.slice(0, 15), t.disagreements.slice(0, 15).join('\n')).toEqual([]);
        });
      }
    });
  }

  for (const backend of BACKENDS) {
    it(`iptables-${backend}: tried at least 300 packets in all, on generated topologies too`, () => {
      const t = totals.get(backend)!;
      t.recordTotals(`firewall iptables-${backend}`);
      console.info(`${t.summary()}\n  subjects: ${SUBJECTS.length} (${generated.subjects.length} generated; passed over: ${generated.passedOver.join('; ') || 'none'})`);
      expect(generated.subjects.length).toBe(GENERATED);
      expect(t.tried).toBeGreaterThanOrEqual(300);
      expect(t.agree).toBeGreaterThanOrEqual(t.tried * 0.8);
    });
  }
});
