// The L3 HA invariants and the ordinary properties under every master, on topologies/ha.yaml as
// rendered (all hold) and with faults injected where each must be violated: a partitioned HA network
// (split brain), two routers with one VRID, a keepalived.conf that lost a floating IP (on the backup
// instance, and on the master, whose namespace still holds it), an observed
// state VRRP cannot reach, a one-instance HA router whose host fails, an instance whose namespace lost
// its SNAT rule (nat-egress violated only while that instance is master), a legacy router on a failed
// node. Every violation carries its witness and trace.
import { afterAll, describe, expect, it } from 'vitest';
import { modelFromTopology } from '../../src/pipeline.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import type { Dataplane } from '../../src/ir/dataplane.ts';
import type { Topology } from '../../src/topology/model.ts';
import type { PropertyResult } from '../../src/questions/property.ts';
import { verifyScenario } from '../../src/questions/verify-scenario.ts';
import { BUILTIN_PROPERTIES } from '../../src/questions/properties/index.ts';
import { injected, loadTopo, nsOf, withVrid } from './inject.ts';
import { loadProperties } from '../../src/questions/user-properties/load.ts';
import { resolveUserProperties } from '../../src/questions/user-properties/check.ts';
import { deviceName } from '../../src/render/names.ts';

afterAll(async () => { await shutdownZ3(); });

const topo = loadTopo('topologies/ha.yaml');
const base = modelFromTopology(topo).dataplane;
const NONE = { failures: { down: [], cuts: [] }, pins: new Map<string, string>() };
const only = (...ids: string[]) => BUILTIN_PROPERTIES.filter((b) => ids.includes(b.id));

async function verify(dp: Dataplane, o: { down?: string[]; cuts?: [string, string][]; builtins?: string[]; t?: Topology; ha?: boolean } = {}): Promise<PropertyResult[]> {
  const spec = { failures: { down: o.down ?? [], cuts: o.cuts ?? [] }, pins: new Map<string, string>() };
  return verifyScenario(o.t ?? topo, dp, spec, only(...(o.builtins ?? [])), [], { timeoutMs: 10_000, haInvariants: o.ha ?? true });
}
const find = (rs: readonly PropertyResult[], property: string, subject: string): PropertyResult => {
  const r = rs.find((x) => x.property === property && x.subject === subject);
  if (!r) throw new Error(`no ${property} ${subject} among ${rs.map((x) => `${x.property} ${x.subject}`).join(', ')}`);
  return r;
};

describe('ha.yaml as rendered', () => {
  it('every HA invariant holds, and every result says its (empty) scenario', async () => {
    const rs = await verify(base);
    expect(rs.map((r) => [r.property, r.subject, r.verdict])).toEqual([
      ['ha-single-master', 'router:edge', 'holds'],
      ['ha-single-master', 'router:backend', 'holds'],
      ['ha-vrid-unique', 'network:HA network project demo', 'holds'],
      ['ha-config', 'router:edge@network1', 'holds'],
      ['ha-config', 'router:edge@network2', 'holds'],
      ['ha-config', 'router:backend@network1', 'holds'],
      ['ha-config', 'router:backend@network2', 'holds'],
      ['ha-failover', 'router:edge', 'holds'],
      ['ha-failover', 'router:backend', 'holds'],
    ]);
    expect(rs.every((r) => r.scenario?.failed.length === 0 && r.scenario.cut.length === 0)).toBe(true);
    expect(find(rs, 'ha-failover', 'router:edge').message).toMatch(/the 6 standard flows/);
  });

  it('nat-egress, fip-ingress and project-isolation hold under every choice of masters', async () => {
    const rs = await verify(base, { builtins: ['nat-egress', 'fip-ingress', 'project-isolation'], ha: false });
    for (const r of rs.filter((x) => !x.property.startsWith('ha-'))) {
      expect(r.verdict, `${r.property} ${r.subject}: ${r.message}`).toBe('holds');
      expect(r.message).toMatch(/under each of 2 choices of masters VRRP allows/);
    }
  });
});

