// Short operator-facing text for what a matched rule's target did, used in RuleHit.action and traces.
import { match } from 'ts-pattern';
import type { NfTarget } from '../../ir/netfilter.ts';

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

function targetText(t: NfTarget): string {
  return match(t)
    .with({ kind: 'ACCEPT' }, { kind: 'DROP' }, { kind: 'RETURN' }, (x) => x.kind)
    .with({ kind: 'REJECT' }, (x) => (x.with ? `REJECT with ${x.with}` : 'REJECT'))
    .with({ kind: 'jump' }, (x) => `jump ${x.chain}`)
    .with({ kind: 'goto' }, (x) => `goto ${x.chain}`)
    .with({ kind: 'SNAT' }, (x) => `SNAT to ${x.to}${x.fully_random ? ' random-fully' : ''}`)
    .with({ kind: 'DNAT' }, (x) => `DNAT to ${x.to}${x.port !== null ? `:${x.port}` : ''}`)
    .with({ kind: 'REDIRECT' }, (x) => `REDIRECT to port ${x.toPort}`)
    .with({ kind: 'MARK' }, (x) => `MARK ${x.op} ${hex(x.value)}/${hex(x.mask)}`)
    .with({ kind: 'CONNMARK' }, (x) => (x.op === 'set' ? `CONNMARK set ${hex(x.value)}/${hex(x.mask)}` : `CONNMARK ${x.op}-mark mask ${hex(x.mask)}`))
    .with({ kind: 'CT' }, (x) => (x.notrack ? 'CT notrack' : `CT zone ${x.zone ?? 'unchanged'}`))
    .with({ kind: 'none' }, () => 'count')
    .with({ kind: 'unsupported' }, (x) => `unsupported target ${x.text}`)
    .exhaustive();
}
