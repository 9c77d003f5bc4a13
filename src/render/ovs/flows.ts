// The engine's driver: for one bridge of one host, pick the templates of the bridge's kind that the
// topology's release installs, instantiate each for every binding its condition yields, and order
// the result as `ovs-ofctl dump-flows` does.
import type { HostT } from '../../topology/model.ts';
import type { FlowTemplate } from '../../../rules/ovs-agent/template.ts';
import { brIntTemplates } from '../../../rules/ovs-agent/br-int.ts';
import { brTunTemplates } from '../../../rules/ovs-agent/br-tun.ts';
import { brPhysTemplates } from '../../../rules/ovs-agent/br-phys.ts';
import { deviceName } from '../names.ts';
import { intBinder } from './bind-int.ts';
import { tunBinder } from './bind-tun.ts';
import { physBindings } from './bind-phys.ts';
import type { TopoIndex } from './host-view.ts';
import { bridgeCookie } from './ident.ts';
import { dumpOrder, instantiate, type Binding, type RenderedFlow, type Vars } from './instantiate.ts';
import type { BridgeLayout } from './layout.ts';
import { intPipeline, releaseWithin } from './release.ts';

export interface BridgeFlows {
  readonly cookie: string;
  readonly flows: readonly RenderedFlow[];
}

function expand<W extends string>(
  release: string,
  templates: readonly FlowTemplate<W>[],
  bindings: (when: W) => Binding[],
  common: Vars,
): RenderedFlow[] {
  return templates
    .filter((t) => releaseWithin(release, t.since, t.until))
    .flatMap((t) => bindings(t.when).map((b) => instantiate(t, { neutron: b.neutron, vars: { ...common, ...b.vars } })));
}

export function bridgeFlows(ix: TopoIndex, host: HostT, bridge: BridgeLayout): BridgeFlows {
  const release = ix.topo.release;
  const cookie = bridgeCookie(host.name, bridge.name);
  let flows: RenderedFlow[];
  switch (bridge.role) {
    case 'int': {
      const p = intPipeline(release);
      flows = expand(release, brIntTemplates, intBinder(ix, host), { cookie, next: p.next, after_mac_spoof: p.afterMacSpoof });
      break;
    }
    case 'tun':
      flows = expand(release, brTunTemplates, tunBinder(ix, host), { cookie });
      break;
    case 'phys': {
      const physnet = bridge.physnet ?? '';
      flows = expand(release, brPhysTemplates, (w) => physBindings(ix, host, bridge.name, physnet, w), {
        cookie, phy_port: deviceName.physToInt(bridge.name),
      });
      break;
    }
    default: {
      const never: never = bridge.role;
      throw new Error(`unknown bridge role ${String(never)}`);
    }
  }
  return { cookie, flows: dumpOrder(flows) };
}