describe('split brain: the HA network partitioned', () => {
  it('ha-single-master is violated for each HA router, both masters named, the advertisement\'s trace ending at the cut', async () => {
    const rs = await verify(base, { cuts: [['network1', 'network2']], ha: false });
    const r = find(rs, 'ha-single-master', 'router:edge');
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/2 masters at once, on network1 and network2/);
    expect(r.masters).toEqual({ edge: ['network1', 'network2'] });
    expect(r.witness).toMatchObject({ ip_dst: '224.0.0.18', proto: 112 });
    expect(r.trace?.droppedAt?.rule).toBe('the underlay between network1 and network2 is cut');
    expect(r.scenario).toEqual({ failed: [], cut: [['network1', 'network2']] });
  });
  it('says what an operator meets: the same qg- device answering ARP for the gateway address and floating IP on both nodes, the same qr- for the subnet\'s gateway', async () => {
    const rs = await verify(base, { cuts: [['network1', 'network2']], ha: false });
    const edge = topo.routers.find((x) => x.name === 'edge')!;
    const qg = edge.gateway!.port;
    const m = find(rs, 'ha-single-master', 'router:edge').message;
    expect(m).toContain(`On network1 and network2 alike, ${deviceName.qg(qg.id)} (${qg.mac}) answers ARP for 203.0.113.10, 203.0.113.101 on the external network`);
    expect(m).toMatch(/qr-[0-9a-f-]{11} \(fa:16:3e:[0-9a-f:]{8}\) answers ARP for 192\.168\.1\.1:/);
    expect(m).toMatch(/conntrack table that never saw it/);
  });
});

