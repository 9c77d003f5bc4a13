// Property `walk-shortcuts`: the walker's split per external address kept per group
// (src/smt/quiet-splits.ts, `quietSplitsSwitch`) and crossings of an external network decided once for
// every alike router exit (src/smt/alike-exits.ts, `alikeExitsSwitch`) leave verify-all as it was:
// on a random topology (in half the cases a single external network with three routers or more, where
// both apply), `verify` with every built-in property answers the same JSON with both on (byte for
// byte, or else the same but for witnesses and traces, whose free fields follow the process's history), with the splits per sender (quiet splits off) and with each router deciding its own crossings
// (alike exits off), each side on a model loaded afresh. Counts the splits reused and crossings
// shared with both on (a property that never takes them says nothing) and the topologies with
// routers sharing an external network.
import fc from 'fast-check';
import { alikeExitsSwitch } from '../../../src/smt/alike-exits.ts';
import { quietSplitsSwitch } from '../../../src/smt/quiet-splits.ts';
import { bump, type Counts, type FuzzProperty } from '../property.ts';
import { arbitraryCase, fromYaml, type TopologyCase } from './cases.ts';
import { firstDifference, loadCase, routersSharingAnExternal, shortcutBounds, topologyOf } from './switched.ts';

export interface WalkShortcutOptions {
  readonly ci?: boolean;
}

interface Side { readonly json: string; readonly reused: number; readonly shared: number }

async function side(c: TopologyCase, quiet: boolean, alike: boolean): Promise<Side> {
  quietSplitsSwitch.on = quiet;
  alikeExitsSwitch.on = alike;
  const r0 = quietSplitsSwitch.reused;
  const s0 = alikeExitsSwitch.shared;
  const m = await loadCase(c);
  try {
    const v = await m.verify({});
    return { json: JSON.stringify(v.ok ? v.value : v.errors), reused: quietSplitsSwitch.reused - r0, shared: alikeExitsSwitch.shared - s0 };
  } finally {
    await m.close();
    quietSplitsSwitch.on = true;
    alikeExitsSwitch.on = true;
  }
}

/** The verify JSON's results one per line, so that a difference shows the property it is in. */
const lines = (json: string): string[] => {
  const v = JSON.parse(json) as { results?: unknown[] };
  return Array.isArray(v.results) ? v.results.map((r) => JSON.stringify(r)).concat(JSON.stringify({ ...v, results: v.results.length })) : [json];
};

/** A result line without its witness and trace, nor the numbers of its message (their free fields are any model's). */
const gist = (line: string): string => {
  const r = JSON.parse(line) as Record<string, unknown>;
  // A message quotes its witness's addresses and ports: its numbers left out.
  const message = typeof r.message === 'string' ? r.message.replace(/\d+/g, '#') : r.message;
  return JSON.stringify({ ...r, message, witness: r.witness === undefined ? undefined : r.witness === null ? null : '…', trace: r.trace === undefined ? undefined : r.trace === null ? null : '…' });
};

export function walkShortcutsProperty(o: WalkShortcutOptions = {}): FuzzProperty<TopologyCase> {
  return {
    name: 'walk-shortcuts',
    checks: 'verify-all answers the same JSON (but for witnesses) with the per-group external-address splits and the alike-exit crossings on and each off',
    arbitrary: shortcutBounds(o.ci === true).chain((b) => arbitraryCase(b, fc.constant({}))),
    async check(c, counts: Counts) {
      const on = await side(c, true, true);
      const noQuiet = await side(c, false, true);
      const noAlike = await side(c, true, false);
      const sharing = routersSharingAnExternal(topologyOf(c));
      bump(counts, 'topologies');
      if (sharing > 0) bump(counts, 'topologies with routers sharing an external network');
      if (on.reused > 0) bump(counts, 'topologies with a split reused');
      if (on.shared > 0) bump(counts, 'topologies with a crossing shared');
      bump(counts, 'splits reused', on.reused);
      bump(counts, 'crossings shared', on.shared);
      if (noQuiet.reused !== 0) return `a split was reused with quiet splits off (${noQuiet.reused})`;
      if (noAlike.shared !== 0) return `a crossing was shared with alike exits off (${noAlike.shared})`;
      if (on.json === noQuiet.json && on.json === noAlike.json) { bump(counts, 'the same byte for byte'); return null; }
      // Else the same but for witnesses and their traces: a verify witness's free fields (a source MAC
      // without port security, an outside destination) follow what the process asked before, even on
      // a Z3 instance started afresh (the same JSON each way in fresh processes).
      const a = lines(on.json).map(gist);
      const asked = a.map((l) => l.slice(0, 120));
      const diff = firstDifference(asked, a, lines(noQuiet.json).map(gist), 'quiet splits on vs off') ?? firstDifference(asked, a, lines(noAlike.json).map(gist), 'alike exits on vs off');
      if (diff === null) bump(counts, 'the same but for witnesses');
      return diff;
    },
    toRegression(c) {
      return { topology: c.g.yaml, args: {} };
    },
    fromRegression(r) {
      return { g: fromYaml(r.topology) };
    },
  };
}
