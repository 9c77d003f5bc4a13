// Parser for `ovs-appctl ofproto/trace` text (Open vSwitch 3.1): the per-table steps with the bridge
// each belongs to, the initial and final flow as field maps, and the datapath actions replayed into the
// list of packets that leave the datapath (port, VLAN, tunnel metadata at that moment). Pure: text in,
// data out. What it does not interpret is kept (raw text, `unparsedActions`) so a test can notice.

export interface TraceStep {
  readonly bridge: string;
  /** 0 for the bridge the trace started on; patch-port hops are nested deeper (but see `bridge`). */
  readonly depth: number;
  readonly table: number;
  /** The matched flow's match as printed, '' for a catch-all, null for "No match.". */
  readonly match: string | null;
  readonly priority: number | null;
  readonly cookie: string | null;
  readonly actions: readonly string[];
  /** `->` and `>>` lines: NORMAL's decisions, resubmit limits, suppressed side effects. */
  readonly notes: readonly string[];
}

/** One packet leaving the datapath, as the datapath actions build it. */
export interface DatapathOutput {
  /** The datapath (not OpenFlow) port number. */
  readonly port: number;
  /** The 802.1Q VID on the packet as it leaves, null if untagged. */
  readonly vlan: number | null;
  /** The `set(tunnel(...))` fields in force (tun_id, src, dst, ttl, tp_dst, …), null if none. */
  readonly tunnel: Readonly<Record<string, string>> | null;
  /** Other header fields set so far, `key.field` → value (`eth.src`, `arp.op`, `ipv4.src`; masks dropped). */
  readonly sets: Readonly<Record<string, string>>;
}

export interface OfprotoTrace {
  readonly text: string;
  /** The `Flow:` line's fields, in order; a bare protocol word (`arp`, `ip`) maps to ''. */
  readonly flow: ReadonlyMap<string, string>;
  readonly steps: readonly TraceStep[];
  /** The `Final flow:` fields ("unchanged" resolved to the initial flow). */
  readonly finalFlow: ReadonlyMap<string, string>;
  /** The final flow's VLAN (dl_vlan), null when untagged. */
  readonly finalVlan: number | null;
  /** The final flow's tun_id as printed (hex), null when none. */
  readonly finalTunId: string | null;
  readonly megaflow: string | null;
  readonly datapathActions: string | null;
  readonly outputs: readonly DatapathOutput[];
  /** Datapath actions this parser does not interpret (e.g. ct(), recirc()), in order. */
  readonly unparsedActions: readonly string[];
  /** OpenFlow-level `output:PORT` actions per bridge (PORT as printed: a number or a name). */
  readonly ofOutputs: readonly { readonly bridge: string; readonly port: string }[];
}

/** Splits on `sep` outside parentheses: `a(b,c),d` → [`a(b,c)`, `d`]. */
export function splitTopLevel(s: string, sep = ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur !== '') out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

/** `arp,in_port=1,dl_vlan=3` → Map { arp → '', in_port → '1', dl_vlan → '3' }. */
export function parseFlowFields(s: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of splitTopLevel(s)) {
    const i = part.indexOf('=');
    if (i < 0) m.set(part, '');
    else m.set(part.slice(0, i), part.slice(i + 1));
  }
  return m;
}

function vlanOf(fields: ReadonlyMap<string, string>): number | null {
  const v = fields.get('dl_vlan');
  if (v !== undefined) return Number(v);
  // A tagged frame may be printed as vlan_tci=0x1VVV (bit 0x1000: a tag is present).
  const tci = Number(fields.get('vlan_tci')?.split('/')[0] ?? 0);
  return (tci & 0x1000) !== 0 ? tci & 0x0fff : null;
}

