// A trace through dumps captured from real Open vSwitch (`ovs-ofctl -O OpenFlow13` prints OF1.0's
// mod_vlan_vid on an untagged frame as push_vlan:0x8100,set_field:N->vlan_vid) reads as a trace through
// the rendered dumps does: "tags it with the internal VLAN N", not "tags it with the VLAN 0; translates
// network VLAN 0 to ..." — a flat network carries no VLAN 0, and br-tun does not translate one.
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { topologyToApi } from '../../src/cloud/generate/api.ts';
import { CLOUD_DIRS } from '../../src/cloud/layout.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';
import { shippedTopology, writeCloud } from '../cloud/cloud-dir.ts';
import { CLOUD_FIXTURES } from '../cloud/make-fixtures.ts';

const dir = writeCloud(topologyToApi(shippedTopology('seed')));
cpSync(join(CLOUD_FIXTURES, 'seed', CLOUD_DIRS.hosts), join(dir, CLOUD_DIRS.hosts), { recursive: true });
afterAll(async () => { rmSync(dir, { recursive: true, force: true }); await shutdownZ3(); });

describe('VLAN tags pushed by OpenFlow 1.3 spellings, in a captured cloud', () => {
  it('the flat external network crosses br-int on its internal VLAN, and br-tun tags the internal VLAN', async () => {
    const r = await runCli('trace', dir, '--from', '198.51.100.7', '--to', '203.0.113.101', '--proto', 'tcp', '--dport', '22', '--no-rules');
    expect(r.code).toBe(0);
    const brInt = r.stdout.split('\n').find((l) => /network1: br-int \(in int-br-ex\)/.test(l));
    expect(brInt).toMatch(/carries it on the internal VLAN \d+ \(public on network1\)/);
    const brTun = r.stdout.split('\n').find((l) => /compute2: br-tun \(in vxlan-/.test(l));
    expect(brTun).toMatch(/decapsulates it \(tunnel id 102, net2\) from vxlan-\w+; tags it with the internal VLAN \d+ \(net2 on compute2\)/);
    expect(r.stdout).not.toMatch(/VLAN 0\b/);
  });
});
