// The upstream router's hairpin, concretely (src/semantics/upstream.ts): on the seed with the router's
// external connected route deleted, vm1's ping to the external network's DHCP port (203.0.113.2)
// leaves the router by its default route to the upstream router, which looks 203.0.113.2 up by ARP
// and sends the packet back onto the subnet from its own MAC, IP header unchanged; a ping to a free
// address of the subnet ends at the upstream router with no ARP answer; an address beyond the subnet
// still leaves the cloud. With the route in place, the router sends to 203.0.113.2 straight.
import { describe, expect, it } from 'vitest';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { traceBetween } from '../../src/questions/trace.ts';
import { traceText } from '../../src/report/trace-text.ts';
import { labelsFor } from '../../src/report/labels.ts';
import { upstreamMac } from '../../src/dataplane/outside.ts';
import { hairpinSeed } from '../agreement/hairpin-seed.ts';

const { topology, intact, faulted } = hairpinSeed();
const labels = labelsFor(topology);
const UPSTREAM = upstreamMac('public');
const DHCP_MAC = intact.hosts.flatMap((h) => h.namespaces.flatMap((n) => n.interfaces)).find((i) => i.addresses.some((a) => a.ip === '203.0.113.2'))!.mac;
const vm1 = intact.stations.find((s) => s.kind === 'vm-port' && s.vm === 'vm1');
if (vm1?.kind !== 'vm-port') throw new Error('seed: no vm1');
const ping = (dp: typeof intact, ip: string) => traceBetween(topology, createEvaluator(dp), { kind: 'port', station: vm1, ip: vm1.ip }, ip, { proto: 'icmp' });

describe('the upstream router sends a packet for its own subnet back onto it', () => {
  it('vm1 → 203.0.113.2 (the DHCP port of public), the connected route deleted: delivered by the hairpin, from the upstream MAC', () => {
    const t = ping(faulted, '203.0.113.2');
    expect(t.disposition).toBe('delivered');
    expect(t.deliveredTo).toMatchObject({ kind: 'namespace', namespace: expect.stringMatching(/^qdhcp-/) });
    expect(t.final).toMatchObject({ eth_src: UPSTREAM, eth_dst: DHCP_MAC, ip_src: '203.0.113.10', ip_dst: '203.0.113.2' });
    const at = t.hops.findIndex((h) => h.deviceKind === 'outside');
    const hop = t.hops[at]!;
    // The IP header as it arrived; only the Ethernet addresses change.
    expect(hop.out).toEqual({ ...hop.in, eth_src: UPSTREAM, eth_dst: DHCP_MAC });
    expect(hop.events).toContainEqual({ kind: 'arp', ip: '203.0.113.2', mac: DHCP_MAC });
    expect(t.hops[at + 1]).toMatchObject({ deviceKind: 'wire', host: 'outside', inPort: 'outside:public' });
    const text = traceText(t, labels, { rules: true });
    expect(text).toContain(`outside: the upstream router of public routes it back onto its own subnet: ARP: 203.0.113.2 is at ${DHCP_MAC} (dhcp:public:public-v4 203.0.113.2); sent from its MAC ${UPSTREAM} to ${DHCP_MAC}, the IP header unchanged`);
    expect(text).toContain(`route: 203.0.113.0/24 on-link (the upstream router's own subnet)  → back onto public to ${DHCP_MAC}`);
    expect(text).toContain('physical network external carries it untagged from the upstream router of public to network1/br-ex/eth1');
  });

  it('a free address of the subnet: no ARP answer at the upstream router', () => {
    const t = ping(faulted, '203.0.113.50');
    expect(t.disposition).toBe('no-arp');
    expect(t.droppedAt).toMatchObject({ host: 'outside', device: 'public', rule: 'no ARP reply for 203.0.113.50 on 203.0.113.0/24' });
    expect(traceText(t, labels)).toContain('outside: the upstream router of public would route it back onto its own subnet, but no one answers its ARP request for 203.0.113.50');
  });

  it('an address beyond the subnet still leaves the cloud; with the route in place the router sends to 203.0.113.2 straight', () => {
    expect(ping(faulted, '8.8.8.8').disposition).toBe('exited');
    const t = ping(intact, '203.0.113.2');
    expect(t.disposition).toBe('delivered');
    expect(t.hops.some((h) => h.deviceKind === 'outside')).toBe(false);
    expect(t.final.eth_src).not.toBe(UPSTREAM);
  });
});
