// Verify contexts for the property tests: a topology file under ./topologies, optionally with its
// rendered artifacts edited before assembly (a firewall or flow rendered wrong, which a correct
// renderer never produces).
import { fileURLToPath } from 'node:url';
import { loadTopologyFile } from '../../src/topology/index.ts';
import { renderTopology } from '../../src/render/index.ts';
import { assembleDataplane } from '../../src/dataplane/assemble.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import type { Artifact } from '../../src/render/artifacts.ts';
import type { VerifyContext } from '../../src/questions/property.ts';

export const topo = (name: string) => fileURLToPath(new URL(`./topologies/${name}.yaml`, import.meta.url));

/** Edits one artifact's text (by path pattern); throws when nothing changed, so a test cannot silently test nothing. */
export function edit(path: RegExp, f: (text: string) => string): (a: Artifact[]) => Artifact[] {
  return (arts) => {
    const i = arts.findIndex((a) => path.test(a.path));
    if (i < 0) throw new Error(`no artifact ${path}`);
    const text = f(arts[i]!.text);
    if (text === arts[i]!.text) throw new Error(`edit of ${path} changed nothing`);
    return arts.map((a, j) => (j === i ? { ...a, text } : a));
  };
}

export function context(name: string, mutate: (a: Artifact[]) => Artifact[] = (a) => a, release?: string): VerifyContext {
  const t = loadTopologyFile(topo(name));
  if (!t.ok) throw new Error(JSON.stringify(t.errors));
  // Another release than the file's: the same cloud as that release's agents would program it.
  const topology = release === undefined ? t.value : { ...t.value, release };
  const artifacts = mutate([...renderTopology(topology)]);
  const dataplane = assembleDataplane(topology, artifacts);
  return { topology, dataplane, evaluator: createEvaluator(dataplane), timeoutMs: 20_000 };
}

/** Drops the lines of an artifact that match `re`. */
export const dropLines = (re: RegExp) => (text: string) => text.split('\n').filter((l) => !re.test(l)).join('\n');
