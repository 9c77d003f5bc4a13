// The br-tun ARP responder (arp_responder = True with l2population; rules/ovs-agent/br-tun.ts, table 21):
// Open vSwitch turns a VM's ARP request into the reply with `load`/`move` actions and sends it back
// where it came from. Both engines model those writes (src/semantics/header-write.ts) and count such a
// reply as the request's answer (src/semantics/arp-answer.ts), so a deployment with the responder gets
// the same answers as one without, instead of `unknown` everywhere an ARP request crosses br-tun.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelFromTopology, type Model } from '../../src/pipeline.ts';
import { loadTopologyText } from '../../src/topology/index.ts';
import { createEvaluator } from '../../src/evaluate/index.ts';
import { parseAction } from '../../src/parse/ofctl-actions.ts';
import { getZ3, shutdownZ3 } from '../../src/smt/index.ts';
import { SymWalker } from '../../src/smt/walk.ts';
import { ipToNum, macToNum, numToMac } from '../../src/smt/headers.ts';
import { ownersIn } from '../../src/smt/owners.ts';
import { ETH_TYPE } from '../../src/ir/packet.ts';
import { runCli } from '../cli/run.ts';
import { repoRoot } from '../fixtures/samples.ts';
import { cloud, flow, ipv4, VM1 } from '../smt/build.ts';

afterAll(async () => { await shutdownZ3(); });

const SEED_TEXT = readFileSync(join(repoRoot, 'topologies', 'seed.yaml'), 'utf8');
/** The seed with the ARP responder on (it needs l2_population, which the seed has). */
const RESPONDER_TEXT = SEED_TEXT.replace(/^ {2}l2_population: true$/m, '  l2_population: true\n  arp_responder: true');

function model(text: string, name: string): Model {
  const t = loadTopologyText(text, name);
  if (!t.ok) throw new Error(`${name} does not load`);
  return modelFromTopology(t.value);
}

const RESPONDER_FLOW = 'load:0x2->NXM_OF_ARP_OP[],move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],load:0xfa163e58fb55->NXM_NX_ARP_SHA[],load:0xc0a80101->NXM_OF_ARP_SPA[],move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],mod_dl_src:fa:16:3e:58:fb:55,IN_PORT';

describe('the responder\'s actions are read', () => {
  it('as ovs-ofctl writes them (OpenFlow 1.0 load/move) and as OpenFlow 1.3 dumps show them (set_field)', () => {
    const of10 = RESPONDER_FLOW.split(',').map(parseAction);
    expect(of10.filter((a) => a.kind === 'unsupported')).toEqual([]);
    expect(of10).toEqual([
      { kind: 'set_arp_op', value: 2 },
      { kind: 'move', from: 'arp_sha', to: 'arp_tha' },
      { kind: 'move', from: 'arp_spa', to: 'arp_tpa' },
      { kind: 'set_arp_ha', field: 'arp_sha', mac: 'fa:16:3e:58:fb:55' },
      { kind: 'set_arp_pa', field: 'arp_spa', ip: '192.168.1.1' },
      { kind: 'move', from: 'eth_src', to: 'eth_dst' },
      { kind: 'mod_dl_src', mac: 'fa:16:3e:58:fb:55' },
      { kind: 'in_port' },
    ]);
    const of13 = ['set_field:2->arp_op', 'move:OXM_OF_ARP_SHA[]->OXM_OF_ARP_THA[]', 'set_field:fa:16:3e:58:fb:55->arp_sha', 'set_field:192.168.1.1->arp_spa', 'set_field:fa:16:3e:58:fb:55->eth_src'].map(parseAction);
    expect(of13).toEqual([
      { kind: 'set_arp_op', value: 2 },
      { kind: 'move', from: 'arp_sha', to: 'arp_tha' },
      { kind: 'set_arp_ha', field: 'arp_sha', mac: 'fa:16:3e:58:fb:55' },
      { kind: 'set_arp_pa', field: 'arp_spa', ip: '192.168.1.1' },
      { kind: 'mod_dl_src', mac: 'fa:16:3e:58:fb:55' },
    ]);
  });

  it('refuses what it cannot mean: part of a field, a move between widths, an opcode wider than netproof keeps', () => {
    for (const text of ['move:NXM_OF_ARP_SPA[0..15]->NXM_OF_ARP_TPA[0..15]', 'move:NXM_OF_ETH_SRC[]->NXM_OF_ARP_SPA[]', 'load:0x100->NXM_OF_ARP_OP[]', 'move:NXM_OF_IP_SRC[]->NXM_OF_IP_DST[]'])
      expect(parseAction(text).kind, text).toBe('unsupported');
  });
});

