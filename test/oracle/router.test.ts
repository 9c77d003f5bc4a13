// Real router namespaces as the oracle of the evaluator: each rendered qrouter namespace is rebuilt in a
// namespace of its own — interfaces with their MACs and addresses, routes, the rendered iptables-save,
// the sysctls the L3 agent sets (ip_forward, arp_ignore, arp_announce, promote_secondaries) and a
// permanent neighbour entry for every address the dataplane has on its subnets — with each interface
// wired by veth to a capture namespace. Random frames enter a random interface; what comes out
// (forwarded copies with their rewritten addresses, ARP requests for a next hop, ARP replies), and
// whether the namespace took the packet itself (IP InDelivers), must be what the evaluator says.
// A first packet that is forwarded is followed by its reply, through the same conntrack table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { describeOracle } from './prereq.ts';
import { repoRoot } from '../fixtures/samples.ts';
import { byHost } from './rendered-host.ts';
import { createNamespace, type IptablesBackend, type Netns } from './netfilter-harness.ts';
import { ipBatch, quietIpv6, sysctls, vethLines } from './linux-wiring.ts';
import { startPacketIo, type PacketIo, type SeenFrame } from './packet-io.ts';
import { decodeFrame, encodeFrame, type FrameOptions } from './frame.ts';
import { diffKeys, frameKey, markerMaker, packetKey, replyTo } from './linux-compare.ts';
import { Rng, oracleSeed, randomPacket } from './random-packet.ts';
import { universeOf } from './universe.ts';
import { Tally, type ExclusionRule } from './tally.ts';
import { namespaceProbe, neighbourMap } from './evaluator-probe.ts';
import { runOk } from './exec.ts';
import { loadModel } from '../../src/pipeline.ts';
import { formatInputError } from '../../src/errors.ts';
import { ETH_TYPE, IP_PROTO, type Packet } from '../../src/ir/packet.ts';
import type { Namespace } from '../../src/ir/dataplane.ts';
import type { NamespaceResult } from '../../src/evaluate/namespace.ts';
import { inPrefix } from '../../src/net/ipv4.ts';

const IPV6: ExclusionRule = { name: 'ipv6', why: 'IPv6 frames: netproof does not model IPv6 (topologies with IPv6 are refused)' };
const UNSUPPORTED: ExclusionRule = { name: 'unsupported', why: 'the evaluator crossed a construct it marks unsupported (any verdict built on it is unknown)' };
const RULES = [IPV6, UNSUPPORTED];

const TOPOLOGIES = ['seed.yaml', 'seed-vlan.yaml'] as const;
const BACKENDS = ['nft', 'legacy'] as const satisfies readonly IptablesBackend[];
/** First packets per router (each on both backends; replies besides). */
const PER_ROUTER = 90;
const SEED = oracleSeed(20240503);

/** What the L3 agent sets in every router namespace (neutron/agent/l3/namespaces.py, ip_lib.py). */
const L3_AGENT_SYSCTLS = ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2', 'net.ipv4.conf.all.promote_secondaries=1'];
/** The kernel defaults netproof assumes for what the agent leaves alone. */
const KERNEL_DEFAULTS = ['net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0', 'net.ipv4.conf.all.accept_local=0', 'net.ipv4.conf.all.route_localnet=0'];

const totals = new Map<IptablesBackend, Tally>(BACKENDS.map((b) => [b, new Tally(`router namespaces (iptables-${b}), all shipped topologies`, RULES)]));

interface Rig { readonly host: string; readonly ns: Namespace; readonly real: Map<IptablesBackend, Netns>; readonly peers: Map<string, string> }

/** What the real namespace did with one frame. */
interface Observed { readonly copies: string[]; readonly arpRequests: string[]; readonly arpReplies: string[]; readonly delivered: number }

