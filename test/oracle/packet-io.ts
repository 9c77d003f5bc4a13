// The Node side of packet-io.py: one helper process per suite that sends real frames on interfaces of
// the test's namespaces and reports what came out where, reads a namespace's IP counters and empties
// its conntrack table. Requests are served one at a time, in order.
// Guarantees: `close()` ends only the helper this module started (by its PID); a helper that dies
// rejects every pending request with its stderr.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { terminate } from './exec.ts';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'packet-io.py');

/** A frame seen on an interface: where, and its bytes. */
export interface SeenFrame { readonly ns: string; readonly iface: string; readonly frame: Buffer }

export interface PacketIo {
  /** Opens raw sockets on these interfaces of namespace `ns` (sending and capturing). */
  listen(ns: string, ifaces: readonly string[]): Promise<void>;
  /** Sends `frame` out of `iface` and returns every frame that arrived on any listened interface until quiet. */
  send(ns: string, iface: string, frame: Buffer, timing?: { settleMs?: number; maxMs?: number }): Promise<SeenFrame[]>;
  /** `/proc/net/snmp` of the namespace, as `Ip.InDelivers` → value. */
  counters(ns: string): Promise<Record<string, number>>;
  /** Empties the namespace's conntrack table. */
  flushConntrack(ns: string): Promise<void>;
  /** Deletes the namespace's IPv4 neighbour entries except permanent ones; resolves with how many. */
  flushNeighbours(ns: string): Promise<number>;
  close(): Promise<void>;
}

export async function startPacketIo(): Promise<PacketIo> {
  const child: ChildProcessWithoutNullStreams = spawn('python3', [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  const waiting: { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
  let stderr = '';
  let dead: Error | null = null;
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const w = waiting.shift();
    if (!w) return;
    try {
      const rep = JSON.parse(line) as Record<string, unknown>;
      if (typeof rep.error === 'string') w.reject(new Error(`packet-io: ${rep.error}`));
      else w.resolve(rep);
    } catch (e) {
      w.reject(new Error(`packet-io: unreadable reply ${line}: ${String(e)}`));
    }
  });
  const fail = (why: string) => {
    dead = new Error(`packet-io helper ${why}${stderr ? `: ${stderr.trim()}` : ''}`);
    for (const w of waiting.splice(0)) w.reject(dead);
  };
  child.on('exit', (code, signal) => fail(`exited (${code ?? signal})`));
  child.on('error', (e) => fail(`could not run: ${e.message}`));

  let queue: Promise<unknown> = Promise.resolve();
  const request = (req: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const next = queue.then(() => new Promise<Record<string, unknown>>((resolve, reject) => {
      if (dead) { reject(dead); return; }
      waiting.push({ resolve, reject });
      child.stdin.write(`${JSON.stringify(req)}\n`);
    }));
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    async listen(ns, ifaces) {
      await request({ op: 'listen', ns, ifaces });
    },
    async send(ns, iface, frame, timing = {}) {
      const rep = await request({ op: 'send', ns, iface, frame: frame.toString('hex'), settle_ms: timing.settleMs ?? 4, max_ms: timing.maxMs ?? 80 });
      return (rep.frames as { ns: string; iface: string; frame: string }[]).map((f) => ({ ns: f.ns, iface: f.iface, frame: Buffer.from(f.frame, 'hex') }));
    },
    async counters(ns) {
      return (await request({ op: 'snmp', ns })).counters as Record<string, number>;
    },
    async flushConntrack(ns) {
      await request({ op: 'ct_flush', ns });
    },
    async flushNeighbours(ns) {
      return (await request({ op: 'neigh_flush', ns })).flushed as number;
    },
    async close() {
      if (child.pid === undefined || dead) return;
      child.stdin.end(`${JSON.stringify({ op: 'exit' })}\n`);
      await terminate(child.pid, 2000);
    },
  };
}
