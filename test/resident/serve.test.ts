// `netproof serve`: JSON lines in, JSON lines out, on one model loaded once. Several requests answered in
// order with their ids, each answer the JSON of the matching command (the library's, itself held to the
// CLI's in library.test.ts); a malformed line, an unknown command, bad parameters and a line over the
// limit answered as errors with codes while the server keeps going; reload; the end of stdin ends it with
// exit code 0 (Z3's threads ended: the process exits by itself); a Unix socket served until shutdown; a
// topology that does not load is exit code 2 with nothing served.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runServe } from '../../src/cli/serve-command.ts';
import { MAX_REQUEST_BYTES, type Reply } from '../../src/resident/serve.ts';
import { load } from '../../src/index.ts';
import { shutdownZ3 } from '../../src/smt/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'netproof-serve-'));
afterAll(async () => {
  await shutdownZ3();
  rmSync(tmp, { recursive: true, force: true });
});

const quiet = { out: () => {}, err: () => {} };

/** Serves `lines` (then the end of input) in process; the answers, parsed, and the exit code. */
async function serve(file: string, lines: readonly string[]): Promise<{ code: number; replies: Reply[] }> {
  const input = new PassThrough();
  let out = '';
  const done = runServe(quiet, file, {}, { input, write: (l) => (out += l) });
  for (const l of lines) input.write(`${l}\n`);
  input.end();
  const code = await done;
  return { code, replies: out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Reply) };
}

