// What each command loads, read from the bundle's own import graph (esbuild's metafile, built with the
// options `npm run build` uses): `--help` loads neither the pipeline nor Z3, `render` and `trace` load
// the pipeline but not Z3 nor the cloud-directory reader (imported when a directory is given), and only
// `query` and `verify` reach z3-solver.
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleOptions } from '../../scripts/build.mjs';

/** Every module an output chunk loads statically, transitively: its own inputs and its imports' (external ones by name). */
function staticClosure(meta: Metafile, output: string): Set<string> {
  const seen = new Set<string>();
  const loaded = new Set<string>();
  const visit = (o: string): void => {
    if (seen.has(o)) return;
    seen.add(o);
    const out = meta.outputs[o];
    if (out === undefined) return;
    for (const input of Object.keys(out.inputs)) loaded.add(input);
    for (const imp of out.imports) {
      if (imp.kind !== 'import-statement') continue;
      if (imp.external) loaded.add(imp.path);
      else visit(imp.path);
    }
  };
  visit(output);
  return loaded;
}

describe('the compiled CLI loads Z3 only for query and verify', async () => {
  const r = await build({ ...bundleOptions('dist-check'), write: false, metafile: true, logLevel: 'silent' });
  const meta = r.metafile!;
  /** The output a source file went into (each goes into exactly one). */
  const outputFor = (source: string): string => {
    const o = Object.entries(meta.outputs).find(([, v]) => Object.keys(v.inputs).includes(source));
    if (o === undefined) throw new Error(`no output holds ${source}`);
    return o[0];
  };
  const loads = (entry: string) => [...staticClosure(meta, outputFor(entry))];
  const z3 = (m: string) => m === 'z3-solver';
  const pipeline = (m: string) => m.startsWith('src/render/') || m.includes('node_modules/zod/') || m.includes('node_modules/yaml/');

  it('--help: commander and the command definitions only', () => {
    const m = loads('src/cli/main.ts');
    expect(m.some(z3)).toBe(false);
    expect(m.some(pipeline)).toBe(false);
  });

  const cloudReader = (m: string) => m === 'src/cloud/load.ts' || m.startsWith('src/cloud/api/') || m.startsWith('src/cloud/hosts/');
  for (const cmd of ['render', 'trace']) {
    it(`${cmd}: the pipeline, no Z3, no cloud-directory reader`, () => {
      const m = loads(`src/cli/${cmd}-command.ts`);
      expect(m.some(pipeline)).toBe(true);
      expect(m.some(z3)).toBe(false);
      expect(m.filter(cloudReader)).toEqual([]);
    });
  }

  it('the library (src/index.ts): the pipeline, no Z3 until a query or verify asks for it', () => {
    const m = loads('src/index.ts');
    expect(m.some(pipeline)).toBe(true);
    expect(m.some(z3)).toBe(false);
  });

  for (const cmd of ['query', 'verify']) {
    it(`${cmd}: Z3`, () => {
      expect(loads(`src/cli/${cmd}-command.ts`).some(z3)).toBe(true);
    });
  }
});
