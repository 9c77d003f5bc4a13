// The engine on a real capture: the Newton all-in-one hybrid node's iptables-save, read by the
// project's parser (src/parse/iptables-save.ts). Port 0695f2ca: 172.24.220.12, fa:16:3e:99:44:9e.
import { describe, it, expect } from 'vitest';
import { readSample } from '../fixtures/samples.ts';
import { parseIptablesSave } from '../../src/parse/iptables-save.ts';
import { createConntrack, newState, runHook, type Conntrack } from '../../src/evaluate/netfilter/index.ts';
import type { NetfilterRuleset } from '../../src/ir/netfilter.ts';
import type { Packet } from '../../src/ir/packet.ts';
import { tcp, bridged } from './build.ts';

const parsed = parseIptablesSave(readSample('hybrid_allinone_newton_iptables-save.txt'), 'newton');
// The sample has no `ipset save`; the remote group holds the other port of the node.
const RS: NetfilterRuleset = { ...parsed.value, ipsets: { 'NIPv4e7b85005-a11b-405e-a60f-': [{ ip: '172.24.220.13', prefixLen: 32 }] } };
const MAC = 'fa:16:3e:99:44:9e';

function pass(ct: Conntrack, p: Packet, inPort: string, outPort: string) {
  const pre = runHook(RS, 'PREROUTING', newState(p), bridged('qbr0695f2ca-bf', inPort, null), ct);
  const fwd = runHook(RS, 'FORWARD', pre.state, bridged('qbr0695f2ca-bf', inPort, outPort), ct);
  const post = fwd.verdict === 'accept' ? runHook(RS, 'POSTROUTING', fwd.state, bridged('qbr0695f2ca-bf', inPort, outPort), ct) : fwd;
  return { pre, fwd, post };
}

describe('real Newton hybrid sample', () => {
  it('parses without errors', () => {
    expect(parsed.errors ?? []).toEqual([]);
  });

  it('egress from the port: zone 1, spoof chain passed, accepted; a spoofed MAC is dropped', () => {
    const ok = pass(createConntrack(), tcp('172.24.220.12', '8.8.8.8', 40000, 443, { eth_src: MAC }), 'tap0695f2ca-bf', 'qvb0695f2ca-bf');
    expect(ok.pre.state.zone).toBe(1);
    expect(ok.post.verdict).toBe('accept');
    const bad = pass(createConntrack(), tcp('172.24.220.12', '8.8.8.8', 40000, 443, { eth_src: 'fa:16:3e:00:00:01' }), 'tap0695f2ca-bf', 'qvb0695f2ca-bf');
    expect(bad.fwd.droppedBy?.rule?.origin.text).toContain('Drop traffic without an IP/MAC allow rule.');
  });

  it('ingress: ssh and the remote group accepted, the rest to sg-fallback, replies ESTABLISHED', () => {
    const ct = createConntrack();
    expect(pass(ct, tcp('10.1.1.1', '172.24.220.12', 5000, 22), 'qvb0695f2ca-bf', 'tap0695f2ca-bf').post.verdict).toBe('accept');
    expect(pass(ct, tcp('172.24.220.13', '172.24.220.12', 5000, 80), 'qvb0695f2ca-bf', 'tap0695f2ca-bf').post.verdict).toBe('accept');
    const web = pass(ct, tcp('10.1.1.1', '172.24.220.12', 5000, 80), 'qvb0695f2ca-bf', 'tap0695f2ca-bf');
    expect(web.fwd.droppedBy?.chain).toBe('neutron-openvswi-sg-fallback');
    pass(ct, tcp('172.24.220.12', '10.1.1.1', 80, 5001, { eth_src: MAC }), 'tap0695f2ca-bf', 'qvb0695f2ca-bf');
    const back = pass(ct, tcp('10.1.1.1', '172.24.220.12', 5001, 80), 'qvb0695f2ca-bf', 'tap0695f2ca-bf');
    expect(back.pre.state.ctState).toBe('ESTABLISHED');
    expect(back.post.verdict).toBe('accept');
  });
});
