// Real Open vSwitch as the oracle of the evaluator, bridge by bridge: every OVS bridge of every host of
// the shipped topologies, the seed with the ARP responder on and under the noop firewall driver (VM taps
// on br-int), and random topologies from the generator
// (netproof/testing) is loaded into a userspace OVS as rendered (ports with their OpenFlow
// numbers, flows, the evaluator's converged MAC tables and learned flows), its patch ports cut so a
// trace stays on one bridge, and random packets (see random-packet.ts) entering random ports — plus,
// for every flow, a packet built from the flow's own match and those of the flows leading to its table
// (match-packet.ts) — are traced with `ofproto/trace` over one kept-open control connection. The copies OVS emits — port,
// VLAN, tunnel key, rewritten Ethernet and ARP fields — must be exactly the evaluator's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOracle } from './prereq.ts';
import type { OvsInstance } from './ovs-harness.ts';
import type { Unixctl } from './unixctl.ts';
import type { DatapathPort } from './dpif-show.ts';
import { byHost, startRenderedHost } from './rendered-host.ts';
import { preloadFdb, preloadLearnedFlows } from './converged-preload.ts';
import { cutPatchPorts } from './bridge-hops.ts';
import { parseOfprotoTrace } from './ofproto-trace.ts';
import { bridgeTraceFlow, diffCopies, evaluatorCopies, ovsCopies } from './ovs-compare.ts';
import { oracleSeed, randomPacket } from './random-packet.ts';
import { generatedSubjects, ovsUnfit, rngFor, seedWithArpResponder, seedWithNoopFirewall, shippedSubject, type OracleSubject } from './subjects.ts';
import { aimedMatch, packetFromMatch } from './match-packet.ts';
import { portName } from '../../src/semantics/ovs-bridge.ts';
import { deviceName } from '../../src/render/names.ts';
import { Tally, type ExclusionRule } from './tally.ts';
import { bridgeProbe } from './evaluator-probe.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { ETH_TYPE, type Packet } from '../../src/ir/packet.ts';
import type { OvsBridge } from '../../src/ir/openflow.ts';

const IPV6: ExclusionRule = { name: 'ipv6', why: 'IPv6 frames: netproof does not model IPv6 (topologies with IPv6 are refused)' };
const UNSUPPORTED: ExclusionRule = { name: 'unsupported', why: 'the evaluator crossed a construct it marks unsupported (any verdict built on it is unknown)' };
const UNBUILDABLE: ExclusionRule = { name: 'unbuildable', why: 'a flow whose match no modelled packet meets (IPv6 neighbour discovery, fields not modelled, tun_id off a tunnel port): no packet built from it' };
const RULES = [IPV6, UNSUPPORTED, UNBUILDABLE];

/** Random packets per bridge (besides one per flow): ~1,200 over the subjects' bridges. */
const PER_BRIDGE = 30;
const SEED = oracleSeed(20240501);
/** Random topologies from the generator, with at most this many hosts each (to keep the run short). */
const GENERATED = 2;

const generated = generatedSubjects(SEED, GENERATED, { maxHosts: 2, maxVms: 4 }, ovsUnfit);
const SUBJECTS: readonly (() => OracleSubject)[] = [
  ...(['seed.yaml', 'seed-vlan.yaml', 'provider.yaml'] as const).map((f) => () => shippedSubject(f)),
  seedWithArpResponder,
  seedWithNoopFirewall,
  ...generated.subjects.map((g) => () => g),
];

const total = new Tally('OVS bridges, all subjects', RULES);

interface Case { readonly bridge: OvsBridge; readonly inPort: DatapathPort; readonly packet: Packet; readonly flow: string }

