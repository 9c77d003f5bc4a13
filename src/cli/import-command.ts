// `netproof import CLOUD --out FILE`: the cloud directory's API view written as a topology file in the
// documented format (DESIGN §2), with names from the API and every id, MAC, address, binding, DHCP and
// router port as the API shows them — a real cloud as an example to edit, render and compare. What the
// format cannot say is listed at the top of the file (and on stderr), with the API line it came from.
import { statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { importCloud } from '../cloud/import.ts';
import { EXIT, reportInputErrors, type Io } from './exit.ts';
import { UsageError } from './options.ts';
import type { InputLimits } from '../input/text-file.ts';

export function runImport(io: Io, dir: string, out: string, limits: InputLimits): number {
  // The file to write is checked before anything is read, so a typo costs nothing.
  if (out.trim() === '') throw new UsageError('--out needs the path of the topology file to write');
  let parent: ReturnType<typeof statSync> | undefined;
  try {
    parent = statSync(dirname(out));
  } catch {
    parent = undefined;
  }
  if (!parent?.isDirectory()) throw new UsageError(`--out ${out}: ${dirname(out)} is not a directory to write into`);
  const r = importCloud(dir, limits);
  if (!r.ok) return reportInputErrors(io, r.errors);
  const { file, notes } = r.value;
  const header = [
    `# Imported by \`netproof import\` from the Neutron API view in ${dir}/api (DESIGN §2 format).`,
    ...(notes.length > 0 ? ['# Not in this file (netproof does not model it, or the API is inconsistent):'] : []),
    ...notes.map((n) => `#   ${n.file}:${n.line}: ${n.message}`),
  ];
  try {
    writeFileSync(out, `${header.join('\n')}\n${stringify(file, { lineWidth: 0 })}`);
  } catch (e) {
    return reportInputErrors(io, [{ code: 'NP604', file: out, position: null, path: '', message: `cannot write --out: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  for (const n of notes) if (n.taints.length > 0) io.err(`netproof: ${n.file}:${n.line}: ${n.message}`);
  io.out(`wrote ${out}: ${Object.keys(file.hosts).length} hosts, ${Object.keys(file.networks ?? {}).length} networks, ${Object.keys(file.routers ?? {}).length} routers, ${Object.keys(file.vms ?? {}).length} servers, ${(file.floating_ips ?? []).length} floating IPs${notes.length > 0 ? `; ${notes.length} notes at the top` : ''}`);
  return EXIT.ok;
}
