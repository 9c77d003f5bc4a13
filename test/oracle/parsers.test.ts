// The oracle harness's own text handling, on fixed texts captured from the real tools (no root needed):
// ofproto/trace and dpif/show parsing, datapath-action replay, dump-flows → add-flows, and the
// iptables-save normalisation the round-trip checks rely on.
import { describe, expect, it } from 'vitest';
import { parseOfprotoTrace, replayDatapathActions, splitTopLevel } from './ofproto-trace.ts';
import { outputPortName, parseDpifShow } from './dpif-show.ts';
import { dumpFlowsToAddFlows, referencedPortNames } from './flow-text.ts';
import { diffRulesets, normaliseIptablesSave, tokenise } from './iptables-normalise.ts';
import { referencedIpsets } from './netfilter-harness.ts';

// OVS 3.1: a VM's broadcast on br-int, NORMAL floods into br-tun through the patch port.
const FLOOD_TRACE = `Flow: arp,in_port=6,vlan_tci=0x0000,dl_src=fa:16:3e:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff,arp_spa=0.0.0.0,arp_tpa=0.0.0.0,arp_op=0

bridge("br-int")
----------------
 0. priority 0
    NORMAL
     -> no learned MAC for destination, flooding

bridge("br-tun")
----------------
 0. in_port=1, priority 1, cookie 0xb7fd492418bcc3f5
    resubmit(,2)
 2. dl_dst=01:00:00:00:00:00/01:00:00:00:00:00, priority 0, cookie 0xb7fd492418bcc3f5
    resubmit(,22)
22. dl_vlan=3, priority 1, cookie 0xb7fd492418bcc3f5
    pop_vlan
    load:0xef->NXM_NX_TUN_ID[]
    output:2

Final flow: unchanged
Megaflow: recirc_id=0,eth,arp,in_port=6,dl_src=fa:16:3e:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff,arp_op=0
Datapath actions: push_vlan(vid=3,pcp=0),1,set(tunnel(tun_id=0xef,src=172.16.0.11,dst=172.16.0.31,ttl=64,tp_dst=4789,flags(df|key))),pop_vlan,4789,4
`;

const DPIF_SHOW = `dummy@ovs-dummy: hit:0 missed:0
  br-int:
    br-int 65534/1: (dummy-internal)
    patch-tun 2/none: (patch: peer=patch-int)
    tap-dhcp 5/3: (dummy)
    tap-other 6/4: (dummy)
  br-tun:
    br-tun 65534/2: (dummy-internal)
    patch-int 1/none: (patch: peer=patch-tun)
    vxlan-ac10001f 2/4789: (vxlan: key=flow, local_ip=172.16.0.11, remote_ip=172.16.0.31)
    vxlan-ac100020 3/4789: (vxlan: key=flow, local_ip=172.16.0.11, remote_ip=172.16.0.32)
    vxlan-flow 4/4789: (vxlan: key=flow, remote_ip=flow)
`;

