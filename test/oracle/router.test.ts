// Real router namespaces as the oracle of the evaluator: each rendered qrouter namespace is rebuilt in a
// namespace of its own — interfaces with their MACs and addresses, routes, the rendered iptables-save,
// the sysctls the L3 agent sets (ip_forward, arp_ignore, arp_announce, promote_secondaries) and a
// permanent neighbour entry for every address the dataplane has on its subnets — with each interface
// wired by veth to a capture namespace. Random frames enter a random interface; what comes out
// (forwarded copies with their rewritten addresses, ARP requests for a next hop, ARP replies), and
// whether the namespace took the packet itself (IP InDelivers), must be what the evaluator says.
// A first packet that is forwarded is followed by its reply, through the same conntrack table.
// What the namespace makes itself in answer (an ICMP unreachable for a packet with no route, an echo or
// timestamp reply, a TCP reset) is not the packet sent, which is all the evaluator follows: an ARP
// request on that answer's way, and an unreachable coming back to the namespace's own address, are set
// aside (counted and printed).
// Subjects: the shipped topologies and random topologies from the generator (netproof/testing), those
// with no router passed over by name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOracle } from './prereq.ts';
import { byHost } from './rendered-host.ts';
import { createNamespace, type IptablesBackend, type Netns } from './netfilter-harness.ts';
import { ipBatch, quietIpv6, sysctls, vethLines } from './linux-wiring.ts';
import { startPacketIo, type PacketIo, type SeenFrame } from './packet-io.ts';
import { decodeFrame, encodeFrame, packetOfFrame, type DecodedFrame, type FrameOptions } from './frame.ts';
import { countedKind, diffKeys, frameKey, markerMaker, packetKey, replyOptions, replyTo } from './linux-compare.ts';
import { oracleSeed, randomPacket } from './random-packet.ts';
import { generatedSubjects, rngFor, routerUnfit, shippedSubject, testTopologySubject, type OracleSubject } from './subjects.ts';
import { Tally, type ExclusionRule } from './tally.ts';
import { forwardedPort } from '../../src/topology/port-forwarding-ports.ts';
import { namespaceProbe, neighbourMap } from './evaluator-probe.ts';
import { ETH_TYPE, IP_PROTO, type Packet } from '../../src/ir/packet.ts';
import type { Namespace } from '../../src/ir/dataplane.ts';
import { lookupRoute, type NamespaceResult } from '../../src/evaluate/namespace.ts';
import { inPrefix } from '../../src/net/ipv4.ts';

const IPV6: ExclusionRule = { name: 'ipv6', why: 'IPv6 frames: netproof does not model IPv6 (topologies with IPv6 are refused)' };
const UNSUPPORTED: ExclusionRule = { name: 'unsupported', why: 'the evaluator crossed a construct it marks unsupported (any verdict built on it is unknown)' };
const RULES = [IPV6, UNSUPPORTED];

/**
 * Each router is rebuilt once per variant: both iptables backends, and the three rp_filter modes (the
 * L3 agent leaves rp_filter to the host, so a real cloud may run any of them; the IR namespace is told
 * the same value).
 */
const VARIANTS = [
  { name: 'iptables-nft, rp_filter=0', backend: 'nft', rpFilter: 0 },
  { name: 'iptables-legacy, rp_filter=2', backend: 'legacy', rpFilter: 2 },
  { name: 'iptables-nft, rp_filter=1', backend: 'nft', rpFilter: 1 },
] as const satisfies readonly { name: string; backend: IptablesBackend; rpFilter: 0 | 1 | 2 }[];
type Variant = (typeof VARIANTS)[number]['name'];
/** First packets per router of a shipped topology and of a generated one (each in every variant; replies besides). */
const PER_SHIPPED_ROUTER = 150;
const PER_GENERATED_ROUTER = 40;
const SEED = oracleSeed(20240503);
/** Random topologies from the generator: small ones with a router, an external network and floating IPs. */
const GENERATED = 4;

