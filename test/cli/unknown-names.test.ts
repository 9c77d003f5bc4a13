// An endpoint naming a VM, a port or a network the topology lacks is refused with what would have been
// right: the name a typo away, or the names there are when they are few.
import { describe, expect, it } from 'vitest';
import { nameHint } from '../../src/questions/known-names.ts';
import { runCli } from './run.ts';

describe('nameHint', () => {
  it('suggests the one or two names a typo away, case ignored', () => {
    expect(nameHint('vmm1', ['vm1', 'web', 'db'], 'VMs')).toBe('; did you mean "vm1"?');
    expect(nameHint('Web-1', ['web-1', 'web-2', 'db'], 'VMs')).toBe('; did you mean "web-1"?');
    expect(nameHint('web-3', ['web-1', 'web-2', 'db'], 'VMs')).toBe('; did you mean "web-1" or "web-2"?');
  });
  it('lists the names when more than two are as close, or none is close and they are few', () => {
    expect(nameHint('vm9', ['vm1', 'vm2', 'vm3', 'vm4'], 'VMs')).toBe('; the VMs are vm1, vm2, vm3, vm4');
    expect(nameHint('frontend', ['net1', 'net2', 'net1'], 'networks')).toBe('; the networks are net1, net2');
  });
  it('says nothing when none is close and there are many, and says when there are none', () => {
    const many = Array.from({ length: 40 }, (_, i) => `server-${i}`);
    expect(nameHint('frontend', many, 'VMs')).toBe('');
    expect(nameHint('server-7x', many, 'VMs')).toBe('; did you mean "server-7"?');
    expect(nameHint('vm1', [], 'VMs')).toBe('; the topology has no VMs');
  });
});

describe('trace and query name what the topology has', () => {
  const seed = 'topologies/seed.yaml';
  const cases: readonly (readonly [string, string, RegExp])[] = [
    ['--to', 'vm9', /NP405 no such endpoint at --to: no VM named "vm9" \(and not an IP address\); the VMs are vm1, vm2, vm3, vm4$/m],
    ['--to', 'vmm4', /no VM named "vmm4" \(and not an IP address\); did you mean "vm4"\?$/m],
    ['--to', 'vm4:2', /VM "vm4" has no port 2; its port is 0$/m],
    ['--to', 'net3/192.168.2.14', /no network named "net3"; did you mean "net1" or "net2"\?$/m],
  ];
  it('trace --master names the routers', async () => {
    const r = await runCli('trace', 'topologies/ha.yaml', '--from', 'web1', '--to', 'db1', '--master', 'egde=network1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NP603 .*no router "egde"; did you mean "edge"\?/);
  });
  for (const cmd of ['trace', 'query'] as const) {
    for (const [flag, value, message] of cases) {
      it(`${cmd} ${flag} ${value}`, async () => {
        const r = await runCli(cmd, seed, '--from', 'vm1', flag, value);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(message);
      });
    }
  }
});
