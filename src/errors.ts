// Errors as values: every bad-input problem netproof reports has a stable code from this one
// catalogue, the file, line and column, and the field path. Loaders return them; only the CLI edge
// prints them and exits (code 2).

export interface SourcePosition { readonly line: number; readonly column: number }

export interface InputError {
  /** A stable code from `ERROR_CODES`, e.g. `NP104`. */
  readonly code: ErrorCode;
  readonly file: string;
  /** 1-based; null when the problem has no single place (e.g. an empty file). */
  readonly position: SourcePosition | null;
  /** Field path, e.g. `vms.vm1.ports[0].ip`. */
  readonly path: string;
  readonly message: string;
}

/**
 * The catalogue. Codes are never reused or renumbered; add new ones at the end of their block.
 * NP0xx: file and syntax; NP1xx: schema; NP2xx: references; NP3xx: addressing and segmentation;
 * NP4xx: placement and ports; NP5xx: unsupported by netproof; NP6xx: command-line usage;
 * NP7xx: property files (`verify --properties`); NP8xx: waiver files (`verify --waivers`); NP9xx: cloud directories (`api/` + `hosts/`, docs/cloud-directory.md).
 */
export const ERROR_CODES = {
  NP001: 'file not readable',
  NP002: 'syntax error',
  NP003: 'duplicate key',
  NP004: 'input too large',
  NP005: 'not a text file',
  NP006: 'too many YAML aliases',
  NP101: 'unknown field',
  NP102: 'wrong type or value',
  NP103: 'missing field',
  NP104: 'unsafe name',
  NP201: 'dangling reference',
  NP301: 'IP outside its subnet',
  NP302: 'duplicate fixed IP in a network',
  NP303: 'duplicate segmentation ID',
  NP304: 'segmentation ID out of range',
  NP305: 'floating IP outside every external subnet',
  NP306: 'floating IP bound twice',
  NP307: 'router interface on a subnet twice',
  NP308: 'no free address left in the subnet',
  NP309: 'invalid CIDR or address',
  NP310: 'floating IP has no router to serve it',
  NP311: 'VRID out of range',
  NP312: 'duplicate VRID in an HA network',
  NP313: 'too many HA routers in one HA network',
  NP314: 'overlapping subnets in one network',
  NP315: 'overlapping subnets on one router',
  NP316: 'router interface overlaps its external network',
  NP317: 'extra route through the router itself',
  NP318: 'port forwarding to an address the port does not hold',
  NP319: 'port forwarding port ranges of different lengths',
  NP401: 'VM on a host without the compute role',
  NP402: 'network not mapped in bridge_mappings',
  NP403: 'port_security false with security groups',
  NP404: 'ambiguous IP endpoint',
  NP405: 'no such endpoint',
  NP406: 'missing tunnel_ip for a tunnel network',
  NP407: 'no network node',
  NP408: 'host listed twice',
  NP409: 'HA state for a host without a router instance',
  NP410: 'two ports would share a device on a host',
  NP411: 'two MACs for one DHCP port',
  NP412: 'stateful and stateless security groups on one port',
  NP413: 'a stateless port whose conntrack depends on group order',
  NP501: 'unsupported: DVR',
  NP502: 'unsupported: native OVS firewall',
  NP503: 'unsupported: router on several hosts (L3 HA)',
  NP504: 'unsupported: IPv6',
  NP505: 'unsupported: artifact format',
  NP506: 'unsupported: port forwarding before Rocky',
  NP507: 'unsupported: port forwarding port ranges before Zed',
  NP601: 'command-line usage',
  NP602: 'unknown host in a failure scenario',
  NP603: 'not an instance of an HA router',
  NP604: 'output directory unusable',
  NP605: 'no packet has these fields',
  NP606: 'baseline unusable',
  NP607: 'shard unusable',
  NP608: 'shards of different runs',
  NP609: 'serve: malformed request',
  NP701: 'property: unknown field',
  NP702: 'property: wrong type or value',
  NP703: 'property: missing field',
  NP704: 'property: unknown endpoint',
  NP705: 'property: duplicate name',
  NP706: 'property: endpoint cannot send',
  NP707: 'property: no packet has these fields',
  NP801: 'waiver: unknown field',
  NP802: 'waiver: wrong type or value',
  NP803: 'waiver: missing field',
  NP901: 'cloud: not a cloud directory',
  NP902: 'cloud: API file missing',
  NP903: 'cloud: API file of the wrong shape',
  NP904: 'cloud: no usable host capture',
  NP905: 'cloud: API view not taken with admin credentials',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The longest file name, field path and message an error line quotes: at most a line's worth each. */
const QUOTE_LIMIT = { file: 200, path: 120, message: 300 } as const;

/**
 * `s` safe to print on one terminal line: control characters (a newline, an escape sequence in a name
 * read from a file) written as `\u….`, and cut to `max` characters with how much was left out.
 */
export function clipForLine(s: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- exactly the characters a terminal would act on
  const safe = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return safe.length <= max ? safe : `${safe.slice(0, max)}… (${safe.length - max} more characters)`;
}

/** One-line rendering: `seed.yaml:12:7: NP201 dangling reference at vms.vm1.host: no host "cmp9"`. */
export function formatInputError(e: InputError): string {
  const file = e.file === '' ? '""' : clipForLine(e.file, QUOTE_LIMIT.file);
  const where = e.position ? `${file}:${e.position.line}:${e.position.column}` : file;
  const at = e.path ? ` at ${clipForLine(e.path, QUOTE_LIMIT.path)}` : '';
  return `${where}: ${e.code} ${ERROR_CODES[e.code]}${at}: ${clipForLine(e.message, QUOTE_LIMIT.message)}`;
}

/** A result that is either a value or the input errors that prevented it. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly InputError[] };
