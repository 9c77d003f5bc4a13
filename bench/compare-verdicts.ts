// A before/after check for changes that must not change any answer (performance work): for every
// shipped topology, every test topology and cloud, and a fixed set of generated topologies
// (netproof/testing's generator with a fixed seed, as many again with L3 HA routers, and small bench
// sizes, each with and without every router HA), it writes what `netproof verify --format json`
// prints (with its exit code) and a digest of the rendered artifacts, one file per subject, into a
// directory; with `--failures N`, for each subject with HA routers also what `verify --failures N`
// prints. Run it on the old code and the new, then `--diff` the two directories. Not a test: it takes
// minutes and compares two checkouts. Each record also holds a digest of the evaluator's converged state (every
// learned MAC and flow, the passes). With `--render-only`, verify is not run (the digests alone): the check for
// the sizes too large to verify in minutes (`--sizes large,xlarge,huge`).
//
//   node --import tsx bench/compare-verdicts.ts --out /tmp/before [--sizes tiny,small,medium,large] [--failures 1]
//   node --import tsx bench/compare-verdicts.ts --out /tmp/before-render --render-only --sizes large,xlarge,huge
//   node --import tsx bench/compare-verdicts.ts --out /tmp/before-clouds --only cloud/
//   node --import tsx bench/compare-verdicts.ts --diff /tmp/before /tmp/after
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { arbitraryTopology } from '../src/testing/index.ts';
import { loadModel } from '../src/pipeline.ts';
import { loadTopologyFile, loadTopologyText } from '../src/topology/index.ts';
import { topologyToApi } from '../src/cloud/generate/api.ts';
import { CLOUD_DIRS } from '../src/cloud/layout.ts';
import { createEvaluator } from '../src/evaluate/index.ts';
import { EXTRA_SIZES, SIZES, generateTopologyText } from './generate.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GENERATED_SEED = 1414;
const GENERATED_RUNS = 12;
/** Generated topologies with at least one L3 HA router: this many, drawn from this seed. */
const GENERATED_HA_SEED = 1415;
const GENERATED_HA = 12;
// `--sizes a,b` after `--out DIR` replaces them (e.g. adding `large`, 1,000 VMs: many minutes more).
const sizesAt = process.argv.indexOf('--sizes');
const BENCH_SIZES = sizesAt > 0 && process.argv[sizesAt + 1] ? process.argv[sizesAt + 1]!.split(',') : ['tiny', 'small', 'medium'];
const failuresAt = process.argv.indexOf('--failures');
const FAILURES = failuresAt > 0 ? Number(process.argv[failuresAt + 1]) : 0;
const RENDER_ONLY = process.argv.includes('--render-only');
// `--only PREFIX`: the subjects whose name starts with it (e.g. `cloud/`).
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt > 0 ? (process.argv[onlyAt + 1] ?? '') : '';

interface Subject {
  readonly name: string;
  readonly path: string;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      if (p.endsWith(join('test', 'fixtures'))) continue;
      out.push(...yamlFiles(p));
    } else if (e.endsWith('.yaml') && !e.includes('propert')) out.push(p);
  }
  return out;
}

