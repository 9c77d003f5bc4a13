// `ovs-ofctl dump-flows --no-stats --names <bridge>` text (OVS 2.8+ layout: no header line, one
// flow per line starting with a space, ports by quoted name) and its provenance, keyed by line.
import type { Artifact, Provenance } from '../artifacts.ts';
import { artifactPath } from '../artifacts.ts';
import type { BridgeFlows } from './flows.ts';
import { flowLine } from './instantiate.ts';

export function dumpFlowsArtifact(host: string, bridge: string, bf: BridgeFlows): Artifact {
  const provenance = new Map<number, Provenance>();
  const lines = bf.flows.map((f, i) => {
    provenance.set(i + 1, f.provenance);
    return flowLine(bf.cookie, f);
  });
  return { path: artifactPath.dumpFlows(host, bridge), text: lines.map((l) => `${l}\n`).join(''), provenance };
}
