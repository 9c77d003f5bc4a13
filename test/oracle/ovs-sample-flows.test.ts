// Every real capture of OpenFlow flows among the Neutron samples (test/fixtures/neutron-samples), loaded
// into a real userspace Open vSwitch and held against the evaluator: for each flow, a packet built
// from its own match and those of the flows leading to its table (match-packet.ts), plus a few random
// ones, is traced with `ofproto/trace` and run through the evaluator's model of the same bridge, parsed
// from the same text by netproof's own parser. The copies that leave — port, VLAN, tunnel key, Ethernet
// and ARP fields — must be the same on both sides.
// The bridge is built from what the flows name: every port they refer to by name or by number, as a
// plain port (a patch port of the capture's host is cut, so a trace stays on this bridge), a VXLAN or
// GRE port when its name says so (`vxlan-0a780066` → remote 10.120.0.102), and the bridge's own LOCAL
// port. Nothing is learned (NORMAL floods; learn actions are ignored by ofproto/trace and not run).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOracle } from './prereq.ts';
import { startOvs, type OvsInstance, type OvsPortSpec } from './ovs-harness.ts';
import type { Unixctl } from './unixctl.ts';
import type { DatapathPort } from './dpif-show.ts';
import { readdirSync } from 'node:fs';
import { readSample, SAMPLES_DIR } from '../fixtures/samples.ts';
import { dumpFlowsToAddFlows } from './flow-text.ts';
import { parseDumpFlows } from '../../src/parse/ofctl-flows.ts';
import type { Flow, OvsBridge, OvsPort, PortRef } from '../../src/ir/openflow.ts';
import { ETH_TYPE } from '../../src/ir/packet.ts';
import { LearningState } from '../../src/evaluate/state.ts';
import { runBridge } from '../../src/evaluate/openflow.ts';
import { flowTables, portName } from '../../src/semantics/ovs-bridge.ts';
import { parseOfprotoTrace } from './ofproto-trace.ts';
import { bridgeTraceFlow, diffCopies, evaluatorCopies, ovsCopies } from './ovs-compare.ts';
import { aimedMatch, packetFromMatch } from './match-packet.ts';
import { oracleSeed, randomPacket, type Universe } from './random-packet.ts';
import { rngFor } from './subjects.ts';
import { Tally, type ExclusionRule } from './tally.ts';
import { formatIpv4 } from '../../src/net/ipv4.ts';

const IPV6: ExclusionRule = { name: 'ipv6', why: 'IPv6 frames: netproof does not model IPv6' };
const UNSUPPORTED: ExclusionRule = { name: 'unsupported', why: 'the evaluator crossed a construct it marks unsupported (conntrack, conjunction … of the native OVS firewall): any verdict built on it is unknown' };
const UNBUILDABLE: ExclusionRule = { name: 'unbuildable', why: 'a flow whose match no modelled packet meets (IPv6 fields, conntrack state, tun_id off a tunnel port): no packet built from it' };
const RULES = [IPV6, UNSUPPORTED, UNBUILDABLE];
const SEED = oracleSeed(20250101);
/** Random packets per sample besides one per flow. */
const RANDOM_PER_SAMPLE = 10;
const BRIDGE = 'br-sample';

/** The samples holding flows: every `dump-flows` capture. */
const SAMPLES = readdirSync(SAMPLES_DIR).filter((f) => f.includes('dump-flows')).sort();

const total = new Tally('captured Neutron flows in real OVS', RULES);

/** `vxlan-0a780066` → 10.120.0.102 (Neutron's tunnel port names are the remote IP in hex). */
function tunnelOf(name: string): { type: 'vxlan' | 'gre'; remoteIp: string } | null {
  const m = /^(vxlan|gre)-([0-9a-f]{8})$/.exec(name);
  return m ? { type: m[1] as 'vxlan' | 'gre', remoteIp: formatIpv4(Number.parseInt(m[2]!, 16)) } : null;
}

