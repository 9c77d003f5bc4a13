// A security-group rule whose protocol is given as a number (`--protocol 6`): Neutron stores it as
// given, and its agents before Ocata wrote ports and ICMP types only for protocols given by name —
// so there a rule of protocol 6 port 22 let every TCP port in, one of protocol 1 type 8 every ICMP
// message. Since Ocata the ports are written whatever the spelling. numbered-protocols.yaml has the
// same two rules by number on vm1 and by name on vm2.
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import { readFileSync } from 'node:fs';
import { loadTopologyText } from '../../src/topology/index.ts';
import { renderTopology } from '../../src/render/index.ts';
import { context, topo } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const verdicts = async (release: string) => {
  const rs = await securityGroups.check(context('numbered-protocols', undefined, release));
  return { vm1: rs.find((r) => r.subject === 'port:vm1:0')!, vm2: rs.find((r) => r.subject === 'port:vm2:0')! };
};

describe('security-group rules with protocols given as numbers', () => {
  it('since Ocata both spellings are written alike, ports and ICMP type included, and both ports hold', async () => {
    for (const release of ['ocata', '2024.1']) {
      const { vm1, vm2 } = await verdicts(release);
      expect([vm1.verdict, vm2.verdict]).toEqual(['holds', 'holds']);
    }
  });

  it('before Ocata the numbered rules lose their port and type: every TCP port and ICMP message gets in to vm1 (violated), vm2 holds', async () => {
    const { vm1, vm2 } = await verdicts('newton');
    expect(vm2.verdict).toBe('holds');
    expect(vm1.verdict).toBe('violated');
    const w = vm1.trace!.final;
    // The witness is what no rule of vm1's group allows: TCP to another port than 22, or ICMP other than an echo request.
    expect(w.proto === 6 ? w.dport !== 22 : w.proto === 1 ? w.icmp_type !== 8 : false).toBe(true);
  });

  it('as rendered: by number `-p tcp -j RETURN` and `-p icmp -j RETURN` until Newton (Mitaka alike), with the port and type since Ocata; by name always with them', () => {
    const ingress = (release: string, vm: string) => {
      const t = loadTopologyText(readFileSync(topo('numbered-protocols'), 'utf8').replace('release: "2024.1"', `release: "${release}"`), 'numbered-protocols.yaml');
      if (!t.ok) throw new Error(JSON.stringify(t.errors));
      const port = t.value.vms.find((v) => v.name === vm)!.ports[0]!;
      const chain = `neutron-openvswi-i${port.id.slice(0, 10)}`;
      const text = renderTopology(t.value).find((a) => a.path === 'compute1/iptables-save')!.text;
      return text.split('\n').filter((l) => l.startsWith(`-A ${chain} -p `));
    };
    const matches = (release: string, vm: string) => ingress(release, vm).map((l) => l.split(' ').slice(2).join(' '));
    const written = ['-p tcp -m tcp --dport 22 -j RETURN', '-p icmp -m icmp --icmp-type 8 -j RETURN'];
    for (const release of ['mitaka', 'newton']) expect(matches(release, 'vm1')).toEqual(['-p tcp -j RETURN', '-p icmp -j RETURN']);
    for (const release of ['ocata', '2024.1']) expect(matches(release, 'vm1')).toEqual(written);
    for (const release of ['mitaka', 'newton', 'ocata', '2024.1']) expect(matches(release, 'vm2')).toEqual(written);
  });
});
