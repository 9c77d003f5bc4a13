// From `ovs-ofctl dump-flows` text (a real capture or a rendered artifact) to what `ovs-ofctl add-flows`
// reads: the reply header and the per-flow statistics (duration, n_packets, n_bytes, idle_age, hard_age)
// are dropped; everything else — cookie, table, timeouts, match and actions — is kept verbatim so the real
// tool judges exactly what was written.

const STATS = /\b(duration|n_packets|n_bytes|idle_age|hard_age)=[^, ]*,\s*/g;

/** One flow per line, statistics removed; header, blank and comment lines dropped. */
export function dumpFlowsToAddFlows(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !/^(NXST|OFPST)_FLOW reply/.test(l))
    .map((l) => l.replace(STATS, ''));
}

/** The OpenFlow port names a flow text refers to with `in_port=NAME` / `output:NAME` (quoted or not, non-numeric). */
export function referencedPortNames(flowLines: readonly string[]): string[] {
  const names = new Set<string>();
  for (const l of flowLines) {
    for (const m of l.matchAll(/(?:in_port=|output:)("?)([A-Za-z][\w.-]*)\1/g)) {
      const n = m[2] ?? '';
      if (!['LOCAL', 'IN_PORT', 'NORMAL', 'FLOOD', 'ALL', 'CONTROLLER', 'NONE', 'NXM_OF_IN_PORT', 'OXM_OF_IN_PORT'].includes(n)) names.add(n);
    }
  }
  return [...names].sort();
}
