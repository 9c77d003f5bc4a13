// What a command asks for first when it is given too little: its arguments in order (the topology
// before anything else), then its required options in order, each refused with exit 2, the one thing
// missing named, and the command's usage line. Read from the command definitions (buildProgram), so a
// command or a required option added later is covered as soon as it exists.
import { describe, expect, it } from 'vitest';
import { buildProgram, requiredOptions } from '../../src/cli/main.ts';
import { runCli } from './run.ts';

const program = buildProgram({ out: () => {}, err: () => {} }, () => {});

/** Per command: what it needs, in the order a user gives it, as [what the error names, the words that give it]. */
const needs = program.commands
  .map((cmd) => ({
    name: cmd.name(),
    steps: [
      ...cmd.registeredArguments.filter((a) => a.required).map((a) => [`missing required argument '${a.name()}'`, ['x-missing-arg']] as const),
      ...requiredOptions(cmd).map((o) => [`required option '${o.flags}' not specified`, [o.long!, 'x']] as const),
    ],
  }))
  .filter((c) => c.steps.length > 0);

describe('a command given too little asks first for what comes first', () => {
  it('covers the commands that take arguments or required options', () => {
    expect(needs.map((c) => c.name)).toEqual(expect.arrayContaining(['render', 'trace', 'query', 'verify', 'report', 'diff', 'merge', 'import']));
    // trace: the topology, then --from, then --to.
    expect(needs.find((c) => c.name === 'trace')!.steps.map(([m]) => m)).toEqual([
      "missing required argument 'topology'", "required option '--from <ep>' not specified", "required option '--to <ep>' not specified",
    ]);
  });

  it.each(needs.flatMap((c) => c.steps.map((_, i) => [c.name, i, c.steps] as const)))('%s, given its first %i needs', async (name, i, steps) => {
    const given = steps.slice(0, i).flatMap(([, words]) => words);
    const r = await runCli(name, ...given);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    // The first line names the first thing missing, and nothing else is complained about.
    expect(lines[0]).toBe(`netproof: NP601 command-line usage: ${steps[i]![0]}`);
    expect(lines.filter((l) => l.includes('NP601'))).toHaveLength(1);
    expect(lines[1]).toMatch(new RegExp(`^usage: netproof ${name} `));
    expect(r.stdout).toBe('');
  });

  it('says in the usage line what trace needs, in that order', async () => {
    const r = await runCli('trace');
    expect(r.stderr).toContain('usage: netproof trace <topology> --from <ep> --to <ep> [options]');
  });

  it('names a mistyped required option as unknown rather than asking for it', async () => {
    const r = await runCli('trace', 'topologies/seed.yaml', '--frm', 'vm1', '--to', 'vm2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--frm'/);
    expect(r.stderr).not.toMatch(/required option/);
  });
});
