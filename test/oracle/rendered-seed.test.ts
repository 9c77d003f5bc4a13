// What netproof renders for topologies/seed.yaml, held against the real tools: per host, one userspace
// OVS is wired from the host's `ovs-vsctl-show` and `<bridge>.ofctl-show` (read with the project's own
// parsers), every `<bridge>.dump-flows` line must be accepted by ovs-ofctl add-flows and become exactly
// one flow, and every iptables-save artifact (the host's root namespace and each qrouter-) must be
// accepted by iptables-restore in a fresh namespace (with the host's ipset-save) and read back the same
// modulo the normalisation documented in iptables-normalise.ts. A trace on the network node then checks
// that the rendered br-tun really floods a tenant network's broadcast to every compute node with its VNI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { describeOracle } from './prereq.ts';
import { repoRoot } from '../fixtures/samples.ts';
import { startOvs, type OvsInstance } from './ovs-harness.ts';
import { byHost, hostFlowFiles, parseHostBridges, renderedOfports, wireHost } from './rendered-host.ts';
import { createNamespace, type IptablesBackend } from './netfilter-harness.ts';
import { diffRulesets, normaliseIptablesSave } from './iptables-normalise.ts';
import { loadTopologyFile } from '../../src/topology/index.ts';
import { renderOvsArtifacts } from '../../src/render/ovs/index.ts';
import { renderLinuxArtifacts } from '../../src/render/linux/index.ts';
import { formatInputError } from '../../src/errors.ts';
import type { Artifact } from '../../src/render/artifacts.ts';
import type { Topology } from '../../src/topology/model.ts';

const SEED = join(repoRoot, 'topologies', 'seed.yaml');

function loadSeed(): { topo: Topology; hosts: Map<string, Map<string, Artifact>> } {
  const r = loadTopologyFile(SEED);
  if (!r.ok) throw new Error(`seed.yaml does not load:\n${r.errors.map(formatInputError).join('\n')}`);
  return { topo: r.value, hosts: byHost([...renderOvsArtifacts(r.value), ...renderLinuxArtifacts(r.value)]) };
}

describeOracle('oracle: the rendered seed topology in real OVS and netfilter', ['ovs', 'iptables', 'ipset', 'ip'], () => {
  // Rendering happens while the tests are collected: a renderer that throws fails this file loudly.
  const { topo, hosts } = loadSeed();

  it('renders OVS and iptables artifacts for every host of the seed', () => {
    expect([...hosts.keys()].sort()).toEqual(topo.hosts.map((h) => h.name).sort());
    for (const [host, files] of hosts) {
      expect(files.has('ovs-vsctl-show'), `${host}/ovs-vsctl-show`).toBe(true);
      expect([...files.keys()].some((f) => f.endsWith('.dump-flows')), `${host} has flows`).toBe(true);
    }
    expect([...hosts.values()].flatMap((f) => [...f.keys()]).filter((f) => /^qrouter-.*\.iptables-save$/.test(f))).toHaveLength(1);
  });

  for (const [host, files] of hosts) {
    describe(`host ${host}: Open vSwitch`, () => {
      let ovs: OvsInstance;
      const parsed = parseHostBridges(files);

      beforeAll(async () => {
        if (!parsed) return;
        ovs = await startOvs();
        await wireHost(ovs, parsed.bridges, files);
      });
      afterAll(async () => {
        await ovs?.stop();
      });

      it('has an ovs-vsctl-show the project parser reads without warnings, and an ofctl-show for every bridge', () => {
        expect(parsed).not.toBeNull();
        expect(parsed?.warnings).toEqual([]);
        for (const b of parsed?.bridges ?? []) expect(files.has(`${b.name}.ofctl-show`), `${host}/${b.name}.ofctl-show`).toBe(true);
      });

      it('numbers every port in the real switch as its ofctl-show artifact says', async () => {
        for (const b of parsed?.bridges ?? []) {
          if (!files.has(`${b.name}.ofctl-show`)) continue;
          const want = Object.entries(renderedOfports(files, b.name)).filter(([name]) => name !== b.name);
          const got = await ovs.ofports(b.name);
          expect(Object.fromEntries(want)).toEqual(Object.fromEntries([...got].filter(([name]) => name !== b.name)));
        }
      });

      for (const { bridge, file: f, lines } of hostFlowFiles(files)) {
        it(`ovs-ofctl add-flows accepts every line of ${f}, each becoming one flow`, async () => {
          expect(lines.length).toBeGreaterThan(0);
          try {
            await ovs.addFlows(bridge, lines.join('\n'));
          } catch (e) {
            // Name every refused line, not only the first the tool stopped at.
            const rejected = await ovs.rejectedFlows(bridge, lines.join('\n'));
            expect(rejected, String(e)).toEqual([]);
            throw e;
          }
          // Two lines with the same table, priority and match would silently collapse into one flow.
          expect(await ovs.dumpFlows(bridge)).toHaveLength(lines.length);
        });
      }

      if (topo.hosts.find((h) => h.name === host)?.network === true) {
        it('floods a tenant broadcast from br-int to every compute node over VXLAN with the network\'s VNI', async () => {
          const net1 = topo.networks.find((n) => n.name === 'net1');
          expect(net1?.segmentationId).toBe(101);
          // The local VLAN of net1 on this host is what br-tun table 4 maps VNI 101 (0x65) to.
          const table4 = (await ovs.dumpFlows('br-tun')).find((l) => /table=4,.*tun_id=0x65\b/.test(l));
          const lvid = Number(/mod_vlan_vid:(\d+)/.exec(table4 ?? '')?.[1]);
          expect(Number.isInteger(lvid), `br-tun table 4 maps VNI 0x65: ${table4}`).toBe(true);
          const t = await ovs.trace('br-tun', `in_port=patch-int,dl_vlan=${lvid},dl_src=fa:16:3e:00:00:99,dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_op=1`);
          const computeIps = topo.hosts.filter((h) => h.compute).map((h) => h.tunnelIp).sort();
          expect(t.outputs.map((o) => o.tunnel?.dst).sort()).toEqual(computeIps);
          expect(t.outputs.every((o) => o.tunnel?.tun_id === '0x65' && o.vlan === null)).toBe(true);
          expect((await ovs.outputPorts(t)).every((n) => n.startsWith('vxlan-'))).toBe(true);
        });
      }
    });

    const iptablesFiles = [...files.keys()].filter((f) => f === 'iptables-save' || /^qrouter-.*\.iptables-save$/.test(f));
    if (iptablesFiles.length === 0) continue;
    describe(`host ${host}: netfilter`, () => {
      for (const f of iptablesFiles) {
        for (const backend of ['nft', 'legacy'] as const satisfies readonly IptablesBackend[]) {
          it(`iptables-${backend}-restore accepts ${f} and reads the same rules back`, async () => {
            const text = files.get(f)?.text ?? '';
            const ns = await createNamespace('npseed');
            try {
              const ipsets = files.get('ipset-save')?.text;
              if (ipsets) await ns.ipsetRestore(ipsets);
              await ns.iptablesRestore(text, backend);
              const saved = await ns.iptablesSave(backend);
              expect(diffRulesets(normaliseIptablesSave(text), normaliseIptablesSave(saved))).toEqual([]);
            } finally {
              await ns.delete();
            }
          });
        }
      }
    });
  }
});