/** The ports a capture's flows refer to, numbered: named ones keep no number of their own, so they get the free ones. */
function portsOf(flows: readonly Flow[]): OvsPort[] {
  const names = new Set<string>();
  const numbers = new Set<number>();
  const see = (p: PortRef | null | undefined) => {
    if (!p) return;
    if (p.kind === 'name') { if (p.name !== 'LOCAL') names.add(p.name); } else numbers.add(p.ofport);
  };
  for (const f of flows) {
    see(f.match.in_port);
    for (const a of f.actions) if (a.kind === 'output' || a.kind === 'resubmit') see(a.port);
  }
  let next = 1;
  const free = () => { while (numbers.has(next)) next++; numbers.add(next); return next; };
  const byNumber = [...numbers].sort((a, b) => a - b).map((n): OvsPort => ({ name: `p${n}`, ofport: n, type: 'system', tag: null, peer: null, remoteIp: null, localIp: null }));
  const byName = [...names].sort().map((name): OvsPort => {
    const t = tunnelOf(name);
    return { name, ofport: free(), type: t?.type ?? 'system', tag: null, peer: null, remoteIp: t?.remoteIp ?? null, localIp: t ? '192.0.2.1' : null };
  });
  return [...byNumber, ...byName, { name: BRIDGE, ofport: null, type: 'internal', tag: null, peer: null, remoteIp: null, localIp: null }];
}

function specOf(p: OvsPort): OvsPortSpec | null {
  if (p.name === BRIDGE) return null;
  const common = { name: p.name, ...(p.ofport !== null ? { ofport: p.ofport } : {}) };
  if ((p.type === 'vxlan' || p.type === 'gre') && p.remoteIp) {
    return { ...common, kind: 'tunnel', type: p.type, remoteIp: p.remoteIp, localIp: p.localIp ?? '192.0.2.1', options: { in_key: 'flow', out_key: 'flow', df_default: 'true' } };
  }
  return { ...common, kind: 'system' };
}

/** The addresses, MACs, VLANs and keys the capture's flows name, for the random packets. */
function universeOfFlows(flows: readonly Flow[]): Universe {
  const macs = new Set<string>();
  const ips = new Set<string>();
  const vlans = new Set<number>();
  const tunIds = new Set<number>();
  for (const f of flows) {
    const m = f.match;
    if (m.dl_src?.mask === null) macs.add(m.dl_src.mac);
    if (m.dl_dst?.mask === null) macs.add(m.dl_dst.mac);
    for (const c of [m.nw_src, m.nw_dst, m.arp_spa, m.arp_tpa]) if (c) ips.add(c.ip);
    if (m.dl_vlan !== undefined) vlans.add(m.dl_vlan);
    if (m.tun_id) tunIds.add(m.tun_id.value);
    for (const a of f.actions) {
      if (a.kind === 'mod_vlan_vid' || a.kind === 'set_vlan_vid') vlans.add(a.vid);
      if (a.kind === 'set_tun_id') tunIds.add(a.value);
      if (a.kind === 'mod_dl_src' || a.kind === 'mod_dl_dst') macs.add(a.mac);
    }
  }
  return { macs: [...macs].sort(), ips: [...ips].sort(), vlans: [...vlans].sort((a, b) => a - b), tunIds: [...tunIds].sort((a, b) => a - b) };
}

