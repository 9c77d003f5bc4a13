// A query whose endpoints are behind no HA router (two VMs on a provider network) in a cloud with an HA
// router that VRRP may elect on either of two hosts asks under one choice of masters. The masters line
// must not call that choice the only one VRRP allows: verify, on the same cloud, counts two.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { shutdownZ3 } from '../../src/smt/index.ts';
import { runCli } from '../cli/run.ts';

afterAll(async () => { await shutdownZ3(); });

const topo = join(import.meta.dirname, 'topologies', 'two-projects.yaml');

describe('the masters line of a query asked under one choice', () => {
  it('says one choice was asked, not that VRRP allows only one', async () => {
    const r = await runCli('query', topo, '--from', 'prov2', '--to', 'prov1', '--proto', 'tcp', '--dport', '80', '--no-rules');
    expect(r.code).toBe(0);
    const masters = r.stdout.split('\n').find((l) => l.startsWith('masters:'));
    expect(masters).toBe('masters: web-router on network2 (the only choice asked: the HA routers these endpoints are behind have no other)');
    expect(r.stdout).toMatch(/verdict: REACHABLE/);
  });

  it('still counts the choices when the endpoints are behind the HA router', async () => {
    const r = await runCli('query', topo, '--from', 'web1', '--to', 'app1', '--proto', 'tcp', '--dport', '8080', '--no-rules');
    expect(r.stdout.split('\n').find((l) => l.startsWith('masters:'))).toMatch(/reachable under each of 2 choices VRRP allows/);
  });
});
