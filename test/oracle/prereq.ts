// The one gate for suites that need something outside Node: root, real Open vSwitch, netfilter, ipset,
// keepalived, a headless Chromium. Every such suite is declared with `describeOracle(title, tools, body)`.
//
// - Everything there: the suite runs.
// - Something missing, on a developer's machine: the suite is skipped, and one line on stderr says which
//   suite and what it needs (`npm test` stays green on a machine with nothing but Node).
// - Something missing with NETPROOF_REQUIRE_ORACLE=1 (set by .ci/run): the suite fails with that line, so
//   CI can never skip silently.
// - NETPROOF_SKIP_ORACLE=1 skips these suites even when the tools are there (unless they are required).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

export type OracleTool = 'ovs' | 'iptables' | 'ipset' | 'ip' | 'keepalived' | 'chromium' | 'dash' | 'curl' | 'python3';

interface ToolNeeds {
  /** Executables needed; an inner list is alternatives, any one of which will do. */
  readonly binaries: readonly (string | readonly string[])[];
  /** The Debian package that provides them (what the message tells a person to install). */
  readonly debianPackage: string;
  /** Whether using them needs root (network namespaces, netfilter, daemons in namespaces). */
  readonly root: boolean;
}

const TOOLS: Readonly<Record<OracleTool, ToolNeeds>> = {
  ovs: { binaries: ['ovsdb-tool', 'ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl', 'ovs-ofctl', 'ovs-appctl'], debianPackage: 'openvswitch-switch', root: true },
  iptables: { binaries: ['iptables-nft-restore', 'iptables-nft-save', 'iptables-legacy-restore', 'iptables-legacy-save'], debianPackage: 'iptables', root: true },
  ipset: { binaries: ['ipset'], debianPackage: 'ipset', root: true },
  ip: { binaries: ['ip', 'bridge'], debianPackage: 'iproute2', root: true },
  keepalived: { binaries: ['keepalived'], debianPackage: 'keepalived', root: true },
  chromium: { binaries: [['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']], debianPackage: 'chromium', root: false },
  dash: { binaries: ['dash'], debianPackage: 'dash', root: false },
  curl: { binaries: ['curl'], debianPackage: 'curl', root: false },
  // Raw frames in and out of real interfaces (test/oracle/packet-io.py).
  python3: { binaries: ['python3'], debianPackage: 'python3', root: false },
};

/** Where a root shell finds them even when PATH is a user's. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin'];

export const REQUIRE_ENV = 'NETPROOF_REQUIRE_ORACLE';
export const SKIP_ENV = 'NETPROOF_SKIP_ORACLE';

/** The search path: PATH, then the system directories (unless NETPROOF_ORACLE_PATH_ONLY=1, for testing a bare machine). */
function searchDirs(): string[] {
  const path = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return process.env.NETPROOF_ORACLE_PATH_ONLY === '1' ? path : [...path, ...EXTRA_DIRS];
}

export function findExecutable(name: string): string | null {
  for (const d of searchDirs()) {
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

/** What is missing for `tools`, in words (`root`, `ovs-vswitchd, ovs-vsctl (Debian package openvswitch-switch)`); empty when nothing is. */
export function missingPrerequisites(tools: readonly OracleTool[], isRoot = process.getuid?.() === 0): string[] {
  const reasons: string[] = [];
  if (!isRoot && tools.some((t) => TOOLS[t].root)) reasons.push('root');
  for (const t of tools) {
    const missing = TOOLS[t].binaries
      .filter((b) => (typeof b === 'string' ? [b] : b).every((alt) => findExecutable(alt) === null))
      .map((b) => (typeof b === 'string' ? b : b.join(' or ')));
    if (missing.length > 0) reasons.push(`${missing.join(', ')} (Debian package ${TOOLS[t].debianPackage})`);
  }
  return reasons;
}

export type GateDecision = { readonly kind: 'run' } | { readonly kind: 'skip' | 'fail'; readonly line: string };

/** What to do with a suite needing `tools`, given what is missing and the environment. */
export function gateDecision(title: string, tools: readonly OracleTool[], missing: readonly string[], env: NodeJS.ProcessEnv = process.env): GateDecision {
  const required = env[REQUIRE_ENV] === '1';
  if (missing.length > 0) {
    const line = `"${title}" needs ${missing.join('; ')}`;
    if (required) {
      const packages = [...new Set(tools.map((t) => TOOLS[t].debianPackage))].join(' ');
      return { kind: 'fail', line: `${line} — ${REQUIRE_ENV}=1 makes that a failure (install as root: apt-get install -y ${packages})` };
    }
    return { kind: 'skip', line: `skipped: ${line}` };
  }
  if (env[SKIP_ENV] === '1') {
    if (required) return { kind: 'fail', line: `"${title}": ${SKIP_ENV}=1 and ${REQUIRE_ENV}=1 contradict each other` };
    return { kind: 'skip', line: `skipped: "${title}" (${SKIP_ENV}=1)` };
  }
  return { kind: 'run' };
}

/**
 * `describe` for a suite that needs `tools`: runs `body` when they are there; otherwise skips with one
 * line on stderr saying what it needs, or (NETPROOF_REQUIRE_ORACLE=1) registers one failing test saying so.
 */
export function describeOracle(title: string, tools: readonly OracleTool[], body: () => void): void {
  const decision = gateDecision(title, tools, missingPrerequisites(tools));
  switch (decision.kind) {
    case 'run':
      describe(title, body);
      return;
    case 'skip':
      process.stderr.write(`${decision.line}\n`);
      describe.skip(`${title} [${decision.line}]`, body);
      return;
    case 'fail':
      describe(title, () => {
        it('has its prerequisites', () => {
          throw new Error(decision.line);
        });
      });
      return;
  }
}
