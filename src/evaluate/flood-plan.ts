// Which copies of a NORMAL flood end at once in a learning walk, found once per bridge and VLAN.
// A learning walk sends only ARP frames, and an ARP copy that reaches a namespace ends there as one
// copy, learning nothing (walk.ts). On a network node's external VLAN every router's gateway port is
// such a port, so an announcement there made one copy per router and the announcements of all
// routers made routers × routers. The plan groups a VLAN's ports, in the bridge's order, into single
// ports that lead on and runs of ports whose copy ends in a namespace; the walk counts a run in bulk
// and follows the others. Whether a copy ends so depends on the port alone (a tunnel port leads to
// the underlay; otherwise the port's link or patch peer is or is not a namespace), never on the frame.
import type { OvsBridge, OvsPort } from '../ir/openflow.ts';
import type { TopologyIndex } from '../semantics/topology-index.ts';
import { isTunnelPort, portByName } from '../semantics/ovs-bridge.ts';

export type FloodSegment =
  | { readonly kind: 'port'; readonly port: OvsPort }
  /** Consecutive ports whose copies each end in a namespace: how many, and how many bear each name. */
  | { readonly kind: 'ends'; readonly count: number; readonly named: ReadonlyMap<string, number> };

export interface FloodPlan {
  readonly segments: readonly FloodSegment[];
}

/** Whether a copy out of `port` arrives at a namespace (as walk.ts's `follow` finds its far end). */
function endsInNamespace(index: TopologyIndex, host: string, bridge: OvsBridge, port: string): boolean {
  if (isTunnelPort(portByName(bridge, port))) return false;
  const peer = index.peer(host, bridge.name, port);
  return peer !== null && index.device(peer.host, peer.device)?.kind === 'ns';
}

function planOf(index: TopologyIndex, host: string, bridge: OvsBridge, ports: readonly OvsPort[]): FloodPlan {
  const segments: FloodSegment[] = [];
  let run: Map<string, number> | null = null;
  let count = 0;
  const close = () => {
    if (run !== null) segments.push({ kind: 'ends', count, named: run });
    run = null;
    count = 0;
  };
  for (const p of ports) {
    if (endsInNamespace(index, host, bridge, p.name)) {
      run ??= new Map();
      run.set(p.name, (run.get(p.name) ?? 0) + 1);
      count++;
    } else {
      close();
      segments.push({ kind: 'port', port: p });
    }
  }
  close();
  return { segments };
}

// Per topology index (its links decide the peers), per host and bridge, per VLAN's port list.
const plans = new WeakMap<TopologyIndex, Map<string, WeakMap<readonly OvsPort[], FloodPlan>>>();

/** The plan of a flood out of `ports` (one VLAN's ports of `bridge` on `host`), made once. */
export function floodPlan(index: TopologyIndex, host: string, bridge: OvsBridge, ports: readonly OvsPort[]): FloodPlan {
  let byBridge = plans.get(index);
  if (!byBridge) plans.set(index, (byBridge = new Map()));
  const k = `${host}\u0000${bridge.name}`;
  let byPorts = byBridge.get(k);
  if (!byPorts) byBridge.set(k, (byPorts = new WeakMap()));
  let plan = byPorts.get(ports);
  if (!plan) byPorts.set(ports, (plan = planOf(index, host, bridge, ports)));
  return plan;
}
