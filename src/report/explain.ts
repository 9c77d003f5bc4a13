// A hop in an operator's words, as WALKTHROUGHS.md tells the path: the security-group check on the
// Linux bridge, the internal VLAN on br-int, the VNI or external VLAN on br-tun/br-vlan, the router
// namespace's routing and NAT, br-ex and the outside world.
import type { Hop, HopEvent } from '../evaluate/trace.ts';
import type { Labels } from './labels.ts';
import { randomPortWords } from '../semantics/snat-port.ts';

function vlanWords(hop: Hop, labels: Labels, vid: number): string {
  const net = labels.networkOfLocalVlan(hop.host, vid);
  return net ? `internal VLAN ${vid} (${net} on ${hop.host})` : `VLAN ${vid}`;
}

/** br-int and br-tun only ever carry internal (local) VLANs; physical bridges also see network VLANs. */
function carriesInternalVlans(device: string): boolean {
  return device === 'br-int' || device === 'br-tun';
}

// Plain switches rather than ts-pattern's `match`: this runs for every event of every hop of every
// trace, and a matcher built per call was about a tenth of a resident trace's time.
function eventWords(hop: Hop, e: HopEvent, labels: Labels): string {
  switch (e.kind) {
    case 'vlan-push':
      return carriesInternalVlans(hop.device) ? `tags it with the ${vlanWords(hop, labels, e.vid)}` : `tags it with VLAN ${e.vid}`;
    case 'vlan-mod': {
      const seg = labels.networkOfSegment('vlan', e.to);
      return hop.device === 'br-int'
        ? `translates network VLAN ${e.from} to the ${vlanWords(hop, labels, e.to)}`
        : `translates the ${vlanWords(hop, labels, e.from)} to the network's VLAN ${e.to}${seg ? ` (${seg})` : ''}`;
    }
    case 'vlan-strip':
      return `removes the ${vlanWords(hop, labels, e.vid)}`;
    case 'tunnel-encap': {
      const net = labels.networkOfSegment('tunnel', e.tunId);
      const type = e.port.startsWith('gre-') ? 'GRE with key' : 'VXLAN with VNI';
      return `encapsulates it in ${type} ${e.tunId}${net ? ` (${net})` : ''} towards ${e.remoteIp} through ${e.port}`;
    }
    case 'tunnel-decap': {
      const net = labels.networkOfSegment('tunnel', e.tunId);
      return `decapsulates it (tunnel id ${e.tunId}${net ? `, ${net}` : ''}) from ${e.port}`;
    }
    case 'security-group': {
      const port = labels.port(e.portId) ?? e.portId;
      return `iptables applies the security groups of ${port} (${e.direction}): ${e.verdict === 'accept' ? 'allowed' : 'DROPPED'}`;
    }
    case 'conntrack':
      return `conntrack zone ${e.zone}: ${e.state}`;
    case 'route': {
      const r = e.route;
      const dst = r.dst.prefixLen === 0 ? 'default' : `${r.dst.ip}/${r.dst.prefixLen}`;
      return `routing table: ${dst}${r.via ? ` via ${r.via}` : ''} dev ${labels.withName(r.dev)}`;
    }
    case 'nat': {
      const words = `${e.nat} rewrites the ${e.field === 'src' ? 'source' : 'destination'} ${e.from} → ${e.to}`;
      const shown = Number(e.to.split(':')[1]);
      return e.randomPortIn ? `${words} (${randomPortWords(e.randomPortIn, shown)})` : words;
    }
    case 'arp':
      return e.mac ? `ARP: ${e.ip} is at ${e.mac}` : `ARP: no answer for ${e.ip}`;
    case 'local-delivery':
      return `addressed to the namespace itself (${e.iface})`;
    case 'note':
      return e.text;
    default:
      return unknownKind(e);
  }
}

/** A kind the switches above do not name: a compile error where it is called, should HopEvent or a hop's kind grow. */
function unknownKind(x: never): never {
  throw new Error(`explain: unknown kind ${JSON.stringify(x)}`);
}

/** The device of a hop as an operator names it: `Linux bridge qbr… (vm1:0)`, `br-int`, `router namespace qrouter-… (router1)`. */
export function deviceWords(hop: Hop, labels: Labels): string {
  switch (hop.deviceKind) {
    case 'vm':
      return `VM ${labels.of(hop.device) ?? hop.device.replace(/^vm:/, '')}`;
    case 'linux-bridge':
      return `Linux bridge ${labels.withName(hop.device)}`;
    case 'ovs-bridge':
      return hop.device;
    case 'namespace': {
      if (!hop.device.startsWith('qrouter-')) return `namespace ${labels.withName(hop.device)}`;
      const role = labels.instanceRole(hop.host, hop.device);
      const name = labels.of(hop.device);
      return role === null ? `router namespace ${labels.withName(hop.device)}` : `router namespace ${hop.device} (${name ? `${name}, ` : ''}its ${role} instance)`;
    }
    case 'wire':
      return `physical network ${hop.device}`;
    case 'underlay':
      return `underlay`;
    case 'outside':
      return `outside world (${hop.device})`;
    default:
      return unknownKind(hop.deviceKind);
  }
}

