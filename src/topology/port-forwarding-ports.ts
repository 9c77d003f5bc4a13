// The ports of a floating IP port forwarding: a single port or, since Zed (neutron-lib's
// floating-ip-port-forwarding-port-ranges extension), a range "N:M". Neutron reads a range as
// validate_port_range_or_none does (neutron_lib/api/validators: "N" or "N:M", each 1–65535, N ≤ M) and
// accepts an internal range only as long as the external one (pf_plugin.py _validate_ranges: "the relation
// between internal and external ports must be N-N or 1-N"); the external port E + i goes to internal port
// I + i, or to the one internal port (PortForwarding.unroll_port_ranges; the L3 agent's DNAT base port
// does the same in the kernel, semantics/dnat-port.ts).

/** `"N:M"` or `"N"` → [N, M]; else the reason, in the words of Neutron's validator. */
export function parsePortRangeText(text: string): readonly [number, number] | string {
  const parts = text.split(':');
  if (parts.length > 2 || parts.some((p) => p.length === 0)) return 'a port range is two integers separated by a colon ("N:M") or one port';
  const ports = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  const bad = parts.find((p, i) => !(ports[i]! >= 1 && ports[i]! <= 65535));
  if (bad !== undefined) return `invalid port ${JSON.stringify(bad)}: a port is an integer in 1–65535`;
  const [from, to] = [ports[0]!, ports[ports.length - 1]!];
  if (from > to) return 'the first port of a range must not be above the second';
  return [from, to];
}

/** The ports as the API shows them (`"N:M"`; one port is `"N:N"`, as Neutron's database keeps it). */
export const rangeField = (from: number, to: number): string => `${from}:${to}`;

interface Ports {
  readonly externalPort: number;
  readonly externalPortEnd: number;
  readonly internalPort: number;
  readonly internalPortEnd: number;
}

/** The internal port the external port `ext` (within the forwarding's external ports) is sent on to. */
export function forwardedPort(pf: Ports, ext: number): number {
  return pf.internalPortEnd === pf.internalPort ? pf.internalPort : pf.internalPort + (ext - pf.externalPort);
}

/** Whether the forwarding is written with ranges (more than one external port). */
export const hasRange = (pf: Ports): boolean => pf.externalPortEnd !== pf.externalPort || pf.internalPortEnd !== pf.internalPort;

/** `tcp/2201`, `tcp/8080:8090` — the external side as labels show it. */
export const externalText = (pf: Ports): string => (pf.externalPortEnd === pf.externalPort ? `${pf.externalPort}` : `${pf.externalPort}:${pf.externalPortEnd}`);
export const internalText = (pf: Ports): string => (pf.internalPortEnd === pf.internalPort ? `${pf.internalPort}` : `${pf.internalPort}:${pf.internalPortEnd}`);
