// `node [--max-old-space-size=12000] --max-semi-space-size=64 --import tsx bench/sg-firewalls.ts FILE [N] [--no-batch]`:
// what security-groups' questions at the ports' own firewalls (sg-local.ts) cost per port on one topology file,
// apart from the rest of verify: the model, then the port classes, then N class representatives spread over the
// classes (default 100; after 10 others as a warm-up) each explored in both directions (`firewallViolation`, CPU
// per port and direction: median and mean), their conditions all held; then one solver check of the first 64 of
// them asked five times over (CPU of the process, Z3's thread included, and wall: what one of the batch's checks
// costs with that many conditions alive), and the whole batch (`unsatIndices`, as sg-local.ts asks it).
// A measurement, not a test: run one size at a time and compare sizes by their ratios in the same window.
import { loadModel } from '../src/pipeline.ts';
import { Session } from '../src/answers/session.ts';
import { portClasses } from '../src/questions/port-classes.ts';
import { portOf, vmStations } from '../src/questions/properties/common.ts';
import { firewallSite } from '../src/questions/properties/sg-completeness.ts';
import { firewallViolation } from '../src/questions/properties/sg-local.ts';
import { getZ3, shutdownZ3, unsatIndices, type Cond, type Enc } from '../src/smt/index.ts';
import type { VerifyContext } from '../src/questions/property.ts';

const args = process.argv.slice(2);
const [file, count = '100'] = args.filter((a) => !a.startsWith('--'));
if (file === undefined) throw new Error('usage: sg-firewalls.ts FILE [N] [--no-batch]');
const model = loadModel(file, { maxBytes: 64 * 2 ** 20 });
if (!model.ok) throw new Error(JSON.stringify(model.errors));
const session = new Session(model.value);
const ctx: VerifyContext = { topology: model.value.topology, dataplane: model.value.dataplane, evaluator: session.evaluator(), timeoutMs: 10_000 };
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;

const secured = vmStations(ctx).filter((s) => portOf(ctx.topology, s)?.portSecurity === true);
let t = cpu();
const classes = portClasses(ctx.topology, ctx.dataplane, secured);
console.log(`${classes.length} classes of ${secured.length} ports (${(cpu() - t).toFixed(1)} s)`);
const n = Math.min(Number(count), classes.length);
const step = Math.max(1, Math.floor(classes.length / n));
const sample = classes.filter((_, i) => i % step === 0).slice(0, n).map((g) => g.rep);
const dirs = ['egress', 'ingress'] as const;

await getZ3();
for (const s of classes.slice(-10).map((g) => g.rep)) for (const dir of dirs) await firewallViolation(ctx, s, portOf(ctx.topology, s)!, firewallSite(ctx, s)!, dir);
const conds: Cond[] = [];
let enc: Enc | null = null;
const per = { egress: [] as number[], ingress: [] as number[] };
for (const s of sample) {
  const site = firewallSite(ctx, s);
  if (site === null) continue;
  for (const dir of dirs) {
    t = cpu();
    const v = await firewallViolation(ctx, s, portOf(ctx.topology, s)!, site, dir);
    per[dir].push(cpu() - t);
    if (v !== null) { conds.push(v.cond); enc = v.enc; }
  }
}
const median = (a: readonly number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? NaN;
const mean = (a: readonly number[]) => a.reduce((x, y) => x + y, 0) / a.length;
for (const dir of dirs) console.log(`${dir}: ${per[dir].length} ports, median ${ms(median(per[dir]))}, mean ${ms(mean(per[dir]))} a port`);

if (!args.includes('--no-batch') && enc !== null) {
  const one: string[] = [];
  for (let k = 0; k < 5; k++) {
    const w = performance.now();
    t = cpu();
    await unsatIndices(await getZ3(), enc, conds.slice(0, 64), ctx.timeoutMs);
    one.push(`${(cpu() - t).toFixed(2)}/${((performance.now() - w) / 1000).toFixed(2)}`);
  }
  console.log(`one check of the first 64 conditions, ${conds.length} held (CPU/wall s): ${one.join(' ')}`);
  const w = performance.now();
  t = cpu();
  const unsat = await unsatIndices(await getZ3(), enc, conds, ctx.timeoutMs);
  console.log(`the batch: ${conds.length} conditions, ${unsat.size} unsat, ${(cpu() - t).toFixed(1)} s CPU, ${((performance.now() - w) / 1000).toFixed(1)} s wall`);
}
await shutdownZ3();
