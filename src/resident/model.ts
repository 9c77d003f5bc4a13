// A model loaded once and asked many questions (docs/library.md): the topology file, cloud directory
// or topology object is read, validated, rendered, parsed back, assembled and converged once; each question then
// runs on it with the evaluator and scenario contexts kept between questions (src/answers/session.ts).
// `trace` never loads Z3; `query` and `verify` load it on first use. Questions that use the solver run
// one at a time per process (one Z3 instance per process); before each, an instance that has used more
// than half of its fixed heap is renewed (src/smt/z3.ts), so a long-lived process never runs out of it;
// `close()` ends Z3's threads once no open model needs them. `reload()` reads the source again and swaps the new model in only if it loads.
import type { InputError, Result } from '../errors.ts';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../input/text-file.ts';
import { loadModel, modelFromTopology, type Model } from '../pipeline.ts';
import { loadTopologyData } from '../topology/index.ts';
import { isCloudDirectory } from '../cloud/load.ts';
import { UsageError } from '../cli/options.ts';
import { Session } from '../answers/session.ts';
import { runTraceOn, traceRunCode, traceRunJson, traceRunWarnings, type TraceResultJson } from '../answers/trace.ts';
import type { QueryResultJson } from '../answers/query.ts';
import type { VerifyResultJson } from '../answers/verify.ts';
import { optionsOf, type Question, type RequestOf } from './params.ts';
import type { Answer, LoadOptions, ModelInfo, QueryParams, Source, TraceParams, VerifyParams } from './types.ts';
import { AnswerCache, requestKey } from './answer-cache.ts';

/**
 * The modules the solver's questions need, loaded on first use and then kept: a second `import()` of a
 * loaded module still asks the module loader, which under a loader hook (tsx) is a round trip to the
 * hook's thread, about 0.4 ms of every question.
 */
const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let loaded: Promise<T> | null = null;
  return () => (loaded ??= load());
};
const queryModule = once(() => import('../answers/query.ts'));
const verifyModule = once(() => import('../answers/verify.ts'));
const z3Module = once(() => import('../smt/z3.ts'));

/** Where a topology given as an object has no lines: errors name their field paths only. */
const NO_LINES = { locate: () => null };

/** Models loaded and not closed, and whether any of them started Z3 (only then is there a thread to end). */
let openModels = 0;
let z3Started = false;
/** The solver's questions, one after another (one Z3 context per process). */
let solverQueue: Promise<unknown> = Promise.resolve();

function serially<T>(f: () => Promise<T>): Promise<T> {
  const run = solverQueue.then(f, f);
  solverQueue = run.catch(() => {});
  return run;
}

function readSource(source: Source, limits: InputLimits): Result<Model> {
  if (typeof source === 'string') return loadModel(source, limits);
  // A copy: the caller may change its object afterwards; `reload()` reads the object as it is then.
  const topo = loadTopologyData(structuredClone(source.topology), source.name ?? '<topology object>', NO_LINES);
  return topo.ok ? { ok: true, value: modelFromTopology(topo.value) } : topo;
}

function sourceKind(source: Source): ModelInfo['kind'] {
  return typeof source !== 'string' ? 'object' : isCloudDirectory(source) ? 'cloud' : 'topology';
}

/** A usage problem in the parameters as an input error naming the parameter (`--icmp-type` → `params.icmpType`). */
function usageAsError(e: UsageError, source: string): InputError {
  const flag = /--([a-z-]+)/.exec(e.message)?.[1];
  const param = flag === undefined ? 'params' : `params.${flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}`;
  return { code: 'NP601', file: source, position: null, path: param, message: e.message };
}

export class ResidentModel {
  private session: Session;
  private info_: ModelInfo;
  private closed = false;
  /** The query answers given on this session's model (a reload starts another). */
  private queries = new AnswerCache<QueryResultJson>();

  private constructor(private readonly source: Source, private readonly options: LoadOptions, session: Session, loadMs: number) {
    this.session = session;
    this.info_ = this.describe(session.model, loadMs);
    openModels++;
  }

  /** Loads `source`; the input errors (exit code 2 on the command line) when it cannot. */
  static load(source: Source, options: LoadOptions = {}): Result<ResidentModel> {
    const t0 = performance.now();
    const m = readSource(source, ResidentModel.limits(options));
    if (!m.ok) return m;
    const session = new Session(m.value);
    session.warm();
    return { ok: true, value: new ResidentModel(source, options, session, performance.now() - t0) };
  }

  private static limits(o: LoadOptions): InputLimits {
    if (o.maxInputMb === undefined) return DEFAULT_INPUT_LIMITS;
    if (!Number.isInteger(o.maxInputMb) || o.maxInputMb < 1 || o.maxInputMb > 4096) throw new RangeError(`maxInputMb must be a number of MiB from 1 to 4096, not ${o.maxInputMb}`);
    return { maxBytes: o.maxInputMb * 2 ** 20 };
  }

  private describe(m: Model, loadMs: number): ModelInfo {
    const t = m.topology;
    return {
      source: typeof this.source === 'string' ? this.source : t.file,
      kind: sourceKind(this.source),
      hosts: t.hosts.length, networks: t.networks.length, routers: t.routers.length, vms: t.vms.length,
      loadMs: Math.round(loadMs * 10) / 10,
      loadedAt: new Date().toISOString(),
    };
  }

