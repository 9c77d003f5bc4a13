import { describe, it, expect } from 'vitest';
import { parseDumpFlows } from '../../src/parse/index.ts';

const one = (line: string) => {
  const r = parseDumpFlows(line, 'br.dump-flows');
  expect(r.value).toHaveLength(1);
  return { flow: r.value[0]!, warnings: r.warnings };
};

describe('dump-flows: entry fields', () => {
  it('reads table, priority and cookie, skips statistics, keeps the line as origin', () => {
    const text = [
      'NXST_FLOW reply (xid=0x4):',
      ' cookie=0xba7f503029ce9008, duration=12257.804s, table=4, n_packets=6676, n_bytes=301928, idle_age=0, hard_age=65534, priority=1,tun_id=0x3c actions=mod_vlan_vid:1,resubmit(,10)',
    ].join('\n');
    const r = parseDumpFlows(text, 'net/br-tun.dump-flows');
    expect(r.warnings).toEqual([]);
    const f = r.value[0]!;
    expect(f.table).toBe(4);
    expect(f.priority).toBe(1);
    expect(f.cookie).toBe('0xba7f503029ce9008');
    expect(f.match).toEqual({ tun_id: { value: 0x3c, mask: null } });
    expect(f.origin).toEqual({ file: 'net/br-tun.dump-flows', line: 2, text: text.split('\n')[1]!.trim() });
  });

  it('defaults: no table means 0, no priority means 32768, no cookie means null', () => {
    const { flow } = one('in_port=3 actions=drop');
    expect(flow).toMatchObject({ table: 0, priority: 32768, cookie: null });
  });

  it('tolerates fields glued by a comma (n_bytes=0,priority=2) and the OF1.3 header', () => {
    const r = parseDumpFlows('OFPST_FLOW reply (OF1.3) (xid=0x2):\n cookie=0x1, table=24, n_packets=0, n_bytes=0,priority=2,arp,in_port=10,arp_spa=10.10.40.3 actions=resubmit(,25)', 'f');
    expect(r.warnings).toEqual([]);
    expect(r.value[0]).toMatchObject({ table: 24, priority: 2, match: { dl_type: 0x0806, arp_spa: { ip: '10.10.40.3', prefixLen: 32 } } });
    expect(r.value[0]!.origin.line).toBe(2);
  });

  it('skips idle_timeout/hard_timeout and flags such as send_flow_rem', () => {
    const { flow, warnings } = one(' cookie=0x1, duration=7.7s, table=20, hard_timeout=300, idle_age=1, hard_age=1, send_flow_rem priority=1,vlan_tci=0x0001/0x0fff actions=output:2');
    expect(warnings).toEqual([]);
    expect(flow.match).toEqual({ vlan_tci: { value: 1, mask: 0x0fff } });
  });

  it('warns on a line that is not a flow and produces nothing for it', () => {
    const r = parseDumpFlows('hello world\n table=0, priority=0 actions=NORMAL', 'f');
    expect(r.value).toHaveLength(1);
    expect(r.warnings).toMatchObject([{ code: 'parse/unrecognised-line', line: 1 }]);
  });
});

