// An isolated, userspace Open vSwitch for oracle tests: its own ovsdb-server and ovs-vswitchd with their
// own database, sockets, pid and log files in a fresh temp dir (OVS_RUNDIR/OVS_DBDIR/… point there, so a
// system OVS is never touched), bridges on the `dummy` datapath (no kernel module, no kernel devices).
// Guarantees: every port gets exactly the OpenFlow number asked for (checked, not hoped); `stop()` ends
// only the two daemons this instance started, by PID, and removes the temp dir.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { match } from 'ts-pattern';
import { run, runOk, terminate, waitFor, type RunOptions } from './exec.ts';
import { parseOfprotoTrace, type OfprotoTrace } from './ofproto-trace.ts';
import { outputPortName, parseDpifShow, type DatapathPort } from './dpif-show.ts';
import { openUnixctl, type Unixctl } from './unixctl.ts';

export type TunnelType = 'vxlan' | 'gre' | 'geneve';

interface PortCommon {
  readonly name: string;
  /** Requested OpenFlow port number (`ofport_request`); verified after creation. */
  readonly ofport?: number;
  /** Access VLAN (`Port.tag`), as the OVS agent sets the local VLAN. */
  readonly tag?: number;
}

/** The kinds of port a Neutron host has on its bridges. */
export type OvsPortSpec =
  | (PortCommon & { readonly kind: 'patch'; readonly peer: string })
  | (PortCommon & { readonly kind: 'internal' })
  /** A NIC or a veth end: on the dummy datapath it is a `type=dummy` netdev (no kernel device needed). */
  | (PortCommon & { readonly kind: 'system' })
  | (PortCommon & {
      readonly kind: 'tunnel';
      readonly type: TunnelType;
      /** An address, or `flow` for a flow-based port. */
      readonly remoteIp: string;
      readonly localIp?: string;
      /** Extra interface options, e.g. `{ in_key: 'flow', out_key: 'flow', df_default: 'true' }`; default `key=flow`. */
      readonly options?: Readonly<Record<string, string>>;
    });

export interface BridgeOptions {
  readonly failMode?: 'secure' | 'standalone';
  /** 16 hex digits. */
  readonly datapathId?: string;
  /** OpenFlow versions the bridge speaks; Neutron enables 1.0, 1.3 and 1.4 (bundles need 1.4). */
  readonly protocols?: readonly string[];
}

export interface AddFlowsOptions {
  /** Send all flows in one OpenFlow 1.4 bundle (atomic, and much faster for big tables). */
  readonly bundle?: boolean;
}

/** One line of a flow file the real ovs-ofctl refused, with its 1-based line number and the tool's message. */
export interface RejectedFlow { readonly line: number; readonly text: string; readonly error: string }

export interface OvsInstance {
  readonly dir: string;
  addBridge(name: string, opts?: BridgeOptions): Promise<void>;
  /** Adds several bridges in one transaction (then waits for each to answer OpenFlow). */
  addBridges(names: readonly string[], opts?: BridgeOptions): Promise<void>;
  /** Adds the ports in one transaction; resolves with name → OpenFlow port number as assigned. */
  addPorts(bridge: string, ports: readonly OvsPortSpec[]): Promise<Map<string, number>>;
  /** name → OpenFlow port number of every interface of the bridge (the bridge's LOCAL port excluded). */
  ofports(bridge: string): Promise<Map<string, number>>;
  /** `ovs-ofctl add-flows` from text; throws with the tool's message on the first bad line. */
  addFlows(bridge: string, flows: string, opts?: AddFlowsOptions): Promise<void>;
  /** Tries each non-blank, non-comment line on its own, then deletes ALL the bridge's flows: every line the tool refuses. */
  rejectedFlows(bridge: string, flows: string): Promise<RejectedFlow[]>;
  delFlows(bridge: string): Promise<void>;
  /** `dump-flows --no-stats --names`, one flow per line, trimmed. */
  dumpFlows(bridge: string): Promise<string[]>;
  /** `ofproto/trace BRIDGE FLOW`, parsed (raw text kept in `.text`). */
  trace(bridge: string, flow: string): Promise<OfprotoTrace>;
  /** A kept-open control connection to ovs-vswitchd (for thousands of traces); the caller closes it. */
  control(): Promise<Unixctl>;
  /** Every port of every bridge with its OpenFlow and datapath numbers (`dpif/show`). */
  datapathPorts(): Promise<DatapathPort[]>;
  /** The names of the ports a trace's packets leave by, in datapath-action order; throws if one cannot be named. */
  outputPorts(trace: OfprotoTrace): Promise<string[]>;
  /** Static MAC table entry: ofproto/trace never learns, so NORMAL needs these to forward instead of flood. */
  fdbAdd(bridge: string, port: string, vlan: number, mac: string): Promise<void>;
  /** `dpif/set-dp-features BRIDGE FEATURE VALUE`; `tnl_push_pop false` makes tunnel output kernel-style `set(tunnel(…))`. */
  setDpFeature(bridge: string, feature: string, value: string): Promise<void>;
  vsctl(args: readonly string[]): Promise<string>;
  ofctl(args: readonly string[], opts?: RunOptions): Promise<string>;
  appctl(args: readonly string[]): Promise<string>;
  /** Ends both daemons (by their PIDs) and removes the temp dir; safe to call twice. */
  stop(): Promise<void>;
}

const SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';

function readPid(file: string): number {
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`bad pid in ${file}`);
  return pid;
}

/** Starts ovsdb-server and ovs-vswitchd in a fresh temp dir. Call `stop()` in afterAll. */
export async function startOvs(): Promise<OvsInstance> {
  // Short path: unix socket paths are limited to 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'npovs-'));
  const env = { OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir, OVS_SYSCONFDIR: dir, OVS_PKGDATADIR: '/usr/share/openvswitch' };
  const opts: RunOptions = { env };
  const db = `unix:${join(dir, 'db.sock')}`;
  const pids: number[] = [];
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // vswitchd first: it is the database's client.
    for (const pid of [...pids].reverse()) await terminate(pid);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await runOk('ovsdb-tool', ['create', join(dir, 'conf.db'), SCHEMA], opts);
    await runOk('ovsdb-server', [join(dir, 'conf.db'), `--remote=punix:${join(dir, 'db.sock')}`, `--pidfile=${join(dir, 'ovsdb-server.pid')}`,
      `--unixctl=${join(dir, 'ovsdb-server.ctl')}`, `--log-file=${join(dir, 'ovsdb-server.log')}`, '-vconsole:off', '--detach', '--no-chdir'], opts);
    pids.push(readPid(join(dir, 'ovsdb-server.pid')));
    await runOk('ovs-vsctl', [`--db=${db}`, '--no-wait', 'init'], opts);
    // --enable-dummy registers the dummy datapath and netdevs; --disable-system: no kernel datapath. Not
    // `=override`: that turns tunnel ports into plain dummies too, and traces then lose set(tunnel(...)).
    await runOk('ovs-vswitchd', [db, '--enable-dummy', '--disable-system', `--pidfile=${join(dir, 'ovs-vswitchd.pid')}`,
      `--unixctl=${join(dir, 'ovs-vswitchd.ctl')}`, `--log-file=${join(dir, 'ovs-vswitchd.log')}`, '-vconsole:off', '--detach', '--no-chdir'], opts);
    pids.push(readPid(join(dir, 'ovs-vswitchd.pid')));
  } catch (e) {
    await stop();
    throw e;
  }

  const vsctl = (args: readonly string[]) => runOk('ovs-vsctl', [`--db=${db}`, '--timeout=10', ...args], opts);
  const ofctl = (args: readonly string[], o: RunOptions = {}) => runOk('ovs-ofctl', [...args], { ...opts, ...o, env });
  const appctl = (args: readonly string[]) => runOk('ovs-appctl', ['-t', join(dir, 'ovs-vswitchd.ctl'), ...args], opts);

  const ofports = async (bridge: string): Promise<Map<string, number>> => {
    const ports = new Set((await vsctl(['list-ports', bridge])).split('\n').filter(Boolean));
    // One listing of every interface's number instead of one `get` per port.
    const rows = (await vsctl(['--format=csv', '--data=bare', '--no-headings', '--columns=name,ofport', 'list', 'Interface'])).split('\n');
    const out = new Map<string, number>();
    for (const row of rows) {
      const [name = '', ofport = ''] = row.split(',');
      if (ports.has(name)) out.set(name, Number(ofport.trim()));
    }
    return out;
  };
  const bridgeSets = (bo: BridgeOptions) => {
    const sets = [`datapath_type=dummy`, `fail_mode=${bo.failMode ?? 'secure'}`, `protocols=${(bo.protocols ?? ['OpenFlow10', 'OpenFlow13', 'OpenFlow14']).join(',')}`];
    if (bo.datapathId) sets.push(`other_config:datapath-id=${bo.datapathId}`);
    return sets;
  };
  const waitBridge = async (name: string) => {
    // The bridge's management socket appears asynchronously; ovs-ofctl needs it.
    const ok = await waitFor(async () => (await run('ovs-ofctl', ['show', name], opts)).code === 0, 5000, 25);
    if (!ok) throw new Error(`bridge ${name}: ovs-ofctl cannot reach it (see ${dir}/ovs-vswitchd.log)`);
  };

  return {
    dir,
    vsctl,
    ofctl,
    appctl,
    stop,
    ofports,

    async addBridge(name, bo = {}) {
      await vsctl(['--', 'add-br', name, '--', 'set', 'bridge', name, ...bridgeSets(bo)]);
      await waitBridge(name);
    },

    async addBridges(names, bo = {}) {
      if (bo.datapathId && names.length > 1) throw new Error('one datapath id for several bridges');
      await vsctl(names.flatMap((name) => ['--', 'add-br', name, '--', 'set', 'bridge', name, ...bridgeSets(bo)]));
      for (const name of names) await waitBridge(name);
    },

    async addPorts(bridge, ports) {
      const args: string[] = [];
      for (const p of ports) {
        args.push('--', 'add-port', bridge, p.name);
        if (p.tag !== undefined) args.push(`tag=${p.tag}`);
        args.push('--', 'set', 'interface', p.name, ...interfaceColumns(p));
        if (p.ofport !== undefined) args.push(`ofport_request=${p.ofport}`);
      }
      if (args.length > 0) await vsctl(args);
      const got = await ofports(bridge);
      const wrong = ports.filter((p) => p.ofport !== undefined && got.get(p.name) !== p.ofport);
      if (wrong.length > 0) {
        throw new Error(`${bridge}: OpenFlow port numbers not as requested: ${wrong.map((p) => `${p.name} wanted ${p.ofport}, got ${got.get(p.name)}`).join('; ')}`);
      }
      return got;
    },

    async addFlows(bridge, flows, ao = {}) {
      // '-' reads the flows from stdin: no temp files.
      await ofctl([...(ao.bundle ? ['--bundle'] : []), 'add-flows', bridge, '-'], { input: flows });
    },

    async rejectedFlows(bridge, flows) {
      const rejected: RejectedFlow[] = [];
      const lines = flows.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const text = (lines[i] ?? '').trim();
        if (!text || text.startsWith('#')) continue;
        const r = await run('ovs-ofctl', ['add-flows', bridge, '-'], { ...opts, input: `${text}\n` });
        if (r.code !== 0) rejected.push({ line: i + 1, text, error: r.stderr.trim() });
      }
      await ofctl(['del-flows', bridge]);
      return rejected;
    },

    async delFlows(bridge) {
      await ofctl(['del-flows', bridge]);
    },

    async dumpFlows(bridge) {
      const out = await ofctl(['--no-stats', '--names', 'dump-flows', bridge]);
      return out.split('\n').map((l) => l.trim()).filter((l) => l && !/^(NXST|OFPST)_FLOW reply/.test(l));
    },

    async trace(bridge, flow) {
      return parseOfprotoTrace(await appctl(['ofproto/trace', bridge, flow]));
    },

    control() {
      return openUnixctl(join(dir, 'ovs-vswitchd.ctl'));
    },

    async datapathPorts() {
      return parseDpifShow(await appctl(['dpif/show']));
    },

    async outputPorts(trace) {
      const ports = parseDpifShow(await appctl(['dpif/show']));
      return trace.outputs.map((o) => {
        const p = outputPortName(o, ports);
        if (!p) throw new Error(`datapath port ${o.port} of "${trace.datapathActions}" matches no port:\n${trace.text}`);
        return p.name;
      });
    },

    async fdbAdd(bridge, port, vlan, mac) {
      await appctl(['fdb/add', bridge, port, String(vlan), mac]);
    },

    async setDpFeature(bridge, feature, value) {
      await appctl(['dpif/set-dp-features', bridge, feature, value]);
    },
  };
}

/** The `Interface` columns of a port spec (after `set interface NAME`). */
function interfaceColumns(p: OvsPortSpec): string[] {
  return match(p)
    .with({ kind: 'patch' }, (q) => ['type=patch', `options:peer=${q.peer}`])
    .with({ kind: 'internal' }, () => ['type=internal'])
    .with({ kind: 'system' }, () => ['type=dummy'])
    .with({ kind: 'tunnel' }, (q) => {
      const o: Record<string, string> = { remote_ip: q.remoteIp, ...(q.localIp ? { local_ip: q.localIp } : {}), ...(q.options ?? { key: 'flow' }) };
      return [`type=${q.type}`, ...Object.entries(o).map(([k, v]) => `options:${k}=${v}`)];
    })
    .exhaustive();
}
