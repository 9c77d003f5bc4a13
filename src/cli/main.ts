// The command line (docs/cli.md): argument parsing and dispatch; every subcommand returns its exit
// code. Usage errors exit 2, internal errors 3, and neither ever prints a stack trace.
import { Command, CommanderError, type Option } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { EXIT, processIo, usageError, type Io } from './exit.ts';
import { parseInputLimit, UsageError } from './options.ts';
import { collect } from './scenario-options.ts';
import type { TraceOptions } from './trace-command.ts';
import type { QueryOptions } from './query-command.ts';
import type { VerifyOptions } from './verify-command.ts';
import type { DriftOptions } from './drift-command.ts';
import type { DiffOptions } from './diff-command.ts';
import type { ReportOptions } from './report-command.ts';
import type { ServeOptions } from './serve-command.ts';

// Each command's module is imported when the command runs: `--help` loads no pipeline, and only
// `query` and `verify` load Z3.

/** The option every command that reads input files has (text-file.ts). */
const MAX_INPUT = ['--max-input-mb <n>', 'largest input file read, in MiB (default 16)'] as const;

/**
 * What `verify` checks and under which failures, shared by `report` (verify written as an HTML page);
 * `output` adds the options on how the answer is printed, in their place in `--help`.
 */
function verifyOptions(c: Command, output: (c: Command) => Command): Command {
  c.option('--properties <path>', 'a property file, or a directory of *.yaml (repeatable)', collect)
    .option('--select <ids>', 'check only these properties (built-in ids or property names; comma-separated, repeatable)', collect)
    .option('--skip <ids>', 'leave these properties out (comma-separated, repeatable)', collect)
    .option('--waivers <file>', 'waive named violated or unknown results: [{ property, subject, reason, expires? }]')
    .option('--baseline <file>', 'a saved verify --format json: also list the results whose verdict changed since')
    .option('--only-failures', 'show only violated and unknown results (the summary counts all)');
  return output(c)
    .option('--timeout-ms <n>', "Z3's timeout per check (default 10000)")
    .option('--fail <host>', 'the host is down, with its VMs, DHCP servers and router instances (repeatable)', collect)
    .option('--cut <a,b>', 'the underlay between two hosts is cut (repeatable)', collect)
    .option('--failures <n>', 'also check every combination of up to N more host failures, each as a scenario of its own');
}

/**
 * The commands and their options (exported so tests can drive every option of every command). Each
 * action receives the parsed options and sets the exit code through `setCode`.
 */
