// The API view as a resolved Topology, through the same loader a topology file goes through (checks and
// derivation), so a cloud's intent means exactly what its `netproof import` file means. A real cloud is
// not a hand-written file: where the loader refuses one object (a router on several hosts before L3 HA
// is modelled, an address the checks reject), that object is left out with a note naming its API line
// and the verdicts it touches, and the rest is loaded again. Errors that belong to no object (a host,
// the defaults) are returned, with the API file and line the topology field was made from.
import { join } from 'node:path';
import type { InputError, Result } from '../../errors.ts';
import { ERROR_CODES } from '../../errors.ts';
import { loadTopologyData } from '../../topology/index.ts';
import type { Topology } from '../../topology/model.ts';
import type { TopologyFile } from '../../topology/schema.ts';
import { CLOUD_DIRS } from '../layout.ts';
import type { ApiView } from './read.ts';
import { apiToTopology, type ApiTopology } from './to-topology.ts';

export interface LoadedApi {
  readonly topology: Topology;
  readonly api: ApiTopology;
}

const NO_POSITIONS = { locate: () => null };
/** Enough rounds for each kind of object to be left out in turn; each round leaves at least one out. */
const MAX_ROUNDS = 8;

/** The API object a topology error path belongs to (`vms.web-1.ports[0].ip` → `vms.web-1`), if any. */
function objectPath(path: string, objectIds: ReadonlyMap<string, string>): string | null {
  for (const [p] of objectIds) if (path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`)) return p;
  const subnet = /^(networks\.[^.]+)\.subnets\./.exec(path);
  return subnet && objectIds.has(subnet[1] as string) ? (subnet[1] as string) : null;
}

/** The error, placed at the API object the topology field was made from. */
function placed(e: InputError, cloudDir: string, api: ApiTopology): InputError {
  let best: { file: string; line: number } | undefined;
  let bestLen = -1;
  for (const [p, at] of api.origins) {
    if ((e.path === p || e.path.startsWith(`${p}.`) || e.path.startsWith(`${p}[`)) && p.length > bestLen) {
      best = at;
      bestLen = p.length;
    }
  }
  return {
    ...e,
    file: join(cloudDir, best?.file ?? CLOUD_DIRS.api),
    position: best ? { line: best.line, column: 1 } : null,
    message: `${e.message} (topology field ${e.path}, made from the API)`,
  };
}

export function loadApiTopology(cloudDir: string, view: ApiView, defaults?: NonNullable<TopologyFile['defaults']>): Result<LoadedApi> {
  const drop = new Map<string, string>();
  for (let round = 0; ; round++) {
    const api = apiToTopology(view, { drop, ...(defaults ? { defaults } : {}) });
    const loaded = loadTopologyData(api.file, join(cloudDir, CLOUD_DIRS.api), NO_POSITIONS);
    if (loaded.ok) return { ok: true, value: { topology: loaded.value, api } };
    const before = drop.size;
    const unplaced: InputError[] = [];
    for (const e of loaded.errors) {
      const obj = objectPath(e.path, api.objectIds);
      const id = obj === null ? undefined : api.objectIds.get(obj);
      if (id === undefined) unplaced.push(e);
      else if (!drop.has(id)) drop.set(id, `${e.code} ${ERROR_CODES[e.code]}: ${e.message}`);
    }
    if (unplaced.length > 0 || drop.size === before || round >= MAX_ROUNDS) {
      return { ok: false, errors: (unplaced.length > 0 ? unplaced : loaded.errors).map((e) => placed(e, cloudDir, api)) };
    }
  }
}
