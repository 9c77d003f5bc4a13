// `npm run bench:diff [-- --sizes tiny,small] [--runs N]`: `diff` of a generated size against itself
// with one security-group rule added (tcp/8080 into project p1's ssh group), beside one `verify` of the
// same size (the built-ins), in one process per size; medians of --runs runs. Also the diff of one
// sender (`--from vm1`), which is what a change review of one VM asks.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadTopologyText } from '../src/topology/index.ts';
import { modelFromTopology } from '../src/pipeline.ts';
import { createEvaluator } from '../src/evaluate/index.ts';
import { runDiff } from '../src/questions/diff.ts';
import { runVerify } from '../src/questions/verify.ts';
import { BUILTIN_PROPERTIES } from '../src/questions/properties/index.ts';
import { getZ3, shutdownZ3 } from '../src/smt/index.ts';
import { SIZES, generateTopologyText } from './generate.ts';

const TIMEOUT_MS = 10_000;

function party(text: string) {
  const t = loadTopologyText(text, 'bench.yaml');
  if (!t.ok) throw new Error(t.errors.map((e) => e.message).join('; '));
  const model = modelFromTopology(t.value);
  return { model, ev: createEvaluator(model.dataplane) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function child(sizeName: string, runs: number): Promise<void> {
  const size = SIZES.find((s) => s.name === sizeName)!;
  const text = generateTopologyText(size);
  const rule = "      - direction: ingress\n        protocol: icmp\n";
  if (!text.includes(rule)) throw new Error('the generated ssh group has changed: update bench/diff.ts');
  const changed = text.replace(rule, `${rule}      - direction: ingress\n        protocol: tcp\n        port: 8080\n`);
  await getZ3();
  const verify: number[] = [];
  const diff: number[] = [];
  const one: number[] = [];
  let found = '';
  for (let i = 0; i < runs; i++) {
    const v = party(text);
    let t = performance.now();
    await runVerify({ topology: v.model.topology, dataplane: v.model.dataplane, evaluator: v.ev, timeoutMs: TIMEOUT_MS }, BUILTIN_PROPERTIES, []);
    verify.push(performance.now() - t);
    const [b, a] = [party(text), party(changed)];
    t = performance.now();
    const r = await runDiff(b, a, { from: null, to: null, via: null }, TIMEOUT_MS);
    diff.push(performance.now() - t);
    if (!r.ok) throw new Error('diff refused its input');
    found = `${r.value.verdict}, ${r.value.differences.length} changes, ${r.value.senders.filter((s) => s.unknown !== null).length} senders unknown`;
    const [b1, a1] = [party(text), party(changed)];
    t = performance.now();
    await runDiff(b1, a1, { from: 'vm1', to: null, via: null }, TIMEOUT_MS);
    one.push(performance.now() - t);
  }
  console.log(JSON.stringify({ size: sizeName, vms: size.vms, verifyMs: median(verify), diffMs: median(diff), diffOneMs: median(one), found, runs }));
  await shutdownZ3();
}

const args = process.argv.slice(2);
const opt = (name: string, d: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : d; };
if (args[0] === '--child') await child(args[1]!, Number(args[2]));
else {
  const runs = Number(opt('--runs', '3'));
  console.log('size | VMs | verify (built-ins) | diff, every sender | ratio | diff --from vm1 | found');
  for (const s of opt('--sizes', 'tiny,small').split(',')) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', s, String(runs)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      const f = JSON.parse(line) as { vms: number; verifyMs: number; diffMs: number; diffOneMs: number; found: string };
      console.log(`${s} | ${f.vms} | ${(f.verifyMs / 1000).toFixed(1)} s | ${(f.diffMs / 1000).toFixed(1)} s | ${(f.diffMs / f.verifyMs).toFixed(1)}× | ${(f.diffOneMs / 1000).toFixed(1)} s | ${f.found}`);
    } catch {
      console.log(`${s} | failed (exit ${r.status})`);
    }
  }
}
