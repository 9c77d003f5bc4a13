// `iptables-save` text (`*table` … `COMMIT`, `:CHAIN POLICY [p:b]`, `[p:b] -A …`) and `iptables -S`
// text (`-P`, `-N`, `-A` of one table) → NetfilterRuleset (ipsets empty; they come from `ipset
// save`). Lossy `iptables -L` listings are refused with NP505 rather than half-read. Chains used but
// never declared (partial dumps) are created with a warning, so every jump has somewhere to go.
import type { InputError } from '../errors.ts';
import type { NetfilterRuleset, NfChain, NfRule } from '../ir/netfilter.ts';
import { shellTokens, sourceLines } from './lex.ts';
import { parseRuleSpec } from './iptables-rule.ts';
import { PARSE_WARNING, WarningSink, type Parsed } from './parsed.ts';

const BUILTIN_CHAINS = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);
const TABLE_NAMES = new Set(['raw', 'mangle', 'nat', 'filter', 'security']);
const EMPTY: NetfilterRuleset = { tables: [], ipsets: {} };

/** True for `iptables -L` output, which drops details (interfaces, negations, options) of rules. */
export function isIptablesListing(text: string): boolean {
  // A plain search first: the multi-line patterns tried at every line start of every host's rules cost more.
  if (!text.includes('Chain ')) return false;
  return /^Chain \S+ \((policy \w+|\d+ references)/m.test(text) && /^target\s+prot\s+opt\s+source\s+destination/m.test(text);
}

function listingRefused(file: string): Parsed<NetfilterRuleset> {
  const error: InputError = {
    code: 'NP505',
    file,
    position: null,
    path: '',
    message: 'iptables -L output is lossy; collect iptables-save (or iptables -S) instead',
  };
  return { value: EMPTY, warnings: [], errors: [error] };
}

interface ChainBuild {
  policy: 'ACCEPT' | 'DROP' | null;
  rules: NfRule[];
}

interface PendingRule {
  readonly table: string;
  readonly chain: string;
  readonly words: string[];
  readonly line: number;
  readonly text: string;
}

/** Accumulates tables and chains in the order they appear; rules are read once all chains are known. */
class RulesetBuilder {
  private readonly tables = new Map<string, Map<string, ChainBuild>>();
  private readonly pending: PendingRule[] = [];
  constructor(private readonly sink: WarningSink) {}

  table(name: string): Map<string, ChainBuild> {
    let t = this.tables.get(name);
    if (!t) this.tables.set(name, (t = new Map()));
    return t;
  }

  declare(table: string, chain: string, policyText: string | null, line: number): void {
    let policy: ChainBuild['policy'] = null;
    if (policyText !== null && policyText !== '-') {
      if (policyText === 'ACCEPT' || policyText === 'DROP') policy = policyText;
      else this.sink.add(PARSE_WARNING.badValue, line, `policy ${policyText} of ${chain} not modelled; taken as ACCEPT`);
      if (policy === null) policy = 'ACCEPT';
    }
    const t = this.table(table);
    const c = t.get(chain);
    if (c) {
      if (policy !== null) c.policy = policy;
    } else t.set(chain, { policy, rules: [] });
  }

  rule(r: PendingRule): void {
    this.pending.push(r);
  }

  build(): NetfilterRuleset {
    // Chain names of each table as written, before any is created on demand: they decide whether
    // `-j NAME` is a jump.
    const declared = new Map([...this.tables].map(([name, chains]) => [name, new Set(chains.keys())]));
    for (const p of this.pending) {
      const chains = this.table(p.table);
      const names = declared.get(p.table) ?? new Set<string>();
      // An undeclared name that looks like a chain (has lower case, as Neutron's chains do) is one.
      const isChain = (n: string): boolean => names.has(n) || BUILTIN_CHAINS.has(n) || /[a-z]/.test(n);
      const spec = parseRuleSpec(p.words, { isChain, sink: this.sink, line: p.line });
      this.ensure(chains, p.chain, p.table, p.line);
      const target = spec.target;
      if (target.kind === 'jump' || target.kind === 'goto') this.ensure(chains, target.chain, p.table, p.line);
      chains.get(p.chain)?.rules.push({ matches: spec.matches, target, origin: { file: this.sink.file, line: p.line, text: p.text } });
    }
    const tables = [...this.tables].map(([name, chains]) => ({
      name,
      chains: [...chains].map(([chain, c]): NfChain => ({ name: chain, policy: c.policy, rules: c.rules })),
    }));
    return { tables, ipsets: {} };
  }

  private ensure(chains: Map<string, ChainBuild>, chain: string, table: string, line: number): void {
    if (chains.has(chain)) return;
    const builtin = BUILTIN_CHAINS.has(chain);
    this.sink.add(PARSE_WARNING.incomplete, line, `chain ${table}/${chain} is used but not declared${builtin ? '; policy taken as ACCEPT' : ''}`);
    chains.set(chain, { policy: builtin ? 'ACCEPT' : null, rules: [] });
  }
}

/** `[p:b] -A CHAIN …` → [CHAIN, rest words]; null if the line is not an append. */
function appendWords(t: string): { chain: string; words: string[] } | null {
  const words = shellTokens(t.replace(/^\[\d+:\d+\]\s*/, ''));
  if ((words[0] !== '-A' && words[0] !== '--append') || words[1] === undefined) return null;
  return { chain: words[1], words: words.slice(2) };
}

/** Parses `iptables-save` output (any number of tables). */
export function parseIptablesSave(text: string, file: string): Parsed<NetfilterRuleset> {
  if (isIptablesListing(text)) return listingRefused(file);
  const sink = new WarningSink(file);
  const b = new RulesetBuilder(sink);
  let table: string | null = null;
  for (const { line, text: t } of sourceLines(text)) {
    if (t === '' || t.startsWith('#')) continue;
    const star = /^\*(\S+)$/.exec(t);
    if (star) {
      table = star[1] as string;
      if (!TABLE_NAMES.has(table)) sink.add(PARSE_WARNING.unrecognisedLine, line, `unknown table ${table}`);
      b.table(table);
      continue;
    }
    if (t === 'COMMIT') {
      table = null;
      continue;
    }
    if (table === null) {
      sink.add(PARSE_WARNING.unrecognisedLine, line, `outside any table: ${t}`);
      continue;
    }
    const decl = /^:(\S+)\s+(\S+)(?:\s+\[\d+:\d+\])?$/.exec(t);
    if (decl) {
      b.declare(table, decl[1] as string, decl[2] as string, line);
      continue;
    }
    const app = appendWords(t);
    if (app) b.rule({ table, chain: app.chain, words: app.words, line, text: t });
    else sink.add(PARSE_WARNING.unrecognisedLine, line, `not understood: ${t}`);
  }
  return { value: b.build(), warnings: sink.warnings };
}

/**
 * Parses `iptables -S` output of `table` (the command does not print the table). A comment line
 * quoting the command with `-t NAME` (as in captured notes) switches to that table.
 */
export function parseIptablesS(text: string, file: string, table = 'filter'): Parsed<NetfilterRuleset> {
  if (isIptablesListing(text)) return listingRefused(file);
  const sink = new WarningSink(file);
  const b = new RulesetBuilder(sink);
  let current = table;
  for (const { line, text: t } of sourceLines(text)) {
    if (t === '') continue;
    if (t.startsWith('#')) {
      const m = /\biptables\b.*\s(?:-t|--table)\s+(\S+)/.exec(t);
      if (m && TABLE_NAMES.has(m[1] as string)) current = m[1] as string;
      continue;
    }
    // `iptables -S -v` appends `-c packets bytes` to policies; the counters do not matter.
    const words = shellTokens(t.replace(/\s+-c\s+\d+\s+\d+$/, ''));
    const [verb, chain, policy] = words;
    if (verb === '-P' && chain !== undefined && policy !== undefined && words.length === 3) b.declare(current, chain, policy, line);
    else if (verb === '-N' && chain !== undefined && words.length === 2) b.declare(current, chain, null, line);
    else {
      const app = appendWords(t);
      if (app) b.rule({ table: current, chain: app.chain, words: app.words, line, text: t });
      else sink.add(PARSE_WARNING.unrecognisedLine, line, `not understood: ${t}`);
    }
  }
  return { value: b.build(), warnings: sink.warnings };
}
