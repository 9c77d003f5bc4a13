// `ipset save` text → set name → member CIDRs (`create NAME hash:net …`, `add NAME 10.0.0.1`).
// Only IPv4 sets of addresses or networks are modelled; members of other sets (IPv6, ports, MACs)
// are reported as warnings, since a set that silently lost members would match too little.
import type { Cidr } from '../ir/openflow.ts';
import { shellTokens, sourceLines } from './lex.ts';
import { PARSE_WARNING, WarningSink, type Parsed } from './parsed.ts';
import { parseCidr } from './values.ts';

const MODELLED_TYPES = new Set(['hash:ip', 'hash:net']);

export function parseIpsetSave(text: string, file: string): Parsed<Record<string, Cidr[]>> {
  const sink = new WarningSink(file);
  const sets: Record<string, Cidr[]> = {};
  const modelled = new Map<string, boolean>();
  for (const { line, text: t } of sourceLines(text)) {
    if (t === '' || t.startsWith('#')) continue;
    const [verb, name, member, ...rest] = shellTokens(t);
    if (verb === 'create' && name !== undefined) {
      const ipv6 = rest.includes('inet6');
      const ok = member !== undefined && MODELLED_TYPES.has(member) && !ipv6;
      modelled.set(name, ok);
      sets[name] ??= [];
      if (!ok) sink.add(PARSE_WARNING.unsupportedMatch, line, `ipset ${name} (${member ?? '?'}${ipv6 ? ', inet6' : ''}) is not modelled; its members are not read`);
    } else if (verb === 'add' && name !== undefined && member !== undefined) {
      if (modelled.get(name) === false) continue; // already reported at its `create`
      if (!modelled.has(name)) sink.add(PARSE_WARNING.incomplete, line, `ipset ${name} has no create line`);
      const c = parseCidr(member);
      if (c === null) sink.add(PARSE_WARNING.badValue, line, `cannot read member ${member} of ipset ${name}`);
      else (sets[name] ??= []).push(c);
    } else {
      sink.add(PARSE_WARNING.unrecognisedLine, line, `not understood: ${t}`);
    }
  }
  return { value: sets, warnings: sink.warnings };
}