describeOracle('oracle: every captured Neutron flow table in real OVS against the evaluator', ['ovs'], () => {
  it('finds the samples that hold flows', () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(20);
  });

  for (const file of SAMPLES) {
    describe(file, () => {
      const text = readSample(file);
      const parsed = parseDumpFlows(text, file);
      const flows = parsed.value;
      const bridge: OvsBridge = { kind: 'ovs-bridge', name: BRIDGE, ports: portsOf(flows), flows };
      const tally = new Tally(`${file} (seed ${SEED})`, RULES);
      let ovs: OvsInstance | undefined;
      let control: Unixctl | undefined;
      let fromMatches = 0;

      beforeAll(async () => {
        ovs = await startOvs();
        await ovs.addBridge(BRIDGE);
        await ovs.addPorts(BRIDGE, bridge.ports.map(specOf).filter((s): s is OvsPortSpec => s !== null));
        await ovs.setDpFeature(BRIDGE, 'tnl_push_pop', 'false');
        await ovs.addFlows(BRIDGE, dumpFlowsToAddFlows(text).join('\n'), { bundle: true });
        control = await ovs.control();
        const allPorts: DatapathPort[] = (await ovs.datapathPorts()).filter((p) => p.bridge === BRIDGE);
        // Packets enter by the ports the flows name, not by the bridge's own LOCAL port (NORMAL may flood to it).
        const dpPorts = allPorts.filter((p) => p.name !== BRIDGE);
        const rng = rngFor(SEED, file);
        const universe = universeOfFlows(flows);
        const isTunnel = (p: DatapathPort) => p.type === 'vxlan' || p.type === 'gre';
        const cases: { inPort: DatapathPort; packet: import('../../src/ir/packet.ts').Packet }[] = [];
        for (const f of flows) {
          const m = aimedMatch(rng, flows, f);
          const named = m.in_port === undefined ? null : portName(bridge, m.in_port);
          const inPort = named === null ? rng.pick(dpPorts) : dpPorts.find((p) => p.name === named);
          const built = inPort === undefined ? null : packetFromMatch(rng, universe, m, isTunnel(inPort));
          if (inPort === undefined || built === null || 'skip' in built) { tally.exclude(UNBUILDABLE); continue; }
          cases.push({ inPort, packet: built.packet });
          fromMatches++;
        }
        for (let i = 0; i < RANDOM_PER_SAMPLE; i++) {
          const inPort = rng.pick(dpPorts);
          cases.push({ inPort, packet: randomPacket(rng, universe, { vlan: 'any', tunnel: isTunnel(inPort) }) });
        }
        const state = new LearningState();
        const tables = flowTables(flows);
        const traces = await Promise.all(cases.map((c) => control!.call('ofproto/trace', [BRIDGE, bridgeTraceFlow(c.inPort, c.packet)])));
        cases.forEach((c, i) => {
          if (c.packet.eth_type === ETH_TYPE.ipv6) { tally.exclude(IPV6); return; }
          const r = runBridge({ host: 'sample', bridge, tables, state, learn: false }, c.inPort.name, c.packet);
          if (r.uncertain.length > 0) { tally.exclude(UNSUPPORTED); return; }
          const t = parseOfprotoTrace(traces[i] ?? '');
          const o = ovsCopies(t, c.packet, allPorts);
          const d = [...o.unread.map((u) => `datapath action not interpreted: ${u}`), ...diffCopies(evaluatorCopies(r, bridge.ports), o.copies)];
          if (d.length === 0) tally.agreeOne();
          else tally.disagree(`${file} ${bridgeTraceFlow(c.inPort, c.packet)}\n    ${d.join('\n    ')}\n    evaluator: ${r.steps.map((s) => `${s.where}: ${s.action}`).join(' | ')}\n    OVS: ${t.datapathActions}`);
        });
        total.add(tally);
      });
      afterAll(async () => {
        control?.close();
        await ovs?.stop();
      });

      it('real OVS takes every captured line, and emits exactly the copies the evaluator does', async () => {
        expect(await ovs!.dumpFlows(BRIDGE)).toHaveLength(dumpFlowsToAddFlows(text).length);
        console.info(`${tally.summary()}\n  built from the flows' own matches: ${fromMatches} of ${flows.length} flows`);
        expect(tally.tried).toBe(flows.length + RANDOM_PER_SAMPLE);
        expect(tally.disagreements.slice(0, 10), tally.disagreements.slice(0, 10).join('\n')).toEqual([]);
      });
    });
  }

  it('compared most packets, with no disagreement', () => {
    total.recordTotals('captured flow tables');
    console.info(total.summary());
    expect(total.disagreements).toEqual([]);
    expect(total.agree).toBeGreaterThanOrEqual(total.tried / 2);
  });
});