/**
 * A VLAN pushed on the way in and stripped on the way out of the same bridge (an access port to an
 * access port) is one fact for an operator: the packet crossed the bridge on that VLAN.
 */
export function eventPhrases(hop: Hop, labels: Labels): string[] {
  const events = tagsPushedThenSet(hop.events);
  const push = events.find((e) => e.kind === 'vlan-push');
  const strip = events.find((e) => e.kind === 'vlan-strip');
  if (push && strip && push.vid === strip.vid) {
    const rest = events.filter((e) => e !== push && e !== strip).map((e) => eventWords(hop, e, labels));
    return [`carries it on the ${vlanWords(hop, labels, push.vid)}`, ...rest];
  }
  return events.map((e) => eventWords(hop, e, labels));
}

/**
 * OpenFlow 1.3 spells OF1.0's `mod_vlan_vid:N` on an untagged frame as `push_vlan:0x8100,set_field:N->vlan_vid`
 * (what `ovs-ofctl -O OpenFlow13` prints on a real node): a tag pushed with VID 0 and at once set. For an operator
 * that is one fact — the frame was tagged with N — not a VLAN 0 that was then translated.
 */
function tagsPushedThenSet(events: readonly HopEvent[]): readonly HopEvent[] {
  const out: HopEvent[] = [];
  for (const e of events) {
    const last = out.at(-1);
    if (e.kind === 'vlan-mod' && e.from === 0 && last?.kind === 'vlan-push' && last.vid === 0) out[out.length - 1] = { kind: 'vlan-push', vid: e.to };
    else out.push(e);
  }
  return out;
}

function ownerOf(mac: string, labels: Labels): string {
  const owner = labels.macOwner(mac);
  return owner ? ` (${owner})` : '';
}

/** The edges of the path: what the VM sends or receives, and the underlay between tunnel endpoints. */
function edgeWords(hop: Hop, labels: Labels): string | null {
  if (hop.deviceKind === 'vm') {
    const vm = hop.device.replace(/^vm:/, '');
    const port = hop.outPort ?? hop.inPort ?? '0';
    return hop.outPort !== null
      ? `${hop.host}: ${vm} sends it from its port ${port} (${hop.in.ip_src}, MAC ${hop.in.eth_src}) to ${hop.in.eth_dst}${ownerOf(hop.in.eth_dst, labels)}`
      : `${hop.host}: ${vm} receives it on its port ${port}`;
  }
  if (hop.deviceKind === 'outside') {
    // An upstream router's hop with an ARP lookup routed the packet back onto its own subnet (hairpin).
    const arp = hop.events.find((e) => e.kind === 'arp');
    if (hop.inPort !== null && arp?.kind === 'arp') {
      return arp.mac !== null
        ? `outside: the upstream router of ${hop.device} routes it back onto its own subnet: ARP: ${arp.ip} is at ${arp.mac}${ownerOf(arp.mac, labels)}; sent from its MAC ${hop.in.eth_dst} to ${arp.mac}, the IP header unchanged`
        : `outside: the upstream router of ${hop.device} would route it back onto its own subnet, but no one answers its ARP request for ${arp.ip}`;
    }
    return hop.outPort !== null
      ? `outside: ${hop.in.ip_src} sends it from beyond the upstream router of ${hop.device}, onto the physical network`
      : `outside: the upstream router of ${hop.device} takes it out of the cloud`;
  }
  if (hop.deviceKind === 'wire') {
    const where = (end: string | null) => (end ?? '').replace(/^outside:(.*)$/, 'the upstream router of $1');
    return `${hop.host}: physical network ${hop.device.replace(/^physnet:/, '')} carries it${hop.in.vlan !== null ? ` on VLAN ${hop.in.vlan}` : ' untagged'} from ${where(hop.inPort)} to ${where(hop.outPort)}`;
  }
  if (hop.deviceKind === 'underlay' && hop.outPort) {
    const [host, , port] = hop.outPort.split('/');
    const t = hop.in.tun_id !== null ? ` (tunnel id ${hop.in.tun_id}${labels.networkOfSegment('tunnel', hop.in.tun_id) ? `, ${labels.networkOfSegment('tunnel', hop.in.tun_id)}` : ''})` : '';
    return `${hop.host}: the underlay carries the tunnel packet${t} from ${hop.host} to ${host}, arriving on ${port}`;
  }
  return null;
}

/** One sentence per hop: where it is, what happened to the packet, where it went. */
export function explainHop(hop: Hop, labels: Labels): string {
  const edge = edgeWords(hop, labels);
  if (edge !== null) return edge;
  const where = `${hop.host === '' ? '' : `${hop.host}: `}${deviceWords(hop, labels)}`;
  const inPart = hop.inPort ? ` (in ${labels.withName(hop.inPort)})` : '';
  const events = eventPhrases(hop, labels);
  const outPart = hop.outPort ? `out ${labels.withName(hop.outPort)}` : '';
  const what = [...events, outPart].filter((s) => s !== '').join('; ');
  return `${where}${inPart}${what ? ': ' + what : ''}`;
}