const generated = generatedSubjects(SEED, GENERATED, { maxHosts: 3, maxVms: 3, maxRouters: 2, minRouters: 1, minExternals: 1, minFloatingIps: 1 }, routerUnfit);
const SUBJECTS: readonly { readonly make: () => OracleSubject; readonly perRouter: number }[] = [
  ...(['seed.yaml', 'seed-vlan.yaml'] as const).map((f) => ({ make: () => shippedSubject(f), perRouter: PER_SHIPPED_ROUTER })),
  ...generated.subjects.map((g) => ({ make: () => g, perRouter: PER_GENERATED_ROUTER })),
  // Port forwardings (one floating IP, three forwardings): the random frames, and frames aimed at each forwarding (toForwardings).
  { make: () => testTopologySubject('test/properties/topologies/port-forwarding.yaml'), perRouter: PER_GENERATED_ROUTER },
  // Port ranges (Zed+): tcp 8080:8090 → 80:90 by the base port (--to-destination IP:80-90/8080), udp 5000:5010 → 53:
  // only the frames aimed at the forwardings (toForwardings) and from outside (icmpFromOutside), no random ones.
  { make: () => testTopologySubject('test/properties/topologies/port-forwarding-range.yaml'), perRouter: 0 },
];

/** What the L3 agent sets in every router namespace (neutron/agent/l3/namespaces.py, ip_lib.py). */
const L3_AGENT_SYSCTLS = ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2', 'net.ipv4.conf.all.promote_secondaries=1'];
/** The kernel defaults netproof assumes for what the agent leaves alone, with the variant's rp_filter. */
const kernelSysctls = (rp: number) => [`net.ipv4.conf.all.rp_filter=${rp}`, `net.ipv4.conf.default.rp_filter=${rp}`, 'net.ipv4.conf.all.accept_local=0', 'net.ipv4.conf.all.route_localnet=0'];

const totals = new Map<Variant, Tally>(VARIANTS.map((v) => [v.name, new Tally(`router namespaces (${v.name}), all subjects`, RULES)]));

/** One router: per variant its real namespace and the IR namespace told that variant's sysctls. */
interface Rig { readonly host: string; readonly ns: Namespace; readonly real: Map<Variant, { real: Netns; ir: Namespace }>; readonly peers: Map<string, string> }

/** What the real namespace did with one frame: the frames carrying ours (forwarded copies), ARP it sent, local delivery. */
interface Observed {
  readonly copies: readonly { readonly iface: string; readonly frame: DecodedFrame }[];
  readonly arpRequests: string[];
  readonly arpReplies: string[];
  readonly delivered: number;
}

/** ICMP messages that open no connection or belong to none. */
const UNSOLICITED_ICMP: readonly (readonly [number, number])[] = [[11, 0], [3, 3], [12, 0], [13, 0], [13, 1], [14, 0], [0, 0]];

/**
 * Besides the random frames: unsolicited ICMP from an address outside the cloud, entering by the
 * gateway device (qg-) addressed to its MAC, to every address of the router's other interfaces — a
 * time exceeded or unreachable quoting no connection (conntrack: INVALID), a timestamp request (NEW),
 * a timestamp or echo reply answering nothing (INVALID): whether the router namespace takes each
 * itself is the evaluator's to say.
 */
function icmpFromOutside(ns: Namespace): { inIface: Namespace['interfaces'][number]; packet: Packet }[] {
  const gw = ns.interfaces.find((i) => i.name.startsWith('qg-'));
  if (!gw) return [];
  const to = ns.interfaces.filter((i) => i !== gw && i.name !== 'lo').flatMap((i) => i.addresses.map((a) => a.ip));
  return to.flatMap((dst) => UNSOLICITED_ICMP.map(([t, c]) => ({
    inIface: gw,
    packet: {
      eth_src: '02:00:5e:00:53:01', eth_dst: gw.mac, vlan: null, tun_id: null, eth_type: ETH_TYPE.ipv4,
      ip_src: '198.18.0.7', ip_dst: dst, proto: IP_PROTO.icmp, sport: null, dport: null, icmp_type: t, icmp_code: c,
    },
  })));
}

