// What two diff answers must share when one was reached by another solver's first model (the
// concrete-first choice of a sender's first solver, a forced port proved once: diff-concrete.ts):
// everything a witness preference pins, and whole witnesses and traces where the witnesses are the same.
// Used by test/diff/switches-agreement.test.ts and the fuzz property diff-shortcuts.
import type { DiffAnswer } from '../../src/questions/diff.ts';

/**
 * Per difference and class, all but what no preference need pin: the label without its example
 * (protocol, port or ICMP type), an exact class's witness's protocol (but that of `other protocols`),
 * ports (but a range's, unless a preferred one) and ICMP type and code, not
 * its addresses (a sender without port security sends from any MAC and any address of its subnet; one
 * towards the outside world goes to any address of a routed prefix), and both traces when the whole
 * witness is the same.
 */
export function pinned(a: DiffAnswer): string[] {
  return a.differences.map((d) => JSON.stringify([d.from, d.delivery, d.change, d.standsFor ?? [], d.classes.map((c) => {
    const w = c.witness;
    const proto = c.packets.startsWith('other protocols') ? '*' : w.proto;
    // A range's port is any of it (no preference pins one but 80, 443 and 22).
    const dport = /\/\d+-\d+$|every port/.test(c.packets) && ![80, 443, 22].includes(w.dport ?? -1) ? '*' : w.dport;
    return [c.packets.replace(/e\.g\. \d+/, 'e.g. *'), c.exact, c.exact ? [proto, w.sport, dport, w.icmp_type, w.icmp_code] : '*', JSON.stringify(w)];
  })]));
}

/** The whole witnesses and traces of the classes whose witnesses are the same in both answers, in order. */
export function traces(a: DiffAnswer, b: DiffAnswer): { readonly a: string[]; readonly b: string[] } {
  const flat = (x: DiffAnswer) => x.differences.flatMap((d) => d.classes);
  const [xs, ys] = [flat(a), flat(b)];
  const same = xs.map((c, i) => JSON.stringify(c.witness) === JSON.stringify(ys[i]?.witness));
  return { a: xs.filter((_, i) => same[i]).map((c) => JSON.stringify(c)), b: ys.filter((_, i) => same[i]).map((c) => JSON.stringify(c)) };
}

