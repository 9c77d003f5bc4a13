// Physical bridges: which objects each `PhysWhen` of rules/ovs-agent/br-phys.ts ranges over — the
// flat/VLAN networks present on the host whose physical network this bridge carries.
import type { HostT } from '../../topology/model.ts';
import type { PhysWhen } from '../../../rules/ovs-agent/template.ts';
import { describe } from './describe.ts';
import { lvidOf, networksOn, type TopoIndex } from './host-view.ts';
import type { Binding } from './instantiate.ts';

export function physBindings(ix: TopoIndex, host: HostT, bridge: string, physnet: string, when: PhysWhen): Binding[] {
  const onBridge = (type: 'vlan' | 'flat'): Binding[] =>
    networksOn(ix, host.name)
      .filter((n) => n.type === type && n.physicalNetwork === physnet)
      .map((n) => ({ neutron: describe.network(n), vars: { lvid: lvidOf(ix, host.name, n.name), segmentation_id: n.segmentationId ?? 0 } }));
  switch (when) {
    case 'always':
      return [{ vars: {}, neutron: describe.agent(host.name, bridge) }];
    case 'per vlan network on this host':
      return onBridge('vlan');
    case 'per flat network on this host':
      return onBridge('flat');
    default: {
      const never: never = when;
      throw new Error(`unhandled physical bridge condition ${String(never)}`);
    }
  }
}
