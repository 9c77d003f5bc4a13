// `ip route show table all` text → the main table's routes (what netproof routes by) and the names of
// the other tables that have routes. The local table mirrors the interfaces' own addresses (which the
// model delivers locally anyway) and IPv6 is not modelled: both are skipped. Main-table lines are read by
// the `ip route` parser with their line numbers kept; anything it does not model is its warning.
import type { Route } from '../ir/dataplane.ts';
import { parseIpRoute } from './ip-route.ts';
import type { Parsed } from './parsed.ts';

export interface RoutingTables {
  readonly main: Route[];
  /** Tables other than main, local and default that hold IPv4 routes: name → first line. */
  readonly others: ReadonlyMap<string, number>;
}

const IPV6 = /^(?:(?:unicast|local|multicast|anycast|broadcast|unreachable|blackhole|prohibit)\s+)?(?:default\s+.*\bproto\s+ra\b|[0-9a-f]*:[0-9a-f:]*\S*\s)/i;

export function parseIpRouteAll(text: string, file: string): Parsed<RoutingTables> {
  const lines = text.split(/\r?\n/);
  const others = new Map<string, number>();
  const main = lines.map((l, i) => {
    const t = l.trim();
    if (t === '' || IPV6.test(`${t} `)) return '';
    const table = /\btable\s+(\S+)/.exec(t)?.[1] ?? 'main';
    if (table === 'main') return l;
    if (table !== 'local' && table !== 'default' && !others.has(table)) others.set(table, i + 1);
    return '';
  });
  const r = parseIpRoute(main.join('\n'), file);
  return { value: { main: r.value, others }, warnings: r.warnings };
}
