// Reading `CLOUD/hosts/<host>/` (docs/cloud-directory.md): every file of each host's capture, and the
// collect script's log of what ran and how it ended. A host folder with no file netproof recognises is
// left out with a note; when no host folder is usable at all, that is an error (NP904).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { DEFAULT_INPUT_LIMITS, readTextFile, type InputLimits } from '../../input/text-file.ts';
import { join } from 'node:path';
import type { Result } from '../../errors.ts';
import { BRIDGE_FILE_PREFIX, CLOUD_DIRS, HOST_DIRS, HOST_FILES } from '../layout.ts';
import { CLOUD_NOTE, note, type CloudNote } from '../notes.ts';

export interface LogEntry { readonly status: number; readonly command: string; readonly message: string | null; readonly line: number }

export interface HostCapture {
  /** The host name: the folder's name (the collect script files each node under its Neutron host name). */
  readonly host: string;
  /** The folder, relative to the cloud directory (`hosts/<host>`): what origins and notes name. */
  readonly dir: string;
  /** Path inside the folder → text. */
  readonly files: ReadonlyMap<string, string>;
  /** `collect.log`: file → how the command that wrote it ended; empty when there is no log. */
  readonly log: ReadonlyMap<string, LogEntry>;
}

function walk(root: string, rel = ''): string[] {
  return readdirSync(join(root, rel)).sort().flatMap((f) => {
    const p = rel === '' ? f : `${rel}/${f}`;
    return statSync(join(root, p)).isDirectory() ? walk(root, p) : [p];
  });
}

function readLog(text: string | undefined): Map<string, LogEntry> {
  const out = new Map<string, LogEntry>();
  (text ?? '').split('\n').forEach((l, i) => {
    if (l === '' || l.startsWith('#')) return;
    const [file = '', status = '', command = '', rest] = l.split('\t');
    out.set(file, { status: Number(status), command, message: rest?.replace(/^#\s*/, '') ?? null, line: i + 1 });
  });
  return out;
}

/** Whether a file name is one the layout defines for a host's top level. */
function recognised(f: string): boolean {
  return (Object.values(HOST_FILES) as string[]).includes(f) ||
    Object.values(BRIDGE_FILE_PREFIX).some((p) => f.startsWith(p)) ||
    (Object.values(HOST_DIRS) as string[]).some((d) => f.startsWith(`${d}/`));
}

export interface Captures {
  readonly captures: readonly HostCapture[];
  readonly notes: readonly CloudNote[];
}

/** Every host folder under `CLOUD/hosts/`; null when the directory has no `hosts/` (an intent-only cloud). */
export function readCaptures(cloudDir: string, limits: InputLimits = DEFAULT_INPUT_LIMITS): Result<Captures> | null {
  const root = join(cloudDir, CLOUD_DIRS.hosts);
  if (!existsSync(root)) return null;
  const captures: HostCapture[] = [];
  const notes: CloudNote[] = [];
  for (const host of readdirSync(root).sort()) {
    const dir = `${CLOUD_DIRS.hosts}/${host}`;
    if (!statSync(join(cloudDir, dir)).isDirectory()) continue;
    const names = walk(join(cloudDir, dir)).filter((f) => !f.split('/').some((part) => part.startsWith('.')));
    const known = names.filter(recognised);
    if (known.length === 0 || !known.some((f) => f !== HOST_FILES.log && f !== HOST_FILES.hostname)) {
      notes.push(note(CLOUD_NOTE.capture, { file: dir, line: 1 }, `${dir} holds no file of a node capture (netproof collect-script writes ovs-vsctl_show, ovs-ofctl_dump-flows_<bridge>, iptables-save, …): left out`, [`host:${host}`]));
      continue;
    }
    const files = new Map<string, string>();
    for (const f of known) {
      const text = readTextFile(join(cloudDir, dir, f), limits);
      if (!text.ok) return { ok: false, errors: text.errors.map((e) => ({ ...e, file: `${dir}/${f}` })) };
      files.set(f, text.value);
    }
    captures.push({ host, dir, files, log: readLog(files.get(HOST_FILES.log)) });
  }
  if (captures.length === 0) {
    return { ok: false, errors: [{ code: 'NP904', file: root, position: null, path: '', message: `no host folder under ${root} holds a node capture (netproof collect-script run on each node writes one)` }] };
  }
  return { ok: true, value: { captures, notes } };
}
