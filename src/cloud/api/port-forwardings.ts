// A floating IP's port forwardings as the API lists them in the floating IP (`port_forwardings`, the
// port_forwarding plugin's extension of the floating IP, Rocky+: pf_plugin.py _extend_floatingip_dict lists
// id, protocol, internal_ip_address, internal_port, external_port and internal_port_id) → the topology's
// `port_forwardings`. All of a floating IP's forwardings are modelled or none: one left out would make what
// the others prove about the floating IP incomplete. What is left out, and why:
// - a floating IP held by a router without a port whose forwardings this API view does not list;
// - a floating IP bound to a port that also lists forwardings (Neutron refuses it; the view is inconsistent);
// - a forwarding of a port range (Zed+: the listing shows no single port), another protocol, to a port not
//   modelled, or to an address the modelled port does not carry.
import type { FloatingIpApiT } from './schema.ts';
import type { TopologyFile } from '../../topology/schema.ts';

type PortForwardingFile = NonNullable<TopologyFile['port_forwardings']>[number];

export type ForwardingsOf =
  | { readonly kind: 'none' }
  | { readonly kind: 'modelled'; readonly forwardings: readonly PortForwardingFile[] }
  | { readonly kind: 'unmodelled'; readonly why: string };

/** A single port from the listing: `external_port`, else a range `A:A` (or `A-A`) of one port; null for a real range. */
function single(port: number | null | undefined, range: string | null | undefined): number | null {
  if (typeof port === 'number') return port;
  const m = /^(\d+)[:-](\d+)$/.exec(range ?? '');
  return m && m[1] === m[2] ? Number(m[1]) : null;
}

/**
 * The topology's forwardings of `f`; `portOf` finds a modelled VM port (its VM, index and fixed address)
 * by id.
 */
export function forwardingsOf(f: FloatingIpApiT, portOf: (id: string) => { vm: string; index: number; ip: string | undefined } | undefined): ForwardingsOf {
  const pfs = f.port_forwardings ?? [];
  if (pfs.length === 0) {
    return !f.port_id && f.router_id
      ? { kind: 'unmodelled', why: 'held by its router without a port: port forwardings (not listed in this API view) may send its traffic to internal ports' }
      : { kind: 'none' };
  }
  if (f.port_id) return { kind: 'unmodelled', why: `bound to port ${f.port_id} and listing ${pfs.length} port forwarding${pfs.length > 1 ? 's' : ''} (Neutron refuses both at once)` };
  const out: PortForwardingFile[] = [];
  for (const pf of pfs) {
    const ext = single(pf.external_port, pf.external_port_range);
    const int = single(pf.internal_port, pf.internal_port_range);
    const label = `${pf.protocol ?? '?'} ${pf.external_port ?? pf.external_port_range ?? '?'} → ${pf.internal_ip_address ?? '?'}:${pf.internal_port ?? pf.internal_port_range ?? '?'}`;
    if (pf.protocol !== 'tcp' && pf.protocol !== 'udp') return { kind: 'unmodelled', why: `port forwarding ${label}: protocol ${pf.protocol ?? 'none'} is not modelled` };
    if (ext === null || int === null) return { kind: 'unmodelled', why: `port forwarding ${label}: port ranges are not modelled` };
    const port = pf.internal_port_id ? portOf(pf.internal_port_id) : undefined;
    if (!port) return { kind: 'unmodelled', why: `port forwarding ${label}: its internal port ${pf.internal_port_id ?? '(none listed)'} is not modelled` };
    if (port.ip === undefined || (pf.internal_ip_address && pf.internal_ip_address !== port.ip)) {
      return { kind: 'unmodelled', why: `port forwarding ${label}: ${pf.internal_ip_address ?? 'its address'} is not the modelled address of ${port.vm}:${port.index}` };
    }
    const id = typeof pf.id === 'string' ? pf.id : undefined;
    out.push({
      ...(id ? { id } : {}),
      floating_ip: f.floating_ip_address,
      floating_ip_id: f.id,
      protocol: pf.protocol,
      external_port: ext,
      vm: port.vm,
      ...(port.index > 0 ? { port: port.index } : {}),
      internal_ip: port.ip,
      internal_port: int,
    });
  }
  return { kind: 'modelled', forwardings: out };
}
