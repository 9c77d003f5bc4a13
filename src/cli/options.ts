// Parsing and checking of option values shared by the subcommands; a bad value is a usage error.
import type { ProtoArg } from '../questions/packet.ts';

export class UsageError extends Error {}

export function parseProto(v: string, allowAny: boolean): ProtoArg | 'any' {
  if (v === 'tcp' || v === 'udp' || v === 'icmp') return v;
  if (v === 'any' && allowAny) return 'any';
  if (/^\d+$/.test(v) && Number(v) <= 255) return Number(v);
  throw new UsageError(`--proto must be tcp, udp, icmp${allowAny ? ', any' : ''} or a protocol number 0-255, not "${v}"`);
}

export function parsePort(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`${flag} must be a port number 0-65535, not "${v}"`);
  return Number(v);
}

export function parseSmallInt(flag: string, v: string | undefined, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > max) throw new UsageError(`${flag} must be a number 0-${max}, not "${v}"`);
  return Number(v);
}

export function parseFormat<T extends string>(v: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new UsageError(`--format must be one of ${allowed.join(', ')}, not "${v}"`);
}
