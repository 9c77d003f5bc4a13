// The protocol of `netproof serve` (docs/library.md): JSON lines in, JSON lines out. Each request is one
// line, `{"id": …, "command": "trace"|"query"|"verify"|"reload"|"info"|"shutdown", "params": {…}}`;
// each answer is one line with the same id, `{"id", "ok": true, "exit_code", "result", "warnings"}` or
// `{"id", "ok": false, "exit_code", "errors": [{code, title, file, line, column, path, message}]}`.
// `result` is what the command prints with `--format json`; `exit_code` is what it would exit with.
// Requests are answered one at a time, in the order they arrive (answers come in that order per
// connection); a bad request is answered with its errors and never ends the server. An exception
// inside a question is answered as an internal error (exit code 3, code `internal`).
import { ERROR_CODES, type InputError } from '../errors.ts';
import pkg from '../../package.json' with { type: 'json' };
import type { ResidentModel } from './model.ts';
import type { Answer, ModelInfo, QueryParams, TraceParams, VerifyParams } from './types.ts';

/** The longest request line read; a longer one is refused (NP609) and skipped to its end. */
export const MAX_REQUEST_BYTES = 1 << 20;

/** The protocol's version, in `info` (raised when an answer changes incompatibly; fields may be added). */
export const PROTOCOL_VERSION = 1;

export const COMMANDS = ['trace', 'query', 'verify', 'reload', 'info', 'shutdown'] as const;
type Command = (typeof COMMANDS)[number];

type Id = string | number | null;

export interface ErrorJson {
  code: string;
  title: string;
  file: string | null;
  line: number | null;
  column: number | null;
  path: string;
  message: string;
}

export type Reply =
  | { id: Id; ok: true; exit_code: 0 | 1 | 3; result: unknown; warnings: readonly string[] }
  | { id: Id; ok: false; exit_code: 2 | 3; errors: ErrorJson[] };

export function errorJson(e: InputError): ErrorJson {
  return { code: e.code, title: ERROR_CODES[e.code], file: e.file, line: e.position?.line ?? null, column: e.position?.column ?? null, path: e.path, message: e.message };
}

function malformed(id: Id, path: string, message: string): Reply {
  return { id, ok: false, exit_code: 2, errors: [{ code: 'NP609', title: ERROR_CODES.NP609, file: null, line: null, column: null, path, message }] };
}

function fromAnswer<T>(id: Id, a: Answer<T>): Reply {
  return a.ok ? { id, ok: true, exit_code: a.exitCode, result: a.value, warnings: a.warnings } : { id, ok: false, exit_code: 2, errors: a.errors.map(errorJson) };
}

function infoJson(info: ModelInfo): Record<string, unknown> {
  return {
    netproof: pkg.version, protocol: PROTOCOL_VERSION, source: info.source, kind: info.kind,
    hosts: info.hosts, networks: info.networks, routers: info.routers, vms: info.vms,
    load_ms: info.loadMs, loaded_at: info.loadedAt,
  };
}

/** What a request line asks for, or why it cannot be read. */
function parseRequest(line: string): { id: Id; command: Command; params: unknown } | Reply {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch (e) {
    return malformed(null, '', `not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return malformed(null, '', `a request is a JSON object, not ${JSON.stringify(data).slice(0, 80)}`);
  const r = data as Record<string, unknown>;
  const id = r.id === undefined ? null : r.id;
  if (id !== null && typeof id !== 'string' && typeof id !== 'number') return malformed(null, 'id', `id must be a string, a number or null, not ${JSON.stringify(id).slice(0, 80)}`);
  for (const k of Object.keys(r)) if (k !== 'id' && k !== 'command' && k !== 'params') return malformed(id, k, `a request has id, command and params, not "${k}"`);
  if (typeof r.command !== 'string' || !(COMMANDS as readonly string[]).includes(r.command)) {
    return malformed(id, 'command', `command must be one of ${COMMANDS.join(', ')}, not ${JSON.stringify(r.command ?? null)}`);
  }
  if (r.params !== undefined && (typeof r.params !== 'object' || r.params === null || Array.isArray(r.params))) return malformed(id, 'params', 'params must be an object');
  return { id, command: r.command as Command, params: r.params ?? {} };
}

/** Answers requests on one loaded model. `onShutdown` is called after a `shutdown` request is answered. */
export class RequestHandler {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly model: ResidentModel, private readonly onShutdown: () => void = () => {}) {}

  /** The answer to one request line (never throws; answers in the order lines were given). */
  handle(line: string): Promise<Reply> {
    const next = this.queue.then(() => this.answer(line));
    this.queue = next.catch(() => {});
    return next;
  }

  private async answer(line: string): Promise<Reply> {
    const req = parseRequest(line);
    if ('ok' in req) return req;
    const { id, command, params } = req;
    // The parameters arrive as JSON of any shape: the model checks each one's type itself (params.ts),
    // so they are handed over as the typed parameters they claim to be.
    try {
      switch (command) {
        case 'trace': return fromAnswer(id, this.model.trace(params as TraceParams));
        case 'query': return fromAnswer(id, await this.model.query(params as QueryParams));
        case 'verify': return fromAnswer(id, await this.model.verify(params as VerifyParams));
        case 'reload': {
          if (Object.keys(params as object).length > 0) return malformed(id, 'params', 'reload takes no parameters');
          const r = this.model.reload();
          return r.ok ? { id, ok: true, exit_code: 0, result: infoJson(r.value), warnings: [] } : { id, ok: false, exit_code: 2, errors: r.errors.map(errorJson) };
        }
        case 'info': return { id, ok: true, exit_code: 0, result: infoJson(this.model.info), warnings: [] };
        case 'shutdown':
          queueMicrotask(this.onShutdown);
          return { id, ok: true, exit_code: 0, result: { shutdown: true }, warnings: [] };
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { id, ok: false, exit_code: 3, errors: [{ code: 'internal', title: 'internal error', file: null, line: null, column: null, path: '', message }] };
    }
  }
}

/**
 * Splits a byte stream into lines (LF or CRLF) and hands each non-empty one to `onLine`; a line longer
 * than `max` bytes is handed to `onTooLong` instead (once, with its first bytes) and skipped to its end.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;

  constructor(private readonly onLine: (line: string) => void, private readonly onTooLong: (start: string) => void, private readonly max = MAX_REQUEST_BYTES) {}

  push(chunk: Buffer): void {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
      this.take(chunk.subarray(from, nl));
      this.flush();
      from = nl + 1;
    }
    if (from < chunk.length) this.take(chunk.subarray(from));
  }

  /** The end of input: a last line without a newline counts. */
  end(): void {
    this.flush();
  }

  private take(b: Buffer): void {
    if (this.skipping) return;
    if (this.size + b.length > this.max) {
      this.onTooLong(Buffer.concat([...this.parts, b]).subarray(0, 60).toString('utf8'));
      this.skipping = true;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(b);
    this.size += b.length;
  }

  private flush(): void {
    const wasSkipping = this.skipping;
    this.skipping = false;
    if (wasSkipping) return;
    const line = Buffer.concat(this.parts).toString('utf8').replace(/\r$/, '');
    this.parts = [];
    this.size = 0;
    if (line.trim() !== '') this.onLine(line);
  }
}

/** The answer to a line longer than MAX_REQUEST_BYTES. */
export function tooLong(start: string): Reply {
  return malformed(null, '', `a request line is at most ${MAX_REQUEST_BYTES} bytes; this one (${JSON.stringify(start)}…) is longer`);
}