/**
 * Besides the random frames: from outside, by qg- to its MAC, to each port-forwarded floating IP — each
 * forwarding's protocol and external port (DNATed to its internal address and port, the reply back from the
 * floating IP and external port), the next port up and the other protocol (not forwarded: the router's own).
 * For a port range: its first, a middle and its last port (each to its own internal port, or all to the one),
 * and the ports just outside it.
 */
function toForwardings(model: OracleSubject['model'], ns: Namespace): { inIface: Namespace['interfaces'][number]; packet: Packet }[] {
  const gw = ns.interfaces.find((i) => i.name.startsWith('qg-'));
  if (!gw) return [];
  const held = new Set(gw.addresses.map((a) => a.ip));
  return model.topology.portForwardings.filter((pf) => held.has(pf.floatingIp)).flatMap((pf) => {
    const proto = pf.protocol === 'tcp' ? IP_PROTO.tcp : IP_PROTO.udp;
    const other = pf.protocol === 'tcp' ? IP_PROTO.udp : IP_PROTO.tcp;
    const ports = pf.externalPortEnd === pf.externalPort
      ? [pf.externalPort, pf.externalPort + 1]
      : [pf.externalPort, (pf.externalPort + pf.externalPortEnd) >> 1, pf.externalPortEnd, pf.externalPort - 1, pf.externalPortEnd + 1];
    return ([...ports.map((d) => [proto, d] as const), [other, pf.externalPort] as const]).map(([p, dport]) => ({
      inIface: gw,
      packet: {
        eth_src: '02:00:5e:00:53:01', eth_dst: gw.mac, vlan: null, tun_id: null, eth_type: ETH_TYPE.ipv4,
        ip_src: '198.18.0.9', ip_dst: pf.floatingIp, proto: p, sport: 40000, dport, icmp_type: null, icmp_code: null,
      },
    }));
  });
}

