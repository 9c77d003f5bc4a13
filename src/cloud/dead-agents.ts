// Agents the API reports as not alive (`alive: false`: no heartbeat within Neutron's agent_down_time).
// A dead agent programs nothing more: the devices it manages keep what it put there before it stopped
// (Open vSwitch keeps its flows, the kernel its namespaces and iptables), and every change since — a
// security-group rule, a new port elsewhere, a floating IP — is not applied there. So where the model is
// the API's intent (no capture of the host), the verdicts that host's devices decide are `unknown`; where
// the host was captured, the capture is what runs and decides, and the note only says why it may drift.
import type { Topology } from '../topology/model.ts';
import type { AgentApiT } from './api/schema.ts';
import type { Located } from './api/read.ts';
import { hostSubjects } from './hosts/coverage.ts';
import { CLOUD_NOTE, note, type CloudNote } from './notes.ts';

/** What each modelled agent manages, and so which verify subjects it decides. */
function managed(topo: Topology, type: string, host: string): { what: string; taints: string[] } | null {
  switch (type) {
    case 'Open vSwitch agent':
      return { what: "the host's OpenFlow bridges and its ports' hybrid firewall", taints: [...hostSubjects(topo, host).taints] };
    case 'L3 agent': {
      const routers = topo.routers.filter((r) => r.hosts.includes(host));
      const nets = new Set(routers.flatMap((r) => r.interfaces.map((i) => i.network)));
      return {
        what: routers.length > 0 ? `the namespaces of router(s) ${routers.map((r) => r.name).join(', ')}` : 'no router of the topology',
        taints: routers.length === 0 ? [] : [
          `host:${host}`,
          ...routers.map((r) => `router:${r.name}`),
          ...[...nets].map((n) => `network:${n}`),
          ...topo.floatingIps.filter((f) => routers.some((r) => r.name === f.router)).map((f) => `fip:${f.ip}`),
        ],
      };
    }
    case 'DHCP agent': {
      const nets = Object.entries(topo.dhcpHosts).filter(([, hs]) => hs.includes(host)).map(([n]) => n);
      return {
        what: nets.length > 0 ? `DHCP for network(s) ${nets.join(', ')}` : 'DHCP for no network of the topology',
        taints: nets.map((n) => `network:${n}`),
      };
    }
    default:
      return null;
  }
}

/**
 * One `cloud/state` note per modelled agent (OVS, L3, DHCP) reported not alive, at its line of the
 * agents file. `captured`: the hosts whose devices were read from a capture (null: intent only).
 */
export function deadAgentNotes(topo: Topology, agents: readonly Located<AgentApiT>[], captured: ReadonlySet<string> | null): CloudNote[] {
  const notes: CloudNote[] = [];
  for (const a of agents) {
    if (a.value.alive !== false) continue;
    const host = a.value.host;
    const m = managed(topo, a.value.agent_type, host);
    if (m === null) continue;
    const seen = captured?.has(host) === true;
    const tail = seen
      ? `the capture of ${host} shows what runs there now, and changes made in the API since it stopped are not applied there`
      : `the devices there keep what it programmed before it stopped, and changes made in the API since are not applied, so the intent modelled here may not be what runs`;
    notes.push(note(CLOUD_NOTE.state, a.at, `the ${a.value.agent_type} on host ${host} is not alive (it manages ${m.what}): ${tail}`, seen ? [] : m.taints));
  }
  return notes;
}
