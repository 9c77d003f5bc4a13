// Test helper for comparing resident answers whose witness goes to a free outside address: the solver
// may pick any address outside the cloud there, and which one depends on the terms its context made
// before (a fresh command or a renewed Z3 instance starts with none).
import { expect } from 'vitest';
import type { Topology } from '../../src/topology/model.ts';
import { inPrefix } from '../../src/net/ipv4.ts';

/**
 * `got` with the address of the outside world its witness was sent to written as `want`'s, when the
 * question leaves it free (`to: external`, or an address outside the cloud) and both lie outside every
 * subnet of the cloud. Everything else must be equal as it is.
 */
export function sameUpToOutsideAddress(got: unknown, want: unknown, free: boolean, topology: Topology): unknown {
  type Q = { packet?: { ip_dst?: string } } | null;
  const a = (got as Q)?.packet?.ip_dst;
  const b = (want as Q)?.packet?.ip_dst;
  if (!free || a === undefined || b === undefined || a === b) return got;
  const subnets = topology.networks.flatMap((n) => n.subnets);
  for (const ip of [a, b]) expect(subnets.filter((s) => inPrefix(ip, s.networkAddress, s.prefixLen)).map((s) => s.name), `${ip}: a free outside address, in no subnet of the cloud`).toEqual([]);
  // Wherever it is written, in a field or in the words of an explanation (never as part of a longer address).
  const at = new RegExp(`(?<![\\d.])${a.replaceAll('.', '\\.')}(?![\\d])`, 'g');
  return JSON.parse(JSON.stringify(got).replace(at, b)) as unknown;
}
