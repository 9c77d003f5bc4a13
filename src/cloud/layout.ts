// The cloud directory (a contract, documented in docs/cloud-directory.md): `CLOUD/api/` holds the
// Neutron API view, `CLOUD/hosts/<host>/` what `netproof collect-script` captured on each node. Every
// file name is defined here, once: the collect scripts are generated from these names, the readers
// look files up through them, and a test holds the document to them. Names may be added, never changed.

/** The two top-level folders of a cloud directory. */
export const CLOUD_DIRS = { api: 'api', hosts: 'hosts' } as const;

/**
 * `CLOUD/api/`: each file the body of one raw Neutron API response (`GET /v2.0/...`), except the two
 * OpenStack CLI listings (`-f json`) that give names to servers and projects.
 */
export const API_FILES = {
  networks: 'networks.json',
  subnets: 'subnets.json',
  ports: 'ports.json',
  routers: 'routers.json',
  floatingips: 'floatingips.json',
  securityGroups: 'security-groups.json',
  agents: 'agents.json',
  servers: 'servers.json',
  projects: 'projects.json',
  /** Tab-separated `file`, exit status, request or command: one line per file written. */
  log: 'collect.log',
} as const;

/**
 * Per-object API files: `l3-agents/<router id>.json`, `dhcp-agents/<network id>.json`, and
 * `port-forwardings/<floating ip id>.json` for the floating IPs without a port (where Neutron has the
 * port-ranges extension: the floating IP's own listing leaves a range's ports out).
 */
export const API_DIRS = { l3Agents: 'l3-agents', dhcpAgents: 'dhcp-agents', portForwardings: 'port-forwardings' } as const;

export type ApiFileKey = keyof typeof API_FILES;

/** What request or command each API file is the answer to (docs, the API script, error messages). */
export const API_SOURCES: Readonly<Record<ApiFileKey | keyof typeof API_DIRS, string>> = {
  networks: 'GET /v2.0/networks',
  subnets: 'GET /v2.0/subnets',
  ports: 'GET /v2.0/ports',
  routers: 'GET /v2.0/routers',
  floatingips: 'GET /v2.0/floatingips',
  securityGroups: 'GET /v2.0/security-groups',
  agents: 'GET /v2.0/agents',
  servers: 'openstack server list --all-projects -f json',
  projects: 'openstack project list -f json',
  log: '(the API collect script itself)',
  l3Agents: 'GET /v2.0/routers/<router id>/l3-agents',
  dhcpAgents: 'GET /v2.0/networks/<network id>/dhcp-agents',
  portForwardings: 'GET /v2.0/floatingips/<floating ip id>/port_forwardings',
};

/**
 * `CLOUD/hosts/<host>/`: one file per command, named by the command (its words joined by `_`, the
 * object it reads last). Bridge-, namespace- and router-specific files take the object's name.
 */
export const HOST_FILES = {
  /** Tab-separated `file`, exit status, command line: one line per file written, the first line the script's own. */
  log: 'collect.log',
  hostname: 'hostname',
  uname: 'uname_-r',
  ovsVersion: 'ovs-vsctl_--version',
  agentVersion: 'neutron-openvswitch-agent_--version',
  ovsVsctlShow: 'ovs-vsctl_show',
  iptablesSave: 'iptables-save',
  ipsetSave: 'ipset_save',
  ipAddr: 'ip_addr',
  ipRoute: 'ip_route',
  ipRule: 'ip_rule',
  bridgeLink: 'bridge_link',
  brctlShow: 'brctl_show',
} as const;

/** Per-bridge files: `ovs-ofctl_dump-flows_<bridge>`, `ovs-ofctl_show_<bridge>`. */
export const BRIDGE_FILE_PREFIX = { dumpFlows: 'ovs-ofctl_dump-flows_', ofctlShow: 'ovs-ofctl_show_' } as const;

/** Sub-folders of a host directory. */
export const HOST_DIRS = {
  /** `netns/<namespace>/` with `ip_addr`, `ip_route`, `ip_rule`, `iptables-save`. */
  netns: 'netns',
  /** `keepalived/<router id>/` with `keepalived.conf` and `state` (L3 HA routers). */
  keepalived: 'keepalived',
  /** `dhcp/<network id>/` with the DHCP agent's `host`, `opts` and `addn_hosts`. */
  dhcp: 'dhcp',
  /** `etc/` with the agents' ini files, secrets removed. */
  etc: 'etc',
} as const;