describeOracle('oracle: real router namespaces against the evaluator', ['ip', 'iptables', 'python3'], () => {
  for (const file of TOPOLOGIES) {
    describe(file, () => {
      const loaded = loadModel(join(repoRoot, 'topologies', file));
      if (!loaded.ok) throw new Error(`${file}: ${loaded.errors.map(formatInputError).join('\n')}`);
      const model = loaded.value;
      const universe = universeOf(model.dataplane);
      const tallies = new Map<IptablesBackend, Tally>(BACKENDS.map((b) => [b, new Tally(`router namespaces (iptables-${b}) of ${file} (seed ${SEED})`, RULES)]));
      const made: Netns[] = [];
      let io: PacketIo | null = null;

      beforeAll(async () => {
        io = await startPacketIo();
        const capture = await createNamespace('nprtc');
        made.push(capture);
        await quietIpv6(capture);
        const rigs: Rig[] = [];
        const whose = new Map<string, { backend: IptablesBackend; iface: string }>();
        let n = 0;
        for (const [host, files] of byHost(model.artifacts)) {
          for (const ns of model.dataplane.hosts.find((h) => h.name === host)?.namespaces ?? []) {
            if (!ns.name.startsWith('qrouter-')) continue;
            const rig: Rig = { host, ns, real: new Map(), peers: new Map() };
            const neighbours = neighbourMap(model.dataplane, ns);
            for (const backend of BACKENDS) {
              const real = await createNamespace('nprt');
              made.push(real);
              await quietIpv6(real);
              await sysctls(real, [...L3_AGENT_SYSCTLS, ...KERNEL_DEFAULTS]);
              rig.real.set(backend, real);
              const lines: string[] = [];
              const up: string[] = [];
              const ifaces = ns.interfaces.filter((i) => i.name !== 'lo');
              for (const i of ifaces) {
                const peer = `r${n++}`;
                lines.push(...vethLines(i.name, capture, peer, { a: i.mac }));
                up.push(`link set ${peer} up`);
                whose.set(peer, { backend, iface: i.name });
                rig.peers.set(`${backend}/${i.name}`, peer);
                for (const a of i.addresses) lines.push(`addr add ${a.ip}/${a.prefixLen} brd + dev ${i.name}`);
              }
              for (const r of ns.routes) {
                lines.push(`route replace ${r.dst.prefixLen === 0 ? 'default' : `${r.dst.ip}/${r.dst.prefixLen}`}${r.via ? ` via ${r.via}` : ''} dev ${r.dev}${r.src ? ` src ${r.src}` : ''}`);
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
              await real.iptablesRestore(files.get(`${ns.name}.iptables-save`)?.text ?? '', backend);
            }
            rigs.push(rig);
          }
        }
        await io.listen(capture.name, [...whose.keys()]);

        const rng = new Rng(SEED ^ [...file].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 0));
        const marker = markerMaker();
        for (const rig of rigs) {
          const probe = namespaceProbe(neighbourMap(model.dataplane, rig.ns));
          const ifaces = rig.ns.interfaces.filter((i) => i.name !== 'lo');
          for (let k = 0; k < PER_ROUTER; k++) {
            const inIface = rng.pick(ifaces);
            let packet: Packet = randomPacket(rng, universe, { vlan: 'none', tunnel: false });
            // Most frames are addressed to the interface, as a sender that resolved the router would.
            if (rng.chance(0.6)) packet = { ...packet, eth_dst: inIface.mac };
            const icmpRest = (0x2000 + k) * 0x10000 + 1;
            for (const backend of BACKENDS) {
              const tally = tallies.get(backend)!;
              const real = rig.real.get(backend)!;
              if (packet.eth_type === ETH_TYPE.ipv6) { tally.exclude(IPV6); continue; }
              const once = async (p: Packet, iface: string, opts: Omit<FrameOptions, 'marker'>): Promise<{ r: NamespaceResult; diff: string[] }> => {
                const m = marker();
                const before = (await io!.counters(real.name))['Ip.InDelivers'] ?? 0;
                const seen = await io!.send(capture.name, rig.peers.get(`${backend}/${iface}`)!, encodeFrame(p, { ...opts, marker: m }));
                const after = (await io!.counters(real.name))['Ip.InDelivers'] ?? 0;
                // Whatever the kernel learned or started to resolve must not reach the next packet.
                await runOk('ip', ['-n', real.name, 'neigh', 'flush', 'all']);
                const obs = observe(seen, m, p, after - before, (peer) => whose.get(peer)?.iface ?? `?${peer}`);
                const r = probe.run(rig.host, rig.ns, iface, p);
                return { r, diff: r.uncertain.length > 0 ? ['unsupported'] : compare(r, p, iface, obs) };
              };
              probe.fresh();
              await io.flushConntrack(real.name);
              const first = await once(packet, inIface.name, { icmpRest });
              if (first.diff[0] === 'unsupported') { tally.exclude(UNSUPPORTED); continue; }
              if (first.diff.length > 0) { tally.disagree(`${rig.host}/${rig.ns.name} in ${inIface.name} (first packet): ${packetKey(inIface.name, packet)}\n    ${first.diff.join('\n    ')}`); continue; }
              tally.agreeOne();
              const out = first.r.copies[0];
              if (out?.kind !== 'emit' || packet.eth_type !== ETH_TYPE.ipv4) continue;
              const reply = replyTo(out.packet);
              const tcp = packet.proto === IP_PROTO.tcp ? { tcpFlags: 0x12, tcpSeq: 0x7000, tcpAck: 0x1000 + 1 + 8 } : {};
              const second = await once(reply, out.port, { icmpRest, ...tcp });
              if (second.diff[0] === 'unsupported') tally.exclude(UNSUPPORTED);
              else if (second.diff.length > 0) tally.disagree(`${rig.host}/${rig.ns.name} in ${out.port} (reply): ${packetKey(out.port, reply)}\n    ${second.diff.join('\n    ')}`);
              else tally.agreeOne();
            }
          }
        }
        for (const b of BACKENDS) totals.get(b)!.add(tallies.get(b)!);
      });
      afterAll(async () => {
        await io?.close();
        for (const ns of made.splice(0)) await ns.delete();
      });

      for (const backend of BACKENDS) {
        it(`iptables-${backend}: every copy, ARP request and local delivery is the evaluator's`, () => {
          const t = tallies.get(backend)!;
          console.info(t.summary());
          expect(t.disagreements.slice(0, 15), t.disagreements.slice(0, 15).join('\n')).toEqual([]);
        });
      }
    });
  }

  for (const backend of BACKENDS) {
    it(`iptables-${backend}: tried at least 300 packets in all`, () => {
      const t = totals.get(backend)!;
      console.info(t.summary());
      expect(t.tried).toBeGreaterThanOrEqual(300);
      expect(t.agree).toBeGreaterThanOrEqual(t.tried * 0.8);
    });
  }
});

