// The topology object a hop of a trace passes through, as a field path of the topology file
// (object-paths.ts): a VM port for the VM and its Linux bridge, the router of a qrouter namespace, the
// network of a qdhcp namespace, of the outside world or of a physical network, the host for its OVS
// bridges and the underlay. Reports use it where a hop has no rule of its own to point at.
import type { Hop } from '../evaluate/trace.ts';
import type { Topology } from '../topology/model.ts';
import { portPath } from '../topology/object-paths.ts';
import type { Path } from '../topology/path.ts';
import { deviceName } from '../render/names.ts';

export interface Places {
  /** The field path of the object `hop` passes through, or null. */
  ofHop(hop: Hop): Path | null;
}

export function placesFor(topo: Topology): Places {
  const byDevice = new Map<string, Path>();
  for (const vm of topo.vms) {
    vm.ports.forEach((p, i) => {
      for (const make of [deviceName.tap, deviceName.qbr, deviceName.qvb, deviceName.qvo]) byDevice.set(make(p.id), portPath(vm.name, i));
    });
  }
  for (const r of topo.routers) byDevice.set(deviceName.qrouter(r.id), ['routers', r.name]);
  for (const n of topo.networks) if (!n.ha) byDevice.set(deviceName.qdhcp(n.id), ['networks', n.name]);
  const hosts = new Set(topo.hosts.map((h) => h.name));
  const networks = new Set(topo.networks.filter((n) => !n.ha).map((n) => n.name));
  return {
    ofHop(hop) {
      switch (hop.deviceKind) {
        case 'vm': {
          const vm = hop.device.replace(/^vm:/, '');
          const index = Number(hop.outPort ?? hop.inPort ?? '0');
          return topo.vms.some((v) => v.name === vm && index < v.ports.length) ? portPath(vm, index) : null;
        }
        case 'outside':
          return networks.has(hop.device) ? ['networks', hop.device] : null;
        case 'wire': {
          const physnet = hop.device.replace(/^physnet:/, '');
          const net = topo.networks.find((n) => n.physicalNetwork === physnet && !n.ha);
          return net ? ['networks', net.name] : hosts.has(hop.host) ? ['hosts', hop.host] : null;
        }
        case 'linux-bridge':
        case 'namespace':
          return byDevice.get(hop.device) ?? (hosts.has(hop.host) ? ['hosts', hop.host] : null);
        case 'ovs-bridge':
        case 'underlay':
          return hosts.has(hop.host) ? ['hosts', hop.host] : null;
      }
    },
  };
}
