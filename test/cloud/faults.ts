// Faults injected on a node's real tools before its capture (test/cloud/node.ts runs these lines inside
// the node, with OVS_RUNDIR pointing at its Open vSwitch): what a failed agent resync, a hand edit or a
// bug leaves behind. Each names the one host it is done on. Shared by the fixture script and the tests.
import type { Topology } from '../../src/topology/model.ts';

export interface Fault {
  readonly name: string;
  readonly host: string;
  /** What was done, in an operator's words. */
  readonly what: string;
  readonly sh: (topo: Topology) => readonly string[];
}

const vmPort = (topo: Topology, vm: string) => {
  const p = topo.vms.find((v) => v.name === vm)?.ports[0];
  if (!p) throw new Error(`no VM ${vm}`);
  return p;
};
const router = (topo: Topology, name: string) => {
  const r = topo.routers.find((x) => x.name === name);
  if (!r) throw new Error(`no router ${name}`);
  return r;
};
const vniHex = (topo: Topology, net: string) => `0x${(topo.networks.find((n) => n.name === net)?.segmentationId ?? 0).toString(16)}`;

/** The seed topology's faults: one of each kind the issue names. */
export const SEED_FAULTS: readonly Fault[] = [
  {
    name: 'flow-deleted',
    host: 'compute2',
    what: "the flow that takes net1's VNI off the tunnels is deleted on compute2's br-tun",
    sh: (t) => [`ovs-ofctl --strict del-flows br-tun "table=4,priority=1,tun_id=${vniHex(t, 'net1')}"`],
  },
  {
    name: 'vni-changed',
    host: 'compute1',
    what: "every flow that sends net1 over the tunnels from compute1 carries VNI 1002 instead of net1's",
    sh: (t) => [
      // Re-added with the same match and priority, so only the actions change (add-flows replaces them).
      `ovs-ofctl --no-stats --names dump-flows br-tun | grep 'load:${vniHex(t, 'net1')}->NXM_NX_TUN_ID' | sed -e 's/^ *//' -e 's/ *reset_counts//' -e 's/load:${vniHex(t, 'net1')}->/load:0x3ea->/' > $D/vni.flows`,
      'ovs-ofctl add-flows br-tun $D/vni.flows',
    ],
  },
  {
    name: 'sg-rule-missing',
    host: 'compute1',
    what: "the rule of vm1's ssh group (tcp 22 from anywhere) is deleted from its ingress chain",
    sh: (t) => [`iptables -D neutron-openvswi-i${vmPort(t, 'vm1').id.slice(0, 10)} -p tcp -m tcp --dport 22 -j RETURN`],
  },
  {
    name: 'fip-dnat-deleted',
    host: 'network1',
    what: "the DNAT rule of vm4's floating IP 203.0.113.101 is deleted from router1's PREROUTING",
    sh: (t) => [`ip netns exec qrouter-${router(t, 'router1').id} iptables -t nat -D neutron-l3-agent-PREROUTING -d 203.0.113.101/32 -j DNAT --to-destination ${vmPort(t, 'vm4').ip}`],
  },
  {
    name: 'stale-port',
    host: 'compute1',
    what: "a port of a deleted VM is left on compute1's br-int, on net1's local VLAN",
    sh: (t) => [`ovs-vsctl add-port br-int qvodeadbeef-00 tag=${t.localVlans.compute1?.net1 ?? 1} -- set interface qvodeadbeef-00 type=internal`],
  },
];