describe('dump-flows: matches', () => {
  it('expands protocol shorthands into dl_type / nw_proto', () => {
    expect(one('tcp,tp_dst=22 actions=drop').flow.match).toEqual({ dl_type: 0x0800, nw_proto: 6, tp_dst: { value: 22, mask: null } });
    expect(one('udp6 actions=drop').flow.match).toEqual({ dl_type: 0x86dd, nw_proto: 17 });
    expect(one('icmp6,icmp_type=136 actions=drop').flow.match).toEqual({ dl_type: 0x86dd, nw_proto: 58, icmp_type: 136 });
    expect(one('icmp,icmp_type=8,icmp_code=0 actions=drop').flow.match).toEqual({ dl_type: 0x0800, nw_proto: 1, icmp_type: 8, icmp_code: 0 });
    expect(one('rarp actions=drop').flow.match).toEqual({ dl_type: 0x8035 });
    expect(one('ipv6 actions=drop').flow.match).toEqual({ dl_type: 0x86dd });
    expect(one('dl_type=0x0806,arp_op=2 actions=drop').flow.match).toEqual({ dl_type: 0x0806, arp_op: 2 });
  });

  it('reads in_port by quoted name, by number and LOCAL', () => {
    expect(one('in_port="int-br-ex" actions=drop').flow.match.in_port).toEqual({ kind: 'name', name: 'int-br-ex' });
    expect(one('in_port=12 actions=drop').flow.match.in_port).toEqual({ kind: 'number', ofport: 12 });
    expect(one('in_port=LOCAL actions=drop').flow.match.in_port).toEqual({ kind: 'number', ofport: 65534 });
  });

  it('reads the VLAN forms: dl_vlan, vlan_tci=V/M, vlan_tci=V, dl_vlan=0xffff', () => {
    expect(one('priority=65535,dl_vlan=4095 actions=drop').flow.match).toEqual({ dl_vlan: 4095 });
    expect(one('vlan_tci=0x0000/0x1fff actions=drop').flow.match).toEqual({ vlan_tci: { value: 0, mask: 0x1fff } });
    expect(one('vlan_tci=0x0000 actions=drop').flow.match).toEqual({ vlan_tci: { value: 0, mask: null } });
    expect(one('dl_vlan=0xffff actions=drop').flow.match).toEqual({ vlan_tci: { value: 0, mask: 0xffff } });
  });

  it('reads masked MACs, CIDRs, tunnel ids, registers and nd_target', () => {
    const m = one('dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,dl_src=FA:16:3E:50:09:42,nw_src=10.0.0.0/24,nw_dst=10.1.0.0/255.255.0.0,tun_id=0x3e9/0xffff,reg5=0x4,reg6=2,nd_target=fe80::1 actions=drop').flow.match;
    expect(m).toEqual({
      dl_dst: { mac: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' },
      dl_src: { mac: 'fa:16:3e:50:09:42', mask: null },
      nw_src: { ip: '10.0.0.0', prefixLen: 24 },
      nw_dst: { ip: '10.1.0.0', prefixLen: 16 },
      tun_id: { value: 0x3e9, mask: 0xffff },
      regs: { 5: 4, 6: 2 },
      nd_target: 'fe80::1',
    });
  });

  it('keeps fields it does not model as unsupported, each with a warning on its line', () => {
    const r = parseDumpFlows('\n table=71, priority=65,ct_state=+trk,ip,reg5=0x4,ipv6_src=fe80::1,reg6=0x1/0xf actions=resubmit(,72)', 'f');
    const f = r.value[0]!;
    expect(f.match.unsupported).toEqual(['ct_state=+trk', 'ipv6_src=fe80::1', 'reg6=0x1/0xf']);
    expect(f.match.dl_type).toBe(0x0800);
    expect(f.match.regs).toEqual({ 5: 4 });
    expect(r.warnings.map((w) => [w.code, w.line])).toEqual([
      ['parse/unsupported-match', 2],
      ['parse/unsupported-match', 2],
      ['parse/unsupported-match', 2],
    ]);
  });

  it('keeps a known field with an unreadable value as unsupported (never widens the match)', () => {
    const { flow, warnings } = one('nw_src=10.0.0.300 actions=drop');
    expect(flow.match.nw_src).toBeUndefined();
    expect(flow.match.unsupported).toEqual(['nw_src=10.0.0.300']);
    expect(warnings[0]!.code).toBe('parse/bad-value');
  });
});

describe('dump-flows: actions, OpenFlow 1.0 and 1.3 renders', () => {
  it('provisioning flow: OF1.0 mod_vlan_vid (pushes) vs OF1.3 push_vlan + set_field (sets only)', () => {
    const of10 = one('priority=3,in_port=1,vlan_tci=0x0000/0x1fff actions=mod_vlan_vid:2,resubmit(,60)').flow;
    const of13 = one('priority=3,in_port=1,vlan_tci=0x0000/0x1fff actions=push_vlan:0x8100,set_field:4098->vlan_vid,goto_table:60').flow;
    expect(of10.match).toEqual(of13.match);
    expect(of10.actions).toEqual([
      { kind: 'mod_vlan_vid', vid: 2 },
      { kind: 'resubmit', port: null, table: 60 },
    ]);
    expect(of13.actions).toEqual([
      { kind: 'push_vlan', ethertype: 0x8100 },
      { kind: 'set_vlan_vid', vid: 2 },
      { kind: 'goto_table', table: 60 },
    ]);
  });

  it('set_field on vlan_vid without the present bit keeps the value as the VID', () => {
    expect(one('actions=set_field:5->vlan_vid').flow.actions).toEqual([{ kind: 'set_vlan_vid', vid: 5 }]);
  });

  it('br-tun flood: OF1.0 strip_vlan/load vs OF1.3 pop_vlan/set_field give the same actions', () => {
    const of10 = one('table=22,priority=1,dl_vlan=2 actions=strip_vlan,load:0x3e9->NXM_NX_TUN_ID[],output:"vxlan-0a780064",output:"vxlan-0a780066"').flow;
    const of13 = one('table=22,priority=1,dl_vlan=2 actions=pop_vlan,set_field:0x3e9->tun_id,output:2,output:3').flow;
    expect(of10.actions.slice(0, 2)).toEqual(of13.actions.slice(0, 2));
    expect(of10.actions.slice(0, 2)).toEqual([{ kind: 'strip_vlan' }, { kind: 'set_tun_id', value: 0x3e9 }]);
    expect(of10.actions[2]).toEqual({ kind: 'output', port: { kind: 'name', name: 'vxlan-0a780064' } });
    expect(of13.actions[3]).toEqual({ kind: 'output', port: { kind: 'number', ofport: 3 } });
  });

  it('reads the other modelled actions', () => {
    const a = one('actions=NORMAL,normal,IN_PORT,3,"patch-int",output:LOCAL,resubmit(2),resubmit(2,5),resubmit:4,set_tunnel:0x6ab,mod_dl_src:FA:16:3E:50:61:70,mod_dl_dst:fa:16:3e:00:00:01,load:0x2->NXM_NX_REG6[],set_field:3->reg6,load:0->NXM_OF_VLAN_TCI[]').flow.actions;
    expect(a).toEqual([
      { kind: 'normal' },
      { kind: 'normal' },
      { kind: 'in_port' },
      { kind: 'output', port: { kind: 'number', ofport: 3 } },
      { kind: 'output', port: { kind: 'name', name: 'patch-int' } },
      { kind: 'output', port: { kind: 'number', ofport: 65534 } },
      { kind: 'resubmit', port: { kind: 'number', ofport: 2 }, table: null },
      { kind: 'resubmit', port: { kind: 'number', ofport: 2 }, table: 5 },
      { kind: 'resubmit', port: { kind: 'number', ofport: 4 }, table: null },
      { kind: 'set_tun_id', value: 0x6ab },
      { kind: 'mod_dl_src', mac: 'fa:16:3e:50:61:70' },
      { kind: 'mod_dl_dst', mac: 'fa:16:3e:00:00:01' },
      { kind: 'set_reg', reg: 6, value: 2 },
      { kind: 'set_reg', reg: 6, value: 3 },
      { kind: 'strip_vlan' },
    ]);
  });

  it('empty actions= and actions=drop are drop', () => {
    expect(one('priority=0 actions=').flow.actions).toEqual([{ kind: 'drop' }]);
    expect(one('priority=0 actions=drop').flow.actions).toEqual([{ kind: 'drop' }]);
  });

  it('keeps unmodelled actions (ct, ct_clear, conjunction, partial move, partial load) as unsupported with warnings', () => {
    const r = parseDumpFlows('table=71, priority=110,ct_state=+trk actions=ct_clear,ct(table=72,zone=NXM_NX_REG6[0..15]),conjunction(16,1/2),move:NXM_OF_ETH_SRC[0..15]->NXM_OF_ETH_DST[0..15],load:0x4->NXM_NX_REG5[0..15]', 'f');
    const a = r.value[0]!.actions;
    expect(a.map((x) => x.kind)).toEqual(['unsupported', 'unsupported', 'unsupported', 'unsupported', 'unsupported']);
    expect(a[1]).toEqual({ kind: 'unsupported', text: 'ct(table=72,zone=NXM_NX_REG6[0..15])' });
    expect(r.warnings.filter((w) => w.code === 'parse/unsupported-action')).toHaveLength(5);
  });

  it('parses the Neutron br-tun learn flow (commas inside the parentheses) into a LearnSpec', () => {
    const { flow, warnings } = one(' cookie=0x1, table=10, priority=1 actions=learn(table=20,hard_timeout=300,priority=1,cookie=0x43978a274ab5e8e0,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[]),output:"patch-int"');
    expect(warnings).toEqual([]);
    expect(flow.actions).toHaveLength(2);
    expect(flow.actions[0]).toMatchObject({
      kind: 'learn',
      spec: { table: 20, priority: 1, hardTimeout: 300, matchVlanFromPacket: true, matchDstFromSrc: true, stripVlan: true, copyTunId: true, outputToInPort: true },
    });
    expect(flow.actions[1]).toEqual({ kind: 'output', port: { kind: 'name', name: 'patch-int' } });
  });

  it('keeps any other learn with spec null and a warning', () => {
    const r = parseDumpFlows('actions=learn(table=20,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_IN_PORT[]->NXM_NX_REG0[]),NORMAL', 'f');
    expect(r.value[0]!.actions[0]).toMatchObject({ kind: 'learn', spec: null });
    expect(r.value[0]!.actions[1]).toEqual({ kind: 'normal' });
    expect(r.warnings).toMatchObject([{ code: 'parse/unsupported-learn', line: 1 }]);
  });
});
