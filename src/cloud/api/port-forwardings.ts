// A floating IP's port forwardings as the API lists them in the floating IP (`port_forwardings`, the
// port_forwarding plugin's extension of the floating IP, Rocky+: pf_plugin.py _extend_floatingip_dict lists
// id, protocol, internal_ip_address, internal_port, external_port and internal_port_id) → the topology's
// `port_forwardings`. A forwarding of a port range (Zed+) is listed there without the ports that are a range
// (PortForwarding.modify_fields_from_db sets external_port/internal_port only for one port, and the floating
// IP's listing drops the range fields): its ranges are read from `port-forwardings/<floating ip id>.json`
// (GET /v2.0/floatingips/<id>/port_forwardings, which lists external_port_range and internal_port_range), or
// from the floating IP's own entry when it carries them. All of a floating IP's forwardings are modelled or
// none: one left out would make what the others prove about the floating IP incomplete. What is left out, and why:
// - a floating IP held by a router without a port whose forwardings this API view does not list;
// - a floating IP bound to a port that also lists forwardings (Neutron refuses it; the view is inconsistent);
// - a forwarding whose ports the view does not give (a range without its port-forwardings file), with ranges
//   Neutron would refuse, of another protocol, to a port not modelled, or to an address the modelled port does
//   not carry.
import type { FloatingIpApiT, PortForwardingApiT } from './schema.ts';
import { parsePortRangeText } from '../../topology/port-forwarding-ports.ts';
import type { TopologyFile } from '../../topology/schema.ts';

type PortForwardingFile = NonNullable<TopologyFile['port_forwardings']>[number];

export type ForwardingsOf =
  | { readonly kind: 'none' }
  | { readonly kind: 'modelled'; readonly forwardings: readonly PortForwardingFile[] }
  | { readonly kind: 'unmodelled'; readonly why: string };

/** A side's ports: the range field ("N:M") when listed, else the single port; null when neither is listed or the range is not one. */
function portsOf(port: number | null | undefined, range: string | null | undefined): readonly [number, number] | null {
  if (typeof range === 'string') {
    const r = parsePortRangeText(range);
    return typeof r === 'string' ? null : r;
  }
  return typeof port === 'number' ? [port, port] : null;
}

/**
 * The topology's forwardings of `f`; `portOf` finds a modelled VM port (its VM, index and fixed address)
 * by id; `listed` is the floating IP's `port-forwardings/<id>.json`, when collected.
 */
export function forwardingsOf(f: FloatingIpApiT, portOf: (id: string) => { vm: string; index: number; ip: string | undefined } | undefined, listed: readonly PortForwardingApiT[] = []): ForwardingsOf {
  const pfs = f.port_forwardings ?? [];
  if (pfs.length === 0) {
    return !f.port_id && f.router_id
      ? { kind: 'unmodelled', why: 'held by its router without a port: port forwardings (not listed in this API view) may send its traffic to internal ports' }
      : { kind: 'none' };
  }
  if (f.port_id) return { kind: 'unmodelled', why: `bound to port ${f.port_id} and listing ${pfs.length} port forwarding${pfs.length > 1 ? 's' : ''} (Neutron refuses both at once)` };
  const out: PortForwardingFile[] = [];
  for (const shown of pfs) {
    // The sub-resource's entry (with the ranges), else the floating IP's own.
    const pf = (typeof shown.id === 'string' ? listed.find((x) => x.id === shown.id) : undefined) ?? shown;
    const ext = portsOf(pf.external_port, pf.external_port_range);
    const int = portsOf(pf.internal_port, pf.internal_port_range);
    const label = `${pf.protocol ?? '?'} ${pf.external_port_range ?? pf.external_port ?? '?'} → ${pf.internal_ip_address ?? '?'}:${pf.internal_port_range ?? pf.internal_port ?? '?'}`;
    if (pf.protocol !== 'tcp' && pf.protocol !== 'udp') return { kind: 'unmodelled', why: `port forwarding ${label}: protocol ${pf.protocol ?? 'none'} is not modelled` };
    if (ext === null || int === null) {
      return { kind: 'unmodelled', why: `port forwarding ${label}: its ports are not listed (a port range: the floating IP's listing leaves them out; port-forwardings/${f.id}.json, GET /v2.0/floatingips/${f.id}/port_forwardings, gives them)` };
    }
    if (int[1] > int[0] && int[1] - int[0] !== ext[1] - ext[0]) return { kind: 'unmodelled', why: `port forwarding ${label}: an internal range neither one port nor as long as the external one (Neutron refuses it)` };
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
      // One port as the topology writes one port (a range of one port included), a range as a range.
      ...(ext[0] === ext[1] ? { external_port: ext[0] } : { external_port_range: `${ext[0]}:${ext[1]}` }),
      vm: port.vm,
      ...(port.index > 0 ? { port: port.index } : {}),
      internal_ip: port.ip,
      ...(int[0] === int[1] ? { internal_port: int[0] } : { internal_port_range: `${int[0]}:${int[1]}` }),
    });
  }
  return { kind: 'modelled', forwardings: out };
}
