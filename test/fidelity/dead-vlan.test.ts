// The dead-VLAN drop on br-int in the two forms real clouds carry (rules/ovs-agent/br-int.ts): from
// Stein to Xena the native driver wrote it without the 802.1Q-present bit (`vlan_tci=0x0fff/0x1fff`,
// which matches no frame), from Yoga as `dl_vlan=4095`; before Stein there is none. Each release
// renders its own form, and both engines evaluate both exactly as Open vSwitch does: the oracle half
// loads the two forms into a real switch and traces the same frames.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderOvsArtifacts } from '../../src/render/ovs/index.ts';
import { parseDumpFlows } from '../../src/parse/index.ts';
import { runBridge } from '../../src/evaluate/openflow.ts';
import { LearningState } from '../../src/evaluate/state.ts';
import { flowTables } from '../../src/semantics/ovs-bridge.ts';
import { getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import { Enc } from '../../src/smt/cond.ts';
import { concretePacket, symbolicPacket } from '../../src/smt/headers.ts';
import { symRunBridge } from '../../src/smt/openflow.ts';
import { pathCond } from '../../src/smt/path.ts';
import { checkSat } from '../../src/smt/solve.ts';
import type { OvsBridge } from '../../src/ir/openflow.ts';
import type { Packet } from '../../src/ir/packet.ts';
import { flows, load } from '../render-ovs/helpers.ts';
import { describeOracle } from '../oracle/prereq.ts';
import { startOvs, type OvsInstance } from '../oracle/ovs-harness.ts';
import { ofprotoFlow } from '../oracle/ofproto-flow.ts';
import { ipv4, port } from '../smt/build.ts';

afterAll(async () => { await shutdownZ3(); });

const seed = load('topologies/seed.yaml');
const deadVlan = (release: string) => flows(renderOvsArtifacts({ ...seed, release }), 'compute1', 'br-int').filter((l) => l.includes('priority=65535'));

describe('the dead-VLAN flow each release renders', () => {
  it('none before Stein; vlan_tci=0x0fff/0x1fff from Stein to Xena; dl_vlan=4095 from Yoga', () => {
    expect(deadVlan('rocky')).toEqual([]);
    for (const r of ['stein', 'train', 'wallaby', 'xena']) expect(deadVlan(r), r).toEqual(['priority=65535,vlan_tci=0x0fff/0x1fff actions=drop']);
    for (const r of ['yoga', '2023.1', '2024.1', '2024.2']) expect(deadVlan(r), r).toEqual(['priority=65535,dl_vlan=4095 actions=drop']);
  });
});

/** A bridge holding one form of the flow in table 0 and sending everything else to p2. */
function bridgeWith(form: string): OvsBridge {
  const parsed = parseDumpFlows(`table=0, priority=65535,${form} actions=drop\ntable=0, priority=0 actions=output:2\n`, 't');
  return { kind: 'ovs-bridge', name: 'br-int', ports: [port('p1', 1, null, 'system'), port('p2', 2, null, 'system')], flows: parsed.value };
}
const FORMS = { broken: 'vlan_tci=0x0fff/0x1fff', fixed: 'dl_vlan=4095' } as const;
const FRAMES: readonly { name: string; packet: Packet }[] = [
  { name: 'tagged 4095', packet: ipv4({ vlan: 4095 }) },
  { name: 'untagged', packet: ipv4({ vlan: null }) },
  { name: 'priority-tagged (VID 0)', packet: ipv4({ vlan: 0 }) },
  { name: 'tagged 7', packet: ipv4({ vlan: 7 }) },
];
/** What each form does with each frame: only the fixed form, only VLAN 4095, drops. */
const dropped = (form: keyof typeof FORMS, frame: string) => form === 'fixed' && frame === 'tagged 4095';

describe('both engines evaluate both forms exactly', () => {
  let e: Enc;
  beforeAll(async () => { e = new Enc(await getZ3()); });

  for (const form of ['broken', 'fixed'] as const) {
    it(`${FORMS[form]}: the evaluator and the solver drop only what OVS drops`, async () => {
      const br = bridgeWith(FORMS[form]);
      for (const f of FRAMES) {
        const ev = runBridge({ host: 'h', bridge: br, tables: flowTables(br.flows), state: new LearningState(), learn: false }, 'p1', f.packet);
        expect(ev.copies.some((c) => c.kind === 'emit'), `${form} ${f.name} (evaluator)`).toBe(!dropped(form, f.name));
        const sym = symRunBridge(e, { host: 'h', bridge: br, tables: flowTables(br.flows), fdb: [] }, 'p1', { pc: [], packet: concretePacket(f.packet) });
        expect(sym.some((s) => s.kind === 'emit' && pathCond(e, s.path) === true), `${form} ${f.name} (solver)`).toBe(!dropped(form, f.name));
      }
      // Over every tagged frame: the broken form lets all through, the fixed one all but VLAN 4095.
      const p = symbolicPacket(e.ctx, `dv.${form}`, 0);
      const tagged = { ...p, vlan: e.ctx.BitVec.const(`dv.${form}.vid`, 12) };
      const sym = symRunBridge(e, { host: 'h', bridge: br, tables: flowTables(br.flows), fdb: [] }, 'p1', { pc: [], packet: tagged });
      const out = e.or(...sym.filter((s) => s.kind === 'emit').map((s) => pathCond(e, s.path)));
      const to4095 = await checkSat(e.ctx, e, e.and(out, e.eq(tagged.vlan, 4095, 12)), 5_000);
      expect(to4095.status).toBe(form === 'broken' ? 'sat' : 'unsat');
    });
  }
});

describeOracle('oracle: real OVS with both dead-VLAN forms', ['ovs'], () => {
  let ovs: OvsInstance;
  beforeAll(async () => {
    ovs = await startOvs();
    await ovs.addBridges(['brbroken', 'brfixed']);
    for (const b of ['brbroken', 'brfixed']) await ovs.addPorts(b, [{ kind: 'system', name: `${b}1`, ofport: 1 }, { kind: 'system', name: `${b}2`, ofport: 2 }]);
    await ovs.addFlows('brbroken', `table=0,priority=65535,${FORMS.broken} actions=drop\ntable=0,priority=0 actions=output:2\n`);
    await ovs.addFlows('brfixed', `table=0,priority=65535,${FORMS.fixed} actions=drop\ntable=0,priority=0 actions=output:2\n`);
  });
  afterAll(async () => { await ovs?.stop(); });

  it('Open vSwitch keeps the forms as written and drops exactly as both engines say', async () => {
    expect((await ovs.dumpFlows('brbroken')).join('\n')).toContain('vlan_tci=0x0fff/0x1fff');
    expect((await ovs.dumpFlows('brfixed')).join('\n')).toContain('dl_vlan=4095');
    for (const form of ['broken', 'fixed'] as const) {
      for (const f of FRAMES) {
        const t = await ovs.trace(`br${form}`, ofprotoFlow(`br${form}1`, f.packet));
        expect(t.datapathActions === 'drop', `${form} ${f.name}: ${t.datapathActions}`).toBe(dropped(form, f.name));
      }
    }
  });
});
