// `node --import tsx bench/walk-census.ts SIZE [PROPERTY,…]`: where a property's symbolic walks go, on one bench size
// (bench/generate.ts). Each property is run cold (a fresh context and dataplane object, as `--per-property` does) and
// measured in CPU time; meanwhile the walker's methods are wrapped from outside (the walker itself carries no
// counters) to count, per sender start, the device visits (a bridge, VM or namespace entered; the upstream router's
// receptions are listed by device only),
// the ends, and the visits made by a frame whose source MAC is a router's gateway (qg-) port or the upstream
// router's: the copies past a router's exit onto the external network. Prints one block per property. A
// measurement, not a test: wrapping private methods ties it to the walker's shape (walk.ts `arriveFresh`,
// `outside`, `fromStation`).
import { measureSize } from './measure.ts';
import { sizeNamed } from './args.ts';
import { getZ3, shutdownZ3 } from '../src/smt/index.ts';
import { SymWalker } from '../src/smt/walk.ts';
import { macToNum } from '../src/smt/headers.ts';
import { BUILTIN_PROPERTIES } from '../src/questions/properties/index.ts';
import { runVerify } from '../src/questions/verify.ts';
import type { End } from '../src/smt/path.ts';
import type { Station } from '../src/ir/dataplane.ts';
import type { Port } from '../src/smt/walk-ctx.ts';

interface Counts { visits: number; past: number; ends: number }

const size = sizeNamed(process.argv[2] ?? 'medium');
const only = (process.argv[3] ?? '').split(',').filter(Boolean);
const { model: m, figures } = measureSize(size, { runs: 1, tracePairs: 0 });
console.log(`size ${size.name}: ${figures.vms} VMs, ${figures.routers} routers`);
await getZ3();

let total: Counts = { visits: 0, past: 0, ends: 0 };
let starts = 0;
const senders = new Set<string>();
const byKind = new Map<string, number>();
const endKinds = new Map<string, number>();
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
let exitMacs: Set<number> | null = null;

// The walker's private methods, wrapped: `any` because they are not part of its type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const W = SymWalker.prototype as any;
const arriveFresh = W.arriveFresh;
W.arriveFresh = function (this: SymWalker, at: Port, path: { packet: { eth_src: unknown } }, hops: number, trail: unknown) {
  if (exitMacs === null) {
    exitMacs = new Set();
    for (const h of this.dp.hosts) for (const ns of h.namespaces) for (const i of ns.interfaces) if (i.name.startsWith('qg-')) exitMacs.add(macToNum(i.mac));
    for (const s of this.dp.stations) if (s.kind === 'outside') for (const u of this.index.upstreamRouters(s.physnet)) exitMacs.add(macToNum(u.mac));
  }
  total.visits++;
  const src = path.packet.eth_src;
  if (typeof src === 'number' && exitMacs.has(src)) total.past++;
  const dev = this.index.device(at.host, at.device);
  bump(byKind, dev === null ? 'nothing' : dev.kind === 'ovs' ? `ovs:${at.device}` : dev.kind === 'ns' ? (at.device.startsWith('qrouter') ? `qrouter by ${at.port.slice(0, 3)}` : 'other namespace') : dev.kind);
  return arriveFresh.call(this, at, path, hops, trail);
};
const outside = W.outside;
W.outside = function (this: SymWalker, ...args: unknown[]) {
  bump(byKind, 'upstream router');
  return outside.apply(this, args);
};
const fromStation = W.fromStation;
W.fromStation = function (this: SymWalker, s: Station, path: unknown) {
  starts++;
  senders.add(s.kind === 'vm-port' ? `${s.vm}:${s.index}` : `outside:${s.network}`);
  const ends: End[] = fromStation.call(this, s, path);
  total.ends += ends.length;
  for (const x of ends) bump(endKinds, x.kind === 'end' ? `${x.disposition}:${x.delivery?.kind ?? '-'}` : x.kind);
  return ends;
};

const top = (m: Map<string, number>) => JSON.stringify([...m].sort((a, b) => b[1] - a[1]));
for (const p of BUILTIN_PROPERTIES) {
  if (only.length > 0 && !only.includes(p.id)) continue;
  total = { visits: 0, past: 0, ends: 0 };
  starts = 0;
  senders.clear();
  byKind.clear();
  endKinds.clear();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runVerify({ ...m, timeoutMs: 10_000, dataplane: { ...m.dataplane } }, [p], []);
  const c = process.cpuUsage(c0);
  const n = Math.max(senders.size, 1);
  console.log(`\n${p.id}: ${((c.user + c.system) / 1e6).toFixed(2)} s CPU, ${((performance.now() - t0) / 1000).toFixed(2)} s wall; ${JSON.stringify(r.summary)}`);
  console.log(`  ${senders.size} senders, ${starts} starts; ${total.visits} device visits, ${total.past} past a router's exit (${((100 * total.past) / Math.max(total.visits, 1)).toFixed(1)}%); ${total.ends} ends`);
  console.log(`  per sender: ${(total.visits / n).toFixed(0)} visits, ${(total.past / n).toFixed(0)} past the exit, ${(total.ends / n).toFixed(1)} ends`);
  console.log(`  visits by device: ${top(byKind)}`);
  console.log(`  ends: ${top(endKinds)}`);
}
await shutdownZ3();
