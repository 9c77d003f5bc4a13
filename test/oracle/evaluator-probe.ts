// The evaluator's view of one device for one arriving packet, for the oracles that test devices one
// at a time: an OVS bridge run with the converged MAC tables and learned flows; a Linux bridge with
// the host's firewall and a conntrack table that lasts until `fresh()`.
import type { ConvergedState } from '../../src/semantics/converged.ts';
import { LearningState } from '../../src/evaluate/state.ts';
import { runBridge, type BridgeResult } from '../../src/evaluate/openflow.ts';
import { flowTables, type FlowTables } from '../../src/semantics/ovs-bridge.ts';
import type { Packet } from '../../src/ir/packet.ts';
import type { OvsBridge } from '../../src/ir/openflow.ts';
import type { Dataplane, LinuxBridge, Namespace } from '../../src/ir/dataplane.ts';
import { runNamespace, type NamespaceResult } from '../../src/evaluate/namespace.ts';
import { inPrefix } from '../../src/net/ipv4.ts';
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
    if (!t) tables.set(k, (t = flowTables([...bridge.flows, ...state.learnedFlowsOf(host, bridge.name)])));
    return runBridge({ host, bridge, tables: t, state, learn: false }, inPort, packet);
  };
}

/** The netfilter engine with conntrack tables per (host, namespace) that last until `fresh()`. */
export function conntrackSession(): { readonly nf: NfEnv; fresh(): void } {
  let tables = new Map<string, unknown>();
  return {
    nf: {
      engine: netfilter,
      conntrackOf: (host, ns) => {
        const k = `${host}/${ns}`;
        if (!tables.has(k)) tables.set(k, netfilter.createConntrack());
        return tables.get(k);
      },
    },
    fresh() {
      tables = new Map();
    },
  };
}

/** `(host, bridge, inPort, packet)` → what the Linux bridge and the host's firewall do; `fresh()` forgets conntrack. */
export function linuxBridgeProbe(dp: Dataplane, converged: ConvergedState): {
  run(host: string, bridge: LinuxBridge, inPort: string, packet: Packet): LinuxBridgeResult;
  fresh(): void;
} {
  const state = new LearningState();
  for (const e of converged.fdb) state.learnMac(e);
  const session = conntrackSession();
  const nf = session.nf;
  const stationOf = (prefix: string) => dp.stations.find((s) => s.kind === 'vm-port' && s.portId.startsWith(prefix));
  return {
    run(host, bridge, inPort, packet) {
      const root = dp.hosts.find((h) => h.name === host)?.namespaces.find((n) => n.name === 'root') ?? null;
      return runLinuxBridge(
        { host, state, learn: false, nf, rootNetfilter: root?.netfilter ?? null, portIdOf: (suffix) => { const s = stationOf(suffix); return s?.kind === 'vm-port' ? s.portId : suffix; } },
        bridge, inPort, packet,
      );
    },
    fresh: session.fresh,
  };
}

/** The owners of addresses a router namespace may resolve by ARP: every station and every other namespace interface. */
export function neighbourMap(dp: Dataplane, except: Namespace): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of dp.stations) m.set(s.kind === 'vm-port' ? s.ip : s.gateway, s.mac);
  for (const h of dp.hosts) for (const ns of h.namespaces) {
    if (ns === except || ns.name === 'root') continue;
    for (const i of ns.interfaces) for (const a of i.addresses) if (!m.has(a.ip)) m.set(a.ip, i.mac);
  }
  return m;
}

/**
 * `(host, ns, inIface, packet)` → what the namespace does, its next hops resolved from a fixed
 * neighbour table (the one the real namespace is given) instead of an ARP walk; conntrack lasts until
 * `fresh()`.
 */
export function namespaceProbe(neighbours: ReadonlyMap<string, string>): {
  run(host: string, ns: Namespace, inIface: string, packet: Packet): NamespaceResult;
  fresh(): void;
} {
  const session = conntrackSession();
  const nf = session.nf;
  return {
    run(host, ns, inIface, packet) {
      const resolveArp = (iface: string, ip: string) => {
        const i = ns.interfaces.find((x) => x.name === iface);
        const onLink = i?.addresses.some((a) => inPrefix(ip, a.ip, a.prefixLen)) ?? false;
        return { mac: onLink ? (neighbours.get(ip) ?? null) : null, note: null };
      };
      return runNamespace({ host, nf, resolveArp }, ns, inIface, packet);
    },
    fresh: session.fresh,
  };
}
