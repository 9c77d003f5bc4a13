// What the oracle suites run on: the shipped topologies (and, as models, any other), each with the
// values worth aiming random packets at, and a random generator per subject derived from the suite's
// seed (so adding a subject does not change another's packets).
import { join } from 'node:path';
import { loadModel, type Model } from '../../src/pipeline.ts';
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

export function subjectOf(name: string, model: Model): OracleSubject {
  return { name, model, universe: universeOf(model.dataplane) };
}

/** The generator of one subject: the suite's seed mixed with the subject's name. */
export function rngFor(seed: number, name: string): Rng {
  return new Rng(seed ^ [...name].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 0));
}
