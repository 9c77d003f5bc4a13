// `ip route` text → Route[]: `default via X dev D`, `CIDR dev D proto kernel scope link src S`,
// `CIDR via X dev D`. `proto`, `scope`, `table`, `metric` and similar attributes do not change the
// route's meaning here and are ignored; route types other than unicast (unreachable, blackhole,
// local, …) and multipath routes are not modelled and give a warning.
import type { Address, Route } from '../ir/dataplane.ts';
import { sourceLines } from './lex.ts';
import { PARSE_WARNING, WarningSink, type Parsed } from './parsed.ts';
import { parseCidr, parseIpv4 } from './values.ts';

/** Attributes with one argument that say nothing about where a packet goes. */
const IGNORED_WITH_ARG = new Set(['proto', 'scope', 'table', 'metric', 'mtu', 'advmss', 'pref', 'expires', 'realm', 'initcwnd']);
const IGNORED_FLAGS = new Set(['onlink', 'linkdown', 'dead', 'pervasive', 'offload']);
const ROUTE_TYPES = new Set(['unreachable', 'blackhole', 'prohibit', 'local', 'broadcast', 'throw', 'nat', 'anycast', 'multicast']);

export function parseIpRoute(text: string, file: string): Parsed<Route[]> {
  const sink = new WarningSink(file);
  const routes: Route[] = [];
  for (const { line, text: t } of sourceLines(text)) {
    if (t === '' || t.startsWith('#')) continue;
    const words = t.split(/\s+/);
    const first = words[0] as string;
    if (ROUTE_TYPES.has(first) || first === 'nexthop') {
      sink.add(PARSE_WARNING.unsupportedMatch, line, `route type not modelled: ${t}`);
      continue;
    }
    const dst: Address | null = first === 'default' ? { ip: '0.0.0.0', prefixLen: 0 } : parseCidr(first);
    if (dst === null) {
      sink.add(PARSE_WARNING.unrecognisedLine, line, `not a route: ${t}`);
      continue;
    }
    let via: string | null = null;
    let dev: string | null = null;
    let src: string | null = null;
    let ok = true;
    for (let i = 1; i < words.length; i++) {
      const w = words[i] as string;
      const arg = words[i + 1];
      if ((w === 'via' || w === 'src') && arg !== undefined) {
        const ip = parseIpv4(arg);
        if (ip === null) {
          sink.add(PARSE_WARNING.badValue, line, `cannot read ${w} ${arg}`);
          ok = false;
        }
        if (w === 'via') via = ip;
        else src = ip;
        i++;
      } else if (w === 'dev' && arg !== undefined) {
        dev = arg;
        i++;
      } else if (IGNORED_WITH_ARG.has(w) && arg !== undefined) {
        i++;
      } else if (!IGNORED_FLAGS.has(w)) {
        sink.add(PARSE_WARNING.unsupportedMatch, line, `route attribute not modelled: ${w}`);
      }
    }
    if (dev === null) {
      sink.add(PARSE_WARNING.incomplete, line, `route without dev is not modelled: ${t}`);
      continue;
    }
    if (!ok) continue;
    routes.push({ dst, via, dev, src, origin: { file, line, text: t } });
  }
  return { value: routes, warnings: sink.warnings };
}
