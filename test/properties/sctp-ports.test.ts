// security-groups over SCTP, DCCP and UDP-Lite port rules (topologies/sctp-ports.yaml): the firewall
// Neutron renders for them is read and proved, not left `unknown` — it holds as rendered, a range
// rendered one port too wide lets a packet in the groups never allowed, one too narrow drops a packet
// they allow; and the releases whose agents wrote these rules differently get their own verdicts:
// until Ocata the ports of these protocols were left out (every port let in), until Stein a single
// UDP-Lite port was written as `--dport`, which iptables refuses (nothing can be proved).
import { afterAll, describe, expect, it } from 'vitest';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { securityGroups } from '../../src/questions/properties/security-groups.ts';
import { context, edit } from './build.ts';

afterAll(async () => { await shutdownZ3(); });

const FIREWALL = /compute1\/iptables-save$/;
const SCTP_RANGE = '-p sctp -m sctp -m multiport --dports 38412:38415 -j RETURN';

const vm1 = async (...args: Parameters<typeof context>) => {
  const rs = await securityGroups.check(context(...args));
  return { vm1: rs.find((r) => r.subject === 'port:vm1:0')!, all: rs };
};

describe('security-groups with SCTP, DCCP and UDP-Lite port rules', () => {
  it('holds for every port as 2024.1 renders them', async () => {
    const { all } = await vm1('sctp-ports');
    expect(all.map((r) => [r.subject, r.verdict])).toEqual([['port:vm1:0', 'holds'], ['port:vm2:0', 'holds']]);
  });

  it('an SCTP range rendered one port too wide lets that port in: violated, the witness an SCTP packet to it', async () => {
    const { vm1: r } = await vm1('sctp-ports', edit(FIREWALL, (t) => t.replace(SCTP_RANGE, SCTP_RANGE.replace('38415', '38416'))));
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/^ingress:.*which no rule of its groups allows/);
    expect(r.trace!.deliveredTo).toMatchObject({ kind: 'vm', vm: 'vm1', port: 0 });
    expect([r.trace!.final.proto, r.trace!.final.dport]).toEqual([132, 38416]);
  });

  it('an SCTP range rendered one port too narrow drops a packet the group allows: violated, the witness an SCTP packet to that port', async () => {
    const { vm1: r } = await vm1('sctp-ports', edit(FIREWALL, (t) => t.replace(SCTP_RANGE, SCTP_RANGE.replace('38415', '38414'))));
    expect(r.verdict).toBe('violated');
    expect(r.trace!.disposition).toBe('dropped');
    expect([r.trace!.final.proto, r.trace!.final.dport]).toEqual([132, 38415]);
  });

  it('until Ocata the agent left these ports out: a packet to a port no rule names gets in', async () => {
    const { vm1: r } = await vm1('sctp-ports', undefined, 'newton');
    expect(r.verdict).toBe('violated');
    const w = r.trace!.final;
    expect([33, 132, 136]).toContain(w.proto);
    const allowed = w.proto === 132 ? w.dport! >= 38412 && w.dport! <= 38415 : w.proto === 33 ? w.dport === 5004 : w.dport === 5000 || (w.dport! >= 6000 && w.dport! <= 6001);
    expect(allowed).toBe(false);
  });

  it("until Stein a single UDP-Lite port was written as --dport, which iptables refuses: unknown, naming the rule", async () => {
    const { vm1: r } = await vm1('sctp-ports', undefined, 'rocky');
    expect(r.verdict).toBe('unknown');
    expect(r.message).toContain('-p udplite --dport 5000 -j RETURN');
  });
});
