import { describe, it, expect } from 'vitest';
import { parseBrctlShow, parseIpAddr, parseIpRoute, parseIpsetSave, parseOfctlShow, parseOvsVsctlShow } from '../../src/parse/index.ts';

describe('ip addr', () => {
  it('reads names (without @ifN), MACs and IPv4 addresses; skips inet6; keeps lo', () => {
    const text = [
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000',
      '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
      '    inet 127.0.0.1/8 scope host lo',
      '    inet6 ::1/128 scope host',
      '2: qg-33fedbc5-43@if28: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000',
      '    link/ether FA:16:3E:03:1A:F6 brd ff:ff:ff:ff:ff:ff link-netnsid 0',
      '    inet 203.0.113.21/24 brd 203.0.113.255 scope global qg-33fedbc5-43',
      '       valid_lft forever preferred_lft forever',
      '    inet 203.0.113.30/32 brd 203.0.113.30 scope global qg-33fedbc5-43',
      '    inet6 fd00:203:0:113::21/64 scope global nodad',
    ].join('\n');
    const r = parseIpAddr(text, 'qrouter-1.ip-addr');
    expect(r.warnings).toEqual([]);
    expect(r.value).toEqual([
      { name: 'lo', mac: '00:00:00:00:00:00', addresses: [{ ip: '127.0.0.1', prefixLen: 8 }] },
      { name: 'qg-33fedbc5-43', mac: 'fa:16:3e:03:1a:f6', addresses: [{ ip: '203.0.113.21', prefixLen: 24 }, { ip: '203.0.113.30', prefixLen: 32 }] },
    ]);
  });

  it('reads the one-line `ip -o` forms and merges lines of one interface', () => {
    const text = [
      '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq state UP mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff',
      '2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever preferred_lft forever',
      '2: eth0    inet6 fe80::1/64 scope link \\       valid_lft forever preferred_lft forever',
    ].join('\n');
    expect(parseIpAddr(text, 'f').value).toEqual([{ name: 'eth0', mac: '52:54:00:12:34:56', addresses: [{ ip: '10.0.0.5', prefixLen: 24 }] }]);
  });

  it('warns on an interface without a MAC and on lines that are not ip addr output', () => {
    const r = parseIpAddr('4: qr-442e36eb-fc@if14: <BROADCAST,UP> mtu 1450\ndefault via 10.0.0.1 dev qr-442e36eb-fc', 'f');
    expect(r.value).toEqual([{ name: 'qr-442e36eb-fc', mac: '00:00:00:00:00:00', addresses: [] }]);
    expect(r.warnings.map((w) => [w.code, w.line])).toEqual([
      ['parse/unrecognised-line', 2],
      ['parse/incomplete', 1],
    ]);
  });
});

describe('ip route', () => {
  it('reads default, connected and via routes; ignores proto/scope/metric/table silently', () => {
    const text = [
      'default via 172.16.0.254 dev qg-ca92be94-79 proto static metric 100',
      '172.16.0.0/24 dev qg-ca92be94-79  proto kernel  scope link  src 172.16.0.188 ',
      '10.2.0.0/16 via 10.1.0.1 dev qr-1 table main',
      '10.9.9.9 dev qr-1 scope link',
    ].join('\n');
    const r = parseIpRoute(text, 'ns.ip-route');
    expect(r.warnings).toEqual([]);
    expect(r.value.map(({ origin, ...x }) => x)).toEqual([
      { dst: { ip: '0.0.0.0', prefixLen: 0 }, via: '172.16.0.254', dev: 'qg-ca92be94-79', src: null },
      { dst: { ip: '172.16.0.0', prefixLen: 24 }, via: null, dev: 'qg-ca92be94-79', src: '172.16.0.188' },
      { dst: { ip: '10.2.0.0', prefixLen: 16 }, via: '10.1.0.1', dev: 'qr-1', src: null },
      { dst: { ip: '10.9.9.9', prefixLen: 32 }, via: null, dev: 'qr-1', src: null },
    ]);
    expect(r.value[1]!.origin).toEqual({ file: 'ns.ip-route', line: 2, text: '172.16.0.0/24 dev qg-ca92be94-79  proto kernel  scope link  src 172.16.0.188' });
  });

  it('warns on route types it does not model and on routes without dev', () => {
    const r = parseIpRoute('blackhole 10.0.0.0/8\ndefault via 10.0.0.1\n10.0.0.0/8 dev x weird', 'f');
    expect(r.value.map((x) => x.dev)).toEqual(['x']);
    expect(r.warnings.map((w) => [w.code, w.line])).toEqual([
      ['parse/unsupported-match', 1],
      ['parse/incomplete', 2],
      ['parse/unsupported-match', 3],
    ]);
  });
});

