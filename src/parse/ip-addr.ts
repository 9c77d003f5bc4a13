// `ip addr` (and `ip -o addr` / `ip -o link`) text → NsInterface[]: name (without the `@ifN` peer
// suffix), MAC from `link/ether` (or `link/loopback`), and IPv4 `inet` addresses. IPv6 is not
// modelled and skipped. An interface whose MAC the text does not show gets 00:00:00:00:00:00 and
// a warning.
import type { Address, NsInterface } from '../ir/dataplane.ts';
import { sourceLines } from './lex.ts';
import { PARSE_WARNING, WarningSink, type Parsed } from './parsed.ts';
import { parseCidr, parseMac } from './values.ts';

const NO_MAC = '00:00:00:00:00:00';

interface Building {
  name: string;
  line: number;
  mac: string | null;
  addresses: Address[];
}

export function parseIpAddr(text: string, file: string): Parsed<NsInterface[]> {
  const sink = new WarningSink(file);
  const byName = new Map<string, Building>();
  let current: Building | null = null;
  for (const { line, raw, text: t } of sourceLines(text)) {
    if (t === '' || t.startsWith('#')) continue;
    // `ip -o` puts a whole interface (or address) on one line, with `\` where the lines were.
    let body = t.replace(/\\/g, ' ');
    const head = /^\d+:\s+([^\s:@]+)(?:@[^\s:]+)?:?(?:\s+(.*))?$/.exec(body);
    if (head) {
      const name = head[1] as string;
      current = byName.get(name) ?? { name, line, mac: null, addresses: [] };
      byName.set(name, current);
      body = head[2] ?? '';
    } else if (!current || !/^\s/.test(raw)) {
      // Detail lines of an interface are indented; anything else is not `ip addr` output.
      sink.add(PARSE_WARNING.unrecognisedLine, line, `not understood: ${t}`);
      continue;
    }
    readDetails(body, current, line, sink);
  }
  const value = [...byName.values()].map((b): NsInterface => {
    if (b.mac === null) sink.add(PARSE_WARNING.incomplete, b.line, `interface ${b.name} has no link/ether line; MAC unknown`);
    return { name: b.name, mac: b.mac ?? NO_MAC, addresses: b.addresses };
  });
  return { value, warnings: sink.warnings };
}

/** The `link/…`, `inet …` parts of one (possibly joined) line; everything else is detail. */
function readDetails(body: string, iface: Building, line: number, sink: WarningSink): void {
  const words = body.split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const next = words[i + 1] ?? '';
    if (w === 'link/ether' || w === 'link/loopback') {
      const mac = parseMac(next);
      if (mac === null) sink.add(PARSE_WARNING.badValue, line, `cannot read MAC ${next} of ${iface.name}`);
      else iface.mac = mac;
      i++;
    } else if (w === 'inet') {
      const c = parseCidr(next);
      if (c === null) sink.add(PARSE_WARNING.badValue, line, `cannot read address ${next} of ${iface.name}`);
      else iface.addresses.push({ ip: c.ip, prefixLen: c.prefixLen });
      i++;
      // The rest of an inet line (brd, scope, label, lifetimes) carries nothing netproof models.
      return;
    } else if (w === 'inet6') {
      return;
    }
  }
}
