// Stateless security groups (`"stateful": false`, the stateful-security-group extension, Ussuri+) in
// the Neutron API view: read into the topology so the hybrid firewall is rendered untracked for their
// ports, as the OVS agent programs it; and a server left out, loudly, where the agent's decision to
// track a port or not rests on rules the topology does not carry (IPv6 ones) or on chance (its groups
// some with rules and some without, handed to the agent in no set order).
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { API_FILES } from '../../src/cloud/layout.ts';
import { renderLinuxArtifacts } from '../../src/render/linux/index.ts';
import { untrackedPort } from '../../src/render/linux/zones.ts';
import type { Topology } from '../../src/topology/model.ts';
import { apiOf, serialise, shippedTopology, writeCloud, loadCloudApi } from './cloud-dir.ts';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

type Group = { id: string; name: string; stateful?: boolean; security_group_rules: { ethertype: string; direction: string }[] };

function load(edit: (groups: Group[]) => void) {
  const api = apiOf(shippedTopology('seed'));
  edit((api.get(`api/${API_FILES.securityGroups}`) as { security_groups: Group[] }).security_groups);
  const dir = writeCloud(serialise(api));
  made.push(dir);
  return loadCloudApi(dir);
}

const demo = (groups: Group[]) => groups.filter((g) => g.name === 'default' || g.name === 'ssh');
const vm1Port = (t: Topology) => t.ports.find((p) => p.name === 'vm1:0');

describe('stateless groups read from the API', () => {
  it('the seed as the API shows it: every group stateful, every port tracked', () => {
    const { topology, notes } = load(() => {});
    expect(topology.securityGroups.every((g) => g.stateful)).toBe(true);
    expect(notes).toEqual([]);
  });

  it('"stateful": false is kept: vm1 (in default and ssh, both stateless) is rendered untracked', () => {
    const { topology, notes } = load((gs) => { for (const g of demo(gs)) g.stateful = false; });
    expect(notes).toEqual([]);
    expect(topology.securityGroups.filter((g) => !g.stateful).map((g) => g.name).sort()).toEqual(['default', 'ssh']);
    const port = vm1Port(topology)!;
    expect(untrackedPort(topology, port)).toBe(true);
    const ipt = renderLinuxArtifacts(topology).find((a) => a.path.endsWith(`${port.hosts[0]}/iptables-save`))!.text;
    expect(ipt).toContain(`-m comment --comment "Make ${port.id} stateless" -j CT --notrack`);
  });

  it('a stateless group whose only rules are IPv6: the agent leaves vm1 untracked, the topology could not say so — vm1 is left out, with a note and its verdicts unknown', () => {
    const { topology, notes } = load((gs) => {
      for (const g of demo(gs)) g.stateful = false;
      const ssh = gs.find((g) => g.name === 'ssh')!;
      ssh.security_group_rules = ssh.security_group_rules.map((r) => ({ ...r, ethertype: 'IPv6', remote_ip_prefix: null }));
    });
    expect(topology.vms.map((v) => v.name)).not.toContain('vm1');
    const n = notes.find((x) => /server vm1/.test(x.message));
    expect(n?.message).toMatch(/stateless security groups \(default, ssh\) whose rules the agent sees leave it untracked, but the rules netproof models \(IPv4 only\) would not decide/);
    expect(n?.file).toBe('api/ports.json');
    expect(n?.taints).toEqual(expect.arrayContaining(['network:net1', 'project:demo']));
  });

  it('stateless groups some with rules and some without: tracked or not by chance — left out', () => {
    const { topology, notes } = load((gs) => {
      for (const g of demo(gs)) g.stateful = false;
      gs.find((g) => g.name === 'ssh')!.security_group_rules = [];
    });
    expect(topology.vms.map((v) => v.name)).not.toContain('vm1');
    expect(notes.find((x) => /server vm1/.test(x.message))?.message).toMatch(/some of which have rules and some not .*no set order/);
  });
});