describe('netproof serve on stdin/stdout', () => {
  it('answers several requests in order, keeps going after bad ones, reloads, and ends on EOF', async () => {
    const trace = { from: 'vm1', to: 'vm4', proto: 'tcp', dport: 22 } as const;
    const query = { from: 'vm3', to: 'vm1', proto: 'tcp', dport: 22 } as const;
    const { code, replies } = await serve('topologies/seed.yaml', [
      JSON.stringify({ id: 1, command: 'info' }),
      JSON.stringify({ id: 2, command: 'trace', params: trace }),
      'this is not JSON',
      JSON.stringify({ id: 'q', command: 'query', params: query }),
      JSON.stringify({ id: 4, command: 'frobnicate' }),
      JSON.stringify({ id: 5, command: 'trace', params: { ...trace, dport: 'ssh' } }),
      JSON.stringify([1, 2]),
      JSON.stringify({ id: { no: 1 }, command: 'info' }),
      `{"id": 9, "command": "trace", "params": {"from": "${'x'.repeat(MAX_REQUEST_BYTES)}"}}`,
      JSON.stringify({ id: 10, command: 'reload' }),
      JSON.stringify({ id: 11, command: 'verify', params: { select: ['dhcp'] } }),
      JSON.stringify({ id: 12, command: 'trace', params: trace }),
    ]);
    expect(code).toBe(0);
    expect(replies.map((r) => r.id)).toEqual([1, 2, null, 'q', 4, 5, null, null, null, 10, 11, 12]);
    expect(replies.map((r) => r.exit_code)).toEqual([0, 0, 2, 0, 2, 2, 2, 2, 2, 0, 0, 0]);
    const byId = (id: unknown) => replies.find((r) => r.id === id)!;
    expect(byId(1)).toMatchObject({ ok: true, result: { source: 'topologies/seed.yaml', vms: 4, protocol: 1 } });
    // The answers are the library's (held to the command line's JSON in library.test.ts).
    const lib = load('topologies/seed.yaml');
    if (!lib.ok) throw new Error('seed does not load');
    const want = lib.value.trace(trace);
    expect(byId(2)).toEqual({ id: 2, ok: true, exit_code: 0, result: want.ok ? want.value : null, warnings: [] });
    expect(byId(12)).toEqual({ ...byId(2), id: 12 });
    const q = await lib.value.query(query);
    await lib.value.close();
    expect(byId('q')).toEqual({ id: 'q', ok: true, exit_code: q.exitCode, result: q.ok ? q.value : null, warnings: [] });
    expect(replies[2]).toMatchObject({ ok: false, errors: [{ code: 'NP609', message: expect.stringContaining('not JSON') }] });
    expect(byId(4)).toMatchObject({ ok: false, errors: [{ code: 'NP609', path: 'command' }] });
    expect(byId(5)).toMatchObject({ ok: false, errors: [{ code: 'NP601', path: 'params.dport', title: 'command-line usage' }] });
    expect(replies[6]).toMatchObject({ errors: [{ code: 'NP609', message: expect.stringContaining('a JSON object') }] });
    expect(replies[7]).toMatchObject({ errors: [{ code: 'NP609', path: 'id' }] });
    expect(replies[8]).toMatchObject({ errors: [{ code: 'NP609', message: expect.stringContaining(`at most ${MAX_REQUEST_BYTES} bytes`) }] });
    expect(byId(10)).toMatchObject({ ok: true, result: { vms: 4 } });
    expect(byId(11)).toMatchObject({ ok: true, result: { summary: { violated: 0 } } });
    expect((byId(11) as { result: { results: { property: string }[] } }).result.results.every((r) => r.property === 'dhcp')).toBe(true);
  }, 300_000);

  it('a topology that does not load: exit code 2, its errors on stderr, nothing served', async () => {
    let err = '';
    const input = new PassThrough();
    let out = '';
    const code = await runServe({ out: () => {}, err: (t) => (err += t) }, join(tmp, 'none.yaml'), {}, { input, write: (l) => (out += l) });
    expect(code).toBe(2);
    expect(err).toMatch(/NP001/);
    expect(out).toBe('');
  });

  it('as a process: answers, then exits 0 by itself when stdin ends (Z3 ended)', async () => {
    const child = spawn(process.execPath, ['bin/netproof.cjs', 'serve', 'topologies/seed.yaml'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.write(`${JSON.stringify({ id: 1, command: 'query', params: { from: 'vm1', to: 'vm4' } })}\n`);
    child.stdin.end(`${JSON.stringify({ id: 2, command: 'trace', params: { from: 'vm1', to: 'vm4' } })}\n`);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    const replies = out.trim().split('\n').map((l) => JSON.parse(l) as Reply);
    expect(replies).toMatchObject([{ id: 1, ok: true, result: { verdict: 'reachable' } }, { id: 2, ok: true, result: { disposition: 'delivered' } }]);
  }, 180_000);
});

describe('netproof serve on a Unix socket', () => {
  it('answers each connection in its own lines until a shutdown request, then removes the socket', async () => {
    const path = join(tmp, 'np.sock');
    const done = runServe(quiet, 'topologies/seed.yaml', { socket: path }, { input: new PassThrough(), write: () => {} });
    while (!existsSync(path)) await new Promise((r) => setTimeout(r, 50));
    const ask = (lines: readonly string[]) => new Promise<Reply[]>((resolve, reject) => {
      const c = connect(path);
      let got = '';
      c.on('data', (d) => {
        got += d.toString();
        const replies = got.split('\n').filter((l) => l !== '');
        if (replies.length === lines.length) {
          c.end();
          resolve(replies.map((l) => JSON.parse(l) as Reply));
        }
      });
      c.on('error', reject);
      for (const l of lines) c.write(`${l}\n`);
    });
    const [a, b] = await Promise.all([
      ask([JSON.stringify({ id: 'a1', command: 'trace', params: { from: 'vm1', to: 'vm2' } }), 'nope']),
      ask([JSON.stringify({ id: 'b1', command: 'info' })]),
    ]);
    expect(a).toMatchObject([{ id: 'a1', ok: true, result: { disposition: 'delivered' } }, { id: null, ok: false, errors: [{ code: 'NP609' }] }]);
    expect(b).toMatchObject([{ id: 'b1', ok: true, result: { vms: 4 } }]);
    expect(await ask([JSON.stringify({ id: 'bye', command: 'shutdown' })])).toMatchObject([{ id: 'bye', ok: true }]);
    expect(await done).toBe(0);
    expect(existsSync(path)).toBe(false);
  }, 120_000);
});