describe('brctl show', () => {
  it('reads bridges and their continuation-line interfaces, and a bridge with none', () => {
    const text = [
      'bridge name\tbridge id\t\tSTP enabled\tinterfaces',
      'qbr0695f2ca-bf\t\t8000.ee390677286c\tno\t\tqvb0695f2ca-bf',
      '\t\t\t\t\t\t\ttap0695f2ca-bf',
      'qbrempty\t\t8000.000000000000\tno',
    ].join('\n');
    const r = parseBrctlShow(text, 'brctl-show');
    expect(r.warnings).toEqual([]);
    expect(r.value).toEqual([
      { kind: 'linux-bridge', name: 'qbr0695f2ca-bf', ports: ['qvb0695f2ca-bf', 'tap0695f2ca-bf'], netfilter: true },
      { kind: 'linux-bridge', name: 'qbrempty', ports: [], netfilter: true },
    ]);
    expect(parseBrctlShow(text, 'f', { netfilter: false }).value[0]!.netfilter).toBe(false);
  });
});

describe('ipset save', () => {
  it('reads IPv4 hash:ip / hash:net members, warns on sets it does not model', () => {
    const text = [
      'create NIPv4e7b85005-a11b-405e-a60f- hash:net family inet hashsize 1024 maxelem 65536',
      'add NIPv4e7b85005-a11b-405e-a60f- 172.24.220.12',
      'add NIPv4e7b85005-a11b-405e-a60f- 10.0.0.0/24',
      'create NIPv6e7b85005-a11b-405e-a60f- hash:net family inet6 hashsize 1024 maxelem 65536',
      'add NIPv6e7b85005-a11b-405e-a60f- fe80::1',
      'create empty hash:ip family inet',
    ].join('\n');
    const r = parseIpsetSave(text, 'ipset-save');
    expect(r.value).toEqual({
      'NIPv4e7b85005-a11b-405e-a60f-': [{ ip: '172.24.220.12', prefixLen: 32 }, { ip: '10.0.0.0', prefixLen: 24 }],
      'NIPv6e7b85005-a11b-405e-a60f-': [],
      empty: [],
    });
    expect(r.warnings.map((w) => [w.code, w.line])).toEqual([['parse/unsupported-match', 4]]);
  });
});

describe('ovs-vsctl show', () => {
  it('reads bridges, port types, tags, patch peers and tunnel endpoints, quoted or not', () => {
    const text = [
      '256fd168-a5f8-4371-ad1a-a3135b3380a5',
      '    Manager "ptcp:6640:127.0.0.1"',
      '        is_connected: true',
      '    Bridge br-tun',
      '        Controller "tcp:127.0.0.1:6633"',
      '            is_connected: true',
      '        fail_mode: secure',
      '        Port "vxlan-ac10001f"',
      '            Interface "vxlan-ac10001f"',
      '                type: vxlan',
      '                options: {df_default="true", in_key=flow, local_ip="172.16.0.11", out_key=flow, remote_ip="172.16.0.31"}',
      '        Port patch-int',
      '            Interface patch-int',
      '                type: patch',
      '                options: {peer=patch-tun}',
      '    Bridge "br-int"',
      '        Port "qvo0695f2ca-bf"',
      '            tag: 3',
      '            trunks: [1, 2]',
      '            Interface "qvo0695f2ca-bf"',
      '        Port br-int',
      '            Interface br-int',
      '                type: internal',
      '    ovs_version: "2.5.0"',
    ].join('\n');
    const r = parseOvsVsctlShow(text, 'ovs-vsctl-show');
    expect(r.warnings).toEqual([]);
    const none = { ofport: null, tag: null, peer: null, remoteIp: null, localIp: null };
    expect(r.value.bridges).toEqual([
      {
        name: 'br-tun',
        ports: [
          { ...none, name: 'vxlan-ac10001f', type: 'vxlan', remoteIp: '172.16.0.31', localIp: '172.16.0.11' },
          { ...none, name: 'patch-int', type: 'patch', peer: 'patch-tun' },
        ],
      },
      {
        name: 'br-int',
        ports: [
          { ...none, name: 'qvo0695f2ca-bf', type: 'system', tag: 3 },
          { ...none, name: 'br-int', type: 'internal' },
        ],
      },
    ]);
  });

  it('warns on interface errors and on types it does not model', () => {
    const text = ['    Bridge br-int', '        Port tap1', '            Interface tap1', '                error: "could not open network device tap1 (No such device)"', '        Port dpdk0', '            Interface dpdk0', '                type: dpdk'].join('\n');
    const r = parseOvsVsctlShow(text, 'f');
    expect(r.value.bridges[0]!.ports.map((p) => [p.name, p.type])).toEqual([['tap1', 'system'], ['dpdk0', 'system']]);
    expect(r.warnings.map((w) => [w.code, w.line])).toEqual([['parse/incomplete', 4], ['parse/unsupported-match', 7]]);
  });
});

describe('ovs-ofctl show', () => {
  it('maps port names to OpenFlow numbers, LOCAL to 65534', () => {
    const text = [
      'OFPT_FEATURES_REPLY (xid=0x2): dpid:0000e27f47ffb148',
      'n_tables:254, n_buffers:256',
      ' 1(int-br-prv): addr:7a:7b:34:bb:f5:4b',
      '     config:     0',
      ' 3(qvobb09acdf-a4): addr:ee:d4:71:35:31:3b',
      ' LOCAL(br-int): addr:e2:7f:47:ff:b1:48',
    ].join('\n');
    expect(parseOfctlShow(text, 'f').value).toEqual({ 'int-br-prv': 1, 'qvobb09acdf-a4': 3, 'br-int': 65534 });
  });
});