describeOracle('oracle: real router namespaces against the evaluator', ['ip', 'iptables', 'python3'], () => {
  for (const { make, perRouter } of SUBJECTS) {
    const { name: file, model, universe } = make();
    describe(file, () => {
      const tallies = new Map<Variant, Tally>(VARIANTS.map((v) => [v.name, new Tally(`router namespaces (${v.name}) of ${file} (seed ${SEED})`, RULES)]));
      const made: Netns[] = [];
      let io: PacketIo | null = null;
      /** Frames the namespace answered with a packet of its own (an ARP request of that answer, and its delivery back to the namespace, set aside). */
      let ownAnswers = 0;
      /** Frames aimed at a port forwarding that both the evaluator and the real namespace DNATed to its internal address and port, with their replies agreeing too. */
      let forwarded = 0;
      /** Of them, frames to a port of a range other than its first (E + i arriving at I + i, or at the one internal port). */
      let rangeForwarded = 0;
      const forwardings = model.topology.portForwardings;

      beforeAll(async () => {
        const t0 = Date.now();
        io = await startPacketIo();
        const capture = await createNamespace('nprtc');
        made.push(capture);
        await quietIpv6(capture);
        const rigs: Rig[] = [];
        const whose = new Map<string, { variant: Variant; iface: string }>();
        let n = 0;
        for (const [host, files] of byHost(model.artifacts)) {
          for (const ns of model.dataplane.hosts.find((h) => h.name === host)?.namespaces ?? []) {
            if (!ns.name.startsWith('qrouter-')) continue;
            const rig: Rig = { host, ns, real: new Map(), peers: new Map() };
            const neighbours = neighbourMap(model.dataplane, ns);
            for (const v of VARIANTS) {
              const real = await createNamespace('nprt');
              made.push(real);
              await quietIpv6(real);
              await sysctls(real, [...L3_AGENT_SYSCTLS, ...kernelSysctls(v.rpFilter)]);
              rig.real.set(v.name, { real, ir: { ...ns, sysctls: { ...ns.sysctls, rpFilter: v.rpFilter } } });
              const lines: string[] = [];
              const up: string[] = [];
              const ifaces = ns.interfaces.filter((i) => i.name !== 'lo');
              for (const i of ifaces) {
                const peer = `r${n++}`;
                lines.push(...vethLines(i.name, capture, peer, { a: i.mac }));
                up.push(`link set ${peer} up`);
                whose.set(peer, { variant: v.name, iface: i.name });
                rig.peers.set(`${v.name}/${i.name}`, peer);
                for (const a of i.addresses) lines.push(`addr add ${a.ip}/${a.prefixLen} brd + dev ${i.name}`);
              }
              // The first route of a destination replaces the kernel's (a connected route), a later one is appended
              // after it: the kernel then holds them in the listed order, and takes the first.
              const routed = new Set<string>();
              for (const r of ns.routes) {
                const dst = r.dst.prefixLen === 0 ? 'default' : `${r.dst.ip}/${r.dst.prefixLen}`;
                lines.push(`route ${routed.has(dst) ? 'append' : 'replace'} ${dst}${r.via ? ` via ${r.via}` : ''} dev ${r.dev}${r.src ? ` src ${r.src}` : ''}`);
                routed.add(dst);
              }
              for (const i of ifaces) {
                for (const [ip, mac] of neighbours) {
                  if (i.addresses.some((a) => a.ip === ip) || !i.addresses.some((a) => inPrefix(ip, a.ip, a.prefixLen))) continue;
                  lines.push(`neigh replace ${ip} lladdr ${mac} dev ${i.name} nud permanent`);
                }
              }
              // Routes and neighbours need the interfaces up and addressed first: two batches.
              const routeAt = lines.findIndex((l) => l.startsWith('route '));
              await ipBatch(real, routeAt < 0 ? lines : lines.slice(0, routeAt));
              await ipBatch(capture, up);
              if (routeAt >= 0) await ipBatch(real, lines.slice(routeAt));
              await real.iptablesRestore(files.get(`${ns.name}.iptables-save`)?.text ?? '', v.backend);
            }
            rigs.push(rig);
          }
        }
        await io.listen(capture.name, [...whose.keys()]);
        console.info(`${file}: router namespaces ready in ${Date.now() - t0} ms`);
        const t1 = Date.now();

        const rng = rngFor(SEED, file);
        const marker = markerMaker();
        for (const rig of rigs) {
          const probe = namespaceProbe(neighbourMap(model.dataplane, rig.ns));
          const ifaces = rig.ns.interfaces.filter((i) => i.name !== 'lo');
          // A router with no interface yet (none attached, no gateway) has nothing a frame can enter by.
          if (ifaces.length === 0) continue;
          const asked: { inIface: (typeof ifaces)[number]; packet: Packet }[] = [];
          for (let k = 0; k < perRouter; k++) {
            const inIface = rng.pick(ifaces);
            let packet: Packet = randomPacket(rng, universe, { vlan: 'none', tunnel: false });
            // Most frames are addressed to the interface, as a sender that resolved the router would.
            if (rng.chance(0.6)) packet = { ...packet, eth_dst: inIface.mac };
            asked.push({ inIface, packet });
          }
          asked.push(...icmpFromOutside(rig.ns), ...toForwardings(model, rig.ns));
          for (const [k, { inIface, packet }] of asked.entries()) {
            const icmpRest = (0x2000 + k) * 0x10000 + 1;
            // A forwarded copy keeps the IP identification; the kernel's own replies (echo reply) do not.
            const ipId = (0x3000 + k) & 0xffff;
            for (const v of VARIANTS) {
              const tally = tallies.get(v.name)!;
              const { real, ir } = rig.real.get(v.name)!;
              if (packet.eth_type === ETH_TYPE.ipv6) { tally.exclude(IPV6); continue; }
                // `override` is what the real namespace is sent when it differs from the evaluator's packet: a reply to
              // what really came out (its --random-fully port and ICMP id are the kernel's draw, not the evaluator's).
              const once = async (p: Packet, iface: string, opts: Omit<FrameOptions, 'marker'>, override: { packet: Packet; opts: Omit<FrameOptions, 'marker'> } | null = null): Promise<{ r: NamespaceResult; diff: string[]; seen: SeenFrame[]; m: string }> => {
                const m = marker();
                const before = await io!.counters(real.name);
                const sent = override ?? { packet: p, opts };
                const seen = await io!.send(capture.name, rig.peers.get(`${v.name}/${iface}`)!, encodeFrame(sent.packet, { ...sent.opts, marker: m }));
                const after = await io!.counters(real.name);
                // Whatever the kernel learned or started to resolve must not reach the next packet.
                await io!.flushNeighbours(real.name);
                // Packets the namespace made itself in answer (Ip.OutRequests: an ICMP unreachable or reply, a TCP reset).
                const answered = delta(before, after, 'Ip.OutRequests') > 0;
                if (answered) ownAnswers++;
                const answerArp = answered && sent.packet.eth_type === ETH_TYPE.ipv4 ? answerArpOf(ir, sent.packet.ip_src) : null;
                const obs = observe(seen, m, opts.ipId ?? null, p, takenLocally(before, after), answerArp, (peer) => whose.get(peer)?.iface ?? `?${peer}`);
                const r = probe.run(rig.host, ir, iface, p);
                return { r, diff: r.uncertain.length > 0 ? ['unsupported'] : compare(r, p, iface, obs), seen, m };
              };
              probe.fresh();
              await io.flushConntrack(real.name);
              const first = await once(packet, inIface.name, { icmpRest, ipId });
              if (first.diff[0] === 'unsupported') { tally.exclude(UNSUPPORTED); continue; }
              if (first.diff.length > 0) { tally.disagree(`${rig.host}/${rig.ns.name} in ${inIface.name} (first packet): ${packetKey(inIface.name, packet)}\n    ${first.diff.join('\n    ')}`); continue; }
              tally.agreeOne(countedKind(packet));
              const out = first.r.copies[0];
              if (out?.kind !== 'emit' || packet.eth_type !== ETH_TYPE.ipv4) continue;
              const reply = replyTo(out.packet);
              const answer = replyOptions(packet);
              const came = first.seen.map((x) => decodeFrame(x.frame)).find((f) => f.marker === first.m && f.ipId === ipId);
              const realReply = came ? { packet: replyTo(packetOfFrame(came)), opts: { ipId, ...answer, icmpRest: came.icmpRest ?? icmpRest } } : null;
              const second = await once(reply, out.port, { icmpRest, ipId, ...answer }, realReply);
              if (second.diff[0] === 'unsupported') tally.exclude(UNSUPPORTED);
              else if (second.diff.length > 0) tally.disagree(`${rig.host}/${rig.ns.name} in ${out.port} (reply): ${packetKey(out.port, reply)}\n    ${second.diff.join('\n    ')}`);
              else {
                tally.agreeOne(countedKind(packet));
                const hit = forwardings.find((pf) => pf.floatingIp === packet.ip_dst && packet.dport !== null && packet.dport >= pf.externalPort && packet.dport <= pf.externalPortEnd
                  && packet.proto === (pf.protocol === 'tcp' ? IP_PROTO.tcp : IP_PROTO.udp) && out.packet.ip_dst === pf.internalIp && out.packet.dport === forwardedPort(pf, packet.dport));
                if (hit) forwarded++;
                if (hit && packet.dport !== hit.externalPort) rangeForwarded++;
              }
            }
          }
        }
        console.info(`${file}: packets in ${Date.now() - t1} ms`);
        for (const v of VARIANTS) totals.get(v.name)!.add(tallies.get(v.name)!);
      });
      afterAll(async () => {
        await io?.close();
        for (const ns of made.splice(0)) await ns.delete();
      });

      for (const v of VARIANTS) {
        it(`${v.name}: every copy, ARP request and local delivery is the evaluator's`, () => {
          const t = tallies.get(v.name)!;
          console.info(`${t.summary()}\n  frames the namespace answered with a packet of its own (ICMP, TCP reset; not followed by the evaluator), in all variants: ${ownAnswers}`);
          expect(t.disagreements.slice(0, 15), t.disagreements.slice(0, 15).join('\n')).toEqual([]);
        });
      }
      if (forwardings.length > 0) {
        it('every port forwarding\'s frame was DNATed to its internal address and port, and its reply un-NATed, in the real kernel as in the evaluator', () => {
          console.info(`${file}: ${forwarded} forwarded frames agreed, request and reply (${forwardings.length} forwardings × ${VARIANTS.length} variants)`);
          expect(forwarded).toBeGreaterThanOrEqual(forwardings.length * VARIANTS.length);
        });
      }
      const ranges = forwardings.filter((pf) => pf.externalPortEnd !== pf.externalPort);
      if (ranges.length > 0) {
        it('every port range\'s middle and last port was DNATed to its own internal port (or the one), and un-NATed back, in the real kernel as in the evaluator', () => {
          console.info(`${file}: ${rangeForwarded} frames to a range's middle or last port agreed (${ranges.length} ranges × 2 ports × ${VARIANTS.length} variants)`);
          expect(rangeForwarded).toBeGreaterThanOrEqual(ranges.length * 2 * VARIANTS.length);
        });
      }
    });
  }

  for (const v of VARIANTS) {
    it(`${v.name}: tried at least 300 packets in all, on generated topologies too`, () => {
      const t = totals.get(v.name)!;
      t.recordTotals(`router (${v.name})`);
      console.info(`${t.summary()}\n  subjects: ${SUBJECTS.length} (${generated.subjects.length} generated; passed over: ${generated.passedOver.join('; ') || 'none'})`);
      expect(generated.subjects.length).toBe(GENERATED);
      expect(t.tried).toBeGreaterThanOrEqual(300);
      expect(t.agree).toBeGreaterThanOrEqual(t.tried * 0.8);
    });
  }
});

