// Endpoints under a failure scenario, for `trace` and `query`. A VM on a failed host sends nothing: as
// `--from` it is an input error saying so. As `--to` it is still an address packets are sent to, so
// the question is asked towards its fixed address (NETWORK/IP) and the answer shows where packets
// stop now that its host is down.
import type { Topology } from '../topology/model.ts';
import type { InputError } from '../errors.ts';
import type { ScenarioSpec } from '../scenario/context.ts';

/** The VM (and port) an endpoint names, when it names one. */
function vmPortOf(topo: Topology, text: string) {
  const m = /^([^:/]+)(?::(\d+))?$/.exec(text);
  if (!m) return null;
  const vm = topo.vms.find((v) => v.name === m[1]);
  const port = vm?.ports[m[2] === undefined ? 0 : Number(m[2])];
  return vm && port ? { vm, port } : null;
}

export function scenarioEndpoints(topo: Topology, spec: ScenarioSpec, from: string, to: string): { from: string; to: string } | InputError {
  // No host down: nothing to look up (a scan of every VM per question, twice).
  if (spec.failures.down.length === 0) return { from, to };
  const down = new Set(spec.failures.down);
  const f = vmPortOf(topo, from);
  if (f && down.has(f.vm.host)) {
    return { code: 'NP405', file: topo.file, position: null, path: '--from', message: `${from} is on ${f.vm.host}, which is down in this scenario (--fail ${f.vm.host}): it sends nothing` };
  }
  const t = vmPortOf(topo, to);
  return { from, to: t && down.has(t.vm.host) ? `${t.port.network}/${t.port.ip}` : to };
}
