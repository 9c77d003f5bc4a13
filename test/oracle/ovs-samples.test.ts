// Real Open vSwitch against real Neutron captures: the OVS agent's br-tun flows from a network node are
// loaded into a userspace bridge wired as on that node, and ofproto/trace shows what the real switch
// does with broadcast, unknown unicast and tunnelled traffic — the behaviour netproof's evaluator models.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOracle } from './prereq.ts';
import { startOvs, type OvsInstance } from './ovs-harness.ts';
import { readSample } from '../fixtures/samples.ts';
import { dumpFlowsToAddFlows } from './flow-text.ts';

describeOracle('oracle: real OVS with captured Neutron br-tun flows', ['ovs'], () => {
  let ovs: OvsInstance;
  const VM_MAC = 'fa:16:3e:11:22:33';
  const REMOTE_MAC = 'fa:16:3e:44:55:66';

  beforeAll(async () => {
    ovs = await startOvs();
    // Network node of netnode_vxlan_*: br-tun with patch-int and one VXLAN port to 172.16.0.31 (VNI 0xef ↔ local VLAN 3).
    await ovs.addBridge('br-int');
    await ovs.addBridge('br-tun');
    await ovs.addPorts('br-int', [
      { kind: 'patch', name: 'patch-tun', peer: 'patch-int', ofport: 2 },
      { kind: 'system', name: 'tap-dhcp', ofport: 5, tag: 3 },
      { kind: 'system', name: 'tap-other', ofport: 6, tag: 4 },
    ]);
    await ovs.addPorts('br-tun', [
      { kind: 'patch', name: 'patch-int', peer: 'patch-tun', ofport: 1 },
      { kind: 'tunnel', type: 'vxlan', name: 'vxlan-ac10001f', remoteIp: '172.16.0.31', localIp: '172.16.0.11', ofport: 2,
        options: { in_key: 'flow', out_key: 'flow', df_default: 'true' } },
    ]);
    await ovs.addFlows('br-int', 'table=0,priority=0 actions=NORMAL\n');
    await ovs.addFlows('br-tun', dumpFlowsToAddFlows(readSample('netnode_vxlan_dump-flows_br-tun.txt')).join('\n'), { bundle: true });
    // Kernel-style tunnel output in traces (set(tunnel(…)) instead of native tunnel routing).
    await ovs.setDpFeature('br-tun', 'tnl_push_pop', 'false');
  });
  afterAll(async () => {
    await ovs?.stop();
  });

  it('accepts every captured flow line and holds one flow per line', async () => {
    const lines = dumpFlowsToAddFlows(readSample('netnode_vxlan_dump-flows_br-tun.txt'));
    expect(lines).toHaveLength(13);
    expect(await ovs.dumpFlows('br-tun')).toHaveLength(lines.length);
  });

  it('wires ports with exactly the requested OpenFlow numbers', async () => {
    const ports = await ovs.datapathPorts();
    const tun = new Map(ports.filter((p) => p.bridge === 'br-tun').map((p) => [p.name, p]));
    expect(tun.get('patch-int')?.ofport).toBe(1);
    expect(tun.get('vxlan-ac10001f')).toMatchObject({ ofport: 2, type: 'vxlan', options: { remote_ip: '172.16.0.31', local_ip: '172.16.0.11' } });
  });

  it('floods a broadcast from patch-int to the VXLAN port with the VNI, VLAN stripped (tables 0 → 2 → 22)', async () => {
    const t = await ovs.trace('br-tun', `in_port=patch-int,dl_vlan=3,dl_src=${VM_MAC},dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_op=1`);
    expect(t.steps.map((s) => s.table)).toEqual([0, 2, 22]);
    expect(await ovs.outputPorts(t)).toEqual(['vxlan-ac10001f']);
    expect(t.outputs).toHaveLength(1);
    expect(t.outputs[0]?.vlan).toBeNull();
    expect(t.outputs[0]?.tunnel).toMatchObject({ tun_id: '0xef', dst: '172.16.0.31', src: '172.16.0.11' });
    expect(t.finalTunId).toBe('0xef');
    expect(t.finalVlan).toBeNull();
  });

  it('sends unknown unicast through table 20 to the same flood (no l2pop entry, nothing learned)', async () => {
    const t = await ovs.trace('br-tun', `in_port=patch-int,dl_vlan=3,dl_src=${VM_MAC},dl_dst=${REMOTE_MAC},ip,nw_src=198.51.100.10,nw_dst=198.51.100.20`);
    expect(t.steps.map((s) => s.table)).toEqual([0, 2, 20, 22]);
    expect(await ovs.outputPorts(t)).toEqual(['vxlan-ac10001f']);
    expect(t.outputs[0]?.tunnel?.tun_id).toBe('0xef');
  });

  it('drops traffic of a local VLAN that has no flood entry', async () => {
    const t = await ovs.trace('br-tun', `in_port=patch-int,dl_vlan=4,dl_src=${VM_MAC},dl_dst=ff:ff:ff:ff:ff:ff,arp`);
    expect(t.datapathActions).toBe('drop');
    expect(t.outputs).toEqual([]);
    expect(t.steps.at(-1)).toMatchObject({ table: 22, priority: 0 });
  });

  it('maps VNI 0xef to local VLAN 3 into br-int, where NORMAL floods only VLAN 3 ports until the MAC is known', async () => {
    const flow = `in_port=vxlan-ac10001f,tun_id=0xef,tun_src=172.16.0.31,tun_dst=172.16.0.11,dl_src=${REMOTE_MAC},dl_dst=${VM_MAC},ip,nw_src=198.51.100.20,nw_dst=198.51.100.10`;
    const before = await ovs.trace('br-tun', flow);
    expect(before.steps.map((s) => `${s.bridge}:${s.table}`)).toEqual(['br-tun:0', 'br-tun:4', 'br-tun:10', 'br-int:0']);
    // learn() is suppressed in a trace; NORMAL floods within VLAN 3: tap-dhcp (access port, untagged) and the
    // bridge's own LOCAL port (a trunk: it gets the copy still tagged), never tap-other (VLAN 4).
    expect(before.steps[2]?.notes.join(' ')).toMatch(/learn action ignored/);
    const flooded = await ovs.outputPorts(before);
    expect(new Map(flooded.map((name, i) => [name, before.outputs[i]?.vlan]))).toEqual(new Map([['br-int', 3], ['tap-dhcp', null]]));

    await ovs.fdbAdd('br-int', 'tap-dhcp', 3, VM_MAC);
    const after = await ovs.trace('br-tun', flow);
    expect(after.steps.at(-1)?.notes.join(' ')).toMatch(/forwarding to learned port/);
    expect(await ovs.outputPorts(after)).toEqual(['tap-dhcp']);
  });

  it('names every flow line the real tool refuses (and leaves the bridge as it was)', async () => {
    const before = await ovs.dumpFlows('br-int');
    const text = 'table=0,priority=1,in_port=patch-tun actions=NORMAL\ntable=0,priority=1,no_such_field=1 actions=drop\n\ntable=0,priority=2,in_port=no-such-port actions=drop\n';
    await expect(ovs.addFlows('br-int', text)).rejects.toThrow(/no_such_field/);
    const rejected = await ovs.rejectedFlows('br-int', text);
    expect(rejected.map((r) => r.line)).toEqual([2, 4]);
    expect(rejected[0]?.error).toMatch(/no_such_field/);
    expect(rejected[1]?.error).toMatch(/no-such-port/);
    await ovs.delFlows('br-int');
    await ovs.addFlows('br-int', before.join('\n'));
    expect(await ovs.dumpFlows('br-int')).toEqual(before);
  });

  it('drops a VNI the node does not serve (table 4 default)', async () => {
    const t = await ovs.trace('br-tun', `in_port=vxlan-ac10001f,tun_id=0x99,tun_src=172.16.0.31,tun_dst=172.16.0.11,dl_src=${REMOTE_MAC},dl_dst=${VM_MAC},ip`);
    expect(t.steps.map((s) => s.table)).toEqual([0, 4]);
    expect(t.datapathActions).toBe('drop');
  });
});

