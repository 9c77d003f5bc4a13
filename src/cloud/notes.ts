// What reading a cloud directory found that is not an input error: parts of the cloud netproof does not
// model (a DVR router, an IPv6 subnet, a second DHCP agent, a port of an unknown kind), hosts without a
// capture, captures of hosts Neutron does not know. Each note names the file and line it came from and
// the verify subjects whose verdicts it makes `unknown` (none when it cannot change an IPv4 verdict),
// so nothing unmodelled is ever silently taken as proof.
import type { Warning } from '../ir/origin.ts';

/** Every subject: a note that may change any verdict. */
export const ALL_SUBJECTS = '*';

export interface CloudNote extends Warning {
  /**
   * Verify subjects (`router:R`, `network:N`, `port:VM:N`, `project:P`, `fip:IP`, `host:H`, or `*`) whose
   * verdicts become `unknown`; `router:R` also covers `router:R/<subnet>`.
   */
  readonly taints: readonly string[];
}

/** Note codes (stable, like the parsers' warning codes). */
export const CLOUD_NOTE = {
  /** An API object netproof does not model (DVR, HA before it is supported, an unknown port owner, …). */
  unmodelled: 'cloud/unmodelled',
  /** IPv6 (subnets, addresses, rules, routes): not modelled, and no IPv4 verdict depends on it. */
  ipv6: 'cloud/ipv6',
  /** An API object whose reference cannot be resolved (a partial or racy API dump). */
  dangling: 'cloud/dangling',
  /** Something the API shows in a state the agents act on that netproof does not (admin down, unbound). */
  state: 'cloud/state',
  /** A host Neutron knows with no capture, or a capture of a host Neutron does not know. */
  coverage: 'cloud/coverage',
  /** A capture file that is missing, failed or truncated. */
  capture: 'cloud/capture',
  /** Options or release taken from a default because the capture does not say. */
  defaulted: 'cloud/defaulted',
} as const;

export function note(code: string, at: { file: string; line: number }, message: string, taints: readonly string[] = []): CloudNote {
  return { code, file: at.file, line: at.line, message, taints };
}

/** Whether a verify subject is covered by a note's taint list. */
export function tainted(subject: string, taints: ReadonlySet<string>): boolean {
  if (taints.has(ALL_SUBJECTS) || taints.has(subject)) return true;
  const slash = subject.indexOf('/');
  return slash > 0 && taints.has(subject.slice(0, slash));
}
