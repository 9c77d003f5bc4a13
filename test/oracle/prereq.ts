// Gate for the real-dataplane oracle suites. They need root, Open vSwitch, iptables and ipset; CI
// installs them (.ci/run), so a missing one is a FAILURE with a message saying what is missing — unless
// NETPROOF_SKIP_ORACLE=1, which skips the suite with the reason in its name (for developers without root).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

export type OracleTool = 'ovs' | 'iptables' | 'ipset' | 'ip';

/** The executables each tool needs. */
const BINARIES: Readonly<Record<OracleTool, readonly string[]>> = {
  ovs: ['ovsdb-tool', 'ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl', 'ovs-ofctl', 'ovs-appctl'],
  iptables: ['iptables-nft-restore', 'iptables-nft-save', 'iptables-legacy-restore', 'iptables-legacy-save'],
  ipset: ['ipset'],
  ip: ['ip'],
};

/** Debian packages that provide them (what the failure message tells a person to install). */
const PACKAGES: Readonly<Record<OracleTool, string>> = {
  ovs: 'openvswitch-switch',
  iptables: 'iptables',
  ipset: 'ipset',
  ip: 'iproute2',
};

/** Where a root shell finds them even when PATH is a user's. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'];

export function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/** Human-readable reasons the oracles cannot run here; empty when they can. */
export function missingPrerequisites(tools: readonly OracleTool[]): string[] {
  const reasons: string[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) reasons.push('not running as root (namespaces, netfilter and OVS need it)');
  for (const t of tools) {
    const missing = BINARIES[t].filter((b) => findExecutable(b) === null);
    if (missing.length > 0) reasons.push(`missing ${missing.join(', ')} (Debian package ${PACKAGES[t]})`);
  }
  return reasons;
}

export const SKIP_ENV = 'NETPROOF_SKIP_ORACLE';

/**
 * `describe` for an oracle suite: runs `body` when the prerequisites are there; otherwise registers one
 * failing test that names what is missing (so CI cannot go green without the oracles), or with
 * NETPROOF_SKIP_ORACLE=1 a skipped suite whose title gives the reason.
 */
export function describeOracle(title: string, tools: readonly OracleTool[], body: () => void): void {
  if (process.env[SKIP_ENV] === '1') {
    console.warn(`skipping "${title}": ${SKIP_ENV}=1 (real-dataplane oracle not run)`);
    describe.skip(`${title} [skipped: ${SKIP_ENV}=1]`, body);
    return;
  }
  const reasons = missingPrerequisites(tools);
  if (reasons.length > 0) {
    describe(title, () => {
      it('has the oracle prerequisites', () => {
        throw new Error(
          `real-dataplane oracle cannot run: ${reasons.join('; ')}. ` +
            `Install them (as root: apt-get install -y ${[...new Set(tools.map((t) => PACKAGES[t]))].join(' ')}) ` +
            `or set ${SKIP_ENV}=1 to skip these suites.`,
        );
      });
    });
    return;
  }
  describe(title, body);
}
