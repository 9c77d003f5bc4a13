// SARIF locations for netproof's results: a line of the topology file (an object: port, router,
// security-group rule …, found with the loader's own positions, source-map.ts), a line of a rendered
// artifact (the rule that acted, under the `RENDERED` base: what `netproof render TOPOLOGY --out DIR`
// writes), and a trace as a code flow whose thread-flow locations are its hops in order.
import { relative, isAbsolute, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { Trace } from '../../evaluate/trace.ts';
import type { Origin } from '../../ir/origin.ts';
import type { Topology } from '../../topology/model.ts';
import type { Path } from '../../topology/path.ts';
import { formatPath } from '../../topology/path.ts';
import { sourceOf } from '../../topology/source-map.ts';
import { hopDecision } from '../decisive.ts';
import { explainHop } from '../explain.ts';
import type { Labels } from '../labels.ts';
import { originText } from '../packet-json.ts';
import { placesFor } from '../places.ts';
import { packetSummary, outcome } from '../trace-text.ts';

/** The base of paths relative to where netproof ran (GitHub code scanning resolves it to the checkout). */
export const SRCROOT = '%SRCROOT%';
/** The base of rendered artifacts: the directory given to `netproof render --out`. */
export const RENDERED = 'RENDERED';

export function uriBases(cwd: string): Record<string, Sarif.ArtifactLocation> {
  return {
    [SRCROOT]: { uri: pathToFileURL(cwd.endsWith(sep) ? cwd : `${cwd}${sep}`).href, description: { text: 'the directory netproof ran in' } },
    [RENDERED]: { description: { text: 'what the Neutron agents program on each host, as `netproof render TOPOLOGY --out DIR` writes it: DIR/<host>/<artifact>' } },
  };
}

/** A file named on the command line as an artifact location: relative to SRCROOT when it lies under it. */
export function fileLocation(file: string, cwd: string): Sarif.ArtifactLocation {
  const rel = isAbsolute(file) ? relative(cwd, file) : file;
  if (rel.startsWith('..') || isAbsolute(rel)) return { uri: pathToFileURL(file).href };
  return { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

export interface Locator {
  /** The topology file's line for the object at `path`, or null when the topology has no source. */
  topology(path: Path, message?: string): Sarif.Location | null;
  /** A line of a rendered artifact: the rule as the agent programs it, with its provenance. */
  rendered(origin: Origin, message?: string): Sarif.Location;
  /** The trace as a code flow: one thread-flow location per hop. */
  codeFlow(trace: Trace, message: string): Sarif.CodeFlow;
}

export function locatorFor(topo: Topology, labels: Labels, cwd: string): Locator {
  const src = sourceOf(topo);
  const lines = src?.text.split(/\r?\n/) ?? [];
  const places = placesFor(topo);
  const topology = (path: Path, message?: string): Sarif.Location | null => {
    const pos = src?.locator.locate(path, 'key') ?? null;
    if (src === null || pos === null) return null;
    return {
      physicalLocation: {
        artifactLocation: fileLocation(src.file, cwd),
        region: { startLine: pos.line, startColumn: pos.column, snippet: { text: lines[pos.line - 1] ?? '' } },
      },
      logicalLocations: [{ fullyQualifiedName: formatPath(path), kind: 'member' }],
      ...(message !== undefined ? { message: { text: message } } : {}),
    };
  };
  const rendered = (origin: Origin, message?: string): Sarif.Location => ({
    physicalLocation: {
      artifactLocation: { uri: origin.file.split('/').map(encodeURIComponent).join('/'), uriBaseId: RENDERED },
      region: { startLine: origin.line, snippet: { text: origin.text } },
    },
    message: { text: message ?? originText(origin) ?? origin.text },
  });
  return {
    topology,
    rendered,
    codeFlow(trace, message) {
      const locations = trace.hops.map((h, i): Sarif.ThreadFlowLocation => {
        const text = `${i + 1}. ${explainHop(h, labels)}`;
        const step = hopDecision(h);
        const place = places.ofHop(h);
        const location = step?.origin ? rendered(step.origin, text) : ((place === null ? null : topology(place, text)) ?? { message: { text } });
        return {
          location,
          executionOrder: i + 1,
          state: {
            in: { text: packetSummary(h.in) },
            ...(h.out !== null ? { out: { text: packetSummary(h.out) } } : {}),
          },
          properties: { host: h.host, device: h.device, rules: h.steps.map((s) => `${s.where}: ${s.rule}`) },
        };
      });
      return { message: { text: `${message} — ${outcome(trace).split('\n')[0]}` }, threadFlows: [{ locations }] };
    },
  };
}
