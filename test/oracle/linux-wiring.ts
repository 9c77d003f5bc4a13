// Building blocks for real Linux dataplanes in test namespaces, as `ip`/`bridge` batch lines so a
// whole host is wired with a handful of processes: veth pairs with one end in each of two namespaces
// (created inside them, so the root namespace never sees the names and concurrent runs cannot
// collide), Linux bridges with learning off and a static MAC table, sysctls. Every batch throws with
// the tool's message (and the failing line) on failure.
import { runOk } from './exec.ts';
import type { Netns } from './netfilter-harness.ts';

/** Runs `ip -n NS -batch -` over the lines (one `ip` command each, without the leading `ip`). */
export async function ipBatch(ns: Netns, lines: readonly string[]): Promise<void> {
  if (lines.length > 0) await runOk('ip', ['-n', ns.name, '-batch', '-'], { input: `${lines.join('\n')}\n` });
}

/** Runs `bridge -n NS -batch -` over the lines. */
export async function bridgeBatch(ns: Netns, lines: readonly string[]): Promise<void> {
  if (lines.length > 0) await runOk('bridge', ['-n', ns.name, '-batch', '-'], { input: `${lines.join('\n')}\n` });
}

/** The `ip` lines (run in `nsA`) creating a veth pair `a`/`b` with `b` moved to `nsB`, `a` up; bring `b` up in nsB. */
export function vethLines(a: string, nsB: Netns, b: string, macs: { a?: string; b?: string } = {}): string[] {
  return [
    `link add ${a}${macs.a ? ` address ${macs.a}` : ''} type veth peer name ${b}${macs.b ? ` address ${macs.b}` : ''} netns ${nsB.name}`,
    `link set ${a} up`,
  ];
}

/** The `ip` lines of a Linux bridge (STP off, as Neutron's qbr) with these ports, learning off on each, up. */
export function bridgeLines(name: string, ports: readonly string[]): string[] {
  return [
    `link add ${name} type bridge stp_state 0 forward_delay 0`,
    ...ports.flatMap((p) => [`link set ${p} master ${name}`, `link set dev ${p} type bridge_slave learning off`]),
    `link set ${name} up`,
  ];
}

/** The `bridge` line of a static MAC table entry of a bridge port (what the running bridge would have learned). */
export const staticFdbLine = (port: string, mac: string) => `fdb replace ${mac} dev ${port} master static`;

/** `sysctl -w` of every `key=value` inside the namespace, in one process. */
export async function sysctls(ns: Netns, settings: readonly string[]): Promise<void> {
  if (settings.length > 0) await ns.exec('sysctl', ['-q', '-w', ...settings]);
}

/** No IPv6 chatter (router solicitations, MLD reports) on the namespace's interfaces. */
export const quietIpv6 = (ns: Netns) => sysctls(ns, ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
