// `brctl show` text → LinuxBridge[]. A bridge line holds name, id, STP flag and its first
// interface; continuation lines (indented) hold one further interface each.
import type { LinuxBridge } from '../ir/dataplane.ts';
import { sourceLines } from './lex.ts';
import { PARSE_WARNING, WarningSink, type Parsed } from './parsed.ts';

export interface BrctlOptions {
  /**
   * Whether bridged IPv4 goes through iptables (br_netfilter, `bridge-nf-call-iptables=1`). `brctl`
   * does not show it; the hybrid firewall requires it, so it defaults to true.
   */
  readonly netfilter?: boolean;
}

export function parseBrctlShow(text: string, file: string, options: BrctlOptions = {}): Parsed<LinuxBridge[]> {
  const sink = new WarningSink(file);
  const netfilter = options.netfilter ?? true;
  const bridges: { name: string; ports: string[]; stp: boolean }[] = [];
  for (const { line, raw, text: t } of sourceLines(text)) {
    if (t === '' || t.startsWith('#') || /^bridge name\s/.test(t)) continue;
    const fields = t.split(/\s+/);
    if (/^\s/.test(raw)) {
      const last = bridges[bridges.length - 1];
      if (last && fields.length === 1) last.ports.push(fields[0] as string);
      else sink.add(PARSE_WARNING.unrecognisedLine, line, `not understood: ${t}`);
    } else if (fields.length >= 3 && /^[0-9a-f]+\.[0-9a-f]+$/i.test(fields[1] as string)) {
      bridges.push({ name: fields[0] as string, ports: fields.slice(3), stp: fields[2] === 'yes' });
    } else {
      sink.add(PARSE_WARNING.unrecognisedLine, line, `not understood: ${t}`);
    }
  }
  return {
    value: bridges.map((b): LinuxBridge => ({ kind: 'linux-bridge', name: b.name, ports: b.ports, netfilter, ...(b.stp ? { stp: true } : {}) })),
    warnings: sink.warnings,
  };
}
