// The instantiation engine and the address spellings, checked against text from the real samples.
import { describe, it, expect } from 'vitest';
import { dumpOrder, fill, flowLine, instantiate } from '../../src/render/ovs/instantiate.ts';
import { arpSpa, ipv4Hex, linkLocal, macHex } from '../../src/render/ovs/addr.ts';
import { bridgeCookie } from '../../src/render/ovs/ident.ts';
import { brIntTemplates } from '../../rules/ovs-agent/br-int.ts';
import { brTunTemplates } from '../../rules/ovs-agent/br-tun.ts';
import { brPhysTemplates } from '../../rules/ovs-agent/br-phys.ts';

describe('fill and instantiate', () => {
  it('fills placeholders and refuses a missing one', () => {
    expect(fill('dl_vlan={lvid},x={a_b}', { lvid: 3, a_b: 'y' }, 't')).toBe('dl_vlan=3,x=y');
    expect(() => fill('dl_vlan={lvid}', {}, 'tpl')).toThrow(/tpl: no value for \{lvid\}/);
  });

  it('parses table and priority and keeps the provenance', () => {
    const f = instantiate(
      { id: 't', when: 'always', flow: 'table=22, priority=1,dl_vlan={lvid} actions=drop', why: 'flood {lvid}' },
      { neutron: 'network n', vars: { lvid: 7 } },
    );
    expect(f).toMatchObject({ table: 22, priority: 1, body: 'priority=1,dl_vlan=7 actions=drop', provenance: { neutron: 'network n', why: 'flood 7' } });
    expect(() => instantiate({ id: 'bad', when: 'always', flow: 'priority=1 actions=drop', why: '' }, { neutron: '', vars: {} })).toThrow(/bad/);
  });

  it('every template of rules/ovs-agent renders a well-formed flow line', () => {
    const vars = new Proxy({}, { get: () => '1' }) as Record<string, string>;
    for (const t of [...brIntTemplates, ...brTunTemplates, ...brPhysTemplates]) {
      const f = instantiate(t, { neutron: '', vars });
      expect(f.body, t.id).toMatch(/^priority=\d+(,\S+)? actions=\S+$/);
    }
  });

  it('orders flows like dump-flows and leaves table=0 out, like --no-stats output', () => {
    const mk = (table: number, priority: number, body: string) => ({ table, priority, body, templateId: body, provenance: { neutron: '', why: '' } });
    const ordered = dumpOrder([mk(22, 0, 'a'), mk(0, 0, 'b'), mk(0, 3, 'c'), mk(0, 3, 'd')]).map((f) => f.body);
    expect(ordered).toEqual(['c', 'd', 'b', 'a']);
    expect(flowLine('0xab', mk(0, 1, 'priority=1 actions=drop'))).toBe(' cookie=0xab, priority=1 actions=drop');
    expect(flowLine('0xab', mk(4, 1, 'priority=1 actions=drop'))).toBe(' cookie=0xab, table=4, priority=1 actions=drop');
  });
});

describe('address spellings (values from the samples)', () => {
  it('derives the EUI-64 link-local address Neutron allows in neighbour advertisements', () => {
    expect(linkLocal('fa:16:3e:50:09:42')).toBe('fe80::f816:3eff:fe50:942'); // hybrid_compute_mitaka br-int
    expect(linkLocal('fa:16:3e:9a:65:4c')).toBe('fe80::f816:3eff:fe9a:654c'); // hybrid_compute_vlan br-int
    expect(linkLocal('02:00:00:00:00:01')).toBe('fe80::ff:fe00:1');
  });

  it('prints ARP responder immediates in hex', () => {
    expect(macHex('fa:16:3e:50:61:70')).toBe('0xfa163e506170');
    expect(ipv4Hex('192.168.21.2')).toBe('0xc0a81502');
    expect(ipv4Hex('10.0.0.5')).toBe('0xa000005');
  });

  it('masks arp_spa prefixes and leaves host addresses bare', () => {
    expect(arpSpa('10.9.1.5/16')).toBe('10.9.0.0/16');
    expect(arpSpa('192.168.1.200/32')).toBe('192.168.1.200');
    expect(arpSpa('192.168.1.7')).toBe('192.168.1.7');
  });

  it('derives distinct cookies per host and bridge', () => {
    expect(bridgeCookie('h', 'br-int')).toBe(bridgeCookie('h', 'br-int'));
    expect(bridgeCookie('h', 'br-int')).not.toBe(bridgeCookie('h', 'br-tun'));
    expect(bridgeCookie('h', 'br-int')).not.toBe(bridgeCookie('g', 'br-int'));
  });
});