export function buildProgram(io: Io, setCode: (c: number) => void): Command {
  const p = new Command('netproof')
    .description('Verify OpenStack Neutron dataplanes: render, trace, query and verify')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      // commander's own usage errors ("error: unknown option '--x'") in netproof's one-line form.
      outputError: (s, write) => write(`netproof: NP601 command-line usage: ${s.replace(/^error: /, '').trimEnd()}\n`),
    })
    .showHelpAfterError(false)
    .version(pkg.version, '-V, --version', 'print the version');

  p.command('render')
    .description('render what the Neutron agents program on every host')
    .argument('<topology>', 'topology file (YAML or JSON)')
    .requiredOption('--out <dir>', 'output directory: DIR/<host>/<artifact>')
    .option(...MAX_INPUT)
    .action(async (file: string, o: { out: string; maxInputMb?: string }) => {
      const limits = parseInputLimit(o.maxInputMb);
      setCode((await import('./render-command.ts')).runRender(io, file, o.out, limits));
    });

  p.command('trace')
    .description('follow one concrete packet hop by hop')
    .argument('<topology>', 'topology file (YAML or JSON), or a cloud directory (docs/cloud-directory.md)')
    .requiredOption('--from <ep>', 'VM, VM:N, IP or NETWORK/IP (an outside IP: a packet from outside)')
    .requiredOption('--to <ep>', 'VM, VM:N, IP or NETWORK/IP')
    .option('--proto <p>', 'tcp | udp | icmp | sctp | dccp | udplite | N (default icmp echo request)')
    .option('--dport <n>', 'destination port (tcp/udp; default 80)')
    .option('--sport <n>', 'source port (tcp/udp; default 40000)')
    .option('--icmp-type <n>', 'ICMP type (default 8, echo request)')
    .option('--via <network>', 'the external network an outside packet arrives through')
    .option('--fail <host>', 'the host is down, with its VMs, DHCP servers and router instances (repeatable)', collect)
    .option('--cut <a,b>', 'the underlay between two hosts is cut (repeatable)', collect)
    .option('--master <router=host>', "that instance of the HA router is its master (repeatable; default: the model's first choice)", collect)
    .option('--holder <vm>', 'VM or VM:N: the port that holds the VIP --to names (default: the first that may)')
    .option('--format <f>', 'text | json | dot | mermaid | html', 'text')
    .option('--no-rules', 'text: omit the rules under each step')
    .option('--expect <disposition>', 'delivered | exited | dropped | loop | no-route | no-arp: exit 1 when the packet ends otherwise')
    .option(...MAX_INPUT)
    .action(async (file: string, o: TraceOptions) => setCode(await (await import('./trace-command.ts')).runTrace(io, file, o)));

  p.command('query')
    .description('is there any packet from EP to EP with these fields? (a proof over all packets)')
    .argument('<topology>', 'topology file (YAML or JSON), or a cloud directory (docs/cloud-directory.md)')
    .requiredOption('--from <ep>', 'VM, VM:N, IP or NETWORK/IP (an outside IP: a packet from outside)')
    .requiredOption('--to <ep>', 'VM, VM:N, IP, NETWORK/IP, a floating IP, a router/DHCP address or a VIP')
    .option('--proto <p>', 'tcp | udp | icmp | sctp | dccp | udplite | any | N (default any)')
    .option('--dport <n>', 'destination port (default any)')
    .option('--sport <n>', 'source port (default any)')
    .option('--icmp-type <n>', 'ICMP type (default any)')
    .option('--via <network>', 'the external network an outside packet arrives through')
    .option('--expect <v>', 'reachable | unreachable: exit 1 when the answer differs')
    .option('--bidirectional', 'also require the reply to come back through the connection state')
    .option('--fail <host>', 'the host is down, with its VMs, DHCP servers and router instances (repeatable)', collect)
    .option('--cut <a,b>', 'the underlay between two hosts is cut (repeatable)', collect)
    .option('--master <router=host>', "that instance of the HA router is its master (repeatable; default: every master VRRP allows)", collect)
    .option('--holder <vm>', 'VM or VM:N: the port that holds the VIP --to names (default: each that may)')
    .option('--format <f>', 'text | json | sarif | html', 'text')
    .option('--timeout-ms <n>', "Z3's timeout per check (default 10000)")
    .option('--no-rules', 'text: omit the rules under each step')
    .option(...MAX_INPUT)
    .action(async (file: string, o: QueryOptions) => setCode(await (await import('./query-command.ts')).runQueryCommand(io, file, o)));

  const verify = p.command('verify')
    .description('prove the built-in invariants and the user properties over all packets')
    .argument('<topology>', 'topology file (YAML or JSON), or a cloud directory (docs/cloud-directory.md)');
  verifyOptions(verify, (c) => c.option('--format <f>', 'text | json | junit | sarif | html', 'text'))
    .option('--no-rules', 'text: omit the rules under each trace step')
    .option('--shard <k/n>', 'check only shard K of N of the results (1 <= K <= N; with --format json), for netproof merge')
    .option('--jobs <n>', 'spread the run over N worker threads, each with its own model and Z3 (auto: one per core; default 1)')
    .option(...MAX_INPUT)
    .action(async (file: string, o: VerifyOptions) => setCode(await (await import('./verify-command.ts')).runVerifyCommand(io, file, o)));

  const report = p.command('report')
    .description("verify, and write the answers as one self-contained HTML page: the picture of the cloud, every result, each violation's path on it")
    .argument('<topology>', 'topology file (YAML or JSON), or a cloud directory (docs/cloud-directory.md)')
    .requiredOption('--out <file>', 'the HTML file to write');
  verifyOptions(report, (c) => c)
    .option(...MAX_INPUT)
    .action(async (file: string, o: ReportOptions) => setCode(await (await import('./report-command.ts')).runReportCommand(io, file, o)));

  p.command('merge')
    .description("join the JSON of every shard of one verify --shard K/N run into the whole run's JSON")
    .argument('<shards...>', 'the shards\' verify --format json outputs, one per shard, in any order')
    .option('--out <file>', 'write the merged JSON to this file instead of stdout')
    .option(...MAX_INPUT)
    .action(async (files: string[], o: { out?: string; maxInputMb?: string }) => setCode((await import('./merge-command.ts')).runMergeCommand(io, files, o)));
  p.command('serve')
    .description('load once, then answer trace/query/verify requests as JSON lines on stdin/stdout or a Unix socket')
    .argument('<topology>', 'topology file (YAML or JSON), or a cloud directory (docs/cloud-directory.md)')
    .option('--socket <path>', 'listen on this Unix socket instead of stdin/stdout (until a shutdown request, SIGINT or SIGTERM)')
    .option('--timeout-ms <n>', "Z3's timeout per check when a request gives none (default 10000)")
    .option(...MAX_INPUT)
    .action(async (file: string, o: ServeOptions) => setCode(await (await import('./serve-command.ts')).runServe(io, file, o)));

  p.command('diff')
    .description('which packets meet another fate after a change: newly delivered, no longer delivered, translated differently')
    .argument('<before>', 'topology file or cloud directory before the change')
    .argument('<after>', 'topology file or cloud directory after the change')
    .option('--from <ep>', 'only these senders: VM, VM:N, an outside IP, or a set as query takes it (project:NAME, network:NAME, CIDR, external[:NETWORK]); default every sender both sides have')
    .option('--to <ep>', 'only packets sent to this endpoint or set (its addresses on either side)')
    .option('--proto <p>', 'tcp | udp | icmp | sctp | dccp | udplite | any | N (default any)')
    .option('--dport <n>', 'destination port (default any)')
    .option('--sport <n>', 'source port (default any)')
    .option('--icmp-type <n>', 'ICMP type (default any)')
    .option('--via <network>', 'the external network an outside packet arrives through')
    .option('--expect-no-change', 'exit 1 when any packet meets another fate')
    .option('--format <f>', 'text | json', 'text')
    .option('--timeout-ms <n>', "Z3's timeout per check (default 10000)")
    .option('--no-rules', 'text: omit the rules under each trace step')
    .option(...MAX_INPUT)
    .action(async (before: string, after: string, o: DiffOptions) => setCode(await (await import('./diff-command.ts')).runDiffCommand(io, before, after, o)));

  p.command('example')
    .description('print a commented starter topology (every built-in invariant holds on it)')
    .action(async () => setCode((await import('./example-command.ts')).runExample((t) => io.out(t))));

  p.command('drift')
    .description("compare what Neutron's agents should have programmed for the API's intent with what the captured nodes run")
    .argument('<cloud>', 'cloud directory (api/ and hosts/, docs/cloud-directory.md)')
    .option('--format <f>', 'text | json', 'text')
    .option('--timeout-ms <n>', "Z3's timeout per check (default 10000)")
    .option('--no-rules', 'text: omit the rules under each trace step')
    .option(...MAX_INPUT)
    .action(async (dir: string, o: DriftOptions) => setCode(await (await import('./drift-command.ts')).runDriftCommand(io, dir, o)));

  p.command('import')
    .description('write a cloud directory\'s Neutron API view as a topology file (DESIGN §2)')
    .argument('<cloud>', 'cloud directory (api/ and hosts/, docs/cloud-directory.md)')
    .requiredOption('--out <file>', 'the topology file to write')
    .option(...MAX_INPUT)
    .action(async (dir: string, o: { out: string; maxInputMb?: string }) => {
      const limits = parseInputLimit(o.maxInputMb);
      setCode((await import('./import-command.ts')).runImport(io, dir, o.out, limits));
    });

  p.command('collect-script')
    .description("print the POSIX sh script that captures a node's dataplane into CLOUD/hosts/<host>/ (docs/cloud-directory.md)")
    .action(async () => setCode((await import('./collect-command.ts')).runCollectScript(io)));

  p.command('collect-api-script')
    .description('print the POSIX sh script that saves the Neutron API view into CLOUD/api/ with your openstack credentials')
    .action(async () => setCode((await import('./collect-command.ts')).runCollectApiScript(io)));
  for (const c of p.commands) argumentsFirst(c);
  return p;
}

