// Types of engine.cjs (plain JavaScript, loaded by the launcher before any TypeScript).
export declare const ENGINE: string;
export declare const ENGINE_CACHE: string;
export declare const LIGHT_ENGINE: string;
export declare const LIGHT_ENGINE_CACHE: string;
export declare const LIGHT_COMMANDS: Readonly<Record<string, boolean>>;
export declare function lightEngineServes(argv: readonly string[], isDirectory: (path: string) => boolean): boolean;
export declare const HELP_ENGINE: string;
export declare const HELP_ENGINE_CACHE: string;
export declare function helpEngineServes(argv: readonly string[]): boolean;
export interface Engine {
  readonly main: (argv: readonly string[], io?: { out(text: string): void; err(text: string): void }) => Promise<number>;
  readonly cached: boolean;
  saveCache(): void;
}
export declare function loadEngine(root: string, where?: { file?: string; cache?: string; require?: NodeJS.Require }): Engine | null;
export declare function cacheUnderFlags(cacheFile: string, execArgv: readonly string[]): string;