/** Replays datapath actions: push/pop VLAN and set(tunnel) change state, each bare number emits a packet. */
export function replayDatapathActions(actions: string, initialVlan: number | null): { outputs: DatapathOutput[]; unparsed: string[] } {
  const outputs: DatapathOutput[] = [];
  const unparsed: string[] = [];
  let vlan = initialVlan;
  let tunnel: Record<string, string> | null = null;
  let sets: Record<string, string> = {};
  if (actions.trim() === 'drop') return { outputs, unparsed };
  for (const a of splitTopLevel(actions)) {
    let m: RegExpExecArray | null;
    if (/^\d+$/.test(a)) outputs.push({ port: Number(a), vlan, tunnel, sets });
    else if ((m = /^push_vlan\((.*)\)$/.exec(a))) vlan = Number(/vid=(\d+)/.exec(m[1] ?? '')?.[1] ?? NaN);
    else if (a === 'pop_vlan') vlan = null;
    else if ((m = /^set\(tunnel\((.*)\)\)$/.exec(a))) tunnel = Object.fromEntries(parseFlowFields(m[1] ?? ''));
    else if ((m = /^set\((eth|arp|ipv4)\((.*)\)\)$/.exec(a))) {
      sets = { ...sets };
      for (const [k, v] of parseFlowFields(m[2] ?? '')) sets[`${m[1]}.${k}`] = v.split('/')[0] ?? v;
    } else unparsed.push(a);
  }
  return { outputs, unparsed };
}

export function parseOfprotoTrace(text: string): OfprotoTrace {
  let flowText: string | null = null;
  let finalText: string | null = null;
  let megaflow: string | null = null;
  let datapathActions: string | null = null;
  const steps: (TraceStep & { actions: string[]; notes: string[] })[] = [];
  const ofOutputs: { bridge: string; port: string }[] = [];
  // Open bridge("…") headers with their indentation; patch-port hops are printed indented further, except
  // that with NORMAL flooding the second peer comes back at top level, so depth is informative only.
  const stack: { indent: number; name: string }[] = [];
  let step: (typeof steps)[number] | null = null;

  for (const raw of text.split('\n')) {
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (!line || /^-+$/.test(line)) continue;
    let m: RegExpExecArray | null;
    if (stack.length === 0 && (m = /^Flow: (.*)$/.exec(line))) { flowText = m[1] ?? ''; continue; }
    if ((m = /^bridge\("(.+)"\)$/.exec(line))) {
      while (stack.length > 0 && (stack.at(-1)?.indent ?? -1) >= indent) stack.pop();
      stack.push({ indent, name: m[1] ?? '' });
      step = null;
      continue;
    }
    if ((m = /^Final flow: (.*)$/.exec(line))) { finalText = m[1] ?? ''; continue; }
    if ((m = /^Megaflow: (.*)$/.exec(line))) { megaflow = m[1] ?? ''; continue; }
    if ((m = /^Datapath actions: (.*)$/.exec(line))) { datapathActions = m[1] ?? ''; continue; }
    // " 0. in_port=1, priority 1, cookie 0x…" | "60. priority 3" | " 0. No match."
    if ((m = /^(\d+)\. (?:(.*?),? ?priority (\d+)(?:, cookie (0x[0-9a-f]+))?|(No match\.))$/.exec(line))) {
      while (stack.length > 1 && (stack.at(-1)?.indent ?? 0) > indent) stack.pop();
      step = {
        bridge: stack.at(-1)?.name ?? '',
        depth: Math.max(0, stack.length - 1),
        table: Number(m[1]),
        match: m[5] ? null : (m[2] ?? ''),
        priority: m[3] ? Number(m[3]) : null,
        cookie: m[4] ?? null,
        actions: [],
        notes: [],
      };
      steps.push(step);
      continue;
    }
    if (!step) continue;
    if (line.startsWith('->') || line.startsWith('>>')) step.notes.push(line);
    else {
      step.actions.push(line);
      if ((m = /^output:"?([^"]+)"?$/.exec(line))) ofOutputs.push({ bridge: step.bridge, port: m[1] ?? '' });
    }
  }

  if (flowText === null) throw new Error(`not an ofproto/trace output (no "Flow:" line):\n${text.slice(0, 400)}`);
  const flow = parseFlowFields(flowText);
  const finalFlow = finalText === null || finalText === 'unchanged' ? flow : parseFlowFields(finalText);
  const { outputs, unparsed } = datapathActions === null ? { outputs: [], unparsed: [] } : replayDatapathActions(datapathActions, vlanOf(flow));
  return {
    text,
    flow,
    steps,
    finalFlow,
    finalVlan: vlanOf(finalFlow),
    finalTunId: finalFlow.get('tun_id') ?? null,
    megaflow,
    datapathActions,
    outputs,
    unparsedActions: unparsed,
    ofOutputs,
  };
}
