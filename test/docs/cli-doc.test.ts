// docs/cli.md against the command definitions (buildProgram): a section per command and no other, and
// in each section's table exactly that command's options.
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.ts';
import { docText } from './doc-tables.ts';

/** Per `## \`netproof NAME\`` section, the options its tables list (first cells beginning with `--`). */
function documentedCommands(): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of docText('cli.md').split('\n')) {
    const heading = /^## `netproof (\S+)`/.exec(line);
    if (heading) sections.set(heading[1]!, (current = []));
    else if (line.startsWith('## ')) current = null;
    else if (current !== null) {
      const flag = /^\| `(--[a-z-]+)/.exec(line);
      if (flag) current.push(flag[1]!);
    }
  }
  return sections;
}

describe('docs/cli.md and the commands', () => {
  const program = buildProgram({ out: () => {}, err: () => {} }, () => {});
  const documented = documentedCommands();

  it('has a section for every command and none other', () => {
    expect([...documented.keys()].sort()).toEqual(program.commands.map((c) => c.name()).sort());
  });

  for (const cmd of program.commands) {
    it(`lists exactly the options of ${cmd.name()}`, () => {
      expect([...(documented.get(cmd.name()) ?? [])].sort()).toEqual(cmd.options.map((o) => o.long!).sort());
    });
  }
});
