// `verify --format junit`: one <testcase> per result (classname = property, name = subject); violated
// → <failure>, unknown → <error>, n/a and waived → <skipped>; the message, witness and trace go in the element's text. Every
// attribute and text is XML-escaped (and characters XML 1.0 forbids are dropped).
import type { VerifyReport } from '../questions/verify.ts';
import type { Labels } from './labels.ts';
import { packetSummary, traceText } from './trace-text.ts';
import { scenarioWords } from './verify-text.ts';

export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex -- XML 1.0 forbids these characters outright
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function verifyJunit(r: VerifyReport, labels: Labels, suite = 'netproof verify'): string {
  const { violated, unknown } = r.summary;
  const skipped = r.summary['n/a'] + r.summary.waived;
  const tests = r.results.length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suite)}" tests="${tests}" failures="${violated}" errors="${unknown}" skipped="${skipped}">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${tests}" failures="${violated}" errors="${unknown}" skipped="${skipped}">`,
  ];
  for (const x of r.results) {
    const under = scenarioWords(x.scenario);
    const open = `    <testcase classname="${xmlEscape(x.property)}" name="${xmlEscape(under === '-' ? x.subject : `${x.subject} [${under}]`)}"`;
    if (x.verdict === 'holds') {
      lines.push(`${open}/>`);
      continue;
    }
    if (x.verdict === 'n/a' || x.verdict === 'waived') {
      lines.push(`${open}>`, `      <skipped message="${xmlEscape(`${x.verdict}: ${x.message}`)}"/>`, '    </testcase>');
      continue;
    }
    const body = [
      x.message,
      ...(x.error !== undefined ? [`error: ${x.error}`] : []),
      ...(x.witness !== null ? [`witness: ${packetSummary(x.witness)}`] : []),
      ...(x.trace !== null ? [traceText(x.trace, labels)] : []),
    ].join('\n');
    const tag = x.verdict === 'violated' ? 'failure' : 'error';
    const type = x.verdict === 'violated' ? 'violated' : x.error !== undefined ? 'internal-error' : 'unknown';
    lines.push(`${open}>`, `      <${tag} message="${xmlEscape(x.error ?? x.message)}" type="${type}">${xmlEscape(body)}</${tag}>`, '    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>');
  return lines.join('\n');
}
