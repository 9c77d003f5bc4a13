import { describe, it, expect } from 'vitest';
import { detectFormat, guessIptablesTable, parseArtifactFile, parseCapture, splitSections } from '../../src/parse/index.ts';

describe('parseArtifactFile picks the parser from the artifact path', () => {
  it('dump-flows of a bridge', () => {
    const r = parseArtifactFile('compute1/br-int.dump-flows', ' table=0, priority=0 actions=resubmit(,60)');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ host: 'compute1', device: 'br-int', format: 'dump-flows', path: 'compute1/br-int.dump-flows' });
    expect(r.value.content.kind).toBe('dump-flows');
    if (r.value.content.kind === 'dump-flows') expect(r.value.content.flows[0]!.origin.file).toBe('compute1/br-int.dump-flows');
  });

  it('namespace files and host-wide files', () => {
    const cases: [string, string, string, string | null][] = [
      ['network1/qrouter-r1.iptables-save', '*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT', 'iptables', 'qrouter-r1'],
      ['network1/qrouter-r1.ip-addr', '1: lo: <LOOPBACK> mtu 65536\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00', 'ip-addr', 'qrouter-r1'],
      ['network1/qdhcp-n1.ip-route', '10.0.0.0/24 dev tap1 proto kernel scope link src 10.0.0.2', 'ip-route', 'qdhcp-n1'],
      ['compute1/iptables-save', '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT', 'iptables', 'root'],
      ['compute1/ipset-save', 'create s hash:net family inet', 'ipset-save', 'root'],
      ['compute1/brctl-show', 'bridge name\tbridge id\tSTP enabled\tinterfaces', 'brctl-show', null],
      ['compute1/ovs-vsctl-show', '    Bridge br-int', 'ovs-vsctl-show', null],
      ['compute1/br-tun.ofctl-show', ' 1(patch-int): addr:aa:bb:cc:dd:ee:ff', 'ofctl-show', 'br-tun'],
    ];
    for (const [path, text, kind, device] of cases) {
      const r = parseArtifactFile(path, text);
      expect(r.ok, path).toBe(true);
      if (r.ok) {
        expect(r.value.content.kind, path).toBe(kind);
        expect(r.value.device, path).toBe(device);
        expect(r.value.warnings, path).toEqual([]);
      }
    }
  });

  it('an unknown file name is NP505', () => {
    const r = parseArtifactFile('compute1/keepalived.conf', 'global_defs {}');
    expect(r).toMatchObject({ ok: false, errors: [{ code: 'NP505', file: 'compute1/keepalived.conf' }] });
  });
});

describe('detectFormat', () => {
  it('recognises each format from its text alone', () => {
    const cases: [string, string][] = [
      [' cookie=0x1, duration=1s, table=0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL', 'dump-flows'],
      ['NXST_FLOW reply (xid=0x4):', 'dump-flows'],
      ['table=0, priority=0 actions=drop', 'dump-flows'],
      ['abc\n    Bridge br-int\n        Port br-int\n            Interface br-int', 'ovs-vsctl-show'],
      ['OFPT_FEATURES_REPLY (xid=0x2): dpid:0000e27f47ffb148', 'ofctl-show'],
      ['*filter\n:INPUT ACCEPT [0:0]\nCOMMIT', 'iptables-save'],
      ['-P INPUT ACCEPT\n-A INPUT -j ACCEPT', 'iptables-S'],
      ['Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination', 'iptables-L'],
      ['1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536', 'ip-addr'],
      ['default via 10.0.0.1 dev eth0\n10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.5', 'ip-route'],
      ['bridge name\tbridge id\t\tSTP enabled\tinterfaces', 'brctl-show'],
      ['create NIPv4x hash:net family inet hashsize 1024 maxelem 65536', 'ipset-save'],
      ['vrrp_instance VR_1 {\n    virtual_routes {\n        0.0.0.0/0 via 10.0.0.1 dev qg-1\n    }\n}', 'keepalived-conf'],
      ['+----+\n| id |\n+----+', 'unknown'],
    ];
    for (const [text, format] of cases) expect(detectFormat(text), text).toBe(format);
  });

  it('guesses the table of an iptables -S text from its targets and built-in chains', () => {
    expect(guessIptablesTable('-A x -j DNAT --to-destination 10.0.0.1')).toBe('nat');
    expect(guessIptablesTable('-A x -j CT --zone 1')).toBe('raw');
    expect(guessIptablesTable('-A x -j MARK --set-xmark 0x1/0xffff')).toBe('mangle');
    expect(guessIptablesTable('-P PREROUTING ACCEPT\n-P POSTROUTING ACCEPT')).toBe('nat');
    expect(guessIptablesTable('-P INPUT ACCEPT\n-A INPUT -j ACCEPT')).toBe('filter');
  });
});

describe('captures holding several commands', () => {
  const text = [
    '# ip net exec qrouter-1 ip addr',
    '14: qr-ae8d3c38-85: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450',
    '    link/ether fa:16:3e:fe:6e:a8 brd ff:ff:ff:ff:ff:ff',
    '    inet 10.10.10.1/24 brd 10.10.10.255 scope global qr-ae8d3c38-85',
    '# ip net exec qrouter-1 ip route',
    '10.10.10.0/24 dev qr-ae8d3c38-85  proto kernel  scope link  src 10.10.10.1',
    '# ip netns exec qrouter-1 iptables -t nat -S',
    '-A neutron-l3-agent-float-snat -s 10.10.10.12/32 -j SNAT --to-source 192.168.116.233',
  ].join('\n');

  it('splitSections cuts at comments quoting a command, keeping line numbers', () => {
    const s = splitSections(text);
    expect(s.map((x) => [x.command, x.startLine])).toEqual([
      ['ip net exec qrouter-1 ip addr', 1],
      ['ip net exec qrouter-1 ip route', 5],
      ['ip netns exec qrouter-1 iptables -t nat -S', 7],
    ]);
    expect(splitSections('# Generated by iptables-save v1.6.0\n*nat\nCOMMIT')).toHaveLength(1);
  });

  it('parseCapture parses each section with its own parser and the file-wide line numbers', () => {
    const parts = parseCapture(text, 'capture.txt');
    expect(parts.map((p) => p.format)).toEqual(['ip-addr', 'ip-route', 'iptables-S']);
    const route = parts[1]!.result;
    expect(route.ok && route.value.content.kind === 'ip-route' && route.value.content.routes[0]!.origin.line).toBe(6);
    const nat = parts[2]!.result;
    expect(nat.ok && nat.value.content.kind === 'iptables' && nat.value.content.ruleset.tables.map((t) => t.name)).toEqual(['nat']);
  });
});
