// The ports of a port forwarding's DNAT rule as the L3 agent writes them (neutron/agent/l3/extensions/
// port_forwarding.py PortForwardingAgentExtension.extract_ports, Zed+): `--dport` takes the external port, or
// the range "A:B"; `--to-destination IP:` the internal port, or for a range "C-D" with the base port "/A"
// (one to one: the kernel maps A + i to C + i, semantics/dnat-port.ts). An internal single port stays one
// port whatever the external range (1-N). Before Zed a forwarding has single ports, written the same way.
import type { PortForwardingT } from '../../topology/model.ts';

/** `ext` and `intPort` as the rule writes them; `pfHow` says, for a range, how its ports map (the rule's why). */
export function pfRulePorts(pf: PortForwardingT): { readonly ext: string; readonly intPort: string; readonly pfHow: string } {
  const externalRange = pf.externalPortEnd !== pf.externalPort;
  const ext = externalRange ? `${pf.externalPort}:${pf.externalPortEnd}` : `${pf.externalPort}`;
  if (pf.internalPortEnd === pf.internalPort) {
    return { ext, intPort: `${pf.internalPort}`, pfHow: externalRange ? ' (every port of the range to that one port)' : '' };
  }
  // internal_port_one_to_one_mask: '/' + external_start, only with an external range (an external single
  // port with an internal range is refused by the API, NP319).
  return {
    ext,
    intPort: `${pf.internalPort}-${pf.internalPortEnd}${externalRange ? `/${pf.externalPort}` : ''}`,
    pfHow: ` (port for port: the kernel maps ${pf.externalPort}+i to ${pf.internalPort}+i by the offset from the base port ${pf.externalPort}, nf_nat NF_NAT_RANGE_PROTO_OFFSET)`,
  };
}