describe('both engines answer ARP through the responder', () => {
  const m = model(RESPONDER_TEXT, 'seed-arp-responder.yaml');
  const ev = createEvaluator(m.dataplane);
  const vm1 = m.dataplane.stations.find((s) => s.kind === 'vm-port' && s.vm === 'vm1');
  if (vm1?.kind !== 'vm-port') throw new Error('vm1');
  const qr = m.dataplane.hosts.flatMap((h) => h.namespaces).flatMap((n) => n.interfaces).find((i) => i.addresses.some((a) => a.ip === vm1.gateway));

  it('the evaluator: vm1\'s request for its gateway is answered by br-tun on compute1 and never reaches the router', () => {
    const a = ev.resolveArp(vm1, vm1.gateway!);
    expect(a.mac).toBe(qr?.mac);
    const devices = a.trace.hops.map((h) => `${h.host}/${h.device}`);
    expect(devices).toContain('compute1/br-tun');
    expect(devices.some((d) => d.includes('qrouter'))).toBe(false);
    const tun = a.trace.hops.find((h) => h.device === 'br-tun')!;
    expect(tun.steps.map((s) => s.where)).toContain('table 21');
    // The reply as it reaches vm1: opcode 2, "gateway is at qr's MAC", to vm1's MAC and address.
    expect(a.trace.final).toMatchObject({ eth_type: ETH_TYPE.arp, proto: 2, ip_src: vm1.gateway, ip_dst: vm1.ip, eth_src: qr?.mac, eth_dst: vm1.mac, vlan: null });
    // The hardware-address writes are said, not hidden.
    expect(tun.steps.map((s) => s.action).join('\n')).toMatch(/arp_sha set to .*not kept/);
  });

  it('the solver gives every VM port the evaluator\'s answer for every address on its subnet', async () => {
    const w = new SymWalker(await getZ3(), m.dataplane, { converged: ev.converged });
    let asked = 0;
    let answered = 0;
    for (const s of m.dataplane.stations) {
      if (s.kind !== 'vm-port') continue;
      for (const o of ownersIn(w.owners, ipToNum(s.ip), s.prefixLen)) {
        const sym = w.arp({ arrive: [s.attachment] }, macToNum(s.mac), ipToNum(s.ip), null, o.ip);
        const ip = [o.ip >>> 24, (o.ip >>> 16) & 255, (o.ip >>> 8) & 255, o.ip & 255].join('.');
        const conc = ev.resolveArp(s, ip).mac;
        expect([s.vm, ip, typeof sym === 'number' ? numToMac(sym) : sym]).toEqual([s.vm, ip, conc]);
        asked++;
        if (conc !== null) answered++;
        // Every other address on the subnet belongs to a port that answers or has a responder entry;
        // a VM's request for its own address is answered by no one.
        expect([s.vm, ip, conc === null]).toEqual([s.vm, ip, ip === s.ip]);
      }
    }
    expect(asked).toBeGreaterThan(10);
    expect(answered).toBeGreaterThan(asked / 2);
  });

  it('a move out of an ARP hardware address into a kept field is unknown to both engines, never a guess', async () => {
    const dp = cloud(undefined, [
      flow(0, 10, { dl_type: ETH_TYPE.arp }, [{ kind: 'move', from: 'arp_sha', to: 'eth_dst' }, { kind: 'in_port' }]),
      flow(0, 0, {}, [{ kind: 'normal' }]),
    ]);
    const t = createEvaluator(dp).trace(VM1, { ...ipv4(), eth_type: ETH_TYPE.arp, eth_dst: 'ff:ff:ff:ff:ff:ff', proto: 1, ip_dst: '10.0.0.1', sport: null, dport: null });
    expect(t.uncertain.join('\n')).toMatch(/move of arp_sha into eth_dst/);
    const w = new SymWalker(await getZ3(), dp);
    expect(w.arp({ arrive: [VM1.attachment] }, macToNum(VM1.mac), ipToNum(VM1.ip), null, ipToNum('10.0.0.1'))).toEqual({ unknown: expect.stringMatching(/move of arp_sha into eth_dst/) });
  });
});

describe('verify with the responder on', () => {
  it('gives the seed\'s answers: nothing unknown (before, 12 of 17 results were unknown on its load/move actions)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'np-arp-responder-'));
    try {
      const file = join(dir, 'seed-arp-responder.yaml');
      writeFileSync(file, RESPONDER_TEXT);
      const verdicts = async (f: string) => {
        const r = await runCli('verify', f, '--format', 'json');
        const out = JSON.parse(r.stdout) as { results: { property: string; subject: string; verdict: string }[] };
        return out.results.map((x) => `${x.property} ${x.subject} ${x.verdict}`);
      };
      const withResponder = await verdicts(file);
      expect(withResponder.filter((v) => v.endsWith(' unknown'))).toEqual([]);
      expect(withResponder).toEqual(await verdicts(join(repoRoot, 'topologies', 'seed.yaml')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
