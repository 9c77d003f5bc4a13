// Parser for `ovs-appctl dpif/show` and the mapping from a trace's datapath outputs back to port names.
// Datapath port numbers are not OpenFlow port numbers, and every VXLAN port shares one datapath port
// (4789): a tunnelled output is told apart by its `set(tunnel(dst=…))` against the ports' remote_ip.
import type { DatapathOutput } from './ofproto-trace.ts';

export interface DatapathPort {
  readonly bridge: string;
  readonly name: string;
  readonly ofport: number;
  /** null for patch ports, which have no datapath port. */
  readonly dpPort: number | null;
  /** `dummy`, `dummy-internal`, `patch`, `vxlan`, … */
  readonly type: string;
  readonly options: Readonly<Record<string, string>>;
}

/** `    vxlan-ac10001f 2/4789: (vxlan: key=flow, local_ip=…, remote_ip=…)` under `  br-tun:`. */
export function parseDpifShow(text: string): DatapathPort[] {
  const ports: DatapathPort[] = [];
  let bridge = '';
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^ {2}(\S+):$/.exec(line))) { bridge = m[1] ?? ''; continue; }
    if ((m = /^ {4}(\S+) (\d+)\/(\d+|none): \(([^:)]+)(?:: (.*))?\)$/.exec(line))) {
      const options: Record<string, string> = {};
      for (const kv of (m[5] ?? '').split(', ').filter(Boolean)) {
        const i = kv.indexOf('=');
        if (i > 0) options[kv.slice(0, i)] = kv.slice(i + 1);
      }
      ports.push({ bridge, name: m[1] ?? '', ofport: Number(m[2]), dpPort: m[3] === 'none' ? null : Number(m[3]), type: m[4] ?? '', options });
    }
  }
  return ports;
}

/** The port a datapath output leaves by; null when nothing in `ports` fits (the caller decides if that is an error). */
export function outputPortName(out: DatapathOutput, ports: readonly DatapathPort[]): DatapathPort | null {
  const candidates = ports.filter((p) => p.dpPort === out.port);
  if (candidates.length <= 1) return candidates[0] ?? null;
  const dst = out.tunnel?.dst;
  return candidates.find((p) => dst !== undefined && p.options.remote_ip === dst)
    ?? candidates.find((p) => p.options.remote_ip === 'flow')
    ?? null;
}
