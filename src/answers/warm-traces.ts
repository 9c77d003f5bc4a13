// What a resident model traces at load so that the first traces asked of it are not its slowest: one
// packet from each VM to the next VM in the topology's order (the last to the first), answered as a
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

/** Traces one packet from each VM to the next (in the topology's order); returns how many were traced. */
export function traceEachVm(session: Session): number {
  const vms = session.model.topology.vms;
  if (vms.length < 2) return 0;
  let traced = 0;
  for (let i = 0; i < vms.length; i++) {
    const r = runTraceOn(session, { ...PACKETS[i % PACKETS.length], from: vms[i]!.name, to: vms[(i + 1) % vms.length]!.name });
    if (r.ok) {
      traceRunJson(r.value);
      traced++;
    }
  }
  return traced;
}
