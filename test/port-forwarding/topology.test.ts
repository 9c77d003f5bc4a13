// The topology format's `port_forwardings`: what loads into the model, and what is refused as Neutron's
// port_forwarding plugin refuses it (pf_plugin.py, db/models/port_forwarding.py), each with its code, the
// file, line and field path.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopologyText } from '../../src/topology/index.ts';
import { refusalsOf } from './refusals.ts';

const FILE = join(import.meta.dirname, '..', 'properties', 'topologies', 'port-forwarding.yaml');
const TEXT = readFileSync(FILE, 'utf8');
const PF_LINE = TEXT.split('\n').findIndex((l) => l.includes('external_port: 2201')) + 1;

const { errs, edit, add } = refusalsOf(TEXT, 'pf.yaml');

describe('port_forwardings in the model', () => {
  it('loads each forwarding with its floating IP, port, fixed address and router', () => {
    const r = loadTopologyText(TEXT, 'pf.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const pfs = r.value.portForwardings;
    expect(pfs.map((p) => [p.floatingIp, p.protocol, p.externalPort, `${p.vm}:${p.portIndex}`, p.internalIp, p.internalPort, p.router, p.network])).toEqual([
      ['203.0.113.50', 'tcp', 2201, 'vm1:0', '192.168.1.11', 22, 'router1', 'public'],
      ['203.0.113.50', 'tcp', 2202, 'vm2:0', '192.168.2.12', 22, 'router1', 'public'],
      ['203.0.113.50', 'udp', 5353, 'vm2:0', '192.168.2.12', 53, 'router1', 'public'],
    ]);
    expect(pfs[0]!.id).toBe('5b3c1e0a-2f7d-4c1b-9a77-0e5d2c6b9f01');
    // One floating IP: one id, derived as a floating IP's would be; each forwarding's own id differs.
    expect(new Set(pfs.map((p) => p.floatingIpId)).size).toBe(1);
    expect(new Set(pfs.map((p) => p.id)).size).toBe(3);
    expect(pfs[1]!.portId).toBe(r.value.vms.find((v) => v.name === 'vm2')!.ports[0]!.id);
    // A forwarded floating IP is no floating IP of a port.
    expect(r.value.floatingIps.map((f) => f.ip)).toEqual(['203.0.113.101']);
  });

  it('the address is reserved: no allocated address takes it', () => {
    const t = edit('gateway: { network: public, ip: 203.0.113.10 }', 'gateway: { network: public }')
      .replace('cidr: 203.0.113.0/24, gateway: 203.0.113.1', 'cidr: 203.0.113.48/29, gateway: 203.0.113.49')
      .replace('203.0.113.101', '203.0.113.51');
    const r = loadTopologyText(t, 'pf.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.value.ports.filter((p) => p.ip === '203.0.113.50')).toEqual([]);
    // Without the forwardings an allocated port takes 203.0.113.50: the reservation is what keeps it free.
    const without = loadTopologyText(t.slice(0, t.indexOf('port_forwardings:')), 'pf.yaml');
    if (!without.ok) throw new Error(JSON.stringify(without.errors));
    expect(without.value.ports.filter((p) => p.ip === '203.0.113.50')).toHaveLength(1);
  });
});

describe('port_forwardings refused', () => {
  it('a misspelt field is NP101 at it (and the field it misses NP103)', () => {
    expect(errs(edit('internal_port: 22 }', 'internal_prot: 22 }'))).toEqual([
      ['NP103', 'port_forwardings[0].internal_port', PF_LINE],
      ['NP101', 'port_forwardings[0].internal_prot', PF_LINE],
    ]);
  });

  it('a protocol other than tcp or udp is NP102 at protocol', () => {
    expect(errs(edit('protocol: tcp, external_port: 2201', 'protocol: icmp, external_port: 2201'))).toEqual([['NP102', 'port_forwardings[0].protocol', PF_LINE]]);
  });

  it('a port out of 1–65535 is NP102', () => {
    expect(errs(edit('external_port: 2201', 'external_port: 70000'))).toEqual([['NP102', 'port_forwardings[0].external_port', PF_LINE]]);
  });

  it('an internal address that is not the port\'s fixed IP is NP318 at internal_ip', () => {
    const e = loadTopologyText(edit('internal_ip: 192.168.1.11', 'internal_ip: 192.168.1.99'), 'pf.yaml');
    expect(e.ok).toBe(false);
    if (e.ok) return;
    expect(e.errors.map((x) => [x.code, x.path, x.position?.line])).toEqual([['NP318', 'port_forwardings[0].internal_ip', PF_LINE]]);
    expect(e.errors[0]!.message).toContain('not a fixed IP of port vm1:0');
  });

  it('a floating IP that forwards one protocol\'s external port twice is NP306 at the second', () => {
    expect(errs(add('  - { floating_ip: 203.0.113.50, protocol: tcp, external_port: 2201, vm: vm2, internal_port: 80 }')))
      .toEqual([['NP306', 'port_forwardings[3].external_port', PF_LINE + 3]]);
  });

  it('the same external port on the other protocol is fine', () => {
    expect(errs(add('  - { floating_ip: 203.0.113.50, protocol: udp, external_port: 2201, vm: vm2, internal_port: 80 }'))).toEqual([]);
  });

  it('a port that receives one protocol\'s internal port twice is NP306', () => {
    expect(errs(add('  - { floating_ip: 203.0.113.60, protocol: tcp, external_port: 2201, vm: vm1, internal_port: 22 }')))
      .toEqual([['NP306', 'port_forwardings[3].internal_port', PF_LINE + 3]]);
  });

  it('a floating IP that is also associated with a port is NP306 (Neutron refuses it)', () => {
    expect(errs(edit('floating_ip: 203.0.113.50, protocol: tcp, external_port: 2201', 'floating_ip: 203.0.113.101, protocol: tcp, external_port: 2201')))
      .toEqual([['NP306', 'port_forwardings[0].floating_ip', PF_LINE]]);
  });

  it('a floating IP outside every external subnet is NP305', () => {
    expect(errs(add('  - { floating_ip: 198.51.100.5, protocol: tcp, external_port: 1, vm: vm3, internal_port: 1 }')))
      .toEqual([['NP305', 'port_forwardings[3].floating_ip', PF_LINE + 3]]);
  });

  it('an address another port holds is NP302', () => {
    expect(errs(add('  - { floating_ip: 203.0.113.10, protocol: tcp, external_port: 1, vm: vm3, internal_port: 1 }')))
      .toEqual([['NP302', 'port_forwardings[3].floating_ip', PF_LINE + 3]]);
  });

  it('a VM or port that does not exist is NP201', () => {
    expect(errs(add('  - { floating_ip: 203.0.113.60, protocol: tcp, external_port: 1, vm: nope, internal_port: 1 }'))).toEqual([['NP201', 'port_forwardings[3].vm', PF_LINE + 3]]);
    expect(errs(add('  - { floating_ip: 203.0.113.60, protocol: tcp, external_port: 1, vm: vm3, port: 1, internal_port: 1 }'))).toEqual([['NP201', 'port_forwardings[3].port', PF_LINE + 3]]);
  });

  it('a floating IP whose ports no one router reaches is NP310', () => {
    const t = edit('interfaces: [subnet1, subnet2]', 'interfaces: [subnet1]');
    expect(errs(t)).toEqual([['NP310', 'port_forwardings[0].floating_ip', PF_LINE]]);
  });

  it('before Rocky the plugin does not exist: NP506', () => {
    expect(errs(edit('release: "2024.1"', 'release: queens'))).toEqual([['NP506', 'port_forwardings', expect.any(Number) as unknown as number]]);
  });
});
