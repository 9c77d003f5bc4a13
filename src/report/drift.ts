// `netproof drift` output: every difference, host by host, in Neutron's terms with the expected and the
// found line; then the verdicts on the intent and on the collected state side by side. Text for people,
// JSON (DESIGN §4 style) for tools.
import type { DriftItem } from '../cloud/drift/item.ts';
import type { VerdictPair } from '../cloud/drift/verdicts.ts';
import type { CloudNote } from '../cloud/notes.ts';
import type { Labels } from './labels.ts';
import { notesJson, notesText } from './cloud-notes.ts';
import { packetJson } from './packet-json.ts';
import { packetSummary, traceText } from './trace-text.ts';

export interface DriftReport {
  readonly items: readonly DriftItem[];
  readonly verdicts: readonly VerdictPair[];
  readonly uncompared: readonly string[];
  readonly hosts: readonly string[];
  readonly notes: readonly CloudNote[];
}

const changed = (p: VerdictPair) => p.intent !== p.collected;

export function driftJson(r: DriftReport): Record<string, unknown> {
  return {
    drift: r.items.map((i) => ({ host: i.host, device: i.device, kind: i.kind, change: i.change, neutron: i.neutron, message: i.message, expected: i.expected, found: i.found, origin: i.origin })),
    verdicts: r.verdicts.map((p) => ({
      property: p.property, subject: p.subject, intent: p.intent, collected: p.collected, changed: changed(p),
      witness: p.collectedResult?.witness ? packetJson(p.collectedResult.witness) : null,
      message: p.collectedResult?.message ?? null,
    })),
    summary: {
      differences: r.items.length,
      hosts_compared: r.hosts.filter((h) => !r.uncompared.includes(h)).length,
      hosts_not_captured: r.uncompared,
      verdicts_changed: r.verdicts.filter(changed).length,
    },
    notes: notesJson(r.notes),
  };
}

export function driftText(r: DriftReport, labels: Labels, o: { rules: boolean }): string {
  const lines: string[] = [];
  const byHost = new Map<string, DriftItem[]>();
  for (const i of r.items) byHost.set(i.host, [...(byHost.get(i.host) ?? []), i]);
  const compared = r.hosts.filter((h) => !r.uncompared.includes(h));
  lines.push(r.items.length === 0
    ? `no drift: the ${compared.length} captured hosts run what Neutron's agents program for the API's intent`
    : `drift: ${r.items.length} difference${r.items.length === 1 ? '' : 's'} between the API's intent and the captured hosts`);
  if (r.uncompared.length > 0) lines.push(`not captured, so not compared: ${r.uncompared.join(', ')}`);
  for (const [host, items] of byHost) {
    lines.push('', host);
    for (const i of items) {
      lines.push(`  ${i.change === 'missing' ? '-' : i.change === 'extra' ? '+' : '~'} ${i.message}`);
      if (i.expected !== null) lines.push(`      expected: ${i.expected}`);
      if (i.found !== null) lines.push(`      found:    ${i.found}${i.origin ? `   (${i.origin})` : ''}`);
    }
  }
  const diff = r.verdicts.filter(changed);
  lines.push('', diff.length === 0 ? `verdicts: all ${r.verdicts.length} built-in verdicts are the same on the intent and on the collected state` : `verdicts the drift changes (${diff.length} of ${r.verdicts.length}):`);
  if (diff.length > 0) {
    const w = (s: string, n: number) => s.padEnd(n);
    const pw = Math.max(8, ...diff.map((p) => p.property.length));
    const sw = Math.max(7, ...diff.map((p) => p.subject.length));
    lines.push(`${w('PROPERTY', pw)}  ${w('SUBJECT', sw)}  ${w('INTENT', 9)}  COLLECTED`);
    for (const p of diff) lines.push(`${w(p.property, pw)}  ${w(p.subject, sw)}  ${w(p.intent ?? '-', 9)}  ${(p.collected ?? '-').toUpperCase()}`);
    for (const p of diff) {
      const res = p.collectedResult;
      if (!res) continue;
      lines.push('', `── ${p.property} ${p.subject}: ${p.intent ?? '-'} on the intent, ${res.verdict} on the collected state`, res.message);
      if (res.witness) lines.push(`witness: ${packetSummary(res.witness)}`);
      if (res.trace) lines.push(traceText(res.trace, labels, { rules: o.rules }));
    }
  }
  if (r.notes.length > 0) lines.push('', notesText(r.notes));
  return lines.join('\n');
}
