// The evaluator's converged learning state, put into a real Open vSwitch: `ofproto/trace` never learns,
// so NORMAL's MAC tables are preloaded with `fdb/add` and the flows `learn` actions would have installed
// are added with add-flows. Only the OVS entries of the given host are loaded (Linux bridge entries,
// vlan null, belong to brctl, not OVS).
import type { ConvergedState } from '../../src/evaluate/index.ts';
import type { OvsInstance } from './ovs-harness.ts';
import { addFlowText } from './ofproto-flow.ts';

/**
 * MAC table entries of the host's OVS bridges (`vlan` is NORMAL's VLAN, 0 = untagged), sent at once over one
 * kept-open control connection (an ovs-appctl process per entry took seconds per host).
 */
export async function preloadFdb(ovs: OvsInstance, host: string, converged: ConvergedState, bridges: readonly string[]): Promise<number> {
  const entries = converged.fdb.filter((e) => e.host === host && e.vlan !== null && bridges.includes(e.bridge));
  if (entries.length === 0) return 0;
  const control = await ovs.control();
  try {
    await Promise.all(entries.map((e) => control.call('fdb/add', [e.bridge, e.port, String(e.vlan), e.mac])));
  } finally {
    control.close();
  }
  return entries.length;
}

/** The learned flows of the host, one add-flows call per bridge; returns how many were added. */
export async function preloadLearnedFlows(ovs: OvsInstance, host: string, converged: ConvergedState): Promise<number> {
  const perBridge = new Map<string, string[]>();
  for (const l of converged.learnedFlows) {
    if (l.host !== host) continue;
    perBridge.set(l.bridge, [...(perBridge.get(l.bridge) ?? []), addFlowText(l.flow)]);
  }
  for (const [bridge, lines] of perBridge) await ovs.addFlows(bridge, lines.join('\n'));
  return [...perBridge.values()].reduce((a, l) => a + l.length, 0);
}