  /** What is loaded. */
  get info(): ModelInfo {
    return this.info_;
  }

  /** The model itself (topology, rendered artifacts, dataplane IR) for callers that go further. */
  get model(): Model {
    return this.session.model;
  }

  /** Reads the source again; on input errors the model loaded before stays in service. */
  reload(): Result<ModelInfo> {
    this.assertOpen();
    const t0 = performance.now();
    const m = readSource(this.source, ResidentModel.limits(this.options));
    if (!m.ok) return m;
    const session = new Session(m.value);
    session.warm();
    this.session = session;
    this.queries = new AnswerCache();
    this.info_ = this.describe(m.value, performance.now() - t0);
    return { ok: true, value: this.info_ };
  }

  /** `netproof trace`'s answer (its `--format json`); never loads Z3. */
  trace(params: TraceParams): Answer<TraceResultJson> {
    return this.answer('trace', params, (o) => {
      const r = runTraceOn(this.session, o);
      return r.ok ? { ok: true, value: { json: traceRunJson(r.value), code: traceRunCode(r.value), warnings: traceRunWarnings(r.value) } } : r;
    });
  }

  /** `netproof query`'s answer (its `--format json`); loads Z3 on first use. */
  query(params: QueryParams): Promise<Answer<QueryResultJson>> {
    const session = this.session;
    return this.answerAsync('query', params, this.queries, async (o) => {
      const { runQueryOn, queryRunCode, queryRunJson, queryRunWarnings } = await queryModule();
      const r = await runQueryOn(session, this.withTimeout(o));
      return r.ok ? { ok: true, value: { json: queryRunJson(r.value), code: queryRunCode(r.value), warnings: queryRunWarnings(r.value) } } : r;
    });
  }

  /** `netproof verify`'s answer (its `--format json`); loads Z3 on first use. */
  verify(params: VerifyParams = {}): Promise<Answer<VerifyResultJson>> {
    const session = this.session;
    // Never kept: its property, waiver and baseline files are read anew each time.
    return this.answerAsync('verify', params, null, async (o) => {
      const { runVerifyOn, verifyRunCode, verifyRunJson } = await verifyModule();
      const r = await runVerifyOn(session, this.withTimeout(o), ResidentModel.limits(this.options));
      return r.ok ? { ok: true, value: { json: verifyRunJson(r.value, session.model.notes), code: verifyRunCode(r.value), warnings: [] } } : r;
    });
  }

  /**
   * Done with this model: when no other open model remains, Z3's threads are ended (waiting for the
   * questions under way), so the process can exit. Later questions on this model throw.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    openModels--;
    if (openModels > 0 || !z3Started) return;
    await serially(async () => {
      if (openModels > 0 || !z3Started) return;
      const { shutdownZ3 } = await z3Module();
      await shutdownZ3();
      z3Started = false;
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('netproof: this model was closed');
  }

  private withTimeout<O extends { timeoutMs?: string }>(o: O): O {
    return o.timeoutMs === undefined && this.options.timeoutMs !== undefined ? { ...o, timeoutMs: String(this.options.timeoutMs) } : o;
  }

  private answer<T, Q extends Question>(q: Q, params: unknown, run: (o: RequestOf[Q]) => Result<{ json: T; code: number; warnings: string[] }>): Answer<T> {
    this.assertOpen();
    const file = this.info_.source;
    const o = optionsOf(q, params, file);
    if (!o.ok) return { ok: false, errors: o.errors, exitCode: 2 };
    try {
      return envelope(run(o.value));
    } catch (e) {
      if (e instanceof UsageError) return { ok: false, errors: [usageAsError(e, file)], exitCode: 2 };
      throw e;
    }
  }

  private async answerAsync<T, Q extends Question>(q: Q, params: unknown, cache: AnswerCache<T> | null, run: (o: RequestOf[Q]) => Promise<Result<{ json: T; code: number; warnings: string[] }>>): Promise<Answer<T>> {
    this.assertOpen();
    const file = this.info_.source;
    const o = optionsOf(q, params, file);
    if (!o.ok) return { ok: false, errors: o.errors, exitCode: 2 };
    // The options as the question reads them (the model's timeout filled in) make the key.
    const key = cache === null ? '' : requestKey(this.withTimeout(o.value as { timeoutMs?: string }));
    const kept = cache?.get(key);
    if (kept !== undefined) return kept;
    try {
      const answer = envelope(await serially(async () => {
        if (z3Started) {
          // Between questions: nothing of the last one runs or holds terms any more.
          const { renewZ3IfOver } = await z3Module();
          await renewZ3IfOver();
        }
        z3Started = true;
        return run(o.value);
      }));
      cache?.set(key, answer);
      return answer;
    } catch (e) {
      if (e instanceof UsageError) return { ok: false, errors: [usageAsError(e, file)], exitCode: 2 };
      throw e;
    }
  }
}

function envelope<T>(r: Result<{ json: T; code: number; warnings: string[] }>): Answer<T> {
  if (!r.ok) return { ok: false, errors: r.errors, exitCode: 2 };
  const code = r.value.code;
  if (code !== 0 && code !== 1 && code !== 3) throw new Error(`unexpected exit code ${code}`);
  return { ok: true, value: r.value.json, exitCode: code, warnings: r.value.warnings };
}