/** Writes into `dir` the cloud of `captures` (host folders) with the API view of topologies/`name`.yaml. */
function cloudDir(dir: string, captures: string, name: string): string {
  rmSync(dir, { recursive: true, force: true });
  const topo = loadTopologyFile(join(root, 'topologies', `${name}.yaml`));
  if (!topo.ok) throw new Error(`topologies/${name}.yaml does not load`);
  for (const [p, text] of topologyToApi(topo.value)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  cpSync(join(captures, CLOUD_DIRS.hosts), join(dir, CLOUD_DIRS.hosts), { recursive: true });
  return dir;
}

/** Test topologies: YAML files under test/ that load as topologies (property files do not). */
function subjects(work: string): Subject[] {
  const out: Subject[] = [];
  for (const f of readdirSync(join(root, 'topologies'))) out.push({ name: `topologies/${f}`, path: join(root, 'topologies', f) });
  for (const f of yamlFiles(join(root, 'test'))) {
    if (!/^(\w[\w-]*:|#)/m.test(readFileSync(f, 'utf8')) || !/^hosts:/m.test(readFileSync(f, 'utf8'))) continue;
    out.push({ name: relative(root, f), path: f });
  }
  mkdirSync(work, { recursive: true });
  // A test cloud is its host captures (test/fixtures/cloud/NAME) with the API view of the shipped
  // topology it was captured from, as test/cloud builds it: the captures alone do not load.
  const clouds = join(root, 'test', 'fixtures', 'cloud');
  if (existsSync(clouds)) for (const c of readdirSync(clouds)) out.push({ name: `cloud/${c}`, path: cloudDir(join(work, `cloud-${c}`), join(clouds, c), c) });
  const generated = fc.sample(arbitraryTopology(), { seed: GENERATED_SEED, numRuns: GENERATED_RUNS });
  generated.forEach((g, i) => {
    const p = join(work, `generated-${i}.yaml`);
    writeFileSync(p, g.yaml);
    out.push({ name: `generated/${i}`, path: p });
  });
  let ha = 0;
  for (const [i, g] of fc.sample(arbitraryTopology({ minRouters: 1 }), { seed: GENERATED_HA_SEED, numRuns: GENERATED_HA * 10 }).entries()) {
    if (ha === GENERATED_HA) break;
    if (!hasHa(g.yaml)) continue;
    ha++;
    const p = join(work, `generated-ha-${i}.yaml`);
    writeFileSync(p, g.yaml);
    out.push({ name: `generated-ha/${i}`, path: p });
  }
  for (const name of BENCH_SIZES) {
    for (const [tenant, withHa] of [['vxlan', false], ['vlan', false], ['vxlan', true]] as const) {
      const size = [...SIZES, ...EXTRA_SIZES].find((s) => s.name === name);
      if (!size) throw new Error(`no bench size ${name}`);
      if (withHa && size.networkNodes < 2) continue; // an HA router needs two network nodes
      const label = `${name}-${tenant}${withHa ? '-ha' : ''}`;
      const p = join(work, `bench-${label}.yaml`);
      writeFileSync(p, generateTopologyText({ ...size, tenant, ha: withHa }));
      out.push({ name: `bench/${label}`, path: p });
    }
  }
  return out;
}

/** Whether a topology text loads with an L3 HA router. */
function hasHa(text: string): boolean {
  const r = loadTopologyText(text, 'generated.yaml');
  return r.ok && r.value.routers.some((x) => x.ha !== null);
}

/** Digests of the rendered artifacts and of the converged learning state. */
function modelDigests(path: string): { render: string; converged: string } {
  const m = loadModel(path);
  if (!m.ok) return { render: `does not load: ${JSON.stringify(m.errors)}`, converged: '' };
  const h = createHash('sha256');
  for (const a of m.value.artifacts) h.update(JSON.stringify(a));
  const c = createHash('sha256').update(JSON.stringify(createEvaluator(m.value.dataplane).converged));
  return { render: h.digest('hex'), converged: c.digest('hex') };
}

function write(out: string): void {
  mkdirSync(out, { recursive: true });
  for (const s of subjects(join(out, 'inputs')).filter((x) => x.name.startsWith(ONLY))) {
    const withHa = FAILURES > 0 && (s.name.startsWith('cloud/') ? false : hasHa(readFileSync(s.path, 'utf8')));
    for (const extra of withHa ? [[], ['--failures', String(FAILURES)]] : [[]]) {
      const started = Date.now();
      const r = RENDER_ONLY ? { status: null, stdout: '', stderr: '' } : spawnSync(process.execPath, [join(root, 'bin', 'netproof.cjs'), 'verify', s.path, '--format', 'json', ...extra], { encoding: 'utf8', maxBuffer: 1 << 28 });
      const name = extra.length > 0 ? `${s.name}+failures${FAILURES}` : s.name;
      const record = { subject: name, exit: r.status, ...modelDigests(s.path), stdout: r.stdout, stderr: r.stderr };
      writeFileSync(join(out, `${name.replace(/[/\\]/g, '__')}.json`), JSON.stringify(record, null, 1));
      console.log(`${name}: exit ${r.status}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }
}

function diff(a: string, b: string): number {
  const names = new Set([...readdirSync(a), ...readdirSync(b)].filter((n) => n.endsWith('.json')));
  let differ = 0;
  for (const n of [...names].sort()) {
    const pa = join(a, n);
    const pb = join(b, n);
    if (!existsSync(pa) || !existsSync(pb)) {
      console.log(`${n}: only in ${existsSync(pa) ? a : b}`);
      differ++;
      continue;
    }
    const ra = JSON.parse(readFileSync(pa, 'utf8')) as Record<string, unknown>;
    const rb = JSON.parse(readFileSync(pb, 'utf8')) as Record<string, unknown>;
    const fields = ['exit', 'render', 'converged', 'stdout'].filter((k) => ra[k] !== rb[k]);
    if (fields.length > 0) {
      console.log(`${n}: differs in ${fields.join(', ')}`);
      differ++;
    }
  }
  console.log(`${names.size} subjects compared, ${differ} differ`);
  return differ === 0 ? 0 : 1;
}

const argv = process.argv.slice(2);
if (argv[0] === '--out' && argv[1]) write(argv[1]);
else if (argv[0] === '--diff' && argv[1] && argv[2]) process.exitCode = diff(argv[1], argv[2]);
else {
  console.error('usage: compare-verdicts.ts --out DIR | --diff BEFORE AFTER');
  process.exitCode = 2;
}