/** The real namespace's answer to one frame, from what came out on the capture side. */
function observe(seen: readonly SeenFrame[], marker: string, sent: Packet, delivered: number, ifaceOf: (peer: string) => string): Observed {
  const copies: string[] = [];
  const arpRequests: string[] = [];
  const arpReplies: string[] = [];
  for (const s of seen) {
    const f = decodeFrame(s.frame);
    const iface = ifaceOf(s.iface);
    if (f.marker === marker) copies.push(frameKey(iface, f));
    else if (f.ethType === ETH_TYPE.arp && f.proto === 1) arpRequests.push(`${iface} who-has ${f.ipDst}`);
    else if (f.ethType === ETH_TYPE.arp && f.proto === 2 && sent.eth_type === ETH_TYPE.arp && f.ipDst === sent.ip_src && f.ipSrc === sent.ip_dst) arpReplies.push(`${iface} ${f.ipSrc} is-at ${f.arpSha}`);
  }
  return { copies, arpRequests, arpReplies, delivered };
}

/** The evaluator's result held against what the real namespace did. */
function compare(r: NamespaceResult, sent: Packet, inIface: string, o: Observed): string[] {
  const c = r.copies[0];
  const want: Observed = { copies: [], arpRequests: [], arpReplies: [], delivered: 0 };
  if (c?.kind === 'emit') want.copies.push(packetKey(c.port, c.packet));
  else if (c?.disposition === 'delivered' && c.arpOwner !== null) want.arpReplies.push(`${inIface} ${sent.ip_dst} is-at ${c.arpOwner}`);
  else if (c?.disposition === 'delivered' && sent.eth_type === ETH_TYPE.ipv4) (want as { delivered: number }).delivered = 1;
  else if (c?.disposition === 'no-arp') {
    const arp = r.events.find((e) => e.kind === 'arp' && e.mac === null);
    const route = r.events.find((e) => e.kind === 'route');
    if (arp?.kind === 'arp' && route?.kind === 'route') want.arpRequests.push(`${route.route.dev} who-has ${arp.ip}`);
  }
  const d = [
    ...diffKeys(want.copies, o.copies),
    ...diffKeys(want.arpRequests, o.arpRequests).map((x) => x.replace('real only', 'real ARP request only').replace('evaluator only', 'evaluator ARP request only')),
    ...diffKeys(want.arpReplies, o.arpReplies).map((x) => x.replace('real only', 'real ARP reply only').replace('evaluator only', 'evaluator ARP reply only')),
  ];
  if ((o.delivered > 0) !== (want.delivered > 0)) d.push(`local delivery: real ${o.delivered > 0 ? 'yes' : 'no'} (InDelivers +${o.delivered}), evaluator ${want.delivered > 0 ? 'yes' : 'no'}`);
  if (d.length === 0) return [];
  return [...d, `evaluator: ${c?.kind === 'end' ? `${c.disposition}${c.drop ? ` (${c.drop.rule})` : ''}` : 'emit'} | ${r.steps.map((s) => `${s.where}: ${s.action}`).join(' | ')}`];
}
