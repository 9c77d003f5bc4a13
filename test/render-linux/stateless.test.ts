// A port in stateless security groups (Ussuri+): the hybrid firewall's raw table marks its traffic
// `-j CT --notrack` instead of giving it a conntrack zone (iptables_firewall.py `_get_jump_rules`), the
// filter chains stay as they are, and so replies come back only where a rule lets them: the evaluator
// replays the rendered rules, and `--bidirectional` finds the reply to a stateless port's own request
// dropped at its firewall where the same port in a stateful group gets it back.
import { afterAll, describe, expect, it } from 'vitest';
import { loadTopologyText } from '../../src/topology/index.ts';
import { renderTopology } from '../../src/render/index.ts';
import { renderLinuxArtifacts } from '../../src/render/linux/index.ts';
import { assembleDataplane } from '../../src/dataplane/assemble.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { runQuery } from '../../src/questions/query.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { chainName } from '../../src/render/names.ts';
import type { Topology } from '../../src/topology/model.ts';
import { artifact, chainRules, expectRestorable } from './helpers.ts';

afterAll(async () => { await shutdownZ3(); });

const TEXT = (stateful: boolean, release = '2024.1', autoEgress = true) => `
defaults: { release: "${release}", firewall_driver: iptables_hybrid, l2_population: true }
hosts:
  compute1: { role: compute, tunnel_ip: 10.0.0.11 }
  network1: { role: network, tunnel_ip: 10.0.0.21, bridge_mappings: { external: br-ex } }
networks:
  public: { external: true, type: flat, physical_network: external, subnets: { public-v4: { cidr: 203.0.113.0/24, gateway: 203.0.113.1 } } }
  net1: { project: demo, type: vxlan, segmentation_id: 101, subnets: { subnet1: { cidr: 192.168.1.0/24 } } }
routers:
  router1: { project: demo, hosts: [network1], gateway: { network: public, ip: 203.0.113.10 }, interfaces: [subnet1] }
security_groups:
  demo:
    web: { rules: [{ direction: ingress, protocol: tcp, port: 22 }]${autoEgress ? '' : ', auto_egress: false'}${stateful ? '' : ', stateful: false'} }
vms:
  vm1: { project: demo, host: compute1, ports: [{ network: net1, ip: 192.168.1.11, security_groups: [web] }] }
  vm2: { project: demo, host: compute1, ports: [{ network: net1, ip: 192.168.1.12 }] }
`;

function load(stateful: boolean, release?: string, autoEgress = true): Topology {
  const r = loadTopologyText(TEXT(stateful, release, autoEgress), 't.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

const portId = (t: Topology, vm: string) => t.ports.find((p) => p.name === `${vm}:0`)!.id;

describe('the raw table of a stateless port', () => {
  it('marks the port\'s three matches --notrack with the "Make <port> stateless" comment; other ports keep their zone', () => {
    const t = load(false);
    const ipt = artifact(renderLinuxArtifacts(t), 'compute1/iptables-save').text;
    expectRestorable(ipt);
    const raw = chainRules(ipt, 'raw', 'neutron-openvswi-PREROUTING');
    const vm1 = portId(t, 'vm1');
    const vm2 = portId(t, 'vm2');
    const mine = raw.filter((r) => r.includes(vm1) || r.includes(vm1.slice(0, 11)));
    expect(mine).toEqual([
      `-m physdev --physdev-in qvb${vm1.slice(0, 11)} -m comment --comment "Make ${vm1} stateless" -j CT --notrack`,
      `-i qvb${vm1.slice(0, 11)} -m comment --comment "Make ${vm1} stateless" -j CT --notrack`,
      `-m physdev --physdev-in tap${vm1.slice(0, 11)} -m comment --comment "Make ${vm1} stateless" -j CT --notrack`,
    ]);
    expect(raw.filter((r) => r.includes(vm2)).every((r) => /-j CT --zone \d+$/.test(r))).toBe(true);
    expect(raw.filter((r) => r.includes(vm2))).toHaveLength(3);
    // The filter chains are the agent's usual ones: RELATED,ESTABLISHED is there, it just never matches.
    expect(chainRules(ipt, 'filter', chainName.ingress(vm1))[0]).toContain('--state RELATED,ESTABLISHED');
  });

  it('a model with a stateless group before Ussuri (which the loader refuses) is not rendered as anything else', () => {
    const t = { ...load(false), release: 'train' };
    expect(() => renderLinuxArtifacts(t)).toThrow(/stateless security groups, which release train does not have/);
  });

  it('a stateful group renders zones as before', () => {
    const t = load(true);
    const raw = chainRules(artifact(renderLinuxArtifacts(t), 'compute1/iptables-save').text, 'raw', 'neutron-openvswi-PREROUTING');
    expect(raw.some((r) => r.includes('--notrack'))).toBe(false);
    expect(raw.filter((r) => r.includes(portId(t, 'vm1')))).toHaveLength(3);
  });
});

describe('replies to and from a stateless port', () => {
  const ctx = (stateful: boolean, autoEgress: boolean) => {
    const topology = load(stateful, undefined, autoEgress);
    const dataplane = assembleDataplane(topology, renderTopology(topology));
    return { topology, dataplane, evaluator: createEvaluator(dataplane) };
  };
  const ask = async (stateful: boolean, from: string, to: string, fields: { proto?: 'tcp'; dport?: number } = {}, autoEgress = true) => {
    const c = ctx(stateful, autoEgress);
    const r = await runQuery(c.topology, c.dataplane, c.evaluator, { from, to, via: null, bidirectional: true, ...fields }, 20_000);
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
    return r.value;
  };

  it('the answer to what vm1 sends out is dropped at its own firewall when its group is stateless, let in when stateful', async () => {
    const stateful = await ask(true, 'vm1', '8.8.8.8');
    expect(stateful.verdict).toBe('reachable');
    const stateless = await ask(false, 'vm1', '8.8.8.8');
    expect(stateless.verdict).toBe('unknown');
    expect(stateless.failed).toBe('reply');
    expect(stateless.reply?.disposition).toBe('dropped');
    expect(stateless.reply?.droppedAt?.rule).toContain('neutron-openvswi-sg-fallback');
  });

  it('a connection into vm1 that its rules allow gets its answer out only where an egress rule lets it go', async () => {
    // The automatic egress rules let the answer out, untracked.
    expect((await ask(false, 'vm2', 'vm1', { proto: 'tcp', dport: 22 })).verdict).toBe('reachable');
    // Without them, a stateful port answers through its connection's state; a stateless one cannot.
    expect((await ask(true, 'vm2', 'vm1', { proto: 'tcp', dport: 22 }, false)).verdict).toBe('reachable');
    const a = await ask(false, 'vm2', 'vm1', { proto: 'tcp', dport: 22 }, false);
    expect(a.verdict).toBe('unknown');
    expect(a.failed).toBe('reply');
    expect(a.reply?.droppedAt?.rule).toContain('neutron-openvswi-sg-fallback');
  });
});
