// The library's parameter and answer types (docs/library.md): the options of `netproof trace`, `query`
// and `verify` as typed values, and the envelope every answer comes in. The JSON inside an answer is
// exactly what the command prints with `--format json` (docs/json.md).
import type { InputError } from '../errors.ts';
import type { ProtoArg } from '../questions/packet.ts';

export type { InputError } from '../errors.ts';
export type { TraceResultJson } from '../answers/trace.ts';
export type { QueryResultJson } from '../answers/query.ts';
export type { VerifyResultJson } from '../answers/verify.ts';

/** A failure scenario (docs/cli.md, Failure scenarios and L3 HA). */
export interface ScenarioParams {
  /** Hosts down, with their VMs, DHCP servers and router instances (`--fail`). */
  readonly fail?: readonly string[];
  /** Underlay connections cut, each `"A,B"` or `["A", "B"]` (`--cut`). */
  readonly cut?: readonly (string | readonly [string, string])[];
}

/** The packet's fields; an absent one is the command's default (trace) or free (query). */
export interface PacketParams {
  /** VM, VM:N, IP or NETWORK/IP (an outside IP: a packet from outside); query also takes the sets. */
  readonly from: string;
  readonly to: string;
  /** The external network an outside packet arrives through. */
  readonly via?: string;
  /** By name (tcp, udp, icmp, sctp, dccp, udplite) or number. */
  readonly proto?: ProtoArg;
  readonly dport?: number;
  readonly sport?: number;
  readonly icmpType?: number;
  /** HA masters pinned, each `"ROUTER=HOST"` (`--master`). */
  readonly master?: readonly string[];
  /** VM or VM:N: the port that holds the VIP `to` names (`--holder`). */
  readonly holder?: string;
}

export type Disposition = 'delivered' | 'exited' | 'dropped' | 'loop' | 'no-route' | 'no-arp';

export interface TraceParams extends PacketParams, ScenarioParams {
  /** Exit code 1 when the packet ends otherwise. */
  readonly expect?: Disposition;
}

export interface QueryParams extends Omit<PacketParams, 'proto'>, ScenarioParams {
  readonly proto?: PacketParams['proto'] | 'any';
  /** Exit code 1 when the answer differs. */
  readonly expect?: 'reachable' | 'unreachable';
  /** Also require the reply to come back through the connection state. */
  readonly bidirectional?: boolean;
  /** Z3's timeout per check (default: the model's, 10 000 ms unless `load` was told otherwise). */
  readonly timeoutMs?: number;
}

export interface VerifyParams extends ScenarioParams {
  /** Property files or directories of *.yaml. */
  readonly properties?: readonly string[];
  /** Only these properties (built-in ids or property names). */
  readonly select?: readonly string[];
  readonly skip?: readonly string[];
  /** A waiver file. */
  readonly waivers?: string;
  /** A saved `verify --format json`: also list the results whose verdict changed since. */
  readonly baseline?: string;
  readonly onlyFailures?: boolean;
  readonly timeoutMs?: number;
  /** Also every combination of up to N more host failures. */
  readonly failures?: number;
}

/**
 * An answer: the command's JSON and the exit code the command would return (docs/exit-codes.md: 0, 1
 * or 3) with what it would say on stderr; or the input errors that stopped it (exit code 2).
 */
export type Answer<T> =
  | { readonly ok: true; readonly value: T; readonly exitCode: 0 | 1 | 3; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly InputError[]; readonly exitCode: 2 };

/** What `load` is given: a topology file or cloud directory, or a topology as an object (docs/topology.md). */
export type Source = string | { readonly topology: unknown; readonly name?: string };

export interface LoadOptions {
  /** Largest input file read, in MiB (default 16). */
  readonly maxInputMb?: number;
  /** Z3's timeout per check for query and verify when a call gives none (default 10 000 ms). */
  readonly timeoutMs?: number;
}

/** What the loaded model holds, in counts. */
export interface ModelInfo {
  /** The file or directory read, or the name given to a topology object. */
  readonly source: string;
  readonly kind: 'topology' | 'cloud' | 'object';
  readonly hosts: number;
  readonly networks: number;
  readonly routers: number;
  readonly vms: number;
  /** Milliseconds the last load or reload took (read, validate, render, parse back, assemble, converge). */
  readonly loadMs: number;
  /** When it was loaded, ISO 8601. */
  readonly loadedAt: string;
}