/**
 * How many packets the namespace took itself, from its counters before and after one frame: handed to a
 * protocol (Ip.InDelivers) or to none, which answers unreachable (Ip.InUnknownProtos) — less the ICMP
 * unreachables it sent itself. A packet with no route is answered with an unreachable to its source
 * (ip_error), before any martian-source check (that comes with a route); when the source is one of the
 * namespace's own or broadcast addresses, the answer comes back in and counts as delivered, though the
 * packet was not taken. Such an answer is counted out (Icmp.OutDestUnreachs) and in (Icmp.InDestUnreachs);
 * the kernel sends no ICMP error about an ICMP error, so a received unreachable of ours never pairs with one sent.
 */
function takenLocally(before: Record<string, number>, after: Record<string, number>): number {
  const d = (k: string) => delta(before, after, k);
  return d('Ip.InDelivers') + d('Ip.InUnknownProtos') - Math.min(d('Icmp.OutDestUnreachs'), d('Icmp.InDestUnreachs'));
}

const delta = (before: Record<string, number>, after: Record<string, number>, k: string): number => (after[k] ?? 0) - (before[k] ?? 0);

/**
 * The ARP request the namespace's own answer may need (an ICMP unreachable or reply, a TCP reset): towards the
 * packet's source, by the route the namespace has to it (its next hop, or the source itself on a connected
 * subnet). The answer is a packet the namespace makes, which the evaluator does not follow (it follows the
 * packet sent, to its end).
 */
