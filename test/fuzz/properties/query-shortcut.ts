// Property `query-shortcut`: query's concrete-first answer (src/questions/concrete-first.ts, switched by
// `concreteFirstShortcut` in src/questions/reach-set.ts: the preferred packet's replay as the proof of
// `reachable`, with canonical witness fields, src/questions/canonical-witness.ts) answers as the
// solver's way. On a random topology, random questions — VM → VM with a random protocol and port,
// VM → an outside address, VM → `external`, VM → `network:` / `project:` / `external:` sets, an
// outside address → a floating IP or a VM's address, `network:` → VM — and the same questions as user
// properties (`verify --properties`, `expect: reachable`, which go through the same packet search):
// every answer's JSON, byte for byte, the same with the shortcut on and off, each side on a model
// loaded afresh; a question answered otherwise after the others must be answered the same when asked
// alone each way (the solver's witness for a set of destinations follows what the model was asked
// before: counted). Counts how many answers the shortcut gave (a property that never takes it says nothing).
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { QueryParams } from '../../../src/index.ts';
import { concreteFirstShortcut } from '../../../src/questions/reach-set.ts';
import type { Topology } from '../../../src/topology/model.ts';
import { bump, type Counts, type FuzzProperty } from '../property.ts';
import { arbitraryCase, fromYaml, type TopologyCase } from './cases.ts';
import { firstDifference, loadCase, routersSharingAnExternal, shortcutBounds, topologyOf } from './switched.ts';

export interface QueryCase extends TopologyCase {
  /** The seed the questions are drawn from (once the topology is loaded). */
  readonly querySeed: number;
  /** Set when read from a regression file: the questions, as JSON. */
  readonly queries?: string;
}

export interface QueryShortcutOptions {
  readonly ci?: boolean;
  readonly queriesPerTopology?: number;
}

const PROTOS = [undefined, 'any', 'tcp', 'udp', 'icmp', 'sctp'] as const;
const PORTS = [22, 53, 80, 443, 8080, 3306];

/** Random questions about a topology's own names and addresses. */
export function arbitraryQuery(t: Topology): fc.Arbitrary<QueryParams> {
  const vms = t.vms.map((v) => v.name);
  const vmPorts = t.vms.flatMap((v) => v.ports.map((_, i) => `${v.name}:${i}`));
  const vmIps = t.vms.flatMap((v) => v.ports.map((p) => p.ip));
  const nets = t.networks.filter((n) => !n.ha);
  const internal = nets.filter((n) => !n.external).map((n) => `network:${n.name}`);
  const externals = nets.filter((n) => n.external);
  const projects = [...new Set(t.vms.map((v) => v.project))].map((p) => `project:${p}`);
  const outsideIps = ['8.8.8.8', '203.0.113.7', '198.51.100.20', ...externals.flatMap((n) => n.subnets.map((s) => s.gateway ?? s.networkAddress))];
  const fips = t.floatingIps.map((f) => f.ip);
  const vm = fc.constantFrom(...vms, ...vmPorts);
  const l4 = fc.record({ proto: fc.constantFrom(...PROTOS), dport: fc.oneof(fc.constantFrom(...PORTS), fc.integer({ min: 1, max: 65535 })) }).map(({ proto, dport }) =>
    proto === 'tcp' || proto === 'udp' || proto === 'sctp' ? { proto, dport } : proto === undefined ? {} : { proto });
  const kinds: fc.Arbitrary<{ from: string; to: string }>[] = [
    fc.record({ from: vm, to: vm }),
    fc.record({ from: vm, to: fc.constantFrom(...outsideIps) }),
    fc.record({ from: vm, to: fc.constant('external') }),
    fc.record({ from: vm, to: fc.constantFrom(...internal, ...projects, ...externals.map((n) => `external:${n.name}`)) }),
  ];
  if (vmIps.length > 0) kinds.push(fc.record({ from: fc.constantFrom(...outsideIps), to: fc.constantFrom(...vmIps, ...fips, ...fips) }));
  if (fips.length > 0) kinds.push(fc.record({ from: fc.constantFrom('203.0.113.7', '8.8.4.4'), to: fc.constantFrom(...fips) }));
  if (internal.length > 0) kinds.push(fc.record({ from: fc.constantFrom(...internal), to: vm }));
  return fc.tuple(fc.oneof(...kinds), l4).map(([ends, l]) => ({ ...ends, ...l }));
}

function queriesOf(c: QueryCase, t: Topology, n: number): QueryParams[] {
  if (c.queries !== undefined) return JSON.parse(c.queries) as QueryParams[];
  if (t.vms.length === 0) return [];
  return fc.sample(arbitraryQuery(t), { numRuns: n, seed: c.querySeed });
}

