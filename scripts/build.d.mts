// Types of build.mjs (plain JavaScript: `npm ci` runs it before anything is compiled).
import type { BuildOptions } from 'esbuild';
export declare function bundleOptions(outdir: string): BuildOptions;
export declare function engineOptions(outdir: string): BuildOptions;
export declare function buildEngine(esbuild: typeof import('esbuild'), outdir: string): Promise<string | null>;