function answerArpOf(ns: Namespace, src: string): string | null {
  const route = lookupRoute(ns.routes, src);
  return route ? `${route.dev} who-has ${route.via ?? src}` : null;
}

/**
 * The real namespace's answer to one frame, from what came out on the capture side; `answerArp`: an ARP
 * request that belongs to a packet the namespace made in answer, not to the frame (left out).
 */
function observe(seen: readonly SeenFrame[], marker: string, ipId: number | null, sent: Packet, delivered: number, answerArp: string | null, ifaceOf: (peer: string) => string): Observed {
  const copies: { iface: string; frame: DecodedFrame }[] = [];
  const arpRequests: string[] = [];
  const arpReplies: string[] = [];
  for (const s of seen) {
    const f = decodeFrame(s.frame);
    const iface = ifaceOf(s.iface);
    // A forwarded copy keeps our marker and IP identification (a reply the kernel builds has its own).
    if (f.marker === marker && (f.ethType !== ETH_TYPE.ipv4 || f.ipId === ipId)) copies.push({ iface, frame: f });
    else if (f.ethType === ETH_TYPE.arp && f.proto === 1 && `${iface} who-has ${f.ipDst}` !== answerArp) arpRequests.push(`${iface} who-has ${f.ipDst}`);
    else if (f.ethType === ETH_TYPE.arp && f.proto === 2 && sent.eth_type === ETH_TYPE.arp && f.ipDst === sent.ip_src && f.ipSrc === sent.ip_dst) arpReplies.push(`${iface} ${f.ipSrc} is-at ${f.arpSha}`);
  }
  return { copies, arpRequests, arpReplies, delivered };
}