/** A question as a user property (docs/properties.md); null when it has no such form. */
function asProperty(q: QueryParams, i: number): { readonly name: string; readonly reach: object; readonly expect: string } | null {
  if (q.from === 'external' || q.to === 'external' || /^\d/.test(q.from)) return null; // query-only endpoints
  const reach: Record<string, unknown> = { from: q.from, to: q.to };
  if (q.proto !== undefined && q.proto !== 'any') reach.proto = q.proto;
  if (q.dport !== undefined) reach.dport = q.dport;
  return { name: `q${i}`, reach, expect: 'reachable' };
}

interface Side { readonly json: string[]; readonly taken: number }

async function side(c: QueryCase, queries: readonly QueryParams[], propsFile: string | null, names: readonly string[], on: boolean): Promise<Side> {
  concreteFirstShortcut.on = on;
  const t0 = concreteFirstShortcut.taken;
  const m = await loadCase(c);
  try {
    const json: string[] = [];
    for (const q of queries) {
      const a = await m.query(q);
      json.push(JSON.stringify(a.ok ? a.value : a.errors));
    }
    if (propsFile !== null) {
      const v = await m.verify({ properties: [propsFile], select: names });
      json.push(JSON.stringify(v.ok ? v.value : v.errors));
    }
    return { json, taken: concreteFirstShortcut.taken - t0 };
  } finally {
    await m.close();
    concreteFirstShortcut.on = true;
  }
}

export function queryShortcutProperty(o: QueryShortcutOptions = {}): FuzzProperty<QueryCase> {
  const n = o.queriesPerTopology ?? 12;
  return {
    name: 'query-shortcut',
    checks: 'query answers and user-property verdicts, JSON byte for byte, are the same with the concrete-first answer on and off',
    arbitrary: shortcutBounds(o.ci === true).chain((b) => arbitraryCase(b, fc.record({ querySeed: fc.nat() }))),
    async check(c, counts: Counts) {
      const t = topologyOf(c);
      bump(counts, 'topologies');
      if (routersSharingAnExternal(t) > 0) bump(counts, 'topologies with routers sharing an external network');
      const queries = queriesOf(c, t, n);
      const props = queries.map(asProperty).filter((p) => p !== null);
      const names = props.map((p) => p.name);
      let dir: string | null = null;
      try {
        let file: string | null = null;
        if (props.length > 0) {
          dir = mkdtempSync(join(tmpdir(), 'netproof-fuzz-'));
          file = join(dir, 'props.yaml');
          writeFileSync(file, stringify(props));
        }
        const off = await side(c, queries, file, names, false);
        const on = await side(c, queries, file, names, true);
        bump(counts, 'queries', queries.length);
        bump(counts, 'user properties', props.length);
        bump(counts, 'answered concretely', on.taken);
        if (off.taken !== 0) return `the shortcut answered ${off.taken} questions while switched off`;
        const asked = [...queries.map((q) => JSON.stringify(q)), 'verify --properties (the questions as user properties)'];
        if (firstDifference(asked, on.json, off.json, '') === null) return null;
        // A question answered otherwise after the others is asked again alone, each way on a model and
        // Z3 instance of its own: the solver's witness for a set of destinations can follow what the
        // model was asked before (which the shortcut changes: it asks the solver less), a history
        // dependence, not the shortcut's; a difference alone is the shortcut's.
        const onAlone = [...on.json];
        const offAlone = [...off.json];
        for (const [i, q] of queries.entries()) {
          if (on.json[i] === off.json[i]) continue;
          const [a, b] = [await side(c, [q], null, [], true), await side(c, [q], null, [], false)];
          if (a.json[0] === b.json[0]) {
            bump(counts, 'answers different only after other questions (the same asked alone)');
            [onAlone[i], offAlone[i]] = [a.json[0]!, b.json[0]!];
          }
        }
        return firstDifference(asked, onAlone, offAlone, 'concrete-first on vs off');
      } finally {
        if (dir !== null) rmSync(dir, { recursive: true, force: true });
      }
    },
    toRegression(c) {
      // The questions written out (drawn from the seed on the topology's names, as `check` draws them).
      const t = topologyOf(c);
      return { topology: c.g.yaml, args: { queries: JSON.stringify(queriesOf(c, t, n)) } };
    },
    fromRegression(r) {
      return { g: fromYaml(r.topology), querySeed: 0, queries: r.args.queries ?? '[]' };
    },
  };
}
