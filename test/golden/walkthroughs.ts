// The walkthroughs of WALKTHROUGHS.md as trace questions on the shipped topologies, shared by the
// milestone tests and the golden text files.
import { createEvaluator, type Evaluator } from '../../src/evaluate/index.ts';
import { loadModel, type Model } from '../../src/pipeline.ts';
import { traceQuestion, type TraceParams } from '../../src/questions/trace.ts';
import type { Trace } from '../../src/evaluate/trace.ts';

export interface Walkthrough {
  readonly name: string;
  readonly params: TraceParams;
}

export const WALKTHROUGHS: readonly Walkthrough[] = [
  { name: 'within-subnet', params: { from: 'vm1', to: 'vm2', proto: 'icmp', via: null } },
  { name: 'across-subnets', params: { from: 'vm1', to: 'vm4', proto: 'icmp', via: null } },
  { name: 'south-snat', params: { from: 'vm1', to: '8.8.8.8', proto: 'tcp', dport: 443, via: null } },
  { name: 'south-floating-ip', params: { from: 'vm4', to: '8.8.8.8', proto: 'tcp', dport: 443, via: null } },
  { name: 'north-floating-ip', params: { from: '198.51.100.7', to: '203.0.113.101', proto: 'tcp', dport: 22, via: null } },
];

const cache = new Map<string, { model: Model; ev: Evaluator }>();

export function modelOf(file: string): { model: Model; ev: Evaluator } {
  let m = cache.get(file);
  if (!m) {
    const loaded = loadModel(file);
    if (!loaded.ok) throw new Error(`${file} does not load: ${JSON.stringify(loaded.errors)}`);
    m = { model: loaded.value, ev: createEvaluator(loaded.value.dataplane) };
    cache.set(file, m);
  }
  return m;
}

export function walk(file: string, params: TraceParams): Trace {
  const { model, ev } = modelOf(file);
  const r = traceQuestion(model.topology, model.dataplane, ev, params);
  if (!r.ok) throw new Error(`trace ${JSON.stringify(params)} failed: ${JSON.stringify(r.errors)}`);
  return r.value.trace;
}
