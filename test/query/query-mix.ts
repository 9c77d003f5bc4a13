// The questions the query tests ask of a loaded model, and the models they ask them of: one place, so that the
// tests holding one way of answering to another (witness shortcuts, the concrete-first answer, the same answer
// whatever was asked before) draw from the same mix. The first kinds are the resident bench's.
import { join } from 'node:path';
import type { load, QueryParams, ResidentModel } from '../../src/index.ts';

/** What to ask besides the bench's kinds (VM → VM tcp/22 and any, VM → 8.8.8.8 tcp/443, outside → floating IP tcp/22). */
export interface MixOptions {
  /** How many VMs send (each to the next VM). */
  readonly senders: number;
  /** Also VM → VM udp/53 and VM → `external`. */
  readonly udpAndExternal?: boolean;
  /** Also outside → floating IP, any packet. */
  readonly floatingAny?: boolean;
}

export function queryMix(m: ResidentModel, o: MixOptions): QueryParams[] {
  const t = m.model.topology;
  const vms = t.vms.map((v) => v.name);
  const out: QueryParams[] = [];
  for (let i = 0; i < Math.min(vms.length, o.senders); i++) {
    const from = vms[i]!;
    const to = vms[(i + 1) % vms.length]!;
    out.push({ from, to, proto: 'tcp', dport: 22 }, { from, to });
    if (o.udpAndExternal) out.push({ from, to, proto: 'udp', dport: 53 });
    out.push({ from, to: '8.8.8.8', proto: 'tcp', dport: 443 });
    if (o.udpAndExternal) out.push({ from, to: 'external' });
  }
  for (const f of t.floatingIps.slice(0, 2)) {
    out.push({ from: '203.0.113.7', to: f.ip, proto: 'tcp', dport: 22 });
    if (o.floatingAny) out.push({ from: '203.0.113.7', to: f.ip });
  }
  return out;
}

/** Each question's answer as JSON text (the answer, or the errors), asked in order of one model. */
export async function answersOf(m: ResidentModel, questions: readonly QueryParams[]): Promise<string[]> {
  const json: string[] = [];
  for (const q of questions) {
    const a = await m.query(q);
    json.push(JSON.stringify(a.ok ? a.value : a.errors));
  }
  return json;
}

/** The shipped topologies these tests load. */
export const SHIPPED = ['seed.yaml', 'provider.yaml', 'ha.yaml'].map((f) => join(import.meta.dirname, '..', '..', 'topologies', f));

/** Named sources for `load`: the shipped files, then generated topologies (`{ file }` of the generators). */
export function namedSources(shipped: readonly string[], generated: readonly { file: unknown }[]): [string, Parameters<typeof load>[0]][] {
  return [
    ...shipped.map((f): [string, string] => [f.split('/').pop()!, f]),
    ...generated.map((g, i): [string, { topology: unknown; name: string }] => [`generated #${i}`, { topology: g.file, name: `generated-${i}.yaml` }]),
  ];
}
