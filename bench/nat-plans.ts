// `node --import tsx bench/nat-plans.ts FILE [--runs N]`: the CPU of building nat-egress's plans for every
// router with a gateway (nat-egress.ts `plan`), through its indexes and by the scans they replaced,
// alternated N times (default 3) in one process after the model is loaded. A measurement, not a test
// (test/properties/nat-plan-index.test.ts holds the two to the same plans).
import { loadModel } from '../src/pipeline.ts';
import { plan, planIndex } from '../src/questions/properties/nat-egress.ts';
import type { VmStation } from '../src/questions/properties/common.ts';
import { count, scanArgs } from './args.ts';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (file === undefined) throw new Error('usage: nat-plans.ts FILE [--runs N]');
const v = scanArgs(args.filter((a) => a !== file), { runs: { type: 'string' } });
const runs = count('runs', v.runs ?? '3');
const m = loadModel(file);
if (!m.ok) throw new Error(JSON.stringify(m.errors.slice(0, 3)));
const { topology: topo, dataplane: dp } = m.value;
const routers = topo.routers.filter((r) => r.gateway !== null);
const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
for (let i = 0; i < runs; i++) {
  for (const indexed of [true, false]) {
    const t0 = cpu();
    // Indexed, as the check does now: the VM stations once, the index, then every router's plan; scanned,
    // as it did: the VM stations found again for every router, each plan by scans.
    const vmsOf = () => dp.stations.filter((s): s is VmStation => s.kind === 'vm-port');
    const vms = vmsOf();
    const index = indexed ? planIndex(topo, vms) : null;
    let classes = 0;
    for (const r of routers) classes += plan(topo, indexed ? vms : vmsOf(), index, r).reps.length;
    process.stdout.write(`${indexed ? 'indexed' : 'scanned'}: ${routers.length} routers, ${classes} classes, ${(cpu() - t0).toFixed(3)} s CPU\n`);
  }
}
