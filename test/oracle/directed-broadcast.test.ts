// Real Linux for the router's directed-broadcast rule (evaluate/namespace.ts, smt/namespace.ts): a
// namespace routing between 192.168.1.0/24 and 192.168.2.0/24, as a qrouter does, receives from a
// host on the first subnet a UDP packet for 192.168.2.255 (sent unicast to its gateway: the sender
// does not know that address is a broadcast one). The kernel delivers it locally (INPUT) and does not
// forward it (FORWARD, and the host on the second subnet sees nothing), which is what netproof's
// evaluator and solver now say; a packet for a host address of that subnet is forwarded, as control.
import { afterAll, expect, it } from 'vitest';
import { describeOracle } from './prereq.ts';
import { createNamespace, type Netns } from './netfilter-harness.ts';
import { runOk } from './exec.ts';

/** Packets and bytes of the rule counting `-d dst` in `chain` of the filter table. */
async function counted(ns: Netns, chain: string, dst: string): Promise<number> {
  const out = await ns.exec('iptables', ['-L', chain, '-v', '-n', '-x']);
  const line = out.split('\n').find((l) => l.includes(` ${dst} `) || l.trimEnd().endsWith(dst));
  if (!line) throw new Error(`no counting rule for ${dst} in ${chain}:\n${out}`);
  return Number(line.trim().split(/\s+/)[0]);
}

describeOracle('oracle: a router namespace and a directed broadcast of one of its subnets', ['ip', 'iptables'], () => {
  const made: Netns[] = [];
  afterAll(async () => {
    for (const ns of made.splice(0)) await ns.delete();
  });

  it('delivers it locally and never forwards it; a host address of the same subnet is forwarded', async () => {
    const [router, left, right] = [await createNamespace('npbr'), await createNamespace('npbl'), await createNamespace('npbx')];
    made.push(router, left, right);
    const tag = router.name.split('-').slice(-1)[0]!;
    const link = async (a: Netns, aIf: string, aIp: string, b: Netns, bIf: string, bIp: string) => {
      await runOk('ip', ['link', 'add', aIf, 'type', 'veth', 'peer', 'name', bIf]);
      await runOk('ip', ['link', 'set', aIf, 'netns', a.name]);
      await runOk('ip', ['link', 'set', bIf, 'netns', b.name]);
      await a.exec('ip', ['addr', 'add', aIp, 'dev', aIf]);
      await b.exec('ip', ['addr', 'add', bIp, 'dev', bIf]);
      await a.exec('ip', ['link', 'set', aIf, 'up']);
      await b.exec('ip', ['link', 'set', bIf, 'up']);
    };
    await link(router, `qr1-${tag}`, '192.168.1.1/24', left, `l-${tag}`, '192.168.1.11/24');
    await link(router, `qr2-${tag}`, '192.168.2.1/24', right, `r-${tag}`, '192.168.2.12/24');
    await router.exec('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    await left.exec('ip', ['route', 'add', 'default', 'via', '192.168.1.1']);
    await right.exec('ip', ['route', 'add', 'default', 'via', '192.168.2.1']);
    for (const dst of ['192.168.2.255', '192.168.2.12']) {
      await router.exec('iptables', ['-A', 'INPUT', '-d', dst, '-j', 'ACCEPT']);
      await router.exec('iptables', ['-A', 'FORWARD', '-d', dst, '-j', 'ACCEPT']);
      await right.exec('iptables', ['-A', 'INPUT', '-d', dst, '-j', 'ACCEPT']);
    }
    const send = (dst: string) => left.exec('bash', ['-c', `echo probe > /dev/udp/${dst}/9`]);
    await send('192.168.2.255');
    await send('192.168.2.12');
    // The directed broadcast: taken by the router itself, not forwarded, not seen on the far subnet.
    expect(await counted(router, 'INPUT', '192.168.2.255')).toBe(1);
    expect(await counted(router, 'FORWARD', '192.168.2.255')).toBe(0);
    expect(await counted(right, 'INPUT', '192.168.2.255')).toBe(0);
    // The control: a host address of that subnet is forwarded to it.
    expect(await counted(router, 'FORWARD', '192.168.2.12')).toBe(1);
    expect(await counted(right, 'INPUT', '192.168.2.12')).toBe(1);
  });
});
