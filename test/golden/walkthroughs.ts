// The walkthroughs of WALKTHROUGHS.md as trace questions on the shipped topologies, shared by the
// milestone tests and the golden text files.
import { createEvaluator, type Evaluator } from '../../src/evaluate/index.ts';
import { readFileSync } from 'node:fs';
import { loadModel, modelFromTopology, type Model } from '../../src/pipeline.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
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

/** Variants of a shipped topology, by name: the file and an edit of its text. */
const VARIANTS: Readonly<Record<string, { readonly file: string; readonly edit: (text: string) => string }>> = {
  // The seed under the noop firewall driver: the VMs' taps on br-int, no qbr and no iptables.
  'seed-noop': { file: 'topologies/seed.yaml', edit: (t) => t.replace(/^( {2}firewall_driver:) iptables_hybrid\b.*$/m, '$1 noop') },
};

/** A shipped topology's model (`topologies/…`) or a variant's (a name of VARIANTS), loaded once. */
export function modelOf(file: string): { model: Model; ev: Evaluator } {
  let m = cache.get(file);
  if (!m) {
    const variant = VARIANTS[file];
    const loaded = variant ? loadVariant(file, variant.file, variant.edit) : loadModel(file);
    if (!loaded.ok) throw new Error(`${file} does not load: ${JSON.stringify(loaded.errors)}`);
    m = { model: loaded.value, ev: createEvaluator(loaded.value.dataplane) };
    cache.set(file, m);
  }
  return m;
}

function loadVariant(name: string, file: string, edit: (text: string) => string): { ok: true; value: Model } | { ok: false; errors: unknown } {
  const text = readFileSync(file, 'utf8');
  const edited = edit(text);
  if (edited === text) throw new Error(`${name}: the edit of ${file} changed nothing`);
  const t = loadTopologyText(edited, `${name}.yaml`);
  return t.ok ? { ok: true, value: modelFromTopology(t.value) } : { ok: false, errors: t.errors };
}

export function walk(file: string, params: TraceParams): Trace {
  const { model, ev } = modelOf(file);
  const r = traceQuestion(model.topology, model.dataplane, ev, params);
  if (!r.ok) throw new Error(`trace ${JSON.stringify(params)} failed: ${JSON.stringify(r.errors)}`);
  return r.value.trace;
}
