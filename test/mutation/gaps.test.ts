// The known gaps of the kill table (table.ts KNOWN_GAPS) match the survivors they describe and no
// others: a br-tun flood flow deleted where only an extra flooded copy dies — also when the behaviour
// was seen under a choice of L3 HA masters, whose probe line ends with the masters — but not where a
// packet now ends somewhere else.
import { describe, expect, it } from 'vitest';
import { knownGap } from './table.ts';
import type { KillOutcome } from './kill.ts';

const tableTwentyTwo = (behaviour: string): KillOutcome => ({
  fault: { cls: 'flow-deleted', artifact: 'network1/br-tun.dump-flows', line: 16, what: 'network1/br-tun.dump-flows:16 deleted: cookie=0x1, table=22, priority=1,dl_vlan=3 actions=strip_vlan,output:"vxlan-ac18000b"', apply: (a) => [...a] },
  status: 'survived', killedBy: [], properties: [], behaviour,
});
const ends = 'ns:qdhcp-f8fd18dc@network1 fa:16:3e:f5:0f:ac>fa:16:3e:f9:90:dd vlan - 172.16.0.34>172.16.0.62 proto 1 type 8 code 0';

describe('known gaps', () => {
  it('a flood flow of br-tun table 22 where only a flooded copy now dies is a gap, with or without a choice of masters', () => {
    expect(knownGap(tableTwentyTwo(`vm4:0 -> 172.16.0.62 icmp: ${ends} before, dropped, ${ends} with the fault`))).toContain('table 22');
    expect(knownGap(tableTwentyTwo(`vm4:0 -> 172.16.0.62 icmp: ${ends} before, dropped, ${ends} with the fault (masters: router1 on network1)`))).toContain('table 22');
  });

  it("br-tun table 2's entry into table 22 (every multicast frame from br-int) deleted, where only a flooded copy now dies, is the same gap; table 2's unicast entry is not", () => {
    const at = (flow: string): KillOutcome => ({ ...tableTwentyTwo(`vm2:1 -> 10.0.0.1 icmp: no-route before, dropped, no-route with the fault (masters: router2 on network1)`), fault: { ...tableTwentyTwo('').fault, what: `allinone1/br-tun.dump-flows:6 deleted: cookie=0xb2ad6271d3d1a, ${flow}` } });
    expect(knownGap(at('table=2, priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=resubmit(,22)'))).toContain('table 22');
    expect(knownGap(at('table=2, priority=0,dl_dst=00:00:00:00:00:00/01:00:00:00:00:00 actions=resubmit(,20)'))).toBeNull();
  });

  it('is no gap where the packet no longer gets where it got', () => {
    expect(knownGap(tableTwentyTwo(`vm4:0 -> 172.16.0.62 icmp: ${ends} before, dropped with the fault (masters: router1 on network1)`))).toBeNull();
  });

  it("a router's connected route to its external subnet deleted, where what is sent there dies either way, is a gap; one whose packet now gets through is not", () => {
    const fault = { cls: 'route-deleted' as const, artifact: 'allinone1/qrouter-ff58.ip-route', line: 5, what: 'allinone1/qrouter-ff58.ip-route:5 deleted: 203.0.113.0/24 dev qg-3c6ef362-00 proto kernel scope link src 203.0.113.254', apply: (a: readonly never[]) => [...a] };
    const at = (behaviour: string): KillOutcome => ({ fault, status: 'survived', killedBy: [], properties: [], behaviour });
    expect(knownGap(at('vm3:0 -> 203.0.113.253 icmp: no-arp before, dropped, no-arp with the fault'))).toContain('external subnet');
    expect(knownGap(at('vm3:0 -> 203.0.113.253 icmp: no-arp before, external:public fa:16:3e:aa:00:01>02:14:08:3c:a7:17 vlan - 10.0.1.233>203.0.113.253 proto 1 type 8 code 0 with the fault'))).toBeNull();
  });

  it('a floating IP moved to another fixed address where only a hairpinned packet\'s source shows it is a gap; one delivered elsewhere is not', () => {
    const fault = { cls: 'fip-fixed-address-swapped' as const, artifact: 'allinone1/qrouter-3c6e.iptables-save', line: 0, what: 'allinone1/qrouter-3c6e.iptables-save: floating IP 203.0.113.252 → 10.0.0.253 instead of 10.0.1.254', apply: (a: readonly never[]) => [...a] };
    const at = (behaviour: string): KillOutcome => ({ fault, status: 'survived', killedBy: [], properties: [], behaviour });
    const to = (src: string, vm = 'vm1:1') => `vm:${vm}@allinone1 fa:16:3e:7d:2b:50>fa:16:3e:aa:00:02 vlan - ${src}>10.0.0.253 proto 1 type 8 code 0`;
    expect(knownGap(at(`vm1:0 -> 203.0.113.251 icmp: ${to('203.0.113.252')} before, ${to('203.0.113.253')} with the fault`))).toContain('hairpinned');
    expect(knownGap(at(`vm1:0 -> 203.0.113.251 icmp: ${to('203.0.113.252')} before, ${to('203.0.113.253', 'vm2:0')} with the fault`))).toBeNull();
  });
});
