// `netproof render TOPOLOGY --out DIR`: writes DIR/<host>/<artifact> as an operator would collect them,
// and nothing outside DIR (output-dir.ts).
import { loadTopologyFile } from '../topology/index.ts';
import { renderTopology } from '../render/index.ts';
import type { InputLimits } from '../input/text-file.ts';
import { EXIT, reportInputErrors, type Io } from './exit.ts';
import { UsageError } from './options.ts';
import { writeTree } from './output-dir.ts';

export function runRender(io: Io, file: string, out: string, limits?: InputLimits): number {
  if (out === '') throw new UsageError('--out must name a directory, not ""');
  const topo = loadTopologyFile(file, limits);
  if (!topo.ok) return reportInputErrors(io, topo.errors);
  const artifacts = renderTopology(topo.value);
  const written = writeTree(out, artifacts.map((a) => ({ path: a.path, text: a.text.endsWith('\n') ? a.text : `${a.text}\n` })));
  if (!written.ok) return reportInputErrors(io, written.errors);
  io.out(`wrote ${written.value} artifacts for ${topo.value.hosts.length} hosts under ${out}`);
  return EXIT.ok;
}