describe('two routers with one VRID', () => {
  const dp = injected(topo, withVrid(topo, 'backend', 1));
  it('ha-vrid-unique is violated, the witness one router\'s advertisement delivered to the other\'s instance', async () => {
    const rs = await verify(dp);
    const r = find(rs, 'ha-vrid-unique', 'network:HA network project demo');
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/edge and backend both use VRID 1/);
    expect(r.trace?.deliveredTo).toMatchObject({ kind: 'namespace', namespace: nsOf(topo, 'backend') });
    // And each router can be left without a master.
    expect(find(rs, 'ha-single-master', 'router:edge')).toMatchObject({ verdict: 'violated', message: expect.stringMatching(/can be left without a master/) });
    expect(find(rs, 'ha-config', 'router:backend@network1')).toMatchObject({ verdict: 'violated', message: expect.stringMatching(/its VRID is 1, the router's is 2/) });
  });
});

describe('the keepalived.conf of the instance holding the addresses lost a floating IP', () => {
  // network2 is master as rendered: its namespace holds the address outside what keepalived manages.
  const ns = nsOf(topo, 'edge');
  const dp = injected(topo, (path, text) => (path === `network2/${ns}.keepalived.conf` ? text.split('\n').filter((l) => !l.includes('203.0.113.101/32')).join('\n') : null));
  it('ha-config is violated for that instance, without a witness its own trace would contradict', async () => {
    const rs = await verify(dp, { builtins: [] });
    const bad = find(rs, 'ha-config', 'router:edge@network2');
    expect(bad).toMatchObject({ verdict: 'violated', witness: null, trace: null });
    expect(bad.message).toMatch(/missing 203\.0\.113\.101\/32 dev qg-\S+ .*holds 203\.0\.113\.101\/32 dev qg-\S+ now, outside keepalived's configuration/);
    expect(find(rs, 'ha-config', 'router:edge@network1').verdict).toBe('holds');
  });
});

describe("an instance whose ha- device lost its own address (the L3 agent's, on the HA network)", () => {
  const ns = nsOf(topo, 'edge');
  const dp = injected(topo, (path, text) => (path === `network1/${ns}.ip-addr` ? text.split('\n').filter((l) => !/inet 169\.254\.(19[2-9]|2\d\d)\.\d+\/18 .*scope global ha-/.test(l)).join('\n') : null));
  it('ha-config is violated for that instance: it has nothing to advertise from, so nobody hears it', async () => {
    const rs = await verify(dp, { builtins: [] });
    const bad = find(rs, 'ha-config', 'router:edge@network1');
    expect(bad.verdict).toBe('violated');
    expect(bad.message).toMatch(/its ha- device ha-\S+ has no address of its own to advertise from \(the L3 agent gives it 169\.254\.\d+\.\d+ on the HA network\), so no other instance hears it/);
    expect(find(rs, 'ha-config', 'router:edge@network2').verdict).toBe('holds');
  });
});

describe('a keepalived.conf that lost a floating IP', () => {
  const ns = nsOf(topo, 'edge');
  const dp = injected(topo, (path, text) => (path === `network1/${ns}.keepalived.conf` ? text.split('\n').filter((l) => !l.includes('203.0.113.101/32')).join('\n') : null));
  it('ha-config is violated for that instance only, with the packet that fails once it is master', async () => {
    const rs = await verify(dp);
    const bad = find(rs, 'ha-config', 'router:edge@network1');
    expect(bad.verdict).toBe('violated');
    expect(bad.message).toMatch(/missing 203\.0\.113\.101\/32 dev qg-\S+ \(floating IP 203\.0\.113\.101 of web1:0\)/);
    expect(bad.witness).toMatchObject({ ip_dst: '203.0.113.101' });
    expect(bad.trace?.disposition).toBe('no-arp');
    expect(find(rs, 'ha-config', 'router:edge@network2').verdict).toBe('holds');
  });
  it('ha-failover is violated: when network2 fails, the floating IP stops answering', async () => {
    const r = find(await verify(dp), 'ha-failover', 'router:edge');
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^when network2 fails, 198\.51\.100\.7 → 203\.0\.113\.101 \(\S+\) no longer gets through/);
    expect(r.scenario).toEqual({ failed: ['network2'], cut: [] });
    expect(r.masters).toMatchObject({ edge: ['network1'] });
  });
});

describe('an instance whose filter drops one service the security group opens', () => {
  // network1's instance of edge drops forwarded TCP 80 (web1's group opens it): under network2 as master it
  // gets through, and once network2 fails the only master left drops it.
  const ns = nsOf(topo, 'edge');
  const dp = injected(topo, (path, text) => (path === `network1/${ns}.iptables-save` ? text.replace('-A FORWARD -j neutron-filter-top', '-A FORWARD -p tcp -m tcp --dport 80 -j DROP\n-A FORWARD -j neutron-filter-top') : null));
  it('ha-failover asks for the service through the floating IP, and is violated when network2 fails', async () => {
    const r = find(await verify(dp, { builtins: [], ha: true }), 'ha-failover', 'router:edge');
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^when network2 fails, 198\.51\.100\.7 → 203\.0\.113\.101 \(tcp 80\) no longer gets through \(dropped/);
  });
});

describe('an instance that lost its SNAT rule', () => {
  const ns = nsOf(topo, 'edge');
  const dp = injected(topo, (path, text) => (path === `network1/${ns}.iptables-save` ? text.split('\n').filter((l) => !l.startsWith('-A neutron-l3-agent-snat -o qg-')).join('\n') : null));
  it('nat-egress is violated under the masters that make it master, and the result names them', async () => {
    const rs = await verify(dp, { builtins: ['nat-egress'], ha: false });
    const r = find(rs, 'nat-egress', 'router:edge');
    expect(r.verdict).toBe('violated');
    expect(r.masters?.['edge']).toEqual(['network1']);
    expect(r.message).toMatch(/with edge on network1/);
    // The first choice (network2) alone would have said holds.
    expect(find(rs, 'nat-egress', 'router:backend').verdict).toBe('holds');
  });
});

describe('observed states and one-instance HA routers', () => {
  it('an observed state VRRP cannot reach (both active on a connected HA network) is a finding', async () => {
    const t: Topology = { ...topo, routers: topo.routers.map((r) => (r.name === 'edge' && r.ha ? { ...r, ha: { ...r.ha, observed: { network1: 'active', network2: 'active' } } } : r)) };
    const r = find(await verify(base, { t }), 'ha-single-master', 'router:edge');
    expect(r).toMatchObject({ verdict: 'violated', message: expect.stringMatching(/observed state of edge \(network1 active, network2 active\) is not one VRRP can settle in/) });
  });

  it('an HA router with one instance does not survive its host\'s failure', async () => {
    const text = `
hosts:
  c1: { role: compute, tunnel_ip: 10.0.0.1 }
  n1: { role: network, tunnel_ip: 10.0.0.2, bridge_mappings: { ext: br-ex } }
  n2: { role: network, tunnel_ip: 10.0.0.3, bridge_mappings: { ext: br-ex } }
networks:
  pub: { external: true, type: flat, physical_network: ext, subnets: { pub4: { cidr: 203.0.113.0/24, gateway: 203.0.113.1, dhcp: false } } }
  t1: { project: p, type: vxlan, segmentation_id: 5, dhcp_hosts: [n2], subnets: { s1: { cidr: 10.1.0.0/24 } } }
routers:
  r1: { project: p, ha: {}, hosts: [n1], gateway: { network: pub, ip: 203.0.113.10 }, interfaces: [s1] }
vms:
  vm1: { project: p, host: c1, ports: [{ network: t1, ip: 10.1.0.11 }] }
`;
    const { loadTopologyText } = await import('../../src/topology/index.ts');
    const t = loadTopologyText(text, 'one.yaml');
    if (!t.ok) throw new Error(JSON.stringify(t.errors));
    const r = find(await verify(modelFromTopology(t.value).dataplane, { t: t.value }), 'ha-failover', 'router:r1');
    expect(r).toMatchObject({ verdict: 'violated', message: expect.stringMatching(/^when n1 fails, vm1:0 → 8\.8\.8\.8 \(icmp\) no longer gets through/) });
    // The cause, not where the last flooded copy of vm1's ARP request died.
    expect(r.message).toContain("(no-arp: nothing answers the sender's ARP request for 10.1.0.1; its last copy ends at ");
    expect(r.message).toMatch(/\(n1 holds r1's only instance: there is none to fail over to\)$/);
  });
});

describe('user properties under every master', () => {
  it('properties/builtin/ha.yaml holds with either master, and after either network node fails: a router address is reached where its master holds it', async () => {
    const props = loadProperties(['properties/builtin/ha.yaml']);
    if (!props.ok) throw new Error(JSON.stringify(props.errors));
    const resolved = resolveUserProperties(topo, base, props.value);
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.errors));
    for (const down of [[], ['network1'], ['network2']]) {
      const spec = { failures: { down, cuts: [] }, pins: new Map<string, string>() };
      const rs = await verifyScenario(topo, base, spec, [], resolved.value, { timeoutMs: 10_000, haInvariants: false });
      const user = rs.filter((r) => r.property.startsWith('ha-web') || r.property.startsWith('ha-gateway'));
      expect(user.map((r) => [r.property, r.verdict])).toEqual([
        ['ha-web-egress', 'holds'], ['ha-web1-fip-ingress', 'holds'], ['ha-gateway-edge-web', 'holds'], ['ha-gateway-backend-db', 'holds'],
      ]);
      if (down.length === 0) expect(user[2]!.message).toMatch(/under each of 2 choices of masters VRRP allows/);
    }
  });
});

describe('a legacy router on a failed node', () => {
  it('loses its connectivity: gateway is violated in that scenario, and the HA routers\' hold', async () => {
    const rs = await verify(base, { down: ['network1'], builtins: ['gateway'], ha: false });
    expect(find(rs, 'gateway', 'router:ops-router/ops-v4')).toMatchObject({ verdict: 'violated', scenario: { failed: ['network1'], cut: [] } });
    expect(find(rs, 'gateway', 'router:edge/web-v4').verdict).toBe('holds');
    expect(find(rs, 'ha-single-master', 'router:edge').message).toMatch(/one live instance, on network2, is its master/);
  });
});
