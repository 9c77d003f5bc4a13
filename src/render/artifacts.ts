// The rendered artifacts: per host, the files an operator would collect from that node, in the
// real tools' formats, plus a provenance map that ties each rendered line back to the Neutron
// object and the reason it exists (so parsed rules can carry that in their Origin).

/** Why a rendered line exists: the Neutron object and the agent's reason. */
export interface Provenance { readonly neutron: string; readonly why: string }

export interface Artifact {
  /** Path relative to the render root: `<host>/<file>`, see `artifactPath`. */
  readonly path: string;
  readonly text: string;
  /** 1-based line → provenance, for the lines that have one. */
  readonly provenance: ReadonlyMap<number, Provenance>;
}

/**
 * File names per host (the contract between render, parse and `netproof render --out`):
 * - `ovs-vsctl-show`, `<bridge>.dump-flows`, `<bridge>.ofctl-show`
 * - `brctl-show`, `iptables-save` and `ipset-save` of the root namespace (the hybrid firewall)
 * - `<namespace>.ip-addr`, `<namespace>.ip-route`, `<namespace>.iptables-save` per qrouter-/qdhcp- namespace
 * - `<namespace>.keepalived.conf` per instance of an HA router (its qrouter- namespace on that host)
 */
export const artifactPath = {
  ovsVsctlShow: (host: string) => `${host}/ovs-vsctl-show`,
  dumpFlows: (host: string, bridge: string) => `${host}/${bridge}.dump-flows`,
  ofctlShow: (host: string, bridge: string) => `${host}/${bridge}.ofctl-show`,
  brctlShow: (host: string) => `${host}/brctl-show`,
  hostIptablesSave: (host: string) => `${host}/iptables-save`,
  hostIpsetSave: (host: string) => `${host}/ipset-save`,
  nsIpAddr: (host: string, ns: string) => `${host}/${ns}.ip-addr`,
  nsIpRoute: (host: string, ns: string) => `${host}/${ns}.ip-route`,
  nsIptablesSave: (host: string, ns: string) => `${host}/${ns}.iptables-save`,
  keepalivedConf: (host: string, ns: string) => `${host}/${ns}.keepalived.conf`,
} as const;

export type Artifacts = readonly Artifact[];
