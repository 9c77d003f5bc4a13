// Real keepalived for the L3 HA oracle: HA router instances, each a network namespace holding its
// rendered devices (the ha- port with its own address, the qr-/qg- devices with their MACs and no
// address) and running keepalived on its rendered keepalived.conf; every ha- port is one end of a veth
// pair whose other end sits on one Linux bridge in a "switch" namespace (standing in for the HA
// network), the qr-/qg- devices on veths of their own (up, carrying nothing). Partitioning detaches an instance's switch port from the bridge, so its
// ha- device keeps its carrier (as an OVS internal port does when the underlay is cut) and keepalived
// does not go to FAULT: each side elects its own master.
// Guarantees: unique namespace names (pid + random), every daemon signalled by its own PID only, and
// teardown removes every namespace and file it made, whatever state the test left.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NsInterface, Route } from '../../src/ir/dataplane.ts';
import { parseIpAddr, parseIpRoute } from '../../src/parse/index.ts';
import { isAlive, run, runOk, terminate, waitFor } from './exec.ts';

export interface InstanceSpec {
  /** A short label (the host the instance stands for). */
  readonly label: string;
  readonly haDev: string;
  readonly haMac: string;
  /** `169.254.192.1/18` */
  readonly haCidr: string;
  /** The qr-/qg- devices, by name, with their MACs. */
  readonly devices: readonly { readonly name: string; readonly mac: string }[];
  /** The keepalived.conf to run. */
  readonly conf: string;
}

interface Instance extends InstanceSpec {
  readonly ns: string;
  readonly switchPort: string;
  daemon: ChildProcess | null;
}

export class KeepalivedBench {
  private readonly prefix: string;
  private readonly dir: string;
  private readonly sw: string;
  private readonly instances: Instance[] = [];
  private readonly namespaces: string[] = [];

  constructor() {
    this.prefix = `npka${process.pid % 100000}${Math.floor(Math.random() * 1e4)}`;
    this.dir = mkdtempSync(join(tmpdir(), 'netproof-keepalived-'));
    this.sw = `${this.prefix}sw`;
  }

  private ns(name: string, ...cmd: string[]): Promise<string> {
    return runOk('ip', ['netns', 'exec', name, ...cmd]);
  }

  async setup(specs: readonly InstanceSpec[]): Promise<void> {
    await runOk('ip', ['netns', 'add', this.sw]);
    this.namespaces.push(this.sw);
    await this.ns(this.sw, 'ip', 'link', 'set', 'lo', 'up');
    await this.ns(this.sw, 'ip', 'link', 'add', 'br-ha', 'type', 'bridge');
    await this.ns(this.sw, 'ip', 'link', 'set', 'br-ha', 'up');
    for (const [k, s] of specs.entries()) {
      const ns = `${this.prefix}i${k}`;
      await runOk('ip', ['netns', 'add', ns]);
      this.namespaces.push(ns);
      await this.ns(ns, 'ip', 'link', 'set', 'lo', 'up');
      const switchPort = `h${k}`;
      await this.ns(this.sw, 'ip', 'link', 'add', switchPort, 'type', 'veth', 'peer', 'name', s.haDev, 'netns', ns);
      await this.ns(this.sw, 'ip', 'link', 'set', switchPort, 'master', 'br-ha', 'up');
      await this.ns(ns, 'ip', 'link', 'set', s.haDev, 'address', s.haMac);
      await this.ns(ns, 'ip', 'link', 'set', s.haDev, 'up');
      await this.ns(ns, 'ip', 'addr', 'add', s.haCidr, 'brd', '+', 'dev', s.haDev);
      for (const [j, d] of s.devices.entries()) {
        const peer = `d${k}x${j}`;
        await this.ns(this.sw, 'ip', 'link', 'add', peer, 'type', 'veth', 'peer', 'name', d.name, 'netns', ns);
        await this.ns(this.sw, 'ip', 'link', 'set', peer, 'up');
        await this.ns(ns, 'ip', 'link', 'set', d.name, 'address', d.mac);
        await this.ns(ns, 'ip', 'link', 'set', d.name, 'up');
      }
      writeFileSync(join(this.dir, `${k}.conf`), s.conf);
      this.instances.push({ ...s, ns, switchPort, daemon: null });
    }
  }

  get labels(): string[] {
    return this.instances.map((i) => i.label);
  }

  private at(label: string): Instance {
    const i = this.instances.find((x) => x.label === label);
    if (!i) throw new Error(`no instance ${label}`);
    return i;
  }

  /** Starts keepalived in the instance's namespace (in the foreground: the PID is keepalived's parent). */
  start(label: string): void {
    const i = this.at(label);
    const k = this.instances.indexOf(i);
    const log = openSync(join(this.dir, `${k}.log`), 'a');
    const f = (n: string) => join(this.dir, `${k}.${n}`);
    i.daemon = spawn('ip', ['netns', 'exec', i.ns, 'keepalived', '-n', '-l', '-G', '-D', '-P', '-f', f('conf'), '-p', f('pid'), '-r', f('vrrp.pid'), '-c', f('checkers.pid')], {
      stdio: ['ignore', log, log],
      env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
    });
    closeSync(log);
  }

  /** Stops the instance's keepalived as an operator would (SIGTERM: it gives up its addresses). */
  async stop(label: string): Promise<void> {
    const i = this.at(label);
    const pid = i.daemon?.pid;
    if (pid !== undefined && isAlive(pid)) await terminate(pid, 8000);
    i.daemon = null;
  }

  /** Cuts the instance off the HA network's bridge; its ha- device keeps its carrier. */
  async partition(label: string): Promise<void> {
    await this.ns(this.sw, 'ip', 'link', 'set', this.at(label).switchPort, 'nomaster');
  }

  async interfaces(label: string): Promise<NsInterface[]> {
    return parseIpAddr(await this.ns(this.at(label).ns, 'ip', 'addr'), 'ip-addr').value;
  }

  async routes(label: string): Promise<Route[]> {
    return parseIpRoute(await this.ns(this.at(label).ns, 'ip', '-4', 'route'), 'ip-route').value;
  }

  /** The instances whose namespace holds `ip`. */
  async holders(ip: string): Promise<string[]> {
    const out: string[] = [];
    for (const i of this.instances) if ((await this.interfaces(i.label)).some((x) => x.addresses.some((a) => a.ip === ip))) out.push(i.label);
    return out;
  }

  /** Waits until exactly `want` instances hold `ip` (or the time is up); resolves to who holds it then. */
  async settle(ip: string, want: (holders: string[]) => boolean, timeoutMs: number): Promise<string[]> {
    let last: string[] = [];
    await waitFor(async () => want((last = await this.holders(ip))), timeoutMs, 100);
    return last;
  }

  log(label: string): string {
    try {
      return readFileSync(join(this.dir, `${this.instances.indexOf(this.at(label))}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  async teardown(): Promise<void> {
    for (const i of this.instances) {
      const pid = i.daemon?.pid;
      if (pid !== undefined) await terminate(pid, 5000);
    }
    for (const n of this.namespaces) await run('ip', ['netns', 'del', n]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
