// Evaluate ≡ encode, device by device, on the packets the real-dataplane oracles send (test/oracle/
// random-packet.ts): reserved and zero MACs, VLAN 0/4095/random, martian addresses, ARP of every
// kind, other ethertypes. The oracles hold the evaluator to the kernel and Open vSwitch on these; this
// holds the solver's device models to the evaluator on the same packets, with the packet concrete (so
// every branch folds), on every OVS bridge, Linux bridge and namespace of the shipped topologies.
// Needs no root: no real dataplane is involved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import type { Ctx } from '../../src/smt/z3.ts';
import { SymWalker } from '../../src/smt/walk.ts';
import { concretePacket, numToIp, numToMac } from '../../src/smt/headers.ts';
import { symRunBridge } from '../../src/smt/openflow.ts';
import { symNamespace } from '../../src/smt/namespace.ts';
import { pathCond, type Step } from '../../src/smt/path.ts';
import type { Cond, Val } from '../../src/smt/cond.ts';
import { checkSat } from '../../src/smt/solve.ts';
import type { SymPacket } from '../../src/smt/headers.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import type { OutCopy } from '../../src/evaluate/device.ts';
import { flowTables } from '../../src/semantics/ovs-bridge.ts';
import { runNamespace } from '../../src/evaluate/namespace.ts';
import { loadModel } from '../../src/pipeline.ts';
import type { Packet } from '../../src/ir/packet.ts';
import { ETH_TYPE } from '../../src/ir/packet.ts';
import { Rng, randomPacket } from '../oracle/random-packet.ts';
import { universeOf } from '../oracle/universe.ts';
import { bridgeProbe, conntrackSession, linuxBridgeProbe } from '../oracle/evaluator-probe.ts';
import { repoRoot } from '../fixtures/samples.ts';

let ctx: Ctx;
beforeAll(async () => { ctx = await getZ3(); });
afterAll(async () => { await shutdownZ3(); });

const TOPOLOGIES = ['seed.yaml', 'seed-vlan.yaml', 'provider.yaml'] as const;
const PER_DEVICE = 40;
const ANY_MAC = 0xfa163e0000ff;

/** A copy as both sides can tell it: where it goes (or how it ends) and the headers then. */
function fromSym(s: Step): string | null {
  const num = (v: Val) => {
    if (typeof v !== 'number') throw new Error(`a header did not fold: ${String(v)}`);
    return v;
  };
  const h = (p: SymPacket) => `${numToMac(num(p.eth_src))}>${numToMac(num(p.eth_dst))} vlan=${p.vlan === null ? '-' : num(p.vlan)} ${numToIp(num(p.ip_src))}>${numToIp(num(p.ip_dst))} proto=${num(p.proto)}`;
  if (s.kind === 'emit') return `emit ${s.port} ${h(s.path.packet)}`;
  if (s.kind === 'end') return s.disposition === 'delivered' ? `delivered ${s.arpOwner === null ? '' : `arp=${numToMac(num(s.arpOwner))}`}` : s.disposition;
  return null;
}

function fromCopy(c: OutCopy): string {
  // A bridge that is not learning lists a flood copy by copy.
  if (c.kind === 'flood') throw new Error(`a whole flood out of ${c.bridge.name}, which was not learning`);
  const p = c.packet;
  const h = `${p.eth_src}>${p.eth_dst} vlan=${p.vlan ?? '-'} ${p.ip_src}>${p.ip_dst} proto=${p.proto}`;
  if (c.kind === 'emit') return `emit ${c.port} ${h}`;
  return c.disposition === 'delivered' ? `delivered ${c.arpOwner === null ? '' : `arp=${c.arpOwner}`}` : c.disposition;
}

/** The solver's steps for a concrete packet, each kept only when its path condition folds to true. */
function symKeys(steps: readonly Step[], e: SymWalker['e']): string[] {
  const out: string[] = [];
  for (const s of steps) {
    if (s.kind === 'unknown') { out.push('unknown'); continue; }
    const c = pathCond(e, s.path);
    if (c === false) continue;
    if (c !== true) throw new Error(`a path condition did not fold: ${String(c)}`);
    const k = fromSym(s);
    if (k !== null) out.push(k);
  }
  return uniq(out);
}

/** The condition holds when the random draws take their replayed values, and only then (throws if it depends on anything else). */
async function decidedByDraw(e: SymWalker['e'], cond: Cond): Promise<boolean> {
  const drawn = e.choicesAsReplayed();
  const yes = await checkSat(ctx, e, e.and(drawn, cond), 5_000);
  const no = await checkSat(ctx, e, e.and(drawn, e.not(cond)), 5_000);
  if (yes.status === 'sat' && no.status === 'sat') throw new Error(`a path condition did not fold: ${String(cond)}`);
  return yes.status === 'sat';
}

/** Sorted, each once: how many drop ends a side lists for one packet tells nothing. */
const uniq = (xs: readonly string[]) => [...new Set(xs)].sort();

