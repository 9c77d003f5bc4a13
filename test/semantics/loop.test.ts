// What a loop is, the same in both engines (src/semantics/loop.ts): two visits of a place carry the
// same packet when the evaluator's key says so (`loopKey`), and the solver's condition (src/smt/loop.ts
// `samePacket`) holds for exactly those pairs — folded on concrete packets, and on symbolic ones
// satisfiable exactly when some pair of equal packets exists.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Packet } from '../../src/ir/packet.ts';
import { LOOP_FIELDS, loopKey, loopRule, visitPlace, wireEntry } from '../../src/semantics/loop.ts';
import { Enc } from '../../src/smt/cond.ts';
import { concretePacket, symbolicPacket } from '../../src/smt/headers.ts';
import { extendTrail, revisit, samePacket, trailProjection } from '../../src/smt/loop.ts';
import { checkSat, getZ3, shutdownZ3 } from '../../src/smt/index.ts';

afterAll(async () => { await shutdownZ3(); });

/** Packets from a small domain (so equal pairs are common), with ports and ICMP fields only where the protocol has them. */
const packet: fc.Arbitrary<Packet> = fc.record({
  mac: fc.constantFrom('fa:16:3e:00:00:01', 'fa:16:3e:00:00:02'),
  vlan: fc.constantFrom(null, 5),
  eth_type: fc.constantFrom(0x0800, 0x0806),
  ip: fc.constantFrom('10.0.0.1', '10.0.0.2'),
  proto: fc.constantFrom(1, 6, 17, 47),
  port: fc.constantFrom(22, 80),
}).map(({ mac, vlan, eth_type, ip, proto, port }) => {
  const ipv4 = eth_type === 0x0800;
  const ported = ipv4 && (proto === 6 || proto === 17);
  const icmp = ipv4 && proto === 1;
  return {
    eth_src: mac, eth_dst: 'fa:16:3e:00:00:09', vlan, tun_id: null, eth_type, ip_src: ip, ip_dst: '10.20.0.5',
    proto: ipv4 ? proto : 1, sport: ported ? port : null, dport: ported ? 40000 : null, icmp_type: icmp ? 8 : null, icmp_code: icmp ? 0 : null,
  };
});

describe('a loop, as both engines mean it', () => {
  it('the evaluator\'s key is LOOP_FIELDS joined, null as the empty text (300 packets)', () => {
    let runs = 0;
    fc.assert(fc.property(packet, fc.constantFrom(null, 7, 1001), (p0, tun) => {
      const p: Packet = { ...p0, tun_id: tun };
      runs++;
      expect(loopKey(p)).toBe(LOOP_FIELDS.map((f) => p[f]).join('|'));
    }), { numRuns: 300, seed: 4 });
    expect(runs).toBe(300);
  });

  it('the solver\'s condition folds to the evaluator\'s key equality on concrete packets', async () => {
    const e = new Enc(await getZ3());
    let runs = 0;
    let equal = 0;
    // Half the pairs are a packet and itself with at most one field taken from another.
    const field = fc.constantFrom(...(['eth_src', 'vlan', 'eth_type', 'ip_src', 'proto', 'sport'] as const));
    fc.assert(fc.property(packet, packet, fc.boolean(), field, (a, other, near, f) => {
      runs++;
      const b: Packet = near ? { ...a, [f]: other[f] } : other;
      const same = loopKey(a) === loopKey(b);
      // A mixed packet may carry ports its protocol has not: the evaluator never builds one.
      if ((b.sport !== null) !== (b.eth_type === 0x0800 && (b.proto === 6 || b.proto === 17))) return;
      if (same) equal++;
      expect(samePacket(e, concretePacket(a), concretePacket(b))).toBe(same);
    }), { numRuns: 400, seed: 9 });
    console.log(`loop equality: ${runs} packet pairs checked, ${equal} of them equal`);
    expect(equal).toBeGreaterThan(50);
  });

  it('on a free packet, a revisit is possible exactly for the packets equal to an earlier visit', async () => {
    const ctx = await getZ3();
    const e = new Enc(ctx);
    const free = symbolicPacket(ctx, 'loop-t', null);
    const seen: Packet[] = [];
    fc.assert(fc.property(packet, (p) => { if (p.vlan === null) seen.push(p); }), { numRuns: 20, seed: 3 });
    const place = visitPlace('h', 'br-int', 'qr-1');
    let trail = extendTrail(null, visitPlace('h', 'br-int', 'qvo-1'), concretePacket(seen[0]!));
    for (const p of seen) trail = extendTrail(trail, place, concretePacket(p));
    const again = revisit(e, trail, place, free);
    for (const p of seen) {
      // The free packet pinned to an earlier visit's packet revisits; to none of them, it does not.
      const pinned = e.and(...(['eth_src', 'eth_type', 'ip_src', 'proto'] as const).map((f) => e.eq(free[f], concretePacket(p)[f], { eth_src: 48, eth_type: 16, ip_src: 32, proto: 8 }[f])));
      expect((await checkSat(ctx, e, e.and(pinned, again), 5000)).status).toBe('sat');
    }
    expect((await checkSat(ctx, e, e.and(again, e.not(e.or(...seen.map((p) => samePacket(e, free, concretePacket(p)))))), 5000)).status).toBe('unsat');
    // Another place's visits are never a revisit of this one.
    expect(revisit(e, trail, visitPlace('h', 'br-int', 'qr-2'), free)).toBe(false);
  });

  it('names places and loops in the same words for both engines', () => {
    expect(visitPlace('h1', 'br-int', null)).toBe('h1|br-int|-');
    expect(wireEntry({ host: 'h1', device: 'br-ex', port: 'phy' }, null)).toBe('h1/br-ex/phy');
    expect(wireEntry(null, 'public')).toBe('outside:public');
    expect(loopRule('br-int', 'qr-1')).toBe('loop: br-int entered again on qr-1 with the same packet');
  });

  it('projects a trail on the places a walk entered, oldest first', () => {
    const a = concretePacket({ eth_src: 'fa:16:3e:00:00:01', eth_dst: 'fa:16:3e:00:00:02', vlan: null, tun_id: null, eth_type: 0x0800, ip_src: '10.0.0.1', ip_dst: '10.0.0.2', proto: 6, sport: 1, dport: 2, icmp_type: null, icmp_code: null });
    const t = extendTrail(extendTrail(extendTrail(null, 'x', a), 'y', a), 'x', { ...a, ip_dst: 7 });
    expect(trailProjection(t, new Set())).toBe('');
    expect(trailProjection(t, new Set(['z']))).toBe('');
    const px = trailProjection(t, new Set(['x']));
    expect(px.split(';').length).toBe(2);
    expect(px.startsWith('x#')).toBe(true);
    expect(trailProjection(t, new Set(['x', 'y'])).split(';').map((s) => s.split('#')[0])).toEqual(['x', 'y', 'x']);
  });
});
