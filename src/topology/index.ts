// The topology loader's public surface: a topology file (YAML or JSON, docs/topology.md) in, the resolved
// Topology or every input error found out. Never throws on bad input and never prints. Phases:
// syntax (NP0xx) → shape (NP1xx) → meaning (NP2xx–NP5xx) → derivation (NP308); a phase runs only when
// the previous one found nothing, so errors never cascade from an earlier problem.
import type { Result } from '../errors.ts';
import { DEFAULT_INPUT_LIMITS, readTextFile, type InputLimits } from '../input/text-file.ts';
import type { Topology } from './model.ts';
import { buildContext } from './context.ts';
import { checkTopology } from './checks.ts';
import { deriveTopology } from './derive.ts';
import { createDiagnostics } from './diagnostics.ts';
import { readSource, type Locator } from './source.ts';
import { rememberSource } from './source-map.ts';
import { validateShape } from './validate.ts';

export type * from './model.ts';

/** Loads a topology from text; `file` names it in errors and in `Topology.file`. */
export function loadTopologyText(text: string, file: string): Result<Topology> {
  const src = readSource(text, file);
  if (!src.ok) return { ok: false, errors: src.errors };
  const loaded = loadTopologyData(src.data, file, src.locator);
  if (loaded.ok) rememberSource(loaded.value, { file, text, data: src.data, locator: src.locator });
  return loaded;
}

/**
 * Loads a topology from data already read (e.g. built from a cloud's API view); `locator` places field
 * paths for error positions.
 */
export function loadTopologyData(data: unknown, file: string, locator: Locator): Result<Topology> {
  const diag = createDiagnostics(file, locator);
  const shaped = validateShape(data, diag);
  if (shaped === null) return { ok: false, errors: diag.sorted() };
  const ctx = buildContext(shaped);
  checkTopology(ctx, diag);
  if (diag.count > 0) return { ok: false, errors: diag.sorted() };
  const topology = deriveTopology(ctx, file, diag);
  if (topology === null || diag.count > 0) return { ok: false, errors: diag.sorted() };
  return { ok: true, value: topology };
}

/** Loads a topology file from disk: unreadable NP001, too large NP004, not text NP005 (text-file.ts). */
export function loadTopologyFile(path: string, limits: InputLimits = DEFAULT_INPUT_LIMITS): Result<Topology> {
  const text = readTextFile(path, limits);
  return text.ok ? loadTopologyText(text.value, path) : text;
}