for (const file of TOPOLOGIES) {
  describe(`${file}: the solver's device models end as the evaluator's on edge-case packets`, () => {
    const loaded = loadModel(join(repoRoot, 'topologies', file));
    if (!loaded.ok) throw new Error(`${file} does not load`);
    const dp = loaded.value.dataplane;
    const ev = createEvaluator(dp);
    const universe = universeOf(dp);
    const rng = new Rng(0x5eed ^ file.length);

    it(`every OVS bridge, ${PER_DEVICE} packets per bridge`, () => {
      const w = new SymWalker(ctx, dp, { converged: ev.converged });
      const probe = bridgeProbe(ev.converged);
      const bad: string[] = [];
      let n = 0;
      for (const h of dp.hosts) for (const br of h.ovsBridges) {
        for (let i = 0; i < PER_DEVICE; i++) {
          const port = rng.pick(br.ports);
          const tunnel = port.type === 'vxlan' || port.type === 'gre' || port.type === 'geneve';
          const p: Packet = randomPacket(rng, universe, { vlan: 'any', tunnel });
          if (p.eth_type === ETH_TYPE.ipv6) continue;
          const r = probe(h.name, br, port.name, p);
          if (r.uncertain.length > 0) continue;
          const mine = uniq(r.copies.map(fromCopy));
          const sym = symKeys(symRunBridge(w.e, { host: h.name, bridge: br, tables: flowTables([...br.flows, ...ev.converged.learnedFlows.filter((l) => l.host === h.name && l.bridge === br.name).map((l) => l.flow)]), fdb: w.fdbOf(h.name, br.name) }, port.name, { pc: [], packet: concretePacket(p) }), w.e);
          n++;
          if (mine.join('\n') !== sym.join('\n')) bad.push(`${h.name}/${br.name} in ${port.name}: ${JSON.stringify(p)}\n  evaluator: ${mine.join(' | ')}\n  solver:    ${sym.join(' | ')}`);
        }
      }
      expect(bad.slice(0, 10), bad.slice(0, 10).join('\n')).toEqual([]);
      expect(n).toBeGreaterThan(PER_DEVICE * 3);
    });

    it(`every Linux bridge, ${PER_DEVICE} packets per bridge`, () => {
      const w = new SymWalker(ctx, dp, { converged: ev.converged });
      const probe = linuxBridgeProbe(dp, ev.converged);
      const bad: string[] = [];
      let n = 0;
      for (const h of dp.hosts) for (const br of h.linuxBridges) {
        for (let i = 0; i < PER_DEVICE; i++) {
          const port = rng.pick(br.ports);
          const p: Packet = randomPacket(rng, universe, { vlan: 'any', tunnel: false });
          if (p.eth_type === ETH_TYPE.ipv6) continue;
          probe.fresh();
          const r = probe.run(h.name, br, port, p);
          if (r.uncertain.length > 0) continue;
          const mine = uniq(r.copies.map(fromCopy));
          const steps = w.deviceSteps({ host: h.name, device: br.name, port }, { pc: [], packet: concretePacket(p) });
          const sym = symKeys(steps ?? [], w.e);
          n++;
          if (mine.join('\n') !== sym.join('\n')) bad.push(`${h.name}/${br.name} in ${port}: ${JSON.stringify(p)}\n  evaluator: ${mine.join(' | ')}\n  solver:    ${sym.join(' | ')}`);
        }
      }
      expect(bad.slice(0, 10), bad.slice(0, 10).join('\n')).toEqual([]);
      if (dp.hosts.some((h) => h.linuxBridges.length > 0)) expect(n).toBeGreaterThan(PER_DEVICE);
    });

    it(`every namespace, ${PER_DEVICE * 3} packets per namespace (up to the routing decision)`, async () => {
      const w = new SymWalker(ctx, dp, { converged: ev.converged });
      const bad: string[] = [];
      let n = 0;
      for (const h of dp.hosts) for (const ns of h.namespaces) {
        const ifaces = ns.interfaces.filter((i) => i.name !== 'lo');
        if (ifaces.length === 0) continue;
        for (let i = 0; i < PER_DEVICE * 3; i++) {
          const iface = rng.pick(ifaces);
          let p: Packet = randomPacket(rng, universe, { vlan: 'none', tunnel: false });
          if (rng.chance(0.6)) p = { ...p, eth_dst: iface.mac };
          if (p.eth_type === ETH_TYPE.ipv6) continue;
          const { nf } = conntrackSession();
          // Every next hop answers (the solver's routed copies are compared before ARP).
          const r = runNamespace({ host: h.name, nf, resolveArp: () => ({ mac: numToMac(ANY_MAC), note: null }) }, ns, iface.name, p);
          if (r.uncertain.length > 0) continue;
          const c = r.copies[0]!;
          const mine = c.kind === 'emit' ? [`route ${c.port} ${c.packet.ip_src}>${c.packet.ip_dst} proto=${c.packet.proto}`] : [fromCopy(c)];
          const steps = symNamespace(w, h.name, ns, iface.name, { pc: [], packet: concretePacket(p) });
          const sym: string[] = [];
          for (const s of steps) {
            if (s.kind === 'route') {
              const cond = pathCond(w.e, s.path);
              if (cond === false) continue;
              // Only a --random-fully draw may stay open: it must be decided by the evaluator's representative draw.
              if (cond !== true && !(await decidedByDraw(w.e, cond))) continue;
              const q = s.path.packet;
              const num = (v: Val) => (typeof v === 'number' ? v : NaN);
              sym.push(`route ${s.oif.name} ${numToIp(num(q.ip_src))}>${numToIp(num(q.ip_dst))} proto=${num(q.proto)}`);
            } else sym.push(...symKeys([s], w.e));
          }
          n++;
          if (mine.join('\n') !== uniq(sym).join('\n')) bad.push(`${h.name}/${ns.name} in ${iface.name}: ${JSON.stringify(p)}\n  evaluator: ${mine.join(' | ')} (${r.steps.map((s) => s.action).join(', ')})\n  solver:    ${sym.join(' | ')}`);
        }
      }
      expect(bad.slice(0, 10), bad.slice(0, 10).join('\n')).toEqual([]);
      expect(n).toBeGreaterThan(PER_DEVICE);
    });
  });
}