/** Each command's required options (those its definition makes required), in their order. */
const REQUIRED = new WeakMap<Command, readonly Option[]>();

/** The options `command` requires, in the order they are checked (after its arguments). */
export function requiredOptions(command: Command): readonly Option[] {
  return REQUIRED.get(command) ?? [];
}

/**
 * commander checks required options before arguments, so `netproof trace` alone would ask for --from
 * first; a user gives the topology first. The required options are checked instead once the arguments
 * are (and unknown options, so a mistyped --from is named as such), in a hook that runs just before the action.
 */
function argumentsFirst(command: Command): void {
  const required = command.options.filter((o) => o.mandatory);
  if (required.length === 0) return;
  for (const o of required) o.makeOptionMandatory(false);
  REQUIRED.set(command, required);
  command.hook('preAction', () => {
    const missing = required.find((o) => command.getOptionValue(o.attributeName()) === undefined);
    if (missing) command.error(`error: required option '${missing.flags}' not specified`, { code: 'commander.missingMandatoryOptionValue' });
  });
}

/** `usage: netproof trace <topology> --from <ep> --to <ep> [options]`: what the command needs, in the order checked. */
export function usageLine(command: Command): string {
  const args = command.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}${a.variadic ? '...' : ''}]`));
  return ['usage: netproof', command.name(), ...args, ...requiredOptions(command).map((o) => o.flags), '[options]'].join(' ');
}

/** commander's errors that mean "give more": answered with the command's usage line. */
const MISSING = new Set(['commander.missingArgument', 'commander.missingMandatoryOptionValue']);

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  let program: Command | undefined;
  try {
    program = buildProgram(io, (c) => (code = c));
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      const command = program?.commands.find((c) => c.name() === argv[0]);
      if (command && MISSING.has(e.code)) io.err(`${usageLine(command)}\n(netproof ${command.name()} --help lists every option)`);
      return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (e instanceof UsageError) return usageError(io, e.message);
    io.err(`netproof: internal error: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.unknown;
  }
}
