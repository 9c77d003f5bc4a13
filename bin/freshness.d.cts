// Types of freshness.cjs (plain JavaScript, so that the launcher needs no TypeScript to decide).
import type { Dirent, Stats } from 'node:fs';
export declare const SOURCE_ROOTS: readonly string[];
export declare const DIST: string;
export declare const BUILD_RECORD: string;
export declare const ENTRY: string;
export declare const LIBRARY_ENTRY: string;
export type Freshness = { fresh: true; entry: string } | { fresh: false; reason: 'missing' | 'stale' };
export declare function sourceFingerprint(root: string, prefetched?: { dirs: Map<string, Dirent[] | null>; files: Map<string, Stats | undefined> }): string;
export declare function compiledEntry(root: string, entry?: string): Freshness;
export declare function startFreshnessCheck(root: string, entry?: string): { built: boolean; result: Promise<Freshness> };
export declare function installed(root: string): boolean;
