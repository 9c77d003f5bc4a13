// Types of freshness.mjs (plain JavaScript, so that the launcher needs no TypeScript to decide).
export declare const SOURCE_ROOTS: readonly string[];
export declare const DIST: string;
export declare const BUILD_RECORD: string;
export declare const ENTRY: string;
export declare const LIBRARY_ENTRY: string;
export declare function sourceFingerprint(root: string): string;
export declare function compiledEntry(root: string, entry?: string): { fresh: true; entry: string } | { fresh: false; reason: 'missing' | 'stale' };