/**
 * The evaluator's result held against what the real namespace did. A source port the evaluator marks
 * as drawn at random (--random-fully) is compared as "any port of its range".
 */
function compare(r: NamespaceResult, sent: Packet, inIface: string, o: Observed): string[] {
  const c = r.copies[0];
  const random = r.events.flatMap((e) => (e.kind === 'nat' && e.randomPortIn ? [e.randomPortIn] : []))[0] ?? null;
  const opts = { anySport: random !== null };
  const d: string[] = [];
  if (random !== null) {
    for (const x of o.copies) if (x.frame.sport !== null && (x.frame.sport < random[0] || x.frame.sport > random[1])) d.push(`--random-fully port ${x.frame.sport} outside ${random[0]}–${random[1]}`);
  }
  const wantCopies = c?.kind === 'emit' ? [packetKey(c.port, c.packet, opts)] : [];
  const wantReplies = c?.kind === 'end' && c.disposition === 'delivered' && c.arpOwner !== null ? [`${inIface} ${sent.ip_dst} is-at ${c.arpOwner}`] : [];
  const wantDelivered = c?.kind === 'end' && c.disposition === 'delivered' && c.arpOwner === null && sent.eth_type === ETH_TYPE.ipv4;
  const wantRequests: string[] = [];
  if (c?.kind === 'end' && c.disposition === 'no-arp') {
    const arp = r.events.find((e) => e.kind === 'arp' && e.mac === null);
    const route = r.events.find((e) => e.kind === 'route');
    if (arp?.kind === 'arp' && route?.kind === 'route') wantRequests.push(`${route.route.dev} who-has ${arp.ip}`);
  }
  d.push(
    ...diffKeys(wantCopies, o.copies.map((x) => frameKey(x.iface, x.frame, opts))),
    ...diffKeys(wantRequests, o.arpRequests).map((x) => x.replace('real only', 'real ARP request only').replace('evaluator only', 'evaluator ARP request only')),
    ...diffKeys(wantReplies, o.arpReplies).map((x) => x.replace('real only', 'real ARP reply only').replace('evaluator only', 'evaluator ARP reply only')),
  );
  if ((o.delivered > 0) !== wantDelivered) d.push(`local delivery: real ${o.delivered > 0 ? 'yes' : 'no'} (InDelivers+InUnknownProtos +${o.delivered}), evaluator ${wantDelivered ? 'yes' : 'no'}`);
  if (d.length === 0) return [];
  return [...d, `evaluator: ${c?.kind === 'end' ? `${c.disposition}${c.drop ? ` (${c.drop.rule})` : ''}` : 'emit'} | ${r.steps.map((s) => `${s.where}: ${s.action}`).join(' | ')}`];
}
