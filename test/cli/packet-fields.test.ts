import { describe, it, expect } from 'vitest';
import { parsePacketFields, UsageError } from '../../src/cli/options.ts';

describe('parsePacketFields (shared by trace and query)', () => {
  it('reads the given fields and leaves the others absent', () => {
    expect(parsePacketFields({ proto: 'tcp', dport: '22' }, false)).toEqual({ proto: 'tcp', dport: 22 });
    expect(parsePacketFields({ proto: '47', sport: '0', icmpType: '255' }, false)).toEqual({ proto: 47, sport: 0, icmpType: 255 });
    const none = parsePacketFields({}, true);
    expect(none).toEqual({});
    expect('proto' in none).toBe(false);
  });

  it('accepts --proto any only where allowed', () => {
    expect(parsePacketFields({ proto: 'any' }, true)).toEqual({ proto: 'any' });
    expect(() => parsePacketFields({ proto: 'any' }, false)).toThrow('--proto must be tcp, udp, icmp, sctp, dccp, udplite or a protocol number 0-255, not "any"');
  });

  it('reports the first bad option, in the order proto, dport, sport, icmp type', () => {
    const first = (o: Parameters<typeof parsePacketFields>[0]) => {
      try {
        parsePacketFields(o, true);
        return null;
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
    };
    expect(first({ proto: 'x', dport: '70000' })).toBe('--proto must be tcp, udp, icmp, sctp, dccp, udplite, any or a protocol number 0-255, not "x"');
    expect(first({ icmpType: '300', sport: 'y', dport: '70000' })).toBe('--dport must be a port number 0-65535, not "70000"');
    expect(first({ icmpType: '300', sport: '65536' })).toBe('--sport must be a port number 0-65535, not "65536"');
    expect(first({ icmpType: '-1' })).toBe('--icmp-type must be a number 0-255, not "-1"');
  });
});
