// `ip rule` text → the policy-routing rules beyond the kernel's three defaults (`0: from all lookup
// local`, `32766: from all lookup main`, `32767: from all lookup default`). netproof routes by the main
// table only, so any other rule (DVR and L3 HA namespaces add them) is returned for the caller to treat
// as not modelled, with its line.
import { sourceLines } from './lex.ts';
import { PARSE_WARNING, WarningSink, type Parsed } from './parsed.ts';

export interface IpRule { readonly line: number; readonly text: string; readonly table: string | null }

const DEFAULTS = new Set(['0:from all lookup local', '32766:from all lookup main', '32767:from all lookup default']);

export function parseIpRule(text: string, file: string): Parsed<IpRule[]> {
  const sink = new WarningSink(file);
  const rules: IpRule[] = [];
  for (const { line, text: t } of sourceLines(text)) {
    if (t === '' || t.startsWith('#')) continue;
    if (!/^\d+:/.test(t)) {
      sink.add(PARSE_WARNING.unrecognisedLine, line, `not understood: ${t}`);
      continue;
    }
    if (DEFAULTS.has(t.replace(/\s+/g, ' ').replace(/^(\d+): /, '$1:'))) continue;
    rules.push({ line, text: t, table: /\blookup\s+(\S+)/.exec(t)?.[1] ?? null });
  }
  return { value: rules, warnings: sink.warnings };
}
