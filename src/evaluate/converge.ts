// The converged learning state a running cloud has: every station (VM port, outside station) and
// every namespace interface with an address sends a broadcast gratuitous ARP through the walk,
// which records at each NORMAL decision (bridge, VLAN, source MAC → input port), at each Linux
// bridge (bridge, MAC → port) and instantiates `learn` actions. Passes repeat until one learns
// nothing new (two suffice in practice), capped at MAX_PASSES.
import type { Dataplane } from '../ir/dataplane.ts';
import type { Hop } from './trace.ts';
import type { Next, WalkEnv } from './walk.ts';
import { follow, senderHop, vmDevice, walk } from './walk.ts';
import { gratuitousArp } from './arp.ts';

export const MAX_PASSES = 4;

/** Every announcer: its own hop and where its frame goes next. */
export function announcers(env: WalkEnv, dp: Dataplane): { first: Hop; start: Next }[] {
  const out: { first: Hop; start: Next }[] = [];
  for (const s of dp.stations) {
    if (s.kind === 'vm-port') {
      const p = gratuitousArp(s.mac, s.ip, null);
      const first = senderHop(s.host, vmDevice(s.vm), 'vm', String(s.index), p);
      out.push({ first, start: { kind: 'device', host: s.attachment.host, device: s.attachment.device, inPort: s.attachment.port, packet: p, pre: [] } });
    } else {
      const p = gratuitousArp(s.mac, s.gateway, s.vlan);
      const wire = env.index.wireOfPhysnet(s.physnet);
      const first = senderHop('outside', s.network, 'outside', `physnet:${s.physnet}`, p);
      out.push({ first, start: wire ? { kind: 'wire', host: 'outside', wire, from: null, fromOutside: s.network, packet: p } : { kind: 'dead', rule: `no wire for physnet ${s.physnet}` } });
    }
  }
  for (const h of dp.hosts) {
    for (const ns of h.namespaces) {
      for (const i of ns.interfaces) {
        for (const a of i.addresses) {
          const p = gratuitousArp(i.mac, a.ip, null);
          out.push({ first: senderHop(h.name, ns.name, 'namespace', i.name, p), start: follow(env, h.name, ns.name, i.name, p) });
        }
      }
    }
  }
  return out;
}

/** Runs learning passes on `env.state` (env.learn must be true); returns the passes run and whether the cap stopped it. */
export function converge(env: WalkEnv, dp: Dataplane): { passes: number; capped: boolean } {
  const senders = announcers(env, dp);
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const before = env.state.version;
    for (const s of senders) walk(env, s.first, s.start);
    if (env.state.version === before) return { passes: pass, capped: false };
  }
  return { passes: MAX_PASSES, capped: true };
}
