// Real netfilter for oracle tests: a fresh, uniquely named network namespace per ruleset, into which an
// iptables-save text (and the ipsets it names) is restored with the real tools and read back.
// Guarantees: nothing is done outside the namespaces created here (iptables tables and ipsets are both
// per network namespace on this kernel, so the host's rules and sets are never touched); `delete()` is
// idempotent.
//
// Backend: iptables-nft by default — it is what `iptables` is on Debian 12 and on the distributions
// current Neutron runs on. iptables-legacy also works here (the x_tables modules are present);
// NETPROOF_IPTABLES=legacy selects it. One backend per namespace: mixing them makes each save warn
// about the other's tables.
import { randomBytes } from 'node:crypto';
import { run, runOk, type RunOptions } from './exec.ts';

export type IptablesBackend = 'nft' | 'legacy';

export function defaultIptablesBackend(): IptablesBackend {
  return process.env.NETPROOF_IPTABLES === 'legacy' ? 'legacy' : 'nft';
}

export interface Netns {
  readonly name: string;
  /** `ip netns exec NAME cmd args…`, throwing with stderr unless it exits 0. */
  exec(cmd: string, args: readonly string[], opts?: RunOptions): Promise<string>;
  /** `iptables-<backend>-restore` of the text; throws with the failing line quoted. */
  iptablesRestore(text: string, backend?: IptablesBackend): Promise<void>;
  iptablesSave(backend?: IptablesBackend): Promise<string>;
  /** `ipset restore` of an `ipset save` text. */
  ipsetRestore(text: string): Promise<void>;
  ipsetSave(): Promise<string>;
  delete(): Promise<void>;
}

let counter = 0;

/** Creates `<prefix>-<pid>-<n>-<random>` with its loopback up. */
export async function createNamespace(prefix = 'npnf'): Promise<Netns> {
  const name = `${prefix}-${process.pid}-${counter++}-${randomBytes(3).toString('hex')}`;
  await runOk('ip', ['netns', 'add', name]);
  let deleted = false;
  const exec = (cmd: string, args: readonly string[], opts: RunOptions = {}) => runOk('ip', ['netns', 'exec', name, cmd, ...args], opts);
  const ns: Netns = {
    name,
    exec,
    async iptablesRestore(text, backend = defaultIptablesBackend()) {
      const r = await run('ip', ['netns', 'exec', name, `iptables-${backend}-restore`], { input: text });
      if (r.code !== 0) {
        // legacy: "line N failed"; nft: "Error occurred at line: N" (for errors found at COMMIT, the COMMIT line).
        const lineNo = Number(/line (\d+) failed|at line: (\d+)/.exec(r.stderr)?.slice(1).find(Boolean) ?? NaN);
        const line = Number.isFinite(lineNo) ? text.split('\n')[lineNo - 1] : undefined;
        throw new Error(`iptables-${backend}-restore refused the ruleset: ${r.stderr.trim()}${line !== undefined ? `\n  line ${lineNo}: ${line}` : ''}`);
      }
    },
    iptablesSave: (backend = defaultIptablesBackend()) => exec(`iptables-${backend}-save`, []),
    async ipsetRestore(text) {
      await exec('ipset', ['restore'], { input: text });
    },
    ipsetSave: () => exec('ipset', ['save']),
    async delete() {
      if (deleted) return;
      deleted = true;
      // Deleting the namespace frees its iptables tables, conntrack zones and ipsets with it.
      await runOk('ip', ['netns', 'del', name]);
    },
  };
  try {
    await exec('ip', ['link', 'set', 'lo', 'up']);
  } catch (e) {
    await ns.delete();
    throw e;
  }
  return ns;
}

/** The ipset names an iptables-save text refers to (`-m set --match-set NAME …`), sorted, once each. */
export function referencedIpsets(iptablesSave: string): string[] {
  const names = new Set<string>();
  for (const m of iptablesSave.matchAll(/--match-set\s+(\S+)/g)) if (m[1]) names.add(m[1]);
  return [...names].sort();
}

/** An `ipset save` text creating empty sets of the kind Neutron uses for security-group members (hash:net, IPv4). */
export function emptyNeutronIpsets(names: readonly string[]): string {
  return names.map((n) => `create ${n} hash:net family inet hashsize 1024 maxelem 65536\n`).join('');
}