describe('ofproto/trace parsing', () => {
  const t = parseOfprotoTrace(FLOOD_TRACE);

  it('reads the steps with their bridge, table, match, priority and cookie', () => {
    expect(t.steps.map((s) => [s.bridge, s.table, s.priority])).toEqual([['br-int', 0, 0], ['br-tun', 0, 1], ['br-tun', 2, 0], ['br-tun', 22, 1]]);
    expect(t.steps[0]).toMatchObject({ match: '', cookie: null, actions: ['NORMAL'], notes: ['-> no learned MAC for destination, flooding'] });
    expect(t.steps[3]).toMatchObject({ match: 'dl_vlan=3', cookie: '0xb7fd492418bcc3f5', actions: ['pop_vlan', 'load:0xef->NXM_NX_TUN_ID[]', 'output:2'] });
    expect(t.ofOutputs).toEqual([{ bridge: 'br-tun', port: '2' }]);
  });

  it('resolves "Final flow: unchanged" to the initial flow', () => {
    expect(t.finalFlow.get('in_port')).toBe('6');
    expect(t.finalFlow.has('arp')).toBe(true);
    expect(t.finalVlan).toBeNull();
    expect(t.finalTunId).toBeNull();
  });

  it('replays the datapath actions into the packets that leave, with VLAN and tunnel state at each', () => {
    expect(t.outputs).toEqual([
      { port: 1, vlan: 3, tunnel: null, sets: {} },
      { port: 4789, vlan: null, tunnel: { tun_id: '0xef', src: '172.16.0.11', dst: '172.16.0.31', ttl: '64', tp_dst: '4789', 'flags(df|key)': '' }, sets: {} },
      { port: 4, vlan: null, tunnel: { tun_id: '0xef', src: '172.16.0.11', dst: '172.16.0.31', ttl: '64', tp_dst: '4789', 'flags(df|key)': '' }, sets: {} },
    ]);
    expect(t.unparsedActions).toEqual([]);
  });

  it('reads the final flow\'s VLAN and tun_id when they changed', () => {
    const changed = parseOfprotoTrace(FLOOD_TRACE.replace('Final flow: unchanged', 'Final flow: arp,tun_id=0xef,in_port=1,dl_vlan=7,dl_vlan_pcp=0'));
    expect(changed.finalVlan).toBe(7);
    expect(changed.finalTunId).toBe('0xef');
  });

  it('keeps datapath actions it does not interpret, and reads "drop" as no output', () => {
    expect(replayDatapathActions('ct(zone=1),recirc(0x3)', null)).toEqual({ outputs: [], unparsed: ['ct(zone=1)', 'recirc(0x3)'] });
    expect(replayDatapathActions('drop', 5)).toEqual({ outputs: [], unparsed: [] });
    expect(replayDatapathActions('2', 5).outputs).toEqual([{ port: 2, vlan: 5, tunnel: null, sets: {} }]);
  });

  it('keeps the Ethernet and ARP fields set before each output', () => {
    const r = replayDatapathActions('set(eth(src=fa:16:3e:00:00:01,dst=fa:16:3e:00:00:02)),set(arp(sip=10.0.0.1,tip=10.0.0.2,op=2)),1', null);
    expect(r.unparsed).toEqual([]);
    expect(r.outputs[0]?.sets).toEqual({ 'eth.src': 'fa:16:3e:00:00:01', 'eth.dst': 'fa:16:3e:00:00:02', 'arp.sip': '10.0.0.1', 'arp.tip': '10.0.0.2', 'arp.op': '2' });
  });

  it('splits only at top-level commas', () => {
    expect(splitTopLevel('a(b,c),d,e(f(g,h))')).toEqual(['a(b,c)', 'd', 'e(f(g,h))']);
  });

  it('rejects text that is not a trace', () => {
    expect(() => parseOfprotoTrace('ovs-appctl: cannot connect')).toThrow(/not an ofproto\/trace output/);
  });
});

describe('dpif/show and output port names', () => {
  const ports = parseDpifShow(DPIF_SHOW);

  it('reads bridge, OpenFlow and datapath numbers, type and options', () => {
    expect(ports).toHaveLength(9);
    expect(ports.find((p) => p.name === 'patch-tun')).toEqual({ bridge: 'br-int', name: 'patch-tun', ofport: 2, dpPort: null, type: 'patch', options: { peer: 'patch-int' } });
    expect(ports.find((p) => p.name === 'vxlan-ac100020')).toMatchObject({ bridge: 'br-tun', ofport: 3, dpPort: 4789, options: { remote_ip: '172.16.0.32' } });
  });

  it('tells VXLAN ports sharing datapath port 4789 apart by the tunnel destination', () => {
    const via = (dst: string) => outputPortName({ port: 4789, vlan: null, tunnel: { dst }, sets: {} }, ports)?.name;
    expect(via('172.16.0.32')).toBe('vxlan-ac100020');
    expect(via('172.16.0.31')).toBe('vxlan-ac10001f');
    expect(via('198.51.100.9')).toBe('vxlan-flow');
    expect(outputPortName({ port: 3, vlan: null, tunnel: null, sets: {} }, ports)?.name).toBe('tap-dhcp');
    expect(outputPortName({ port: 99, vlan: null, tunnel: null, sets: {} }, ports)).toBeNull();
  });
});

