// Every option of every command, driven with bad values: the command exits 2 before doing any work,
// and its message names the option. The options are read from the command definitions themselves
// (buildProgram), so an option added later is covered as soon as it exists: with an empty value at
// once, and with the plausible wrong value BAD must give it (the test fails until it does).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, Option } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram, requiredOptions } from '../../src/cli/main.ts';
import { runCli } from './run.ts';

const out = mkdtempSync(join(tmpdir(), 'netproof-options-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Values that make a required option right on the seed topology. */
const GOOD: Readonly<Record<string, string>> = { '--from': 'vm1', '--to': 'vm2', '--out': join(out, 'render') };

/** A wrong value a user could plausibly type, per option (whatever command it belongs to). */
const BAD: Readonly<Record<string, string>> = {
  '--from': 'vm9',
  '--to': '10.99.0.0/33',
  '--out': '/proc/netproof-no/such',
  '--proto': 'sctpx',
  '--dport': '70000',
  '--sport': '-1',
  '--icmp-type': '256',
  '--via': 'nonet',
  '--format': 'xml',
  '--expect': 'yes',
  '--timeout-ms': '0',
  '--properties': join(out, 'no-such-properties.yaml'),
  '--max-input-mb': '0',
  '--select': 'no-such-property',
  '--skip': 'nat-egress,no-such-property',
  '--waivers': join(out, 'no-such-waivers.yaml'),
  '--baseline': join(out, 'no-such-baseline.json'),
  '--fail': 'network9',
  '--cut': 'compute1',
  '--master': 'router1=network1',
  '--holder': 'vm3',
  '--failures': 'x',
  '--shard': '5/4',
  '--jobs': 'many',
  '--socket': '/proc/netproof-no/such.sock',
};

const takesValue = (o: Option): boolean => o.required || o.optional;

function baseline(cmd: Command): string[] {
  const args = cmd.registeredArguments.map(() => 'topologies/seed.yaml');
  for (const o of requiredOptions(cmd)) {
    const good = GOOD[o.long!];
    if (good === undefined) throw new Error(`GOOD has no value for the required option ${o.long} of ${cmd.name()}`);
    args.push(o.long!, good);
  }
  return args;
}

const program = buildProgram({ out: () => {}, err: () => {} }, () => {});

describe('every option of every command refuses a bad value, naming the option', () => {
  it('reads the commands from their definitions', () => {
    expect(program.commands.map((c) => c.name())).toEqual(expect.arrayContaining(['render', 'trace', 'query', 'verify']));
  });

  for (const cmd of program.commands) {
    for (const o of cmd.options.filter(takesValue)) {
      const flag = o.long!;
      it(`${cmd.name()} ${flag}`, async () => {
        const bad = BAD[flag];
        expect(bad, `BAD has no wrong value for ${flag} (of ${cmd.name()}): add one`).toBeDefined();
        const args = baseline(cmd).filter((a, i, all) => a !== flag && all[i - 1] !== flag);
        for (const value of ['', bad!]) {
          const r = await runCli(cmd.name(), ...args, flag, value);
          expect(r.code, `${cmd.name()} ${flag} ${JSON.stringify(value)}: ${r.stderr}`).toBe(2);
          expect(r.stdout).toBe('');
          expect(r.stderr, `${cmd.name()} ${flag} ${JSON.stringify(value)}`).toContain(flag);
          expect(r.stderr.trimEnd().split('\n').length, r.stderr).toBe(1);
        }
      });
    }
  }
});
