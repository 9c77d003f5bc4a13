// Recognising which tool printed a text (for real captures, whose file names follow no rule), and
// splitting a capture that holds several commands' outputs (`# ip netns exec … ip route` between
// them) into one section per command. Detection looks only at the text, never at the file name.

/** The artifact formats netproof can tell apart; `iptables-L` is recognised only to be refused. */
export type ArtifactFormat =
  | 'dump-flows'
  | 'ovs-vsctl-show'
  | 'ofctl-show'
  | 'iptables-save'
  | 'iptables-S'
  | 'iptables-L'
  | 'ip-addr'
  | 'ip-route'
  | 'brctl-show'
  | 'ipset-save'
  | 'keepalived-conf'
  | 'unknown';

const ROUTE_LINE =
  /^((unreachable|blackhole|prohibit|local|broadcast|throw)\s+\S+|(default|\d+\.\d+\.\d+\.\d+(\/\d+)?)\s+(via|dev|proto|scope|metric|table|src|nexthop)\s)/;

const DETECTORS: readonly (readonly [Exclude<ArtifactFormat, 'unknown'>, (body: string) => boolean])[] = [
  ['iptables-L', (b) => /^Chain \S+ \(/m.test(b) && /^target\s+prot\s+opt\s+source\s+destination/m.test(b)],
  ['iptables-save', (b) => /^\*(raw|mangle|nat|filter|security)$/m.test(b) || /^:\S+ (ACCEPT|DROP|-) \[\d+:\d+\]$/m.test(b)],
  ['iptables-S', (b) => /^-[APN] \S+/m.test(b)],
  ['dump-flows', (b) => /^(NXST|OFPST)_FLOW reply/m.test(b) || /^(cookie|table|priority)=.*[\s,]actions=/m.test(b)],
  ['ofctl-show', (b) => /^OFPT_FEATURES_REPLY/m.test(b) || /^(\d+|LOCAL)\([^)]*\): addr:/m.test(b)],
  ['ovs-vsctl-show', (b) => /^Bridge \S+$/m.test(b) && /^Port \S+$/m.test(b)],
  ['brctl-show', (b) => /^bridge name\s+bridge id/m.test(b)],
  ['ipset-save', (b) => /^create \S+ [a-z]+:\S+/m.test(b)],
  ['keepalived-conf', (b) => /^(vrrp_instance|vrrp_sync_group)\s+\S+\s*\{?$/m.test(b) || /^global_defs\s*\{?$/m.test(b)],
  // `ip` outputs have no header: the first line must be an interface, and every line a route.
  ['ip-addr', (b) => /^\d+: [^\s:]+:? .*(<[A-Z0-9_,-]*>|\binet6? |link\/)/.test(b)],
  ['ip-route', (b) => b !== '' && b.split('\n').every((l) => ROUTE_LINE.test(l))],
];

/** The trimmed, non-comment lines of a text, joined (what detection looks at). */
function body(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .join('\n');
}

/** Which tool printed `text`; the first matching detector wins, most specific first. */
export function detectFormat(text: string): ArtifactFormat {
  const b = body(text);
  for (const [format, test] of DETECTORS) if (test(b)) return format;
  return 'unknown';
}

/**
 * The netfilter table an `iptables -S` text most likely lists (the command does not print it): the
 * table its targets and built-in chains can only belong to, else `filter` (iptables' default).
 */
export function guessIptablesTable(text: string): string {
  if (/-j (SNAT|DNAT|REDIRECT|MASQUERADE)\b/.test(text)) return 'nat';
  if (/-j (CT|NOTRACK)\b/.test(text)) return 'raw';
  if (/-j (MARK|CONNMARK)\b/.test(text)) return 'mangle';
  const has = (chain: string): boolean => new RegExp(`^-P ${chain} `, 'm').test(text);
  if (has('PREROUTING')) return has('FORWARD') ? 'mangle' : has('POSTROUTING') ? 'nat' : 'raw';
  return 'filter';
}

/** One command's output inside a capture; `text` keeps every line of the capture so line numbers hold. */
export interface Section {
  /** The command quoted in the comment that opens the section, or null for the first section. */
  readonly command: string | null;
  /** 1-based line where the section starts. */
  readonly startLine: number;
  /** The capture with the lines outside the section blanked. */
  readonly text: string;
}

/** `# ip netns exec NS iptables -t nat -S` → the command; other comments are not section breaks. */
function commandOf(line: string): string | null {
  const m = /^\s*#\s*((?:ip\s+(?:net|netns)\s+exec\s+\S+\s+)?(?:ip|iptables|iptables-save|ovs-vsctl|ovs-ofctl|brctl|ipset)\s.*)$/.exec(line);
  return m ? (m[1] as string).trim() : null;
}

/** Splits a capture at comment lines that quote a command; a text without them is one section. */
export function splitSections(text: string): Section[] {
  const lines = text.split(/\r?\n/);
  const starts: { index: number; command: string | null }[] = [{ index: 0, command: null }];
  lines.forEach((l, i) => {
    const command = commandOf(l);
    if (command !== null) {
      const first = starts[0];
      // A command heading the very first lines names the first section instead of opening a new one.
      const onlyBlankBefore = lines.slice(0, i).every((x) => x.trim() === '');
      if (onlyBlankBefore && first && starts.length === 1) starts[0] = { index: 0, command };
      else starts.push({ index: i, command });
    }
  });
  return starts
    .map((s, k) => {
      const end = starts[k + 1]?.index ?? lines.length;
      const text = lines.map((l, i) => (i >= s.index && i < end ? l : '')).join('\n');
      return { command: s.command, startLine: s.index + 1, text };
    })
    .filter((s) => s.text.trim() !== '');
}
