// `ovs-ofctl show BRIDGE` text → port name → OpenFlow port number, from the port lines
// ` 7(qvo3e399bf2-31): addr:…`; the bridge's own `LOCAL(br-int)` port is 65534.
import { sourceLines } from './lex.ts';
import { OFPP_LOCAL } from './ofctl-match.ts';
import type { Parsed } from './parsed.ts';

/** Lines other than port lines (features, config, state, speed) carry nothing to model or warn about. */
export function parseOfctlShow(text: string, _file: string): Parsed<Record<string, number>> {
  const ports: Record<string, number> = {};
  for (const { text: t } of sourceLines(text)) {
    const m = /^(\d+|LOCAL)\((.+)\): addr:/.exec(t);
    if (m) ports[m[2] as string] = m[1] === 'LOCAL' ? OFPP_LOCAL : Number(m[1]);
  }
  return { value: ports, warnings: [] };
}
