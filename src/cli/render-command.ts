// `netproof render TOPOLOGY --out DIR`: writes DIR/<host>/<artifact> as an operator would collect them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadTopologyFile } from '../topology/index.ts';
import { renderTopology } from '../render/index.ts';
import { EXIT, reportInputErrors, type Io } from './exit.ts';

export function runRender(io: Io, file: string, out: string): number {
  const topo = loadTopologyFile(file);
  if (!topo.ok) return reportInputErrors(io, topo.errors);
  const artifacts = renderTopology(topo.value);
  for (const a of artifacts) {
    const path = join(out, a.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, a.text.endsWith('\n') ? a.text : `${a.text}\n`);
  }
  io.out(`wrote ${artifacts.length} artifacts for ${topo.value.hosts.length} hosts under ${out}`);
  return EXIT.ok;
}
