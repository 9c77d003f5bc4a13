// Short operator-facing text for what a matched rule's target did, used in RuleHit.action and traces.
import type { NfTarget } from '../../ir/netfilter.ts';
import { rangeText } from '../../semantics/dnat-port.ts';

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** Each rule's target is described once: a trace records every rule it hits, and rules outlive traces. */
const described = new WeakMap<NfTarget, string>();

export function describeTarget(t: NfTarget): string {
  let text = described.get(t);
  if (text === undefined) {
    text = targetText(t);
    described.set(t, text);
  }
  return text;
}

// A switch, not ts-pattern: a trace describes every rule it hits the first time it meets it, and at
// 1,000 VMs a first-time trace met hundreds of rules, each of whose patterns cost more than the text.
function targetText(t: NfTarget): string {
  switch (t.kind) {
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
      return t.kind;
    case 'REJECT':
      return t.with ? `REJECT with ${t.with}` : 'REJECT';
    case 'jump':
      return `jump ${t.chain}`;
    case 'goto':
      return `goto ${t.chain}`;
    case 'SNAT':
      return `SNAT to ${t.to}${t.fully_random ? ' random-fully' : ''}`;
    case 'DNAT':
      return `DNAT to ${t.to}${t.port !== null ? `:${t.port}` : t.ports !== undefined ? `:${rangeText(t.ports)}` : ''}`;
    case 'REDIRECT':
      return `REDIRECT to port ${t.toPort}`;
    case 'MARK':
      return `MARK ${t.op} ${hex(t.value)}/${hex(t.mask)}`;
    case 'CONNMARK':
      return t.op === 'set' ? `CONNMARK set ${hex(t.value)}/${hex(t.mask)}` : `CONNMARK ${t.op}-mark mask ${hex(t.mask)}`;
    case 'CT':
      return t.notrack ? 'CT notrack' : `CT zone ${t.zone ?? 'unchanged'}`;
    case 'none':
      return 'count';
    case 'unsupported':
      return `unsupported target ${t.text}`;
    default: {
      const never: never = t;
      throw new Error(`unknown target ${JSON.stringify(never)}`);
    }
  }
}
