// Devices whose capture netproof cannot trust in full (a dump that failed or stops mid-line, a line the
// parser does not recognise, policy routing, a namespace of a kind it does not model) are made opaque:
// a first rule that every packet meets and that netproof cannot evaluate, carrying the reason and the
// capture line. Every path through such a device ends `unknown` in the evaluator and the solver alike —
// the same mechanism as an unsupported flow action or iptables match — while paths elsewhere are
// answered as usual. Nothing a capture lacks can thus turn into a silent drop and a false proof.
import type { Flow } from '../../ir/openflow.ts';
import type { NetfilterRuleset, NfChain, NfRule, NfTable } from '../../ir/netfilter.ts';
import type { Origin } from '../../ir/origin.ts';

/** Above every priority OpenFlow allows (0–65535), so it is met before any captured flow. */
const ABOVE_ALL = 65536;

export function opaqueFlows(flows: readonly Flow[], origin: Origin): Flow[] {
  const first: Flow = { table: 0, priority: ABOVE_ALL, match: {}, actions: [{ kind: 'unsupported', text: origin.text }], cookie: null, origin };
  return [first, ...flows];
}

/** The ruleset with a first rule in raw PREROUTING and OUTPUT that no packet can be evaluated against. */
export function opaqueRuleset(rs: NetfilterRuleset, origin: Origin): NetfilterRuleset {
  const rule: NfRule = { matches: [{ kind: 'unsupported', text: origin.text }], target: { kind: 'ACCEPT' }, origin };
  const raw = rs.tables.find((t) => t.name === 'raw');
  const chainWith = (name: string, chains: readonly NfChain[]): NfChain => {
    const c = chains.find((x) => x.name === name);
    return c ? { ...c, rules: [rule, ...c.rules] } : { name, policy: 'ACCEPT', rules: [rule] };
  };
  const chains = raw?.chains ?? [];
  const newRaw: NfTable = {
    name: 'raw',
    chains: [chainWith('PREROUTING', chains), chainWith('OUTPUT', chains), ...chains.filter((c) => c.name !== 'PREROUTING' && c.name !== 'OUTPUT')],
  };
  return { ...rs, tables: [newRaw, ...rs.tables.filter((t) => t.name !== 'raw')] };
}
