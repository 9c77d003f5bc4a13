// `query` and `trace` with --proto sctp, dccp and udplite: the packet carries the ports asked for,
// the answer is proved over the firewall Neutron renders for port-range rules of these protocols
// (test/properties/topologies/sctp-ports.yaml: vm1 lets SCTP 38412-38415 and DCCP 5004 in from
// anywhere, UDP-Lite 6000-6001 from net2 only), and the trace and JSON name the protocol; `diff` names
// an SCTP class by its ports as it names TCP's.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.ts';

const TOPO = 'test/properties/topologies/sctp-ports.yaml';

describe('--proto sctp, dccp, udplite', () => {
  it('query: an SCTP packet to a port of the range is reachable, answered with its trace', async () => {
    const r = await runCli('query', TOPO, '--from', '8.8.8.8', '--to', 'vm1', '--proto', 'sctp', '--dport', '38412');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('verdict: REACHABLE — compute1/vm:vm1:0');
    expect(r.stdout).toMatch(/witness: sctp 8\.8\.8\.8 → 192\.168\.1\.11 40000 → 38412 /);
    expect(r.stdout).toContain('iptables applies the security groups of vm1:0 (ingress): allowed');
    expect(r.stdout).toContain('-p sctp -m sctp -m multiport --dports 38412:38415 -j RETURN');
  });

  it('query: one port past the range, and a UDP-Lite port from outside net2, are unreachable', async () => {
    const past = await runCli('query', TOPO, '--from', '8.8.8.8', '--to', 'vm1', '--proto', 'sctp', '--dport', '38416');
    expect(past.stdout).toContain('verdict: UNREACHABLE');
    const lite = await runCli('query', TOPO, '--from', '8.8.8.8', '--to', 'vm1', '--proto', 'udplite', '--dport', '6000');
    expect(lite.stdout).toContain('verdict: UNREACHABLE');
  });

  it('query --format json names the protocol and carries the ports', async () => {
    const r = await runCli('query', TOPO, '--from', '8.8.8.8', '--to', 'vm1', '--proto', 'sctp', '--dport', '38415', '--format', 'json');
    const j = JSON.parse(r.stdout) as { verdict: string; packet: { proto: unknown; sport: unknown; dport: unknown } };
    expect(j.verdict).toBe('reachable');
    expect(j.packet).toMatchObject({ proto: 'sctp', sport: 40000, dport: 38415 });
  });

  it('trace: a DCCP packet prints with its ports and is delivered; a UDP-Lite one from net2 too', async () => {
    const r = await runCli('trace', TOPO, '--from', 'vm2', '--to', 'vm1', '--proto', 'dccp', '--dport', '5004', '--sport', '1234', '--no-rules');
    expect(r.stdout).toMatch(/^packet: dccp 192\.168\.2\.12 → 192\.168\.1\.11 1234 → 5004 /m);
    expect(r.stdout).toContain('result: delivered to vm1 (port 0) on compute1');
    const lite = await runCli('trace', TOPO, '--from', 'vm2', '--to', 'vm1', '--proto', 'udplite', '--dport', '6001', '--no-rules');
    expect(lite.stdout).toMatch(/^packet: udplite 192\.168\.2\.12 → 192\.168\.1\.11 40000 → 6001 /m);
    expect(lite.stdout).toContain('result: delivered to vm1 (port 0) on compute1');
  });

  it('ports with a protocol that has none is still an input error, and says which have them', async () => {
    const r = await runCli('query', TOPO, '--from', 'vm2', '--to', 'vm1', '--proto', '47', '--dport', '38412');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("(ports are TCP's, UDP's, SCTP's, DCCP's and UDP-Lite's)");
  });

  it('diff: an SCTP range widened is newly delivered traffic of exactly the added ports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'np-sctp-'));
    try {
      const wider = join(dir, 'wider.yaml');
      const text = readFileSync(TOPO, 'utf8');
      expect(text).toContain('port: "38412-38415"');
      writeFileSync(wider, text.replace('port: "38412-38415"', 'port: "38412-38420"'));
      const r = await runCli('diff', TOPO, wider);
      expect(r.stdout).toContain('outside(public) → vm1:0: newly delivered — sctp/38416-38420 (security group ngap)');
      expect(r.stdout).toMatch(/witness: sctp 8\.8\.8\.8 → 192\.168\.1\.11 \d+ → 3841[6-9]|witness: sctp 8\.8\.8\.8 → 192\.168\.1\.11 \d+ → 38420/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
