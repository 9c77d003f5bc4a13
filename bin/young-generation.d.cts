// Types of young-generation.cjs (plain JavaScript, loaded by the launcher before any TypeScript).
export declare const SEMI_SPACE_MB: number;
export declare const SEMI_SPACE_ENV: string;
export declare const SWEEP_COMMANDS: ReadonlySet<string>;
export interface SemiSpaceChoice {
  /** The semi-space in MiB to give a heap made now, or null: V8's default, or what node's options already set. */
  readonly mb: number | null;
  readonly warning: string | null;
}
export declare function semiSpaceChoice(execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>): SemiSpaceChoice;
export declare function semiSpaceForCommand(argv: readonly string[], execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>): SemiSpaceChoice;
export declare function youngGenerationMb(mb: number): number;
