// `netproof drift`: what Neutron's agents should have programmed for the API's intent (rendered for the
// release and options the node captures give, with each host's local VLANs as the capture shows them),
// compared with what each node runs, per host and device, by meaning (compare-ovs.ts,
// compare-linux.ts); every difference said in Neutron's terms. Then the built-in verdicts on the intent
// and on the collected state, side by side.
import { deviceName } from '../../render/names.ts';
import { labelsFor } from '../../report/labels.ts';
import { assembleDataplane } from '../../dataplane/assemble.ts';
import { renderTopology } from '../../render/index.ts';
import type { Dataplane, HostDataplane } from '../../ir/dataplane.ts';
import type { CloudModel } from '../load.ts';
import { compareLinux } from './compare-linux.ts';
import { compareOvs } from './compare-ovs.ts';
import { describer } from './describe.ts';
import type { DriftItem } from './item.ts';

export interface Drift {
  readonly items: readonly DriftItem[];
  /** The intent's dataplane (rendered), for the verdicts on the intent. */
  readonly intent: Dataplane;
  /** Hosts Neutron has objects on that no capture shows: their drift is not known. */
  readonly uncompared: readonly string[];
}

/** Device names of Neutron objects the API shows but netproof does not model (their notes say so). */
function unmodelledDevices(cloud: CloudModel): Set<string> {
  const names = new Set<string>();
  for (const [id, what] of cloud.api.unmodelledPorts) {
    for (const make of [deviceName.tap, deviceName.qbr, deviceName.qvb, deviceName.qvo, deviceName.qr, deviceName.qg]) names.add(make(id));
    // A second DHCP agent's namespace is named after the network, which the port's note names.
    const net = /network (\S+) on/.exec(what)?.[1];
    const n = net ? cloud.topology.networks.find((x) => x.name === net) : undefined;
    if (n && /^DHCP port/.test(what)) names.add(deviceName.qdhcp(n.id));
  }
  // Routers left out (DVR, …): their namespaces.
  for (const id of cloud.api.unmodelledRouters) names.add(deviceName.qrouter(id));
  return names;
}

const EMPTY_HOST = (name: string): HostDataplane => ({ name, tunnelIp: null, ovsBridges: [], linuxBridges: [], namespaces: [] });

export function computeDrift(cloud: CloudModel): Drift {
  const topo = cloud.topology;
  const intent = assembleDataplane(topo, renderTopology(topo));
  const d = describer(topo, labelsFor(topo));
  const unmodelled = unmodelledDevices(cloud);
  const unmodelledDevice = (name: string) => unmodelled.has(name);
  const items: DriftItem[] = [];
  const collected = new Map(cloud.dataplane.hosts.map((h) => [h.name, h]));
  const uncompared: string[] = [];
  for (const want of intent.hosts) {
    const got = collected.get(want.name);
    if (!got) {
      uncompared.push(want.name);
      continue;
    }
    const physicalBridges = new Set(Object.values(topo.hosts.find((h) => h.name === want.name)?.bridgeMappings ?? {}));
    items.push(...compareOvs(want, got, { host: want.name, d, physicalBridges, unmodelledDevice }));
    items.push(...compareLinux(want, got, { host: want.name, d, unmodelledDevice }));
  }
  for (const got of cloud.dataplane.hosts) {
    if (intent.hosts.some((h) => h.name === got.name)) continue;
    const extra = [...compareOvs(EMPTY_HOST(got.name), got, { host: got.name, d, physicalBridges: new Set(), unmodelledDevice })];
    items.push({
      host: got.name, device: 'host', kind: 'host', change: 'extra', neutron: null,
      message: `host ${got.name} was captured, but the API's intent has nothing on it (${got.ovsBridges.length} bridges, ${got.namespaces.length - 1} namespaces captured)`,
      expected: null, found: got.name, origin: null,
    }, ...extra.filter((i) => i.kind === 'bridge'));
  }
  return { items, intent, uncompared };
}
