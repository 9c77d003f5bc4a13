// What a resident model traces at load so that the first traces asked of it are not its slowest: one
// packet from each VM to the next VM in the topology's order (the last to the first) — from at most
// WARM_TRACES VMs spread evenly over the list, so the load's extra time stays bounded — answered as a
// `trace` request is, JSON included, and thrown away. It builds what each VM's first packet otherwise
// builds for it (each netfilter context's candidate rules on its host, each rule's and flow's text) and
// has V8 compile the evaluator's and the report's code before the first question: at 1,000 VMs, before
// this, the first 200 traces on a loaded model took about half again as long as the same traces asked
// again, most of it the code not yet optimised. Nothing a trace keeps changes an answer: each trace
// starts with empty conntrack tables, and what the evaluator keeps (ARP answers, candidate tables, texts)
// is the same whenever it is made (test/resident/warm-arp.test.ts holds warmed traces to cold ones).
import { runTraceOn, traceRunJson } from './trace.ts';
import type { Session } from './session.ts';

/**
 * The packets of the warm-up traces, taken in turn: a TCP and a UDP packet to a common service and an ICMP
 * echo request (what `netproof trace` sends when no port is given), so that each protocol's way through
 * the rules (ports, conntrack) is compiled, not one alone.
 */
const PACKETS = [{ proto: 'tcp', dport: '80' }, { proto: 'udp', dport: '53' }, {}] as const;

/**
 * At most this many warm-up traces. V8 has optimised a trace's code well before 1,000 of them; beyond, each
 * trace only builds one more VM's first-time tables, worth about a tenth of what the trace costs the load
 * (at 3,000 VMs, a trace from every VM made the load 2.5 s longer, a third more).
 */
export const WARM_TRACES = 1000;

/**
 * Traces one packet from each VM to the next (in the topology's order), from every VM up to WARM_TRACES of
 * them and from every k-th beyond; returns how many were traced.
 */
export function traceEachVm(session: Session, most: number = WARM_TRACES): number {
  const vms = session.model.topology.vms;
  if (vms.length < 2 || most < 1) return 0;
  const step = Math.ceil(vms.length / most);
  let traced = 0;
  for (let i = 0, k = 0; i < vms.length; i += step, k++) {
    const r = runTraceOn(session, { ...PACKETS[k % PACKETS.length], from: vms[i]!.name, to: vms[(i + 1) % vms.length]!.name });
    if (r.ok) {
      traceRunJson(r.value);
      traced++;
    }
  }
  return traced;
}
