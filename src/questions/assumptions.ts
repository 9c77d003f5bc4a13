// What an answer rests on besides the rules themselves, said where the answer is (text and JSON,
// docs/cli.md, Assumptions): the release and agent options the rules were rendered for; what a VM may
// send; that questions are about first packets; how the outside world sends and routes; that a packet
// that left the cloud is not followed back in; which HA instance is master; which VM holds a VIP; and, for `verify`, that
// one port stood for others alike. Each answer lists those that concern it, so an operator can hold
// them against the cloud they know.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Topology } from '../topology/model.ts';
import { outsideStations } from './senders.ts';
import { observedMasters } from '../dataplane/vrrp-state.ts';
import { deviceName } from '../render/names.ts';

/** Every assumption an answer may state (docs/cli.md, Assumptions, lists each). */
export const ASSUMPTION_IDS = ['rendered', 'senders', 'first-packets', 'outside-world', 'leaves-cloud', 'ha-master', 'vip-holder', 'representatives'] as const;
export type AssumptionId = (typeof ASSUMPTION_IDS)[number];

export interface Assumption {
  readonly id: AssumptionId;
  readonly text: string;
}

export interface AssumptionScope {
  readonly question: 'trace' | 'query' | 'verify';
  /** The answer involves the outside world: a sender or destination there, or a packet that left the cloud. */
  readonly outside: boolean;
  /** The rules were captured from the nodes (a cloud directory), not rendered from a topology file. */
  readonly captured?: boolean;
  /** The destination is a VIP: the ports that may hold it (`VM:N`), the one the answer shows, and whether --holder pinned it. */
  readonly vip?: { readonly ip: string; readonly holders: readonly string[]; readonly holder: string; readonly pinned: boolean };
}

const onOff = (b: boolean) => (b ? 'on' : 'off');

// Every answer states its assumptions: the outside stations and the HA routers are found once per model,
// not by a pass over every station and router per answer.
const outsideOf = new WeakMap<Dataplane, ReturnType<typeof outsideStations>>();
const haRoutersOf = new WeakMap<Topology, Topology['routers']>();

export function assumptionsOf(topo: Topology, dp: Dataplane, scope: AssumptionScope): Assumption[] {
  const out: Assumption[] = [
    {
      id: 'rendered',
      text:
        scope.captured === true
          ? `the rules are those captured from the nodes, read as Neutron ${topo.release}'s (firewall_driver ${topo.firewallDriver}, l2_population ${onOff(topo.l2Population)}, arp_responder ${onOff(topo.arpResponder)}), and nothing changed since the capture`
          : `the rules are those Neutron ${topo.release}'s agents program for this topology (firewall_driver ${topo.firewallDriver}, l2_population ${onOff(topo.l2Population)}, arp_responder ${onOff(topo.arpResponder)}), every agent converged`,
    },
  ];
  if (scope.question !== 'trace') {
    out.push(
      { id: 'senders', text: "a VM may send any packet its port's rules let through (port security, allowed address pairs): nothing is assumed about what runs in it" },
      { id: 'first-packets', text: 'packets are the first of a connection, as conntrack sees them; replies are replayed (--bidirectional, dhcp), not proved' },
    );
  }
  let outside = outsideOf.get(dp);
  if (outside === undefined) outsideOf.set(dp, (outside = outsideStations(dp)));
  if (scope.outside && outside.length > 0) {
    const worlds = outside.map((o) => `${o.network} (beyond ${o.gateway})`).join(', ');
    out.push(
      {
        id: 'outside-world',
        text: `the outside world of ${worlds} is its upstream router and everything behind it: it may send any packet from any address outside the cloud, and routes each router's subnets to that router's gateway address, so an outside host can address a tenant's fixed address through the router's qg- port unless a rule stops it`,
      },
      {
        id: 'leaves-cloud',
        text: "a packet that leaves through an upstream router has left the cloud and is not followed back in: one sent to an address the router has no route for (another project's subnet on another router, say) leaves by the default route and counts as exited; only a packet for another address of the upstream router's own subnet (a floating IP, another router's gateway address) is sent back onto that subnet, to the MAC that answers its ARP",
      },
    );
  }
  let ha = haRoutersOf.get(topo);
  if (ha === undefined) haRoutersOf.set(topo, (ha = topo.routers.filter((r) => r.ha !== null)));
  if (ha.length > 0) {
    if (scope.question === 'trace') {
      // The masters of the dataplane traced: whose namespace holds its router's primary VIP.
      const held = [...observedMasters(dp)].map((k) => k.split('/'));
      const masters = ha.map((r) => {
        const hosts = held.filter(([, ns]) => ns === deviceName.qrouter(r.id)).map(([h]) => h);
        return `${r.name} on ${hosts.length > 0 ? hosts.join(' and ') : 'no host'}`;
      }).join(', ');
      out.push({ id: 'ha-master', text: `HA routers are as their master instances leave them — ${masters} (VRRP's first choice in this scenario, or --master); backups hold no addresses and forward nothing` });
    } else {
      out.push({ id: 'ha-master', text: "HA routers are asked under every choice of masters VRRP allows on this dataplane (any live instance that hears no other master may be master; --master pins one); backups hold no addresses and forward nothing" });
    }
  }
  const vip = scope.vip;
  if (vip !== undefined) {
    const how = 'which VM holds it is decided inside the VMs (keepalived, pacemaker); the holder answers ARP for it with its own MAC when its port\'s rules let its ARP for it out, the others do not';
    const which = vip.pinned ? `held by ${vip.holder} (--holder)`
      : scope.question === 'trace' ? `held by ${vip.holder}, the first of the ports that may hold it (${vip.holders.join(', ')}; --holder picks another)`
      : `asked under each port that may hold it (${vip.holders.join(', ')}; --holder pins one)`;
    out.push({ id: 'vip-holder', text: `${vip.ip} is a VIP, an allowed address pair, ${which}: ${how}` });
  }
  if (scope.question === 'verify') {
    out.push({ id: 'representatives', text: 'one port per class (same network and subnet, groups, port security and address pairs, no floating IP) stands for the ports alike on other hosts; a message says when it did' });
  }
  return out;
}
