// No false alarm from fip-ingress's port-forwarding check on generated topologies: random valid topologies
// from the generator (netproof/testing), each floating IP turned into a port-forwarded one — unbound from
// its port, forwarding tcp EXT → 22 and udp EXT → 53 of that port, and a tcp range of four ports to 80:83 of
// it port for port (Zed+) — must load, render and assemble, and each
// forwarded floating IP's fip-ingress must answer as the same floating IP bound to that port does in the
// drawn topology: violated only where that one is (the generator draws extra routes that send a subnet to a
// VM, which both see as delivery elsewhere; generated routers the hairpin rule misses), holding wherever that
// one holds. Before Zed the format refuses
// ranges (NP507; before Rocky forwardings, NP506): such a draw is moved to 2024.1, and compared with its floating IPs in 2024.1 too.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { arbitraryTopology, modelOf } from '../../src/testing/index.ts';
import { topologyYaml } from '../../src/testing/yaml.ts';
import type { TopologyFile } from '../../src/topology/schema.ts';
import { releaseOrdinal } from '../../src/topology/release.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { fipIngress } from '../../src/questions/properties/fip-ingress.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';

afterAll(async () => { await shutdownZ3(); });

const SEED = 20261208;
const DRAWN = 150;

/** The file in 2024.1 when its release is older than Zed (port ranges need Zed). */
function atLeastZed(file: TopologyFile): TopologyFile {
  const release = file.defaults?.release;
  const old = release !== undefined && (releaseOrdinal(release) ?? 0) < (releaseOrdinal('zed') ?? 0);
  return old ? { ...file, defaults: { ...file.defaults, release: '2024.1' } } : file;
}

/** The file with each floating IP made a port-forwarded one to its port (TCP, UDP, and a TCP range). */
function forwarded(file: TopologyFile): TopologyFile {
  const fips = file.floating_ips ?? [];
  const { floating_ips: _, ...rest } = file;
  return {
    ...rest,
    port_forwardings: fips.flatMap((f, i) => [
      { floating_ip: f.ip, protocol: 'tcp' as const, external_port: 2200 + i, vm: f.vm, ...(f.port !== undefined ? { port: f.port } : {}), internal_port: 22 },
      { floating_ip: f.ip, protocol: 'udp' as const, external_port: 5300 + i, vm: f.vm, ...(f.port !== undefined ? { port: f.port } : {}), internal_port: 53 },
      { floating_ip: f.ip, protocol: 'tcp' as const, external_port_range: `${8000 + 10 * i}:${8003 + 10 * i}`, vm: f.vm, ...(f.port !== undefined ? { port: f.port } : {}), internal_port_range: '80:83' },
    ]),
  };
}

describe('fip-ingress on generated topologies with port forwardings', () => {
  it(`${DRAWN} drawn topologies: each forwarded floating IP answers as the floating IP bound to its port`, async () => {
    const draws = fc.sample(arbitraryTopology({ maxHosts: 3, maxVms: 4, minRouters: 1, minExternals: 1, minFloatingIps: 1 }), { numRuns: DRAWN, seed: SEED });
    const pairs: Record<string, number> = {};
    const differ: string[] = [];
    let subjects = 0;
    const verdictsOf = async (file: TopologyFile, name: string) => {
      const m = modelOf(topologyYaml(file), name);
      const rs = await fipIngress.check({ topology: m.topology, dataplane: m.dataplane, evaluator: createEvaluator(m.dataplane), timeoutMs: 20_000 });
      return new Map(rs.map((r) => [r.subject, r]));
    };
    for (const [i, g] of draws.entries()) {
      const bound = atLeastZed(g.file);
      if ((bound.floating_ips ?? []).length === 0) continue;
      const before = await verdictsOf(bound, `generated-${i}.yaml`);
      const after = await verdictsOf(forwarded(bound), `generated-${i}-forwarded.yaml`);
      for (const [subject, r] of after) {
        const was = before.get(subject)!.verdict;
        subjects++;
        const pair = `${was}→${r.verdict}`;
        pairs[pair] = (pairs[pair] ?? 0) + 1;
        if (was === 'violated' && r.verdict === 'holds') differ.push(`generated-${i} ${subject}: bound violated (${before.get(subject)!.message}), forwarded holds`);
        if ((r.verdict === 'violated' && was !== 'violated') || (was === 'holds' && r.verdict !== 'holds')) differ.push(`generated-${i} ${subject}: bound ${was}, forwarded ${r.verdict}: ${r.message}`);
      }
    }
    console.info(`floating IPs over ${DRAWN} draws (seed ${SEED}): ${subjects}; bound→forwarded verdicts ${JSON.stringify(pairs)}`);
    expect(differ.slice(0, 3)).toEqual([]);
    expect(subjects).toBeGreaterThanOrEqual(20);
    expect(pairs['holds→holds'] ?? 0).toBeGreaterThanOrEqual(subjects * 0.7);
  }, 600_000);
});
