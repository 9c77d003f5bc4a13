// A rendered host, rebuilt in a userspace Open vSwitch: the artifacts grouped per host, each host's
// bridges and ports created from its `ovs-vsctl-show` and `<bridge>.ofctl-show` (read with the project's
// own parsers, OpenFlow numbers checked by the harness), and its `<bridge>.dump-flows` loaded with
// ovs-ofctl. Shared by the oracle tests that need "the seed as OVS would run it".
// Guarantees: every step throws with the tool's message on failure (no partially wired host goes
// unnoticed); nothing here starts or stops a daemon except `startRenderedHost`, whose instance the
// caller stops.
import { parseOfctlShow, parseOvsVsctlShow } from '../../src/parse/index.ts';
import type { Artifact } from '../../src/render/artifacts.ts';
import type { OvsPort } from '../../src/ir/openflow.ts';
import type { Warning } from '../../src/ir/origin.ts';
import { startOvs, type OvsInstance, type OvsPortSpec } from './ovs-harness.ts';
import { dumpFlowsToAddFlows } from './flow-text.ts';

/** File name (after `<host>/`) → artifact. */
export type HostFiles = ReadonlyMap<string, Artifact>;

/** A bridge as its host's `ovs-vsctl-show` artifact lists it. */
export interface RenderedBridge { readonly name: string; readonly ports: readonly OvsPort[] }

/** host → file name (after `<host>/`) → artifact. */
export function byHost(artifacts: readonly Artifact[]): Map<string, Map<string, Artifact>> {
  const hosts = new Map<string, Map<string, Artifact>>();
  for (const a of artifacts) {
    const slash = a.path.indexOf('/');
    const host = a.path.slice(0, slash);
    const files = hosts.get(host) ?? new Map<string, Artifact>();
    files.set(a.path.slice(slash + 1), a);
    hosts.set(host, files);
  }
  return hosts;
}

/** An `ovs-vsctl show` port as the harness creates it; null for the bridge's own LOCAL port. */
export function portSpec(bridge: string, p: OvsPort, ofport: number | undefined): OvsPortSpec | null {
  if (p.name === bridge) return null;
  const common = { name: p.name, ...(ofport !== undefined ? { ofport } : {}), ...(p.tag !== null ? { tag: p.tag } : {}) };
  switch (p.type) {
    case 'patch':
      if (!p.peer) throw new Error(`${bridge}/${p.name}: patch port without a peer`);
      return { ...common, kind: 'patch', peer: p.peer };
    case 'internal':
      return { ...common, kind: 'internal' };
    case 'system':
      return { ...common, kind: 'system' };
    case 'vxlan':
    case 'gre':
    case 'geneve':
      if (!p.remoteIp) throw new Error(`${bridge}/${p.name}: tunnel port without remote_ip`);
      return { ...common, kind: 'tunnel', type: p.type, remoteIp: p.remoteIp, ...(p.localIp ? { localIp: p.localIp } : {}),
        options: { in_key: 'flow', out_key: 'flow', df_default: 'true' } };
    default: {
      const never: never = p.type;
      throw new Error(`unknown port type ${String(never)}`);
    }
  }
}

/** The host's `ovs-vsctl-show` artifact, parsed; null when the host has none. */
export function parseHostBridges(files: HostFiles): { bridges: RenderedBridge[]; warnings: readonly Warning[] } | null {
  const show = files.get('ovs-vsctl-show');
  if (!show) return null;
  const parsed = parseOvsVsctlShow(show.text, show.path);
  return { bridges: [...parsed.value.bridges], warnings: parsed.warnings };
}

/** name → OpenFlow port number from `<bridge>.ofctl-show`; empty when the artifact is missing. */
export function renderedOfports(files: HostFiles, bridge: string): Readonly<Record<string, number>> {
  const art = files.get(`${bridge}.ofctl-show`);
  return art ? parseOfctlShow(art.text, art.path).value : {};
}

/**
 * Creates the host's bridges and ports in `ovs` (OpenFlow numbers as rendered, checked by addPorts) and
 * switches tunnel output to kernel-style `set(tunnel(…))` so traces name the VNI and remote.
 */
export async function wireHost(ovs: OvsInstance, bridges: readonly RenderedBridge[], files: HostFiles): Promise<void> {
  await ovs.addBridges(bridges.map((b) => b.name));
  for (const b of bridges) {
    const ofports = renderedOfports(files, b.name);
    const specs = b.ports.map((p) => portSpec(b.name, p, ofports[p.name])).filter((s): s is OvsPortSpec => s !== null);
    await ovs.addPorts(b.name, specs);
  }
  // One dummy datapath serves every bridge of the instance: the feature is set once.
  const first = bridges[0];
  if (first) await ovs.setDpFeature(first.name, 'tnl_push_pop', 'false');
}

/** The host's flow files: bridge name and the add-flows lines of `<bridge>.dump-flows`. */
export function hostFlowFiles(files: HostFiles): { bridge: string; file: string; lines: string[] }[] {
  return [...files.keys()]
    .filter((f) => f.endsWith('.dump-flows'))
    .map((file) => ({ bridge: file.slice(0, -'.dump-flows'.length), file, lines: dumpFlowsToAddFlows(files.get(file)?.text ?? '') }));
}

/** Loads every `<bridge>.dump-flows` of the host; throws naming every line the tool refuses. */
export async function loadHostFlows(ovs: OvsInstance, files: HostFiles): Promise<void> {
  for (const { bridge, file, lines } of hostFlowFiles(files)) {
    try {
      await ovs.addFlows(bridge, lines.join('\n'));
    } catch (e) {
      const rejected = await ovs.rejectedFlows(bridge, lines.join('\n'));
      throw new Error(`${file}: ovs-ofctl refused ${rejected.length} line(s): ${JSON.stringify(rejected)}\n${String(e)}`);
    }
  }
}

/** Starts one OVS for the host, wires it and loads its flows; the caller stops it. */
export async function startRenderedHost(host: string, files: HostFiles): Promise<{ ovs: OvsInstance; bridges: RenderedBridge[] }> {
  const parsed = parseHostBridges(files);
  if (!parsed) throw new Error(`${host}: no ovs-vsctl-show artifact`);
  const ovs = await startOvs();
  try {
    await wireHost(ovs, parsed.bridges, files);
    await loadHostFlows(ovs, files);
  } catch (e) {
    await ovs.stop();
    throw e;
  }
  return { ovs, bridges: parsed.bridges };
}
