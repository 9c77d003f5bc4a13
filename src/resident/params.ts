// The parameters of a resident question (library call or `netproof serve` request) checked for their
// JSON types and turned into the command line's option values, so one parser (src/cli/options.ts and
// the answers' own) judges them whichever way they came: `dport: 22` and `dport: "22"` are the CLI's
// `--dport 22`. A parameter the command does not have, or of the wrong type, is an NP601 error naming
// it — a misspelt field never silently becomes "any".
import type { InputError, Result } from '../errors.ts';
import type { TraceRequest } from '../answers/trace.ts';
import type { QueryRequest } from '../answers/query.ts';
import type { VerifyRequest } from '../answers/verify.ts';

/** How a parameter is written in JSON: text (a number is accepted and written out), a flag, or a list of text. */
type Kind = 'text' | 'flag' | 'list';

const PACKET: Record<string, Kind> = { from: 'text', to: 'text', via: 'text', proto: 'text', dport: 'text', sport: 'text', icmpType: 'text', expect: 'text' };
const SCENARIO: Record<string, Kind> = { fail: 'list', cut: 'list' };

/** The parameters of each question: the options of its command, named as in the library (camelCase). */
export const PARAMETERS = {
  trace: { ...PACKET, ...SCENARIO, master: 'list', holder: 'text' },
  query: { ...PACKET, ...SCENARIO, master: 'list', holder: 'text', bidirectional: 'flag', timeoutMs: 'text' },
  verify: { ...SCENARIO, properties: 'list', select: 'list', skip: 'list', waivers: 'text', baseline: 'text', onlyFailures: 'flag', timeoutMs: 'text', failures: 'text' },
} as const satisfies Record<string, Record<string, Kind>>;

export type Question = keyof typeof PARAMETERS;

/** The command's options each question's parameters become. */
export interface RequestOf {
  trace: TraceRequest;
  query: QueryRequest;
  verify: VerifyRequest;
}

/** The command-line option a parameter is (`icmpType` → `--icmp-type`). */
export const optionName = (param: string): string => `--${param.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** `cut: [["a","b"]]` is `--cut a,b`: a pair of hosts may be given as a list of two. */
function listItem(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string')) return v.join(',');
  return null;
}

function valueOf(kind: Kind, v: unknown): string | boolean | string[] | null {
  switch (kind) {
    case 'text':
      return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
    case 'flag':
      return typeof v === 'boolean' ? v : null;
    case 'list': {
      const items = (Array.isArray(v) ? v : [v]).map(listItem);
      return items.every((x): x is string => x !== null) ? items : null;
    }
  }
}

const WANTED: Record<Kind, string> = { text: 'a string or a number', flag: 'true or false', list: 'a string or a list of strings' };

/**
 * `params` as the options of `question`'s command (text values, as commander gives them), or an NP601
 * error per parameter that is unknown, of the wrong type, or missing (`from` and `to` of trace and query).
 * `source` names where the parameters came from in errors (the library call, or the request line).
 */
export function optionsOf<Q extends Question>(question: Q, params: unknown, source: string): Result<RequestOf[Q]> {
  const spec: Record<string, Kind> = PARAMETERS[question];
  const errors: InputError[] = [];
  const err = (path: string, message: string) => errors.push({ code: 'NP601', file: source, position: null, path, message });
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    err('params', `the parameters of ${question} are an object, not ${JSON.stringify(params)}`);
    return { ok: false, errors };
  }
  const out: Record<string, string | boolean | string[]> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    const kind = spec[k];
    if (kind === undefined) {
      err(`params.${k}`, `${question} has no parameter "${k}"; it has ${Object.keys(spec).join(', ')}`);
      continue;
    }
    if (v === undefined || v === null) continue;
    const value = valueOf(kind, v);
    if (value === null) err(`params.${k}`, `${k} (${optionName(k)}) must be ${WANTED[kind]}, not ${JSON.stringify(v)}`);
    else out[k] = value;
  }
  if (question !== 'verify') for (const k of ['from', 'to']) if (out[k] === undefined && !errors.some((e) => e.path === `params.${k}`)) err(`params.${k}`, `${question} needs ${k} (${optionName(k)})`);
  // PARAMETERS[question] lists exactly RequestOf[Q]'s fields, each with the kind of value its type has,
  // and from/to (the only required fields) were checked above: `out` is a RequestOf[Q].
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out as unknown as RequestOf[Q] };
}
