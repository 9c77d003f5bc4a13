// The packet generators (netproof/testing): packets are well-formed IR packets from the dataplane's
// stations, biased towards the topology's own values; first packets get their next hop's MAC by ARP
// as the sender would.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { arbitraryFirstPacketAsk, arbitraryPacket, arbitraryTopology, modelOf, resolveFirstPacket, topologyValues } from 'netproof/testing';

const TOPOLOGIES = 30;
const PACKETS = 40;

describe('random packets for a topology', () => {
  const models = fc.sample(arbitraryTopology({ minVms: 1 }), { numRuns: TOPOLOGIES, seed: 77 }).map((g) => modelOf(g)).filter((m) => m.dataplane.stations.length > 0);

  it(`are well-formed, sent by a station, and mostly use the topology's own addresses (${TOPOLOGIES} topologies × ${PACKETS} packets)`, () => {
    let total = 0;
    let known = 0;
    for (const m of models) {
      const v = topologyValues(m.topology, m.dataplane);
      for (const { station, packet: p } of fc.sample(arbitraryPacket(m.topology, m.dataplane), { numRuns: PACKETS, seed: 1 })) {
        total++;
        expect(m.dataplane.stations).toContain(station);
        expect(p.eth_type).toBe(0x0800);
        const ported = [6, 17, 33, 132, 136].includes(p.proto); // tcp, udp, dccp, sctp, udplite
        expect(p.sport !== null && p.dport !== null).toBe(ported);
        expect(p.icmp_type !== null && p.icmp_code !== null).toBe(p.proto === 1);
        expect(p.vlan).toBe(station.kind === 'outside' ? station.vlan : null);
        if (v.ips.includes(p.ip_dst)) known++;
      }
    }
    console.log(`packets: ${total} random packets over ${models.length} topologies, ${known} to an address the topology uses`);
    expect(known / total).toBeGreaterThan(0.6);
  });

  it('first packets are resolved by ARP as their sender would', () => {
    let asked = 0;
    let sent = 0;
    for (const m of models) {
      const ev = createEvaluator(m.dataplane);
      for (const ask of fc.sample(arbitraryFirstPacketAsk(m.topology, m.dataplane), { numRuns: 10, seed: 2 })) {
        asked++;
        const s = resolveFirstPacket(m.topology, ev, ask);
        if (s === null) continue;
        sent++;
        expect(s.station).toBe(ask.sender.station);
        expect(s.packet.ip_dst).toBe(ask.dst);
        expect(s.packet.eth_src).toBe(ask.sender.station.mac);
      }
    }
    console.log(`packets: ${asked} first packets asked, ${sent} resolved by ARP and sent`);
    // Many random topologies leave a port without a router at its gateway, or the outside without a route in.
    expect(sent / asked).toBeGreaterThan(0.15);
  });
});