/** The files of one namespace folder (the same commands as on the host, run inside it). */
export const NETNS_FILES = {
  ipAddr: HOST_FILES.ipAddr,
  ipRoute: HOST_FILES.ipRoute,
  ipRule: HOST_FILES.ipRule,
  iptablesSave: HOST_FILES.iptablesSave,
} as const;

export const KEEPALIVED_FILES = { conf: 'keepalived.conf', state: 'state' } as const;

export const DHCP_FILES = { host: 'host', opts: 'opts', addnHosts: 'addn_hosts' } as const;

/** The agents' ini files collected into `etc/` (from wherever the node keeps them). */
export const INI_FILES = {
  ml2: 'ml2_conf.ini',
  ovsAgent: 'openvswitch_agent.ini',
  l3Agent: 'l3_agent.ini',
  dhcpAgent: 'dhcp_agent.ini',
} as const;

/** The exact command behind each host file (docs, collect.log, error messages). */
export const HOST_COMMANDS: Readonly<Record<keyof typeof HOST_FILES, string>> = {
  log: '(the collect script itself)',
  hostname: 'hostname (or $NETPROOF_HOST)',
  uname: 'uname -r',
  ovsVersion: 'ovs-vsctl --version',
  agentVersion: 'neutron-openvswitch-agent --version',
  ovsVsctlShow: 'ovs-vsctl show',
  iptablesSave: 'iptables-save -c',
  ipsetSave: 'ipset save',
  ipAddr: 'ip -d addr',
  ipRoute: 'ip route show table all',
  ipRule: 'ip rule',
  bridgeLink: 'bridge link',
  brctlShow: 'brctl show',
};

export const BRIDGE_COMMANDS: Readonly<Record<keyof typeof BRIDGE_FILE_PREFIX, string>> = {
  dumpFlows: 'ovs-ofctl -O OpenFlow13 --names dump-flows <bridge> (else without --names, else OpenFlow 1.0)',
  ofctlShow: 'ovs-ofctl show <bridge> (else -O OpenFlow13)',
};

export const hostPath = {
  dumpFlows: (bridge: string) => `${BRIDGE_FILE_PREFIX.dumpFlows}${bridge}`,
  ofctlShow: (bridge: string) => `${BRIDGE_FILE_PREFIX.ofctlShow}${bridge}`,
  netns: (ns: string, file: keyof typeof NETNS_FILES) => `${HOST_DIRS.netns}/${ns}/${NETNS_FILES[file]}`,
  keepalived: (routerId: string, file: keyof typeof KEEPALIVED_FILES) => `${HOST_DIRS.keepalived}/${routerId}/${KEEPALIVED_FILES[file]}`,
  dhcp: (networkId: string, file: keyof typeof DHCP_FILES) => `${HOST_DIRS.dhcp}/${networkId}/${DHCP_FILES[file]}`,
  ini: (file: keyof typeof INI_FILES) => `${HOST_DIRS.etc}/${INI_FILES[file]}`,
} as const;

export const apiPath = {
  file: (key: ApiFileKey) => `${CLOUD_DIRS.api}/${API_FILES[key]}`,
  l3Agents: (routerId: string) => `${CLOUD_DIRS.api}/${API_DIRS.l3Agents}/${routerId}.json`,
  dhcpAgents: (networkId: string) => `${CLOUD_DIRS.api}/${API_DIRS.dhcpAgents}/${networkId}.json`,
} as const;

/** Every fixed name of the layout, for the document's drift test. */
export function allLayoutNames(): string[] {
  return [
    ...Object.values(CLOUD_DIRS),
    ...Object.values(API_FILES),
    ...Object.values(API_DIRS),
    ...Object.values(HOST_FILES),
    ...Object.values(BRIDGE_FILE_PREFIX),
    ...Object.values(HOST_DIRS),
    ...Object.values(NETNS_FILES),
    ...Object.values(KEEPALIVED_FILES),
    ...Object.values(DHCP_FILES),
    ...Object.values(INI_FILES),
  ];
}
