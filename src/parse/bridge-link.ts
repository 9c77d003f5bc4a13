// `bridge link` (iproute2) text → LinuxBridge[]: one line per bridge port,
// `4: qvb1f2aaaa6-84@qvo1f2aaaa6-84: <…> mtu 1500 master qbr1f2aaaa6-84 state forwarding …`, grouped
// by `master`. What `brctl show` says, from the tool every node has; a bridge with no port does not
// appear (nothing can cross it).
import type { LinuxBridge } from '../ir/dataplane.ts';
import { sourceLines } from './lex.ts';
import { PARSE_WARNING, WarningSink, type Parsed } from './parsed.ts';

export function parseBridgeLink(text: string, file: string, options: { readonly netfilter?: boolean } = {}): Parsed<LinuxBridge[]> {
  const sink = new WarningSink(file);
  const bridges = new Map<string, string[]>();
  for (const { line, text: t } of sourceLines(text)) {
    if (t === '' || t.startsWith('#')) continue;
    const m = /^\d+:\s+([^\s:@]+)(?:@[^\s:]+)?:\s.*\bmaster\s+(\S+)/.exec(t);
    if (!m) {
      sink.add(PARSE_WARNING.unrecognisedLine, line, `not understood: ${t}`);
      continue;
    }
    const [, port, master] = m as unknown as [string, string, string];
    bridges.set(master, [...(bridges.get(master) ?? []), port]);
  }
  return {
    value: [...bridges].map(([name, ports]) => ({ kind: 'linux-bridge', name, ports, netfilter: options.netfilter ?? true })),
    warnings: sink.warnings,
  };
}
