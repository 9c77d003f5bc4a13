// `netproof serve TOPOLOGY [--socket PATH] [--timeout-ms N]`: loads the topology file or cloud directory
// once and answers requests as JSON lines (src/resident/serve.ts, docs/library.md) on stdin/stdout until
// stdin ends — or, with --socket, on a Unix socket (each connection its own stream of lines) until a
// `shutdown` request, SIGINT or SIGTERM. Exit codes: 2 when the options or the topology are bad (nothing
// is served; the errors on stderr as every command prints them), else 0 when it ends as asked. Bad
// requests are answered, never fatal. Z3's threads are ended before the process exits.
import { createServer, type Server, type Socket } from 'node:net';
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { EXIT, reportInputErrors, type Io } from './exit.ts';
import { parseInputLimit, parseTimeout, UsageError } from './options.ts';
import { ResidentModel } from '../resident/model.ts';
import { LineSplitter, RequestHandler, tooLong, type Reply } from '../resident/serve.ts';

export interface ServeOptions {
  socket?: string;
  timeoutMs?: string;
  maxInputMb?: string;
}

/** Where the server reads requests from and writes answers to (stdin/stdout by default; tests give their own). */
export interface ServeStreams {
  readonly input: NodeJS.ReadableStream;
  readonly write: (line: string) => void;
}

const processStreams: ServeStreams = { input: process.stdin, write: (l) => process.stdout.write(l) };

/** Whether something listens on the Unix socket at `path` (a socket file left by a server that died does not). */
function listening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(path);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

/** Serving one stream of lines: `ended` when the stream has ended and every answer is out; `drained` once the answers so far are. */
interface Served {
  readonly ended: Promise<void>;
  drained(): Promise<void>;
}

/** Serves the lines of one stream, each answer written as one line, in order. */
function serveStream(handler: RequestHandler, input: NodeJS.ReadableStream, write: (line: string) => void): Served {
  let pending: Promise<unknown> = Promise.resolve();
  const send = (r: Promise<Reply> | Reply) => {
    pending = pending.then(async () => write(`${JSON.stringify(await r)}\n`));
  };
  const lines = new LineSplitter((line) => send(handler.handle(line)), (start) => send(tooLong(start)));
  const ended = new Promise<void>((resolve) => {
    input.on('data', (chunk: Buffer | string) => lines.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    input.on('end', () => {
      lines.end();
      void pending.then(() => resolve());
    });
    input.on('error', () => void pending.then(() => resolve()));
  });
  return { ended, drained: async () => { await pending; } };
}

export async function runServe(io: Io, file: string, o: ServeOptions, streams: ServeStreams = processStreams): Promise<number> {
  const limits = parseInputLimit(o.maxInputMb);
  const timeoutMs = o.timeoutMs === undefined ? undefined : parseTimeout(o.timeoutMs);
  if (o.socket !== undefined) {
    if (o.socket === '') throw new UsageError('--socket must name a path for the Unix socket, not ""');
    if (existsSync(o.socket)) {
      if (!lstatSync(o.socket).isSocket()) throw new UsageError(`--socket ${o.socket}: a file that is not a socket is there`);
      if (await listening(o.socket)) throw new UsageError(`--socket ${o.socket}: another server listens there`);
      unlinkSync(o.socket);
    }
  }
  const loaded = ResidentModel.load(file, { maxInputMb: limits.maxBytes / 2 ** 20, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  if (!loaded.ok) return reportInputErrors(io, loaded.errors);
  const model = loaded.value;
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const handler = new RequestHandler(model, () => stop());
  const onSignal = () => stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let server: Server | null = null;
  const sockets = new Map<Socket, Served>();
  try {
    if (o.socket === undefined) {
      const served = serveStream(handler, streams.input, streams.write);
      await Promise.race([served.ended, stopped]);
      // Stopped by a request or a signal: what was asked before is answered, the rest of the input is not read.
      streams.input.pause();
      streams.input.removeAllListeners('data');
      await served.drained();
    } else {
      const path = o.socket;
      server = createServer((sock) => {
        const served = serveStream(handler, sock, (line) => { if (!sock.destroyed) sock.write(line); });
        sockets.set(sock, served);
        sock.on('close', () => sockets.delete(sock));
        void served.ended.then(() => sock.end());
      });
      const srv = server;
      const bound = await new Promise<Error | null>((resolve) => {
        srv.once('error', resolve);
        srv.listen(path, () => resolve(null));
      });
      if (bound !== null) throw new UsageError(`--socket ${path}: cannot listen there: ${bound.message}`);
      io.err(`netproof serve: ${model.info.source} loaded (${model.info.vms} VMs, ${model.info.loadMs} ms); listening on ${path}`);
      await stopped;
    }
    return EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (server !== null) {
      // What each connection asked before the end (the shutdown request's own answer too) is answered.
      for (const [sock, served] of sockets) {
        sock.pause();
        await served.drained();
        sock.end();
      }
      await new Promise((r) => server!.close(r));
      if (o.socket !== undefined && existsSync(o.socket)) unlinkSync(o.socket);
    }
    await model.close();
  }
}