describe('dump-flows text to add-flows', () => {
  it('drops the reply header and statistics, keeps cookie, table, match and actions', () => {
    const text = `NXST_FLOW reply (xid=0x4):
 cookie=0x9461, duration=86515.003s, table=0, n_packets=72600, n_bytes=3941480, idle_age=0, hard_age=65534, priority=1,in_port=1 actions=resubmit(,2)
 cookie=0xb7fd, duration=706.185s, table=22, n_packets=27, n_bytes=5414, priority=0 actions=drop
`;
    expect(dumpFlowsToAddFlows(text)).toEqual([
      'cookie=0x9461, table=0, priority=1,in_port=1 actions=resubmit(,2)',
      'cookie=0xb7fd, table=22, priority=0 actions=drop',
    ]);
  });

  it('lists the port names flows refer to, not reserved ports or learn() fields', () => {
    const lines = [
      'table=0,priority=1,in_port="patch-int" actions=resubmit(,2)',
      'table=10,priority=1 actions=learn(table=20,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:OXM_OF_IN_PORT[]),output:"patch-int"',
      'table=22,priority=1,dl_vlan=3 actions=strip_vlan,output:vxlan-ac10001f,output:2,NORMAL,output:LOCAL',
    ];
    expect(referencedPortNames(lines)).toEqual(['patch-int', 'vxlan-ac10001f']);
  });
});

describe('iptables-save normalisation', () => {
  const written = `# Generated by netproof
*filter
:INPUT ACCEPT [0:0]
:neutron-openvswi-sg-chain - [0:0]
:neutron-openvswi-o1 - [0:0]
-A neutron-openvswi-o1 -p udp -m udp --sport 68 -m udp --dport 67 -m comment --comment "Allow DHCP client traffic." -j RETURN
-A neutron-openvswi-sg-chain -s 10.0.0.5 -m mac --mac-source FA:16:3E:99:44:9E -j RETURN
-A neutron-openvswi-o1 -m comment --comment single -j DROP
COMMIT
`;
  const readBack = `# Generated by iptables-nft-save v1.8.9
*filter
:INPUT ACCEPT [12:345]
:neutron-openvswi-o1 - [0:0]
:neutron-openvswi-sg-chain - [0:0]
-A neutron-openvswi-o1 -p udp -m udp --sport 68 --dport 67 -m comment --comment "Allow DHCP client traffic." -j RETURN
-A neutron-openvswi-o1 -m comment --comment "single" -j DROP
-A neutron-openvswi-sg-chain -s 10.0.0.5/32 -m mac --mac-source fa:16:3e:99:44:9e -j RETURN
COMMIT
`;

  it('treats what the tools change on a round trip as equal', () => {
    expect(diffRulesets(normaliseIptablesSave(written), normaliseIptablesSave(readBack))).toEqual([]);
  });

  it('reports a rule out of order within its chain, a changed policy and a missing chain', () => {
    const swapped = readBack
      .replace(':INPUT ACCEPT [12:345]', ':INPUT DROP [0:0]')
      .replace(':neutron-openvswi-sg-chain - [0:0]\n', '')
      .replace(/(-A neutron-openvswi-o1 -p udp.*\n)(-A neutron-openvswi-o1 -m comment.*\n)/, '$2$1');
    const d = diffRulesets(normaliseIptablesSave(written), normaliseIptablesSave(swapped));
    expect(d).toContain('filter chain INPUT: expected ACCEPT, got DROP');
    expect(d).toContain('filter chain neutron-openvswi-sg-chain: expected -, got absent');
    expect(d.filter((l) => l.startsWith('filter -A neutron-openvswi-o1 #'))).toHaveLength(2);
  });

  it('does not merge repeated matches other than tcp/udp (they mean something)', () => {
    const a = normaliseIptablesSave('*filter\n-A X -m state --state NEW -m state --state INVALID -j DROP\nCOMMIT\n');
    expect(a.get('filter')?.rules.get('X')).toEqual(['-m state --state NEW -m state --state INVALID -j DROP']);
  });

  it('tokenises double-quoted arguments with escapes', () => {
    expect(tokenise('-m comment --comment "a \\"b\\" c" -j X')).toEqual(['-m', 'comment', '--comment', 'a "b" c', '-j', 'X']);
  });

  it('finds the ipsets a ruleset refers to', () => {
    expect(referencedIpsets('-A a -m set --match-set NIPv4b src -j RETURN\n-A b -m set --match-set NIPv4a src -j RETURN\n-A c -m set --match-set NIPv4b dst')).toEqual(['NIPv4a', 'NIPv4b']);
  });
});
