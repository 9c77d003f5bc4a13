// The rule that decided a packet's fate, read off its trace: the rule that dropped it; else the
// security-group rule that let it into (or out of) a port — what an operator would change; else the
// last rule that acted on it. Per hop, the rule that matters in that device by the same order. Reports
// point at it (SARIF's location of the deciding rule, the HTML report, `diff`'s "by security group
// rule …"); security-group rules are recognised by the provenance the hybrid firewall's renderer gives
// them (`security group NAME (ID) rule ID`, src/render/linux/hybrid.ts).
import type { Hop, Trace, TraceStep } from '../evaluate/trace.ts';
import type { Origin } from '../ir/origin.ts';

/** A security-group rule named by a rule's provenance. */
export interface SgRuleRef {
  readonly group: string;
  readonly groupId: string;
  readonly ruleId: string;
}

const SG_RULE = /^security group (\S+) \(([0-9a-f-]+)\) rule ([0-9a-f-]+)$/;

/** The security-group rule a rule was rendered from, or null. */
export function sgRuleOf(origin: Origin | null): SgRuleRef | null {
  const m = origin?.neutron === undefined ? null : SG_RULE.exec(origin.neutron);
  return m ? { group: m[1]!, groupId: m[2]!, ruleId: m[3]! } : null;
}

export interface Decision {
  /** Index of the hop in `trace.hops` (the last hop for a drop). */
  readonly hop: number;
  readonly rule: string;
  readonly origin: Origin;
  /** Set when the rule was rendered from a security-group rule. */
  readonly sgRule: SgRuleRef | null;
}

function lastWith(steps: readonly TraceStep[], ok: (s: TraceStep) => boolean): TraceStep | null {
  for (let i = steps.length - 1; i >= 0; i--) if (ok(steps[i]!)) return steps[i]!;
  return null;
}

/** The step of one hop that matters most: a security-group rule, else the last rule with a known origin. */
export function hopDecision(h: Hop): TraceStep | null {
  return lastWith(h.steps, (s) => sgRuleOf(s.origin) !== null) ?? lastWith(h.steps, (s) => s.origin !== null);
}

/**
 * The rule that decided the packet's fate, or null when no rule with a known origin acted on it: the
 * rule that dropped it; for a packet delivered to a VM, the security-group rule of the VM's own firewall
 * that let it in; else the last rule of the last router or DHCP namespace it crossed (routing, NAT);
 * else a security-group rule that let it out of its sender; else the last rule that acted on it.
 */
export function decidingRule(t: Trace): Decision | null {
  const last = t.hops.length - 1;
  const at = (i: number, s: TraceStep | null): Decision | null => (s?.origin ? { hop: i, rule: s.rule, origin: s.origin, sgRule: sgRuleOf(s.origin) } : null);
  if (t.disposition === 'dropped' && t.droppedAt?.origin) {
    return { hop: Math.max(last, 0), rule: t.droppedAt.rule, origin: t.droppedAt.origin, sgRule: sgRuleOf(t.droppedAt.origin) };
  }
  const lastIndex = (ok: (h: Hop) => boolean): number => {
    for (let i = last; i >= 0; i--) if (ok(t.hops[i]!)) return i;
    return -1;
  };
  if (t.deliveredTo?.kind === 'vm') {
    const i = lastIndex((h) => h.deviceKind === 'linux-bridge');
    const d = i < 0 ? null : at(i, lastWith(t.hops[i]!.steps, (s) => sgRuleOf(s.origin) !== null));
    if (d !== null) return d;
  }
  const ns = lastIndex((h) => h.deviceKind === 'namespace');
  const routed = ns < 0 ? null : at(ns, lastWith(t.hops[ns]!.steps, (s) => s.origin !== null));
  if (routed !== null) return routed;
  for (const pick of [(s: TraceStep) => sgRuleOf(s.origin) !== null, (s: TraceStep) => s.origin !== null]) {
    for (let i = last; i >= 0; i--) {
      const d = at(i, lastWith(t.hops[i]!.steps, pick));
      if (d !== null) return d;
    }
  }
  return null;
}
