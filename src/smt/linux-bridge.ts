// A Linux bridge (qbr) over a symbolic packet, as src/evaluate/linux-bridge.ts: first its discards
// (bridge-discard.ts), then converged MAC-table forwarding, flooding to every other port otherwise.
// With br_netfilter on, untagged IPv4 frames go through the host's root namespace iptables as bridged
// traffic: PREROUTING (-i the bridge, physdev-in the ingress port), then per egress port FORWARD and
// POSTROUTING (physdev-out that port) — the hybrid firewall's security-group check.
// Guarantees: each egress copy carries its own verdict; non-IPv4 and VLAN-tagged frames skip iptables;
// every drop made here by the MAC table or netfilter carries its site (`at`: host, bridge, entry port)
// besides its text.
import type { LinuxBridge } from '../ir/dataplane.ts';
import type { NfContext } from '../semantics/netfilter.ts';
import { isGroupDst, isIpv4, macToNum } from './headers.ts';
import type { Cond } from './cond.ts';
import type { EndSite, Path, Step } from './path.ts';
import { assume, ended } from './path.ts';
import { newNfPath, type NfPath } from './netfilter/state.ts';
import { symRunHook } from './netfilter/hook.ts';
import type { WalkCtx } from './walk-ctx.ts';
import { fdbCandidates } from './normal.ts';
import { bridgeDiscards } from './bridge-discard.ts';
import { BRIDGE_NF_FILTER_VLAN_TAGGED } from '../semantics/link-layer.ts';

export function symLinuxBridge(w: WalkCtx, host: string, br: LinuxBridge, inPort: string, arriving: Path): Step[] {
  const { e } = w;
  const where = `${host}/${br.name}`;
  const at: EndSite = { host, device: br.name, inPort };
  const root = w.index.host(host)?.namespaces.find((n) => n.name === 'root') ?? null;
  const out: Step[] = [];
  // A discard is the bridge's, not the firewall's: it carries no site (security-groups judges only
  // what the port's iptables chains drop).
  const discards = bridgeDiscards(e, br, arriving.packet);
  for (const d of discards) {
    const p = assume(arriving, d.cond);
    if (p) out.push(ended('dropped', p, `${where}: ${d.why}`));
  }
  const path = assume(arriving, e.and(...discards.map((d) => e.not(d.cond))));
  if (!path) return out;
  // Forwarding decision: per learned MAC, else flood.
  const fdb = fdbCandidates(w.fdbOf(host, br.name), null, path.packet.eth_dst);
  const egress: { port: string; path: Path }[] = [];
  const pk = path.packet;
  const group = isGroupDst(e, pk);
  const misses: Cond[] = [];
  for (const f of fdb) {
    const hit = e.eq(pk.eth_dst, macToNum(f.mac), 48);
    misses.push(e.not(hit));
    const p = assume(path, e.and(e.not(group), hit), [{ field: 'eth_dst', value: macToNum(f.mac) }]);
    if (!p) continue;
    if (f.port === inPort) out.push(ended('dropped', p, `${where}: ${f.mac} learned on the input port`, null, null, at));
    else egress.push({ port: f.port, path: p });
  }
  const flood = assume(path, e.or(group, e.and(...misses)));
  if (flood) {
    const others = br.ports.filter((p) => p !== inPort);
    if (others.length === 0) out.push(ended('dropped', flood, `${where}: no other port`, null, null, at));
    for (const port of others) egress.push({ port, path: flood });
  }
  // VLAN presence is concrete on every path: a tagged frame skips iptables (bridge-nf-filter-vlan-tagged=0).
  const filtered = br.netfilter && root !== null && (path.packet.vlan === null || BRIDGE_NF_FILTER_VLAN_TAGGED);
  for (const g of egress) {
    if (!filtered) { out.push({ kind: 'emit', port: g.port, path: g.path }); continue; }
    const plain = assume(g.path, e.not(isIpv4(e, g.path.packet)));
    if (plain) out.push({ kind: 'emit', port: g.port, path: plain });
    const v4 = assume(g.path, isIpv4(e, g.path.packet), [{ field: 'eth_type', value: 0x0800 }]);
    if (!v4) continue;
    const pctx: NfContext = { inIface: br.name, outIface: null, physdevIn: inPort, physdevOut: null, bridged: true };
    const pre = symRunHook(e, root.netfilter, 'PREROUTING', newNfPath(v4, `${host}/root`, w.dnatTargets), pctx, `${host}/root(${br.name})`, at);
    out.push(...pre.ends);
    const fctx: NfContext = { inIface: br.name, outIface: br.name, physdevIn: inPort, physdevOut: g.port, bridged: true };
    for (const st of pre.accepted) out.push(...forward(w, root.netfilter, fctx, st, g.port, `${host}/root(${br.name})`, at));
  }
  return out;
}

function forward(w: WalkCtx, ruleset: Parameters<typeof symRunHook>[1], ctx: NfContext, st: NfPath, port: string, where: string, at: EndSite): Step[] {
  const out: Step[] = [];
  const f = symRunHook(w.e, ruleset, 'FORWARD', st, ctx, where, at);
  out.push(...f.ends);
  for (const a of f.accepted) {
    const post = symRunHook(w.e, ruleset, 'POSTROUTING', a, ctx, where, at);
    out.push(...post.ends);
    for (const z of post.accepted) out.push({ kind: 'emit', port, path: z.path });
  }
  return out;
}
