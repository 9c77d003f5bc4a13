// segment-isolation's rule check reads each Neutron port's access tag on br-int (ovs-vsctl show): NORMAL
// puts what a port sends on its tag's VLAN and delivers that VLAN to it, so a port tagged with another
// network's local VLAN is on that network — a leak the solver's half, which asks first packets a VM
// addresses by ARP, need not meet (a frame sent straight to the moved port's MAC crosses). The OVS
// agent sets each tag to its network's local VLAN; a port in the dead VLAN 4095 (unbound) is left alone.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { segmentIsolation } from '../../src/questions/properties/segment-isolation.ts';
import { context, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const of = async (ctx: ReturnType<typeof context>, subject: string) => (await segmentIsolation.check(ctx)).find((r) => r.subject === subject)!;
/** compute1's ovs-vsctl show with the tag of the first port tagged `from` set to `to`. */
const retag = (from: number, to: number) => edit(/^compute1\/ovs-vsctl-show$/, (t) => t.replace(new RegExp(`tag: ${from}\\n`), `tag: ${to}\n`));

describe('segment-isolation: the access tags of Neutron ports on br-int', () => {
  it('as rendered, every port carries its network\'s local VLAN: both networks hold', async () => {
    const ctx = context('basic');
    expect((await of(ctx, 'network:net1')).verdict).toBe('holds');
    expect((await of(ctx, 'network:net2')).verdict).toBe('holds');
  });

  it("a port of net1 tagged with net2's local VLAN: net1 violated, naming the port and the tag", async () => {
    const ctx = context('basic', retag(1, 2));
    const r = await of(ctx, 'network:net1');
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/compute1\/br-int port q\S+ \(vm\d:0\) has tag 2, net2's local VLAN, not net1's local VLAN 1 \(ovs-vsctl show\)/);
  });

  it('a port parked in the dead VLAN 4095 is not judged by its tag', async () => {
    const ctx = context('basic', retag(1, 4095));
    expect((await of(ctx, 'network:net1')).message).not.toContain('ovs-vsctl show');
  });
});
