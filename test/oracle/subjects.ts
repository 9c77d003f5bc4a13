// What the oracle suites run on: the shipped topologies, variants of them, random topologies from the
// generator (netproof/testing) and, as models, any other, each with the
// values worth aiming random packets at, and a random generator per subject derived from the suite's
// seed (so adding a subject does not change another's packets).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadModel, modelFromTopology, type Model } from '../../src/pipeline.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import { arbitraryTopology, modelOf, type TopologyBounds } from '../../src/testing/index.ts';
import { formatInputError } from '../../src/errors.ts';
import { repoRoot } from '../fixtures/samples.ts';
import { Rng, type Universe } from './random-packet.ts';
import { universeOf } from './universe.ts';

export interface OracleSubject {
  readonly name: string;
  readonly model: Model;
  readonly universe: Universe;
}

/** A shipped topology (`topologies/<file>`), loaded; throws naming the errors when it does not load. */
export function shippedSubject(file: string): OracleSubject {
  const loaded = loadModel(join(repoRoot, 'topologies', file));
  if (!loaded.ok) throw new Error(`${file}: ${loaded.errors.map(formatInputError).join('\n')}`);
  return subjectOf(file, loaded.value);
}

/** A topology of the test suites (`path` from the repository's root), loaded; named by its file. */
export function testTopologySubject(path: string): OracleSubject {
  const loaded = loadModel(join(repoRoot, path));
  if (!loaded.ok) throw new Error(`${path}: ${loaded.errors.map(formatInputError).join('\n')}`);
  return subjectOf(path.split('/').pop()!, loaded.value);
}

export function subjectOf(name: string, model: Model): OracleSubject {
  return { name, model, universe: universeOf(model.dataplane) };
}

/** The generator of one subject: the suite's seed mixed with the subject's name. */
export function rngFor(seed: number, name: string): Rng {
  return new Rng(seed ^ [...name].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 0));
}

/** A shipped topology with its text edited (e.g. a default switched on); throws when the edit changed nothing. */
export function variantSubject(file: string, name: string, edit: (text: string) => string): OracleSubject {
  const text = readFileSync(join(repoRoot, 'topologies', file), 'utf8');
  const edited = edit(text);
  if (edited === text) throw new Error(`${name}: the edit of ${file} changed nothing`);
  const t = loadTopologyText(edited, name);
  if (!t.ok) throw new Error(`${name}: ${t.errors.map(formatInputError).join('\n')}`);
  return subjectOf(name, modelFromTopology(t.value));
}

/** The seed with the br-tun ARP responder on (arp_responder needs l2_population, which the seed has). */
export const seedWithArpResponder = (): OracleSubject =>
  variantSubject('seed.yaml', 'seed.yaml+arp_responder', (t) => t.replace(/^ {2}l2_population: true$/m, '  l2_population: true\n  arp_responder: true'));

/** The seed under the noop firewall driver: each VM's tap plugged straight into br-int (no qbr, no iptables). */
export const seedWithNoopFirewall = (): OracleSubject =>
  variantSubject('seed.yaml', 'seed.yaml+noop', (t) => t.replace(/^( {2}firewall_driver:) iptables_hybrid\b.*$/m, '$1 noop'));

/** Random topologies for an oracle suite, and those passed over with the reason (the suite prints them). */
export interface GeneratedSubjects {
  readonly subjects: readonly OracleSubject[];
  readonly passedOver: readonly string[];
}

/**
 * `count` random topologies from the generator, the same ones for the same seed (fast-check's own
 * seeded sampling), named `generated-<seed>-<i>`. `unfit` says why a topology cannot serve the suite
 * (null: it can); such topologies are passed over, named with the reason, never silently.
 */
export function generatedSubjects(seed: number, count: number, bounds: TopologyBounds, unfit: (m: Model) => string | null): GeneratedSubjects {
  const subjects: OracleSubject[] = [];
  const passedOver: string[] = [];
  for (const [i, g] of fc.sample(arbitraryTopology(bounds), { numRuns: count * 4, seed }).entries()) {
    if (subjects.length === count) break;
    const name = `generated-${seed}-${i}`;
    const m = modelOf(g, `${name}.yaml`);
    const why = unfit(m);
    if (why === null) subjects.push(subjectOf(name, m));
    else passedOver.push(`${name}: ${why}`);
  }
  return { subjects, passedOver };
}

/**
 * Why a model's OVS bridges cannot be rebuilt in one real switch per host: two ports of a bridge with
 * one name. The loader refuses ports whose device names would collide on a host (NP410) and the
 * generator writes no such ids, so this only guards the suite's assumption.
 */
export function ovsUnfit(m: Model): string | null {
  if (!m.dataplane.hosts.some((h) => h.ovsBridges.length > 0)) return 'no OVS bridge';
  for (const h of m.dataplane.hosts) {
    for (const b of h.ovsBridges) {
      const seen = new Set<string>();
      for (const p of b.ports) {
        if (seen.has(p.name)) return `two ports named ${p.name} on ${h.name}/${b.name}`;
        seen.add(p.name);
      }
    }
  }
  return null;
}

/** Why a model has nothing for the hybrid-firewall suite: no host with a Linux bridge (qbr). */
export function firewallUnfit(m: Model): string | null {
  if (m.dataplane.hosts.some((h) => h.linuxBridges.length > 0)) return null;
  return m.topology.firewallDriver === 'noop' ? 'firewall_driver noop: no qbr bridge, no iptables' : 'no VM port plugged through a qbr bridge';
}

/** Why a model has nothing for the router suite: no qrouter namespace on any host. */
export function routerUnfit(m: Model): string | null {
  return m.dataplane.hosts.some((h) => h.namespaces.some((n) => n.name.startsWith('qrouter-'))) ? null : 'no router';
}
