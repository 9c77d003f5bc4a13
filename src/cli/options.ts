// Parsing and checking of option values shared by the subcommands; a bad value is a usage error.
import { IP_PROTO } from '../ir/packet.ts';
import type { ProtoArg } from '../questions/packet.ts';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../input/text-file.ts';

export class UsageError extends Error {}

export function parseProto(v: string, allowAny: boolean): ProtoArg | 'any' {
  if (Object.hasOwn(IP_PROTO, v)) return v as keyof typeof IP_PROTO;
  if (v === 'any' && allowAny) return 'any';
  if (/^\d+$/.test(v) && Number(v) <= 255) return Number(v);
  throw new UsageError(`--proto must be tcp, udp, icmp, sctp, dccp, udplite${allowAny ? ', any' : ''} or a protocol number 0-255, not "${v}"`);
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

/** The packet-field options `trace` and `query` share, as text from the command line. */
export interface PacketFieldOptions {
  proto?: string;
  dport?: string;
  sport?: string;
  icmpType?: string;
}

/** The packet fields given; an option not given stays absent. */
export interface PacketFieldValues {
  readonly proto?: ProtoArg | 'any';
  readonly dport?: number;
  readonly sport?: number;
  readonly icmpType?: number;
}

/**
 * Reads and checks the packet-field options; a bad value is a usage error naming its option. Checked
 * in a fixed order (proto, dport, sport, icmp type) so that, of several bad values, the same one is
 * always reported. `--proto any` is accepted only with `allowAny`.
 */
export function parsePacketFields(o: PacketFieldOptions, allowAny: boolean): PacketFieldValues {
  return {
    ...(o.proto !== undefined ? { proto: parseProto(o.proto, allowAny) } : {}),
    ...(o.dport !== undefined ? { dport: parsePort('--dport', o.dport) } : {}),
    ...(o.sport !== undefined ? { sport: parsePort('--sport', o.sport) } : {}),
    ...(o.icmpType !== undefined ? { icmpType: parseSmallInt('--icmp-type', o.icmpType, 255) } : {}),
  };
}

/** One of `allowed`, or a usage error naming `flag`. */
export function parseChoice<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not "${v}"`);
}

export function parseFormat<T extends string>(v: string, allowed: readonly T[]): T {
  return parseChoice('--format', v, allowed);
}

/** `--max-input-mb N`: the input limit in MiB (1–4096), or the default. */
export function parseInputLimit(v: string | undefined): InputLimits {
  if (v === undefined) return DEFAULT_INPUT_LIMITS;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 4096) throw new UsageError(`--max-input-mb must be a number of MiB from 1 to 4096, not "${v}"`);
  return { maxBytes: Number(v) * 2 ** 20 };
}

/** `--timeout-ms N`: Z3's timeout per check (default 10 000 ms). */
export function parseTimeout(v: string | undefined): number {
  if (v === undefined) return 10_000;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--timeout-ms must be a positive number of milliseconds, not "${v}"`);
  return Number(v);
}
