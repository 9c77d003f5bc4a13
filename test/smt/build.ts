// Small hand-built dataplanes and IR pieces for the SMT tests: one host with two VMs on br-int, a
// router namespace between the tenant subnet and an external network on br-ex, and the outside world.
import type { Dataplane, Namespace, Station } from '../../src/ir/dataplane.ts';
import type { Flow, FlowAction, FlowMatch, OvsBridge, OvsPort } from '../../src/ir/openflow.ts';
import type { NetfilterRuleset, NfChain, NfMatch, NfRule, NfTarget } from '../../src/ir/netfilter.ts';
import type { Origin } from '../../src/ir/origin.ts';
import type { Packet } from '../../src/ir/packet.ts';

export const origin = (text: string): Origin => ({ file: 'test', line: 1, text });

export function flow(table: number, priority: number, match: FlowMatch, actions: FlowAction[]): Flow {
  return { table, priority, match, actions, cookie: null, origin: origin(`table=${table},priority=${priority} ${JSON.stringify(match)}`) };
}

export function port(name: string, ofport: number, tag: number | null = null, type: OvsPort['type'] = 'internal'): OvsPort {
  return { name, ofport, type, tag, peer: null, remoteIp: null, localIp: null };
}

export function bridge(name: string, ports: OvsPort[], flows: Flow[]): OvsBridge {
  return { kind: 'ovs-bridge', name, ports, flows };
}

export function rule(matches: NfMatch[], target: NfTarget, text = JSON.stringify([matches, target])): NfRule {
  return { matches, target, origin: origin(text) };
}

export function chain(name: string, rules: NfRule[], policy: 'ACCEPT' | 'DROP' | null = null): NfChain {
  return { name, policy, rules };
}

export function ruleset(tables: Record<string, NfChain[]>, ipsets: NetfilterRuleset['ipsets'] = {}): NetfilterRuleset {
  return { tables: Object.entries(tables).map(([name, chains]) => ({ name, chains })), ipsets };
}

export const EMPTY: NetfilterRuleset = { tables: [], ipsets: {} };

export const MAC = { vm1: 'fa:16:3e:00:00:01', vm2: 'fa:16:3e:00:00:02', qr: 'fa:16:3e:00:00:0a', qg: 'fa:16:3e:00:00:0b', up: 'fa:16:3e:00:00:ff' };

export function vmStation(vm: string, ip: string, mac: string, tap: string): Extract<Station, { kind: 'vm-port' }> {
  return {
    kind: 'vm-port', vm, index: 0, host: 'h1', project: 'p', network: 'net1', portId: `${vm}-port`, mac, ip, prefixLen: 24,
    gateway: '10.0.0.1', attachment: { host: 'h1', device: 'br-int', port: tap },
  };
}

export const VM1 = vmStation('vm1', '10.0.0.5', MAC.vm1, 'tap1');
export const VM2 = vmStation('vm2', '10.0.0.6', MAC.vm2, 'tap2');
export const OUTSIDE: Extract<Station, { kind: 'outside' }> = {
  kind: 'outside', network: 'public', physnet: 'public', vlan: null, mac: MAC.up, gateway: '203.0.113.1', cidr: { ip: '203.0.113.0', prefixLen: 24 },
};

/** The router namespace: qr-1 on the tenant subnet, qg-1 on the external one, SNAT to its qg address. */
export function router(netfilter: NetfilterRuleset): Namespace {
  return {
    kind: 'namespace', name: 'qrouter-r1', forwarding: true, netfilter,
    interfaces: [
      { name: 'qr-1', mac: MAC.qr, addresses: [{ ip: '10.0.0.1', prefixLen: 24 }] },
      { name: 'qg-1', mac: MAC.qg, addresses: [{ ip: '203.0.113.5', prefixLen: 24 }, { ip: '203.0.113.50', prefixLen: 32 }] },
    ],
    routes: [
      { dst: { ip: '10.0.0.0', prefixLen: 24 }, via: null, dev: 'qr-1', src: null, origin: origin('10.0.0.0/24 dev qr-1') },
      { dst: { ip: '203.0.113.0', prefixLen: 24 }, via: null, dev: 'qg-1', src: null, origin: origin('203.0.113.0/24 dev qg-1') },
      { dst: { ip: '0.0.0.0', prefixLen: 0 }, via: '203.0.113.1', dev: 'qg-1', src: null, origin: origin('default via 203.0.113.1') },
    ],
  };
}

/** The router's usual NAT: a floating IP 203.0.113.50 for vm2, SNAT to 203.0.113.5 for the rest. */
export const ROUTER_NAT: NetfilterRuleset = ruleset({
  nat: [
    chain('PREROUTING', [rule([{ kind: 'dst', cidr: { ip: '203.0.113.50', prefixLen: 32 }, negate: false }], { kind: 'DNAT', to: '10.0.0.6', port: null })], 'ACCEPT'),
    chain('POSTROUTING', [
      rule([{ kind: 'ctstate', states: ['DNAT'], negate: true }, { kind: 'out-iface', name: 'qg-1', negate: true }], { kind: 'ACCEPT' }),
      rule([{ kind: 'src', cidr: { ip: '10.0.0.6', prefixLen: 32 }, negate: false }], { kind: 'SNAT', to: '203.0.113.50', fully_random: false }),
      rule([{ kind: 'out-iface', name: 'qg-1', negate: false }], { kind: 'SNAT', to: '203.0.113.5', fully_random: false }),
    ], 'ACCEPT'),
  ],
});

export function cloud(routerRules: NetfilterRuleset = ROUTER_NAT, intFlows: Flow[] = [flow(0, 0, {}, [{ kind: 'normal' }])]): Dataplane {
  const brInt = bridge('br-int', [port('tap1', 1, 1, 'system'), port('tap2', 2, 1, 'system'), port('qr-1', 3, 1)], intFlows);
  const brEx = bridge('br-ex', [port('qg-1', 1), port('eth1', 2, null, 'system')], [flow(0, 0, {}, [{ kind: 'normal' }])]);
  return {
    hosts: [{ name: 'h1', tunnelIp: null, ovsBridges: [brInt, brEx], linuxBridges: [], namespaces: [router(routerRules)] }],
    links: [
      { kind: 'vif', a: { host: 'h1', device: 'vm:vm1', port: '0' }, b: { host: 'h1', device: 'br-int', port: 'tap1' } },
      { kind: 'vif', a: { host: 'h1', device: 'vm:vm2', port: '0' }, b: { host: 'h1', device: 'br-int', port: 'tap2' } },
      { kind: 'internal', a: { host: 'h1', device: 'br-int', port: 'qr-1' }, b: { host: 'h1', device: 'qrouter-r1', port: 'qr-1' } },
      { kind: 'internal', a: { host: 'h1', device: 'br-ex', port: 'qg-1' }, b: { host: 'h1', device: 'qrouter-r1', port: 'qg-1' } },
    ],
    wires: [{ physnet: 'public', members: [{ host: 'h1', device: 'br-ex', port: 'eth1' }] }],
    stations: [VM1, VM2, OUTSIDE],
    warnings: [],
  };
}

export function ipv4(fields: Partial<Packet> = {}): Packet {
  return {
    eth_src: MAC.vm1, eth_dst: MAC.qr, vlan: null, tun_id: null, eth_type: 0x0800, ip_src: '10.0.0.5', ip_dst: '8.8.8.8',
    proto: 6, sport: 40000, dport: 80, icmp_type: null, icmp_code: null, ...fields,
  };
}
