// Makes the code cache of a one-script CLI in DIR (DIR/SCRIPT → DIR/SCRIPT.cache, SCRIPT cli.cjs unless given; bin/engine.cjs):
// runs a trace and a render of the seed topology in this process (the help script: --help, --version and
// `help trace`), output discarded, then writes the bytecode of every function they compiled. Run by scripts/build.mjs in a process of its own, so that
// the cache is made under Node's default V8 flags, as `netproof` runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEngine } from '../bin/engine.cjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.argv[2];
const script = process.argv[3] ?? 'cli.cjs';
if (dir === undefined) throw new Error('usage: warm-engine.mjs DIR [SCRIPT]');
const engine = loadEngine(root, { file: join(dir, script), cache: join(dir, `${script}.cache`) });
if (engine === null) throw new Error(`no ${join(dir, script)}`);
const seed = join(root, 'topologies', 'seed.yaml');
const out = mkdtempSync(join(tmpdir(), 'netproof-warm-'));
const sink = { out() {}, err() {} };
try {
  const runs = script === 'cli-help.cjs' ? [['--help'], ['--version'], ['help', 'trace']] : [
    ['trace', seed, '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22'],
    ['trace', seed, '--from', 'vm1', '--to', 'vm4', '--format', 'json'],
    ['render', seed, '--out', join(out, 'render')],
  ];
  for (const argv of runs) {
    const code = await engine.main(argv, sink);
    if (code !== 0) throw new Error(`netproof ${argv.join(' ')} exited ${code}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
engine.saveCache();
