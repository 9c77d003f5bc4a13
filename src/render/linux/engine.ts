// The template engine: instantiates declarative netfilter templates (template.ts) with items into a
// ruleset under construction. It decides which groups apply (scope items, `when` flags, release
// bounds) and substitutes placeholders; a placeholder without a value is a bug and throws, so a
// template can never render half-filled text.
import type { Provenance } from '../artifacts.ts';
import { releaseIn } from './release.ts';
import type { Item, TableName, TemplateEntry, TemplateGroup } from './template.ts';

export interface BuiltRule { readonly text: string; readonly provenance: Provenance }

/** A ruleset under construction: per table, declared user chains and per-chain rules in order. */
export interface NfBuild {
  readonly chains: Map<TableName, Set<string>>;
  readonly rules: Map<TableName, Map<string, BuiltRule[]>>;
}

export function emptyBuild(): NfBuild {
  return { chains: new Map(), rules: new Map() };
}

/** `{name}` → value; throws on a placeholder the item does not define. */
export function fill(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`template placeholder {${name}} has no value in "${text}"`);
    return v;
  });
}

function declareChain(b: NfBuild, table: TableName, name: string): void {
  let set = b.chains.get(table);
  if (!set) b.chains.set(table, (set = new Set()));
  set.add(name);
}

function addRule(b: NfBuild, table: TableName, chainName: string, r: BuiltRule): void {
  let t = b.rules.get(table);
  if (!t) b.rules.set(table, (t = new Map()));
  let list = t.get(chainName);
  if (!list) t.set(chainName, (list = []));
  list.push(r);
}

function flagHolds(item: Item, when: string | undefined): boolean {
  if (when === undefined) return true;
  const negate = when.startsWith('!');
  const name = negate ? when.slice(1) : when;
  const v = item.flags?.[name];
  if (v === undefined) throw new Error(`template flag "${name}" is not defined on ${item.neutron}`);
  return negate ? !v : v;
}

/** Items of scope `each`, looked up on the enclosing items, innermost first. */
function scopeItems(stack: readonly Item[], each: string): readonly Item[] {
  for (let i = stack.length - 1; i >= 0; i--) {
    const items = stack[i]?.scopes?.[each];
    if (items) return items;
  }
  throw new Error(`template scope "${each}" is not defined`);
}

/** Variables visible to an entry: outer items' vars, overridden by inner ones. */
function mergedVars(stack: readonly Item[]): Record<string, string> {
  return Object.assign({}, ...stack.map((i) => i.vars)) as Record<string, string>;
}

function runEntries(b: NfBuild, entries: readonly TemplateEntry[], stack: readonly Item[], release: string): void {
  const vars = mergedVars(stack);
  const neutron = stack[stack.length - 1]?.neutron ?? '';
  for (const e of entries) {
    switch (e.kind) {
      case 'chain':
        declareChain(b, e.table, fill(e.chain, vars));
        break;
      case 'rule': {
        const chainName = fill(e.chain, vars);
        addRule(b, e.table, chainName, { text: fill(e.rule, vars), provenance: { neutron, why: fill(e.why, vars) } });
        break;
      }
      case 'group':
        runGroup(b, e.group, stack, release);
        break;
      default: {
        const never: never = e;
        throw new Error(`unknown template entry ${JSON.stringify(never)}`);
      }
    }
  }
}

function runGroup(b: NfBuild, g: TemplateGroup, stack: readonly Item[], release: string): void {
  if (!releaseIn(release, g.since, g.until)) return;
  const items = g.each === undefined ? [undefined] : scopeItems(stack, g.each);
  for (const item of items) {
    const inner = item ? [...stack, item] : stack;
    const top = inner[inner.length - 1];
    if (top && !flagHolds(top, g.when)) continue;
    runEntries(b, g.entries, inner, release);
  }
}

/** Instantiates `groups` in order with `root` as the outermost item, into `b`. */
export function instantiate(b: NfBuild, groups: readonly TemplateGroup[], root: Item, release: string): NfBuild {
  for (const g of groups) runGroup(b, g, [root], release);
  return b;
}
