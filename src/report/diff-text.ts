// The text form of a `diff` answer: what changed, grouped as an operator thinks of it — sender →
// place: change, the classes of packets — then each class's witness with where it ended before and
// after, and both traces; then the senders not fully answered, and the stations only one side has.
// A difference asked of a class's representative names the ports it stands for beside the sender.
import type { DiffAnswer, Difference } from '../questions/diff.ts';
import { placeName } from '../questions/diff.ts';
import type { Labels } from './labels.ts';
import { outcome, packetSummary, traceText } from './trace-text.ts';
import type { Trace } from '../evaluate/trace.ts';
import { decidingRule } from './decisive.ts';
import { originText } from './packet-json.ts';

/**
 * What decides the packet's fate now, read off the after trace: the security-group rule that lets it
 * in (or the rule that drops it, the router rule that translates it), or null when no rule with a
 * known origin acted (a packet never sent: no ARP answer).
 */
export function decidedBy(after: Trace): string | null {
  const d = decidingRule(after);
  if (d === null) return null;
  if (d.sgRule !== null) return `security group ${d.sgRule.group} rule ${d.sgRule.ruleId}`;
  return `${d.rule} (${originText(d.origin)})`;
}

const CHANGE_WORDS: Record<Difference['change'], string> = {
  'newly-delivered': 'newly delivered',
  'delivered-elsewhere': 'now delivered here (before: elsewhere)',
  'newly-dropped': 'no longer delivered',
  'translated-differently': 'translated differently',
};

/** The security group whose rule now lets the class in, for the headline. */
function letInBy(after: Trace): string {
  const g = decidingRule(after)?.sgRule;
  return g ? ` (security group ${g.group})` : '';
}

/** The most classmates named in a headline before the rest are counted. */
const NAMED = 4;

/** ` (and 3 ports alike: vm5:0, vm7:0, vm9:0)` — the sender's classmates, whose difference it is too ('' for none). */
function alike(d: Difference): string {
  const m = d.standsFor ?? [];
  if (m.length === 0) return '';
  const named = m.slice(0, NAMED).join(', ');
  return ` (and ${m.length} port${m.length === 1 ? '' : 's'} alike: ${named}${m.length > NAMED ? `, ${m.length - NAMED} more` : ''})`;
}

/** `vm3:0 → outside(public): newly delivered — tcp/22 (security group ssh), icmp type 8`. */
export function differenceHeadline(d: Difference, labels: Labels): string {
  const allowed = d.change === 'newly-delivered' || d.change === 'delivered-elsewhere';
  return `${d.from}${alike(d)} → ${placeName(d.delivery, labels)}: ${CHANGE_WORDS[d.change]} — ${d.classes.map((c) => `${c.packets}${allowed ? letInBy(c.after) : ''}`).join(', ')}`;
}

/** The senders with a difference, a class's members counted with its representative. */
export function differingSenders(a: DiffAnswer): number {
  return new Set(a.differences.flatMap((d) => [d.from, ...(d.standsFor ?? [])])).size;
}

/** The differences counted per sender: a class's counts once for each of its ports. */
export function differencesPerSender(a: DiffAnswer): number {
  return a.differences.reduce((n, d) => n + 1 + (d.standsFor?.length ?? 0), 0);
}

/** How much was settled without the solver: places both sides reach by the very same paths. */
function compared(a: DiffAnswer): string {
  const places = a.senders.reduce((n, s) => n + s.places, 0);
  const same = a.senders.reduce((n, s) => n + s.placesUnchanged, 0);
  const untouched = a.senders.filter((s) => s.untouched).length;
  const settled = untouched === 0 ? '' : `; ${untouched} of the senders reach nothing that changed (shown by one walk, on the before side)`;
  const classes = a.senderClasses === a.senders.length ? ''
    : `\nclasses: the ${a.senders.length} senders in ${a.senderClasses} classes, one asked for each — ports alike in both models (network and subnet, groups, port security, address pairs, no floating IP, the same firewall rules for them on their hosts up to their own addresses, nothing else changed on their hosts that differs between them); each other port's answer is its representative's, with its own addresses in place of the representative's`;
  return `compared: ${a.senders.length} sender${a.senders.length === 1 ? '' : 's'} × the places each reaches (${places}): ${same} reached by the very same paths on both sides (nothing on the way changed), ${places - same} asked of the solver${settled}${classes}`;
}

const indent = (text: string, by: string) => text.split('\n').map((l) => `${by}${l}`).join('\n');

export function diffText(a: DiffAnswer, labels: Labels, o: { before: string; after: string; rules: boolean }): string {
  const lines = [`diff: ${o.before} → ${o.after}`];
  const unanswered = a.senders.filter((s) => s.unknown !== null);
  const verdict =
    a.verdict === 'same' ? `SAME — no packet meets another fate (proved for ${a.senders.length} sender${a.senders.length === 1 ? '' : 's'})`
    : a.verdict === 'unknown' ? `UNKNOWN — no difference found, but ${unanswered.length} sender${unanswered.length === 1 ? ' is' : 's are'} not fully answered`
    : `DIFFERENT — ${differencesPerSender(a)} change${differencesPerSender(a) === 1 ? '' : 's'} from ${differingSenders(a)} of ${a.senders.length} senders${a.differences.length === differencesPerSender(a) ? '' : ` (${a.differences.length} asked, each standing for its class)`}`;
  lines.push(`verdict: ${verdict}`, compared(a));
  if (a.differences.length > 0) {
    lines.push('');
    for (const d of a.differences) lines.push(`  ${differenceHeadline(d, labels)}`);
  }
  for (const d of a.differences) {
    lines.push('', `== ${differenceHeadline(d, labels)}`);
    for (const c of d.classes) {
      const by = decidedBy(c.after);
      lines.push('', `-- ${c.packets}${c.exact ? '' : ' (the protocol differs for more than this one port or type)'}${by !== null ? `, now by ${by}` : ''}`, `witness: ${packetSummary(c.witness)}`,
        `before: ${outcome(c.before).split('\n')[0]}`, `after:  ${outcome(c.after).split('\n')[0]}`, '', 'before:', indent(traceText(c.before, labels, { rules: o.rules }), '  '), '', 'after:', indent(traceText(c.after, labels, { rules: o.rules }), '  '));
    }
  }
  if (unanswered.length > 0) {
    lines.push('', 'not fully answered:');
    for (const s of unanswered) {
      lines.push(`  ${s.from}: UNKNOWN — ${s.unknown}${s.representedBy !== undefined ? ` (as ${s.representedBy}, its class's representative)` : ''}`);
      if (s.error) lines.push(`  INTERNAL ERROR: ${s.error.message}`, '  before:', indent(traceText(s.error.before, labels, { rules: o.rules }), '    '), '  after:', indent(traceText(s.error.after, labels, { rules: o.rules }), '    '));
    }
  }
  if (a.onlyBefore.length > 0) lines.push('', `only before (not compared): ${a.onlyBefore.join(', ')}`);
  if (a.onlyAfter.length > 0) lines.push('', `only after (not compared): ${a.onlyAfter.join(', ')}`);
  return lines.join('\n');
}
