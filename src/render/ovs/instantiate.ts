// The instantiation engine's core: fill a template's `{placeholders}` and turn the result into a
// flow line of `ovs-ofctl dump-flows --no-stats --names` with its provenance. Strict: a placeholder
// without a value is a programming error (it would render text the real tool rejects), so it throws.
import type { Provenance } from '../artifacts.ts';
import type { FlowTemplate } from '../../../rules/ovs-agent/template.ts';

export type Vars = Readonly<Record<string, string | number>>;

/** One set of values for a template's placeholders, and the Neutron object it stands for. */
export interface Binding {
  readonly vars: Vars;
  readonly neutron: string;
}

export interface RenderedFlow {
  readonly table: number;
  readonly priority: number;
  /** `priority=P[,match] actions=…` — the line after the cookie and table. */
  readonly body: string;
  readonly templateId: string;
  readonly provenance: Provenance;
}

/** Replaces every `{name}` in `text` by `vars[name]`; throws on a name without a value. */
export function fill(text: string, vars: Vars, what: string): string {
  return text.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`template ${what}: no value for {${name}}`);
    return String(v);
  });
}

const FLOW_SHAPE = /^table=(\d+), (priority=(\d+)(?:,\S+)? actions=\S+)$/;

/** Instantiates one template for one binding. */
export function instantiate<W extends string>(t: FlowTemplate<W>, b: Binding): RenderedFlow {
  const text = fill(t.flow, b.vars, t.id);
  const m = FLOW_SHAPE.exec(text);
  if (!m) throw new Error(`template ${t.id} does not render a flow line: ${text}`);
  return {
    table: Number(m[1]),
    priority: Number(m[3]),
    body: m[2] ?? '',
    templateId: t.id,
    provenance: { neutron: b.neutron, why: fill(t.why, b.vars, t.id) },
  };
}

/**
 * The dump order of `ovs-ofctl dump-flows`: by table, then by descending priority; flows the
 * agent installed at one priority keep their installation order.
 */
export function dumpOrder(flows: readonly RenderedFlow[]): RenderedFlow[] {
  return flows
    .map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.table - b.f.table || b.f.priority - a.f.priority || a.i - b.i)
    .map(({ f }) => f);
}

/**
 * One dump line. As the real `--no-stats` output does, `table=0` is left out (OVS prints the table
 * only when it is not 0), so `dump-flows` → `add-flows` → `dump-flows` round-trips exactly.
 */
export function flowLine(cookie: string, f: RenderedFlow): string {
  return ` cookie=${cookie}, ${f.table === 0 ? '' : `table=${f.table}, `}${f.body}`;
}
