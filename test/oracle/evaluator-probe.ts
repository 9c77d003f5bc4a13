// The evaluator's view of one device for one arriving packet, for the oracles that test devices one
// at a time: an OVS bridge run with the converged MAC tables and learned flows; a Linux bridge with
// the host's firewall and a conntrack table that lasts until `fresh()`.
import type { ConvergedState } from '../../src/evaluate/index.ts';
import { LearningState } from '../../src/evaluate/state.ts';
import { buildTables, runBridge, type BridgeResult, type FlowTables } from '../../src/evaluate/openflow.ts';
import type { Packet } from '../../src/ir/packet.ts';
import type { OvsBridge } from '../../src/ir/openflow.ts';
import type { Dataplane, LinuxBridge } from '../../src/ir/dataplane.ts';
import { runLinuxBridge, type LinuxBridgeResult } from '../../src/evaluate/linux-bridge.ts';
import type { NfEnv } from '../../src/evaluate/hooks.ts';
import * as netfilter from '../../src/evaluate/netfilter/index.ts';

/** `(host, bridge, inPort, packet)` → what the bridge does, with the converged state (nothing learned). */
export function bridgeProbe(converged: ConvergedState): (host: string, bridge: OvsBridge, inPort: string, packet: Packet) => BridgeResult {
  const state = new LearningState();
  for (const e of converged.fdb) state.learnMac(e);
  for (const l of converged.learnedFlows) state.learnFlow(l.host, l.bridge, l.flow);
  const tables = new Map<string, FlowTables>();
  return (host, bridge, inPort, packet) => {
    const k = `${host}/${bridge.name}`;
    let t = tables.get(k);
    if (!t) tables.set(k, (t = buildTables([...bridge.flows, ...state.learnedFlowsOf(host, bridge.name)])));
    return runBridge({ host, bridge, tables: t, state, learn: false }, inPort, packet);
  };
}

/** `(host, bridge, inPort, packet)` → what the Linux bridge and the host's firewall do; `fresh()` forgets conntrack. */
export function linuxBridgeProbe(dp: Dataplane, converged: ConvergedState): {
  run(host: string, bridge: LinuxBridge, inPort: string, packet: Packet): LinuxBridgeResult;
  fresh(): void;
} {
  const state = new LearningState();
  for (const e of converged.fdb) state.learnMac(e);
  let tables = new Map<string, unknown>();
  const nf: NfEnv = {
    engine: netfilter,
    conntrackOf: (host, ns) => {
      const k = `${host}/${ns}`;
      if (!tables.has(k)) tables.set(k, netfilter.createConntrack());
      return tables.get(k);
    },
  };
  const stationOf = (prefix: string) => dp.stations.find((s) => s.kind === 'vm-port' && s.portId.startsWith(prefix));
  return {
    run(host, bridge, inPort, packet) {
      const root = dp.hosts.find((h) => h.name === host)?.namespaces.find((n) => n.name === 'root') ?? null;
      return runLinuxBridge(
        { host, state, learn: false, nf, rootNetfilter: root?.netfilter ?? null, portIdOf: (suffix) => { const s = stationOf(suffix); return s?.kind === 'vm-port' ? s.portId : suffix; } },
        bridge, inPort, packet,
      );
    },
    fresh() {
      tables = new Map();
    },
  };
}