describeOracle('oracle: real OVS with a Mitaka br-tun capture (numeric ports, two tunnels)', ['ovs'], () => {
  let ovs: OvsInstance;

  beforeAll(async () => {
    ovs = await startOvs();
    await ovs.addBridge('br-tun');
    // The capture uses port numbers: 1 = patch-int, 2 and 3 = VXLAN ports to two peers.
    await ovs.addPorts('br-tun', [
      { kind: 'system', name: 'stand-in-int', ofport: 1 },
      { kind: 'tunnel', type: 'vxlan', name: 'vxlan-c0a80002', remoteIp: '198.51.100.2', localIp: '198.51.100.1', ofport: 2 },
      { kind: 'tunnel', type: 'vxlan', name: 'vxlan-c0a80003', remoteIp: '198.51.100.3', localIp: '198.51.100.1', ofport: 3 },
    ]);
    await ovs.addFlows('br-tun', dumpFlowsToAddFlows(readSample('hybrid_netnode_mitaka_dump-flows_br-tun.txt')).join('\n'));
    await ovs.setDpFeature('br-tun', 'tnl_push_pop', 'false');
  });
  afterAll(async () => {
    await ovs?.stop();
  });

  it('accepts the capture (reply header and idle_age/hard_age stripped)', async () => {
    const lines = dumpFlowsToAddFlows(readSample('hybrid_netnode_mitaka_dump-flows_br-tun.txt'));
    expect(await ovs.dumpFlows('br-tun')).toHaveLength(lines.length);
  });

  it('floods a broadcast of local VLAN 1 to both tunnels, port 3 first, each with VNI 0x40b', async () => {
    const t = await ovs.trace('br-tun', 'in_port=1,dl_vlan=1,dl_src=fa:16:3e:00:00:10,dl_dst=ff:ff:ff:ff:ff:ff,arp');
    expect(await ovs.outputPorts(t)).toEqual(['vxlan-c0a80003', 'vxlan-c0a80002']);
    expect(t.outputs.map((o) => [o.tunnel?.tun_id, o.tunnel?.dst, o.vlan])).toEqual([
      ['0x40b', '198.51.100.3', null],
      ['0x40b', '198.51.100.2', null],
    ]);
  });
});
