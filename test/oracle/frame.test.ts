// The oracle's frames as a real sender builds them: what the kernel reads of a frame beyond the fields
// netproof models (a GRE header's version) must be what real traffic carries, and the marker must be
// found where encodeFrame put it.
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from './frame.ts';
import { ETH_TYPE, type Packet } from '../../src/ir/packet.ts';

const gre: Packet = {
  eth_src: '02:00:00:00:00:01', eth_dst: '02:00:00:00:00:02', vlan: null, tun_id: null, eth_type: ETH_TYPE.ipv4,
  ip_src: '198.51.100.7', ip_dst: '203.0.113.10', proto: 47, sport: null, dport: null, icmp_type: null, icmp_code: null,
};

describe('frames of the oracles', () => {
  it('a GRE frame carries a version-0 GRE header (the kernel drops a DNATed GRE packet of another version), then the marker', () => {
    const marker = '1905d1a7000000fd';
    const f = encodeFrame(gre, { marker });
    const l4 = 14 + 20;
    expect(f.readUInt16BE(l4) & 0x0007).toBe(0);
    expect(f.readUInt16BE(l4 + 2)).toBe(0x0800);
    expect(f.subarray(l4 + 4, l4 + 12).toString('hex')).toBe(marker);
    expect(decodeFrame(f).marker).toBe(marker);
  });

  it('another protocol without ports carries the marker right after the IP header', () => {
    const marker = '00112233445566ff';
    const f = encodeFrame({ ...gre, proto: 50 }, { marker });
    expect(f.subarray(34, 42).toString('hex')).toBe(marker);
    expect(decodeFrame(f).marker).toBe(marker);
  });
});
