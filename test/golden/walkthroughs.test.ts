// The walkthroughs of WALKTHROUGHS.md, step by step and in order, for the VXLAN seed and its VLAN
// variant: east-west within a subnet (8 steps) and across subnets (14 steps, through the network
// node), south-bound with SNAT and with a floating IP, north-bound to a floating IP (DNAT).
import { describe, expect, it } from 'vitest';
import { labelsFor } from '../../src/report/labels.ts';
import { milestones } from './milestones.ts';
import { modelOf, walk, WALKTHROUGHS } from './walkthroughs.ts';

const params = (name: string) => {
  const w = WALKTHROUGHS.find((x) => x.name === name);
  if (!w) throw new Error(name);
  return w.params;
};

function stepsOf(file: string, name: string): string[] {
  return milestones(walk(file, params(name)), labelsFor(modelOf(file).model.topology));
}

describe('VXLAN seed (topologies/seed.yaml)', () => {
  const seed = 'topologies/seed.yaml';

  it('within a subnet: 8 steps, no network node', () => {
    expect(stepsOf(seed, 'within-subnet')).toEqual([
      'send:vm1', // 1. vm1 sends to vm2 on its own subnet
      'sg:compute1:vm1:0:egress:accept', // 2. Linux bridge security-group check …
      'internal-vlan:compute1:net1', //    … br-int tags the internal VLAN
      'encap:compute1:101->10.0.0.12', // 3-4. br-tun: VXLAN with the VNI, out of compute1
      'decap:compute2:101', // 5. into compute2, decapsulated
      'internal-vlan:compute2:net1', // 6. br-int tags compute2's internal VLAN
      'sg:compute2:vm2:0:ingress:accept', // 7. vm2's security-group check
      'delivered:vm2', // 8. delivered
    ]);
  });

  it('across subnets: the 14 steps through the network node', () => {
    expect(stepsOf(seed, 'across-subnets')).toEqual([
      'send:vm1', // 1. to vm1's gateway
      'sg:compute1:vm1:0:egress:accept', // 2. security groups on the Linux bridge
      'internal-vlan:compute1:net1', //    br-int's internal VLAN
      'encap:compute1:101->10.0.0.21', // 3-4. br-tun, VNI 101, out of compute1
      'decap:network1:101', // 5. decapsulated on the network node
      'internal-vlan:network1:net1', // 6. the network node's internal VLAN for net1
      'router-in:router1:subnet1', // 7. the qr- interface holding vm1's gateway
      'route:router1:subnet2', // 8. routed to the qr- of vm4's subnet …
      'internal-vlan:network1:net2', //    … back into br-int on net2's internal VLAN
      'encap:network1:102->10.0.0.12', // 9-10. br-tun, VNI 102, out of the network node
      'decap:compute2:102', // 11. decapsulated on compute2
      'internal-vlan:compute2:net2', // 12. compute2's internal VLAN
      'sg:compute2:vm4:0:ingress:accept', // 13. vm4's security groups
      'delivered:vm4', // 14. vm4
    ]);
  });

  it('south-bound without a floating IP: SNAT to the qg- address, out through br-ex', () => {
    expect(stepsOf(seed, 'south-snat')).toEqual([
      'send:vm1',
      'sg:compute1:vm1:0:egress:accept',
      'internal-vlan:compute1:net1',
      'encap:compute1:101->10.0.0.21',
      'decap:network1:101',
      'internal-vlan:network1:net1',
      'router-in:router1:subnet1',
      'route:router1:gateway',
      'SNAT:192.168.1.11:40000->203.0.113.10:40000',
      'internal-vlan:network1:public',
      'br-ex:network1',
      'exited:public',
    ]);
  });

  it('south-bound with a floating IP: the source becomes the floating IP', () => {
    const steps = stepsOf(seed, 'south-floating-ip');
    expect(steps).toContain('SNAT:192.168.2.14:40000->203.0.113.101:40000');
    expect(steps.slice(-3)).toEqual(['internal-vlan:network1:public', 'br-ex:network1', 'exited:public']);
  });

  it("north-bound to a floating IP: DNAT to the fixed IP, then vm4's default group drops it", () => {
    expect(stepsOf(seed, 'north-floating-ip')).toEqual([
      'send:outside:public',
      'br-ex:network1',
      'internal-vlan:network1:public',
      'router-in:router1:gateway',
      'DNAT:203.0.113.101->192.168.2.14',
      'route:router1:subnet2',
      'internal-vlan:network1:net2',
      'encap:network1:102->10.0.0.12',
      'decap:compute2:102',
      'internal-vlan:compute2:net2',
      'sg:compute2:vm4:0:ingress:drop',
      'dropped:compute2:qbr321af0e6-43',
    ]);
  });
});

describe('VLAN variant (topologies/seed-vlan.yaml, tenant networks through br-vlan)', () => {
  const vlan = 'topologies/seed-vlan.yaml';

  it('within a subnet: br-vlan carries the network VLAN between the compute nodes', () => {
    expect(stepsOf(vlan, 'within-subnet')).toEqual([
      'send:vm1',
      'sg:compute1:vm1:0:egress:accept',
      'internal-vlan:compute1:net1',
      'network-vlan:compute1:br-vlan:101',
      'internal-vlan:compute2:net1',
      'sg:compute2:vm2:0:ingress:accept',
      'delivered:vm2',
    ]);
  });

  it('across subnets: network VLANs 101 and 102 to and from the network node', () => {
    expect(stepsOf(vlan, 'across-subnets')).toEqual([
      'send:vm1',
      'sg:compute1:vm1:0:egress:accept',
      'internal-vlan:compute1:net1',
      'network-vlan:compute1:br-vlan:101',
      'internal-vlan:network1:net1',
      'router-in:router1:subnet1',
      'route:router1:subnet2',
      'internal-vlan:network1:net2',
      'network-vlan:network1:br-vlan:102',
      'internal-vlan:compute2:net2',
      'sg:compute2:vm4:0:ingress:accept',
      'delivered:vm4',
    ]);
  });

  it('south-bound with SNAT and with a floating IP', () => {
    expect(stepsOf(vlan, 'south-snat')).toEqual([
      'send:vm1',
      'sg:compute1:vm1:0:egress:accept',
      'internal-vlan:compute1:net1',
      'network-vlan:compute1:br-vlan:101',
      'internal-vlan:network1:net1',
      'router-in:router1:subnet1',
      'route:router1:gateway',
      'SNAT:192.168.1.11:40000->203.0.113.10:40000',
      'internal-vlan:network1:public',
      'br-ex:network1',
      'exited:public',
    ]);
    expect(stepsOf(vlan, 'south-floating-ip')).toContain('SNAT:192.168.2.14:40000->203.0.113.101:40000');
  });

  it('north-bound to a floating IP: DNAT, then delivered (vm4 allows ssh here)', () => {
    expect(stepsOf(vlan, 'north-floating-ip')).toEqual([
      'send:outside:public',
      'br-ex:network1',
      'internal-vlan:network1:public',
      'router-in:router1:gateway',
      'DNAT:203.0.113.101->192.168.2.14',
      'route:router1:subnet2',
      'internal-vlan:network1:net2',
      'network-vlan:network1:br-vlan:102',
      'internal-vlan:compute2:net2',
      'sg:compute2:vm4:0:ingress:accept',
      'delivered:vm4',
    ]);
  });
});
