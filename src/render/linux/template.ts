// The shape of the declarative netfilter templates under rules/ (iptables-hybrid, l3-agent): entries
// in iptables-save syntax with `{placeholder}`s, grouped so that one group is instantiated once per
// item of a scope (a port, a floating IP, a router interface …). Templates are plain data: which
// items exist, which flags hold and which release is rendered is decided by the engine (engine.ts).
import type { Release } from './release.ts';

export type TableName = 'raw' | 'mangle' | 'nat' | 'filter';

/** Declares a chain (`:name - [0:0]`); built-in chains are always declared by the printer. */
export interface ChainEntry {
  readonly kind: 'chain';
  readonly table: TableName;
  readonly chain: string;
}

/** Appends one rule (`-A chain rule`) with the reason the agent installs it. */
export interface RuleEntry {
  readonly kind: 'rule';
  readonly table: TableName;
  readonly chain: string;
  /** The rule as iptables-save prints it, without `-A <chain> `. */
  readonly rule: string;
  /** Why the agent installs it, in an operator's words; may use placeholders. */
  readonly why: string;
}

/** A nested group: instantiated once per item of `each` (looked up on the enclosing item first). */
export interface GroupEntry {
  readonly kind: 'group';
  readonly group: TemplateGroup;
}

export type TemplateEntry = ChainEntry | RuleEntry | GroupEntry;

export interface TemplateGroup {
  /** Instantiate the entries once per item of this scope; absent: once, with the enclosing item. */
  readonly each?: string;
  /** Only when this flag of the item is true (`!flag`: only when it is false). */
  readonly when?: string;
  /** First release (inclusive) and first release no longer (exclusive) that install these entries. */
  readonly since?: Release;
  readonly until?: Release;
  readonly entries: readonly TemplateEntry[];
}

/**
 * What a template is instantiated with: placeholder values, the Neutron object the item stands for,
 * boolean flags for `when`, and the sub-scopes `each` can iterate.
 */
export interface Item {
  readonly vars: Readonly<Record<string, string>>;
  readonly neutron: string;
  readonly flags?: Readonly<Record<string, boolean>>;
  readonly scopes?: Readonly<Record<string, readonly Item[]>>;
}

/** Shorthands for writing templates. */
export const chain = (table: TableName, name: string): ChainEntry => ({ kind: 'chain', table, chain: name });
export const rule = (table: TableName, chainName: string, text: string, why: string): RuleEntry => ({
  kind: 'rule',
  table,
  chain: chainName,
  rule: text,
  why,
});
export const group = (g: TemplateGroup): GroupEntry => ({ kind: 'group', group: g });

/** One line of a text artifact (`ip route`, …) with placeholders, and why the agent creates it. */
export interface LineTemplate {
  readonly line: string;
  readonly why: string;
}
