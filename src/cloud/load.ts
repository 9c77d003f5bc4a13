// A cloud directory (docs/cloud-directory.md) as a model to ask questions of: the topology from the
// Neutron API view (`api/`), and the dataplane from what was captured on the nodes (`hosts/`), parsed
// into the same IR a rendered topology is — never rendered. With `api/` alone the directory is verified
// as its intent: the dataplane is rendered from the API's topology, as a topology file's is.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Result } from '../errors.ts';
import { modelFromTopology, type Model } from '../pipeline.ts';
import { loadApiTopology } from './api/load.ts';
import { readApi } from './api/read.ts';
import type { ApiTopology } from './api/to-topology.ts';
import { CLOUD_DIRS } from './layout.ts';
import { CLOUD_NOTE, note, type CloudNote } from './notes.ts';
import { readCaptures } from './hosts/capture.ts';
import { capturedLocalVlans, coverageNotes } from './hosts/coverage.ts';
import { cloudOptions, hostOptions, type CloudOptions } from './hosts/options.ts';
import { captureSource } from './hosts/source.ts';
import { deadAgentNotes } from './dead-agents.ts';
import { assembleFromSource } from '../dataplane/assemble.ts';
import type { Topology } from '../topology/model.ts';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../input/text-file.ts';
import type { TopologyFile } from '../topology/schema.ts';

export interface CloudModel extends Model {
  /** What netproof left out or could not read, each with the verdicts it makes unknown. */
  readonly notes: readonly CloudNote[];
  readonly api: ApiTopology;
  /** `intent` when only `api/` was there (the dataplane is rendered), `collected` when `hosts/` was read. */
  readonly source: 'intent' | 'collected';
}

/** The topology defaults an API view alone cannot give (the release): netproof's, said in a note. */
const DEFAULT_RELEASE = '2024.1';

export { isDirectory as isCloudDirectory } from '../model.ts';

export function loadCloud(dir: string, limits: InputLimits = DEFAULT_INPUT_LIMITS): Result<CloudModel> {
  if (!existsSync(join(dir, CLOUD_DIRS.api)) && !existsSync(join(dir, CLOUD_DIRS.hosts))) {
    return { ok: false, errors: [{ code: 'NP901', file: dir, position: null, path: '', message: `a cloud directory holds ${CLOUD_DIRS.api}/ (the Neutron API view) and ${CLOUD_DIRS.hosts}/ (node captures); ${dir} has neither (docs/cloud-directory.md)` }] };
  }
  const view = readApi(dir, limits);
  if (!view.ok) return view;
  const caps = readCaptures(dir, limits);
  if (caps !== null && !caps.ok) return caps;
  const captures = caps?.value.captures ?? [];
  const notes: CloudNote[] = view.value.missingOptional.map((f) => note(CLOUD_NOTE.capture, { file: f, line: 1 }, `${f} is missing: names fall back to ids`));
  notes.push(...(caps?.value.notes ?? []));

  const options = new Map(captures.map((c) => [c.host, hostOptions(c)]));
  const { defaults, notes: optionNotes } = cloudDefaults(cloudOptions(options));
  notes.push(...optionNotes);
  const loaded = loadApiTopology(dir, view.value, defaults);
  if (!loaded.ok) return loaded;
  notes.push(...loaded.value.api.notes);
  const intent = loaded.value.topology;
  if (caps === null) {
    notes.push(...deadAgentNotes(intent, view.value.agents, null));
    return { ok: true, value: { ...modelFromTopology(intent), notes, api: loaded.value.api, source: 'intent' } };
  }

  const source = captureSource(intent, captures, options);
  const shows = new Map(captures.map((c) => [c.host, source.ovsShow(c.host)]));
  const topology: Topology = { ...intent, localVlans: capturedLocalVlans(intent, shows) };
  const dataplane = assembleFromSource(topology, source);
  notes.push(...coverageNotes(topology, captures.map((c) => c.host)), ...source.notes);
  notes.push(...deadAgentNotes(topology, view.value.agents, new Set(captures.map((c) => c.host))));
  return { ok: true, value: { topology, artifacts: [], dataplane, notes, api: loaded.value.api, source: 'collected' } };
}

/**
 * The topology defaults a cloud is rendered with: the release the OVS agents report and the options of
 * their ini files; what no capture says is netproof's default, said in a note.
 */
export function cloudDefaults(o: CloudOptions): { defaults: NonNullable<TopologyFile['defaults']>; notes: CloudNote[] } {
  const notes: CloudNote[] = [];
  const defaults: { -readonly [K in keyof NonNullable<TopologyFile['defaults']>]: NonNullable<TopologyFile['defaults']>[K] } = {};
  if (o.release) defaults.release = o.release.value;
  else {
    defaults.release = DEFAULT_RELEASE;
    notes.push(note(CLOUD_NOTE.defaulted, { file: CLOUD_DIRS.hosts, line: 1 }, `no capture says which Neutron release runs (neutron-openvswitch-agent --version): the intent is rendered as ${DEFAULT_RELEASE}'s agents program it`));
  }
  if (o.firewallDriver) {
    const fw = o.firewallDriver;
    if (fw.value === 'iptables_hybrid' || fw.value === 'noop') defaults.firewall_driver = fw.value;
    else notes.push(note(CLOUD_NOTE.unmodelled, fw, `firewall_driver = ${fw.value}: only the hybrid iptables firewall is modelled`, ['*']));
  }
  if (o.l2Population) defaults.l2_population = o.l2Population.value;
  if (o.arpResponder) defaults.arp_responder = o.arpResponder.value;
  for (const d of o.disagreements) notes.push(note(CLOUD_NOTE.unmodelled, { file: CLOUD_DIRS.hosts, line: 1 }, `the nodes' agents are configured differently (${d}): the intent is rendered with the first`));
  return { defaults, notes };
}
