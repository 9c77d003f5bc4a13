// `node --import tsx bench/diff-alone.ts SIZE [--out FILE] [--from EP] [--split off] [--verify]`: runDiff of a
// generated size against itself with the bench's one security-group rule added (bench/diff.ts), the
// two models built first and not timed; prints the CPU (every thread) and wall time of the diff, the
// load average at its start and end, Z3's checks (how many, their wall time), and with --out writes
// runDiff's whole answer as JSON (to hold two checkouts' answers to each other byte for byte).
// `--verify` times verify-all of the size instead (the built-ins, the model built first), the figure
// diff is held to. What to profile: `node --cpu-prof --import tsx
// bench/diff-alone.ts medium`.
import diagnostics from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { runDiff } from '../src/questions/diff.ts';
import { runVerify } from '../src/questions/verify.ts';
import { BUILTIN_PROPERTIES } from '../src/questions/properties/index.ts';
import { getZ3, shutdownZ3 } from '../src/smt/index.ts';
import { EXTRA_SIZES, SIZES, generateTopologyText } from './generate.ts';
import { party, withOneRuleAdded } from './diff.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | null => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : null; };
const size = [...SIZES, ...EXTRA_SIZES].find((s) => s.name === args[0]);
if (size === undefined) throw new Error(`no size ${args[0]}`);

const text = generateTopologyText(size);
if (args.includes('--verify')) {
  // verify-all of the size instead (the built-ins, as bench/diff.ts times it): the figure diff is compared with.
  const v = party(text);
  await getZ3();
  const load0 = loadavg()[0]!;
  const t = performance.now();
  const c = process.cpuUsage();
  await runVerify({ topology: v.model.topology, dataplane: v.model.dataplane, evaluator: v.ev, timeoutMs: 10_000 }, BUILTIN_PROPERTIES, []);
  const cpu = process.cpuUsage(c);
  console.log(JSON.stringify({ size: size.name, verify: true, cpuS: +((cpu.user + cpu.system) / 1e6).toFixed(2), wallS: +((performance.now() - t) / 1000).toFixed(2), load: [load0, loadavg()[0]] }));
  await shutdownZ3();
  process.exit(0);
}
const [b, a] = [party(text), party(withOneRuleAdded(text, 'first'))];
await getZ3();
// Z3's checks, counted and timed (wall, on its worker threads) through src/smt/z3.ts's channel.
let checks = 0;
let checkMs = 0;
diagnostics.subscribe('netproof:z3-check', (m) => { checks++; checkMs += (m as { ms: number }).ms; });
const load0 = loadavg()[0]!;
const t = performance.now();
const c = process.cpuUsage();
const r = await runDiff(b, a, { from: opt('--from'), to: null, via: null }, 10_000, { incremental: true, split: opt('--split') !== 'off' });
const cpu = process.cpuUsage(c);
const wall = performance.now() - t;
if (!r.ok) throw new Error('diff refused its input');
const out = opt('--out');
if (out !== null) writeFileSync(out, JSON.stringify(r.value));
console.log(JSON.stringify({ size: size.name, cpuS: +((cpu.user + cpu.system) / 1e6).toFixed(2), wallS: +(wall / 1000).toFixed(2), load: [load0, loadavg()[0]], verdict: r.value.verdict, differences: r.value.differences.length, classes: r.value.senderClasses, checks, checkS: +(checkMs / 1000).toFixed(2) }));
await shutdownZ3();