describeOracle('oracle: real OVS bridge by bridge against the evaluator, on random packets', ['ovs'], () => {
  for (const make of SUBJECTS) {
    const { name: file, model, universe } = make();
    describe(file, () => {
      const ev = createEvaluator(model.dataplane);
      const probe = bridgeProbe(ev.converged);
      const tally = new Tally(`OVS bridges of ${file} (seed ${SEED})`, RULES);
      const instances: { ovs: OvsInstance; control: Unixctl }[] = [];
      let fromMatches = 0;
      let answeredHere = 0;
      let tapsEntered = 0;
      const vmTaps = new Set(model.topology.vms.flatMap((vm) => vm.ports.map((p) => deviceName.tap(p.id))));
      const flows = model.dataplane.hosts.reduce((a, h) => a + h.ovsBridges.reduce((b, br) => b + br.flows.length, 0), 0);

      beforeAll(async () => {
        const hosts = [...byHost(model.artifacts)].filter(([, files]) => files.has('ovs-vsctl-show'));
        await Promise.all(hosts.map(async ([host, files]) => {
          // A generator per host: the hosts are set up concurrently, and one shared generator drew in the order
          // their set-ups happened to finish, so the packets (and the suite's counts) changed from run to run.
          const rng = rngFor(SEED, `${file}/${host}`);
          const { ovs } = await startRenderedHost(host, files);
          const control = await ovs.control();
          instances.push({ ovs, control });
          const hostDp = model.dataplane.hosts.find((h) => h.name === host);
          if (!hostDp) throw new Error(`${file}: no dataplane for ${host}`);
          await preloadLearnedFlows(ovs, host, ev.converged);
          const ports = await cutPatchPorts(ovs);
          await preloadFdb(ovs, host, ev.converged, hostDp.ovsBridges.map((b) => b.name));
          const cases: Case[] = [];
          let unbuilt = 0;
          for (const bridge of hostDp.ovsBridges) {
            const dpPorts = ports.filter((p) => p.bridge === bridge.name);
            for (let i = 0; i < PER_BRIDGE; i++) {
              const inPort = rng.pick(dpPorts);
              const irPort = bridge.ports.find((p) => p.name === inPort.name);
              const tunnel = irPort !== undefined && (irPort.type === 'vxlan' || irPort.type === 'gre' || irPort.type === 'geneve');
              const packet = randomPacket(rng, universe, { vlan: 'any', tunnel });
              cases.push({ bridge, inPort, packet, flow: bridgeTraceFlow(inPort, packet) });
            }
            // One packet per flow, built from its match, entering the port it names (else a random one).
            for (const f of bridge.flows) {
              const m = aimedMatch(rng, bridge.flows, f);
              const named = m.in_port === undefined ? null : portName(bridge, m.in_port);
              const inPort = named === null ? rng.pick(dpPorts) : dpPorts.find((p) => p.name === named);
              const irPort = inPort && bridge.ports.find((p) => p.name === inPort.name);
              const tunnel = irPort !== undefined && (irPort.type === 'vxlan' || irPort.type === 'gre' || irPort.type === 'geneve');
              const built = inPort === undefined ? { skip: `in_port ${named} not on the bridge` } : packetFromMatch(rng, universe, m, tunnel);
              if ('skip' in built || inPort === undefined) { unbuilt++; continue; }
              cases.push({ bridge, inPort, packet: built.packet, flow: bridgeTraceFlow(inPort, built.packet) });
              fromMatches++;
            }
          }
          for (let i = 0; i < unbuilt; i++) tally.exclude(UNBUILDABLE);
          const texts = await Promise.all(cases.map((c) => control.call('ofproto/trace', [c.bridge.name, c.flow])));
          cases.forEach((c, i) => {
            if (c.packet.eth_type === ETH_TYPE.ipv6) { tally.exclude(IPV6); return; }
            const r = probe(host, c.bridge, c.inPort.name, c.packet);
            if (r.uncertain.length > 0) { tally.exclude(UNSUPPORTED); return; }
            const t = parseOfprotoTrace(texts[i] ?? '');
            const o = ovsCopies(t, c.packet, ports);
            const d = [...o.unread.map((u) => `datapath action not interpreted: ${u}`), ...diffCopies(evaluatorCopies(r, c.bridge.ports), o.copies)];
            if (d.length === 0) {
              tally.agreeOne();
              if (c.bridge.name === 'br-int' && vmTaps.has(c.inPort.name)) tapsEntered++;
              // An ARP request the bridge itself turned into a reply (the br-tun ARP responder's load/move actions).
              if (c.packet.eth_type === ETH_TYPE.arp && c.packet.proto === 1 && r.copies.some((x) => x.kind === 'emit' && x.packet.proto === 2)) answeredHere++;
            }
            else tally.disagree(`${host}/${c.bridge.name} ${c.flow}\n    ${d.join('\n    ')}\n    evaluator: ${r.steps.map((s) => `${s.where}: ${s.action}`).join(' | ')}\n    OVS: ${t.datapathActions}`);
          });
        }));
        total.add(tally);
      });
      afterAll(async () => {
        for (const { ovs, control } of instances) {
          control.close();
          await ovs.stop();
        }
      });

      it('every copy OVS emits is one the evaluator emits, and the other way round', () => {
        console.info(`${tally.summary()}\n  of which built from the flows' own matches: ${fromMatches} of ${flows} flows; ARP requests answered by the bridge itself, alike: ${answeredHere}; entering br-int by a VM's tap (noop firewall driver), alike: ${tapsEntered}`);
        // With the responder on, its answers are among what is compared.
        if (model.topology.arpResponder && model.topology.l2Population) expect(answeredHere).toBeGreaterThan(0);
        // With the noop firewall driver the VMs' taps are br-int ports, and packets entered by them are among those compared.
        if (model.topology.firewallDriver === 'noop' && model.topology.vms.length > 0) expect(tapsEntered).toBeGreaterThan(0);
        expect(tally.tried).toBe(PER_BRIDGE * model.dataplane.hosts.reduce((a, h) => a + h.ovsBridges.length, 0) + flows);
        expect(tally.disagreements.slice(0, 20), tally.disagreements.slice(0, 20).join('\n')).toEqual([]);
      });
    });
  }

  it('tried at least 1,000 packets in all, and compared most of them, on generated topologies too', () => {
    total.recordTotals('OVS bridges');
    console.info(`${total.summary()}\n  subjects: ${SUBJECTS.length} (${generated.subjects.length} generated; passed over: ${generated.passedOver.join('; ') || 'none'})`);
    expect(total.tried).toBeGreaterThanOrEqual(1000);
    expect(total.agree).toBeGreaterThanOrEqual(total.tried * 0.8);
    expect(SUBJECTS.length).toBe(5 + GENERATED);
  });
});
