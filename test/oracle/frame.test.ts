// The oracle's frames as a real sender builds them: what the kernel reads of a frame beyond the fields
// netproof models (a GRE header's version) must be what real traffic carries, and the marker must be
// found where encodeFrame put it.
import { describe, expect, it } from 'vitest';
import { crc32c, decodeFrame, encodeFrame } from './frame.ts';
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

  it('CRC32c is the Castagnoli CRC (the check value of "123456789")', () => {
    expect(crc32c([...Buffer.from('123456789')])).toBe(0xe3069283);
  });

  it('an SCTP frame is an INIT (verification tag 0) with a valid CRC32c, its answer the INIT ACK carrying the INIT\'s tag', () => {
    const marker = '0a0b0c0d0e0f1011';
    const sctp = { ...gre, proto: 132, sport: 40000, dport: 38412 };
    const init = encodeFrame(sctp, { marker });
    const l4 = 14 + 20;
    const len = init.readUInt16BE(16) - 20;
    expect(init.readUInt32BE(l4 + 4)).toBe(0);
    expect(init[l4 + 12]).toBe(1);
    const sum = init.readUInt32LE(l4 + 8);
    const zeroed = Buffer.from(init.subarray(l4, l4 + len));
    zeroed.writeUInt32LE(0, 8);
    expect(crc32c([...zeroed])).toBe(sum);
    expect(decodeFrame(init)).toMatchObject({ proto: 132, sport: 40000, dport: 38412, marker });
    const ack = encodeFrame({ ...sctp, sport: 38412, dport: 40000 }, { marker, sctpInitAck: true });
    expect(ack[l4 + 12]).toBe(2);
    expect(ack.readUInt32BE(l4 + 4)).toBe(init.readUInt32BE(l4 + 16));
    expect(decodeFrame(ack)).toMatchObject({ sport: 38412, dport: 40000, marker });
  });

  it('a UDP-Lite frame covers the whole datagram with its checksum, which sums to zero with the pseudo-header', () => {
    const marker = '1112131415161718';
    const f = encodeFrame({ ...gre, proto: 136, sport: 5000, dport: 6000 }, { marker });
    const l4 = 14 + 20;
    expect(f.readUInt16BE(l4 + 4)).toBe(0);
    const dgram = [...f.subarray(l4, l4 + 16)];
    const pseudo = [198, 51, 100, 7, 203, 0, 113, 10, 0, 136, 0, 16];
    let sum = 0;
    const all = [...pseudo, ...dgram];
    for (let i = 0; i < all.length; i += 2) sum += (all[i]! << 8) | all[i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
    expect(decodeFrame(f)).toMatchObject({ proto: 136, sport: 5000, dport: 6000, marker });
  });
});
