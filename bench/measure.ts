// Measures the pipeline on one generated size, in the current process: each cheap phase `runs`
// times (medians), then traces over a fixed sample of VM pairs (p50/p95). It returns the loaded
// model too, for the solver layers (solver-phase.ts). Peak RSS is the process's, so run.ts
// measures each size in a process of its own.
import { loadTopologyText } from '../src/topology/index.ts';
import { renderTopology } from '../src/render/index.ts';
import { assembleDataplane } from '../src/dataplane/assemble.ts';
import { createEvaluator } from '../src/evaluate/index.ts';
import { traceQuestion } from '../src/questions/trace.ts';
import type { Topology } from '../src/topology/model.ts';
import { generateTopologyText, type BenchSize } from './generate.ts';
import { median, percentile, samplePairs, timed } from './stats.ts';
import type { Dataplane } from '../src/ir/dataplane.ts';
import type { Evaluator } from '../src/evaluate/index.ts';

export interface SizeFigures {
  readonly size: string;
  readonly vms: number;
  readonly routers: number;
  readonly hosts: number;
  readonly artifacts: number;
  readonly flows: number;
  readonly rules: number;
  readonly loadMs: number;
  readonly renderMs: number;
  readonly assembleMs: number;
  readonly convergeMs: number;
  readonly traces: number;
  readonly traceP50: number;
  readonly traceP95: number;
  /** Peak RSS after the pipeline phases and the traces. */
  readonly maxRssMiB: number;
  /** Milliseconds from the process's start to the first measurement (Node and the modules loaded); set by run.ts's child. */
  readonly startMs?: number;
}

export interface MeasureOptions {
  readonly runs: number;
  readonly tracePairs: number;
}

export interface LoadedModel {
  readonly topology: Topology;
  readonly dataplane: Dataplane;
  readonly evaluator: Evaluator;
}

export function measureSize(size: BenchSize, o: MeasureOptions): { figures: SizeFigures; model: LoadedModel } {
  const text = generateTopologyText(size);
  const load: number[] = [];
  const render: number[] = [];
  const assemble: number[] = [];
  const converge: number[] = [];
  let last: { topology: Topology; artifacts: ReturnType<typeof renderTopology>; dp: ReturnType<typeof assembleDataplane>; ev: ReturnType<typeof createEvaluator> } | null = null;
  for (let i = 0; i < o.runs; i++) {
    const t = timed(() => loadTopologyText(text, `${size.name}.yaml`));
    if (!t.value.ok) throw new Error(`generated size ${size.name} does not load: ${JSON.stringify(t.value.errors.slice(0, 3))}`);
    const topology = t.value.value;
    const r = timed(() => renderTopology(topology));
    const a = timed(() => assembleDataplane(topology, r.value));
    const c = timed(() => createEvaluator(a.value));
    load.push(t.ms);
    render.push(r.ms);
    assemble.push(a.ms);
    converge.push(c.ms);
    last = { topology, artifacts: r.value, dp: a.value, ev: c.value };
  }
  if (last === null) throw new Error('runs must be at least 1');
  const { topology, artifacts, dp, ev } = last;

  // Traces between VMs over a fixed sample of pairs: ssh, the common question.
  const vms = topology.vms.map((v) => v.name);
  const traceMs: number[] = [];
  for (const [i, j] of samplePairs(vms.length, o.tracePairs)) {
    const t = timed(() => traceQuestion(topology, dp, ev, { from: vms[i] as string, to: vms[j] as string, via: null, proto: 'tcp', dport: 22 }));
    if (!t.value.ok) throw new Error(`trace ${vms[i]} → ${vms[j]}: ${JSON.stringify(t.value.errors)}`);
    traceMs.push(t.ms);
  }

  const flows = dp.hosts.reduce((n, h) => n + h.ovsBridges.reduce((m, b) => m + b.flows.length, 0), 0);
  const rules = dp.hosts.reduce(
    (n, h) => n + h.namespaces.reduce((m, ns) => m + ns.netfilter.tables.reduce((k, t) => k + t.chains.reduce((q, c) => q + c.rules.length, 0), 0), 0),
    0,
  );
  const figures: SizeFigures = {
    size: size.name,
    vms: topology.vms.length,
    routers: topology.routers.length,
    hosts: topology.hosts.length,
    artifacts: artifacts.length,
    flows,
    rules,
    loadMs: median(load),
    renderMs: median(render),
    assembleMs: median(assemble),
    convergeMs: median(converge),
    traces: traceMs.length,
    traceP50: percentile(traceMs, 50),
    traceP95: percentile(traceMs, 95),
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  return { figures, model: { topology, dataplane: dp, evaluator: ev } };
}
