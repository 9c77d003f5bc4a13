// The text form of a trace: numbered steps in an operator's words, each with the rules that acted,
// the packet's headers where they changed, and a closing line saying how it ended.
import type { Packet } from '../ir/packet.ts';
import type { Trace } from '../evaluate/trace.ts';
import { explainHop } from './explain.ts';
import type { Labels } from './labels.ts';
import { originText, protoName } from './packet-json.ts';

export function packetSummary(p: Packet): string {
  const proto = protoName(p);
  const ports = p.sport !== null ? ` ${p.sport} → ${p.dport}` : '';
  const icmp = p.icmp_type !== null ? ` type ${p.icmp_type}/${p.icmp_code ?? 0}` : '';
  const l2 = `${p.eth_src} → ${p.eth_dst}${p.vlan !== null ? ` vlan ${p.vlan}` : ''}${p.tun_id !== null ? ` tun_id ${p.tun_id}` : ''}`;
  return `${proto} ${p.ip_src} → ${p.ip_dst}${ports}${icmp} [${l2}]`;
}

function changed(a: Packet, b: Packet): boolean {
  return (Object.keys(a) as (keyof Packet)[]).some((k) => a[k] !== b[k]);
}

export function outcome(t: Trace): string {
  const d = t.deliveredTo;
  switch (t.disposition) {
    case 'delivered':
      if (d?.kind === 'vm') return `delivered to ${d.vm} (port ${d.port}) on ${d.host}`;
      if (d?.kind === 'namespace') return `delivered to namespace ${d.namespace} on ${d.host}`;
      return `delivered to the outside world${d?.kind === 'external' ? ` (${d.network})` : ''}`;
    case 'exited':
      return `left the cloud${d?.kind === 'external' ? ` through ${d.network}` : ''}`;
    case 'dropped': {
      const at = t.droppedAt;
      return at ? `DROPPED on ${at.host} at ${at.device} by: ${at.rule}${at.origin ? `\n   (${originText(at.origin)})` : ''}` : 'DROPPED';
    }
    case 'loop':
      return 'LOOP: the packet came back to a device in the same state';
    case 'no-route':
      return 'NO ROUTE to the destination';
    case 'no-arp':
      return 'NO ARP ANSWER for the next hop: the address could not be resolved';
  }
}

export function traceText(t: Trace, labels: Labels, opts: { rules: boolean } = { rules: true }): string {
  const lines: string[] = [`packet: ${packetSummary(t.packet)}`];
  t.hops.forEach((h, i) => {
    lines.push(`${String(i + 1).padStart(2)}. ${explainHop(h, labels)}`);
    if (opts.rules) for (const s of h.steps) lines.push(`      ${s.where}: ${s.rule}${s.action ? `  → ${s.action}` : ''}`);
    if (h.out !== null && changed(h.in, h.out)) lines.push(`      now: ${packetSummary(h.out)}`);
  });
  lines.push(`result: ${outcome(t)}`);
  if (t.disposition !== 'dropped' && changed(t.packet, t.final)) lines.push(`final packet: ${packetSummary(t.final)}`);
  // Copies a hub-like wire or a flood hands to ports that just filter them are not news to an operator.
  const notable = t.branches.filter((b) => b.disposition !== 'dropped' || b.droppedAt?.origin != null);
  if (notable.length > 0) lines.push(`(${notable.length} other cop${notable.length === 1 ? 'y' : 'ies'} of the packet went elsewhere: see --format json)`);
  if (t.uncertain.length > 0) lines.push(`UNCERTAIN: the packet crossed constructs netproof does not model:\n${t.uncertain.map((u) => `  - ${u}`).join('\n')}`);
  return lines.join('\n');
}
