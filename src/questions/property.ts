// What every verification question returns and takes: a verdict per subject, with the witness and
// its replayed trace on a violation. Built-in properties and user properties share these types, so
// the reports (text, JSON, JUnit) never need to know which kind a result came from.
import type { Packet } from '../ir/packet.ts';
import type { Dataplane } from '../ir/dataplane.ts';
import type { Topology } from '../topology/model.ts';
import type { Trace } from '../evaluate/trace.ts';
import type { Evaluator } from '../evaluate/index.ts';
import type { TraceClaim } from './guard.ts';

/**
 * `unknown` is a real verdict: a solver timeout or an unmodelled construct, never a proof. `n/a`: true
 * only because there is nothing to check (no port to send from, nobody to be isolated from). `waived`:
 * violated or unknown, but named in a waiver file with its reason (questions/waivers.ts).
 */
export type PropertyVerdict = 'holds' | 'violated' | 'unknown' | 'n/a' | 'waived';

export interface PropertyResult {
  /** Property id (`nat-egress`, …) or a user property's name. */
  readonly property: string;
  /** `KIND:NAME` — `router:R`, `fip:IP`, `project:P`, `network:N`, `port:VM:N`, `host:H` — or a user property's own subject. */
  readonly subject: string;
  readonly verdict: PropertyVerdict;
  /** On a violation: the packet as sent that shows it. */
  readonly witness: Packet | null;
  /** On a violation: the witness replayed through the evaluator (or the standard packet's trace). */
  readonly trace: Trace | null;
  /** One line for people: what was checked, or what went wrong. */
  readonly message: string;
  /** An internal error (e.g. solver and evaluator disagree): the verdict is then `unknown`. */
  readonly error?: string;
  /**
   * What the verdict says `trace` shows, for the guard (guard.ts) that holds every result to its own
   * trace before it is reported; not itself reported. Every holds/violated result with a trace has one.
   */
  readonly claim?: TraceClaim;
  /**
   * True when the verdict was settled by the subject's own device alone (a port's firewall), following
   * no packet beyond it: it is the same whichever HA router instances are masters.
   */
  readonly local?: boolean;
  /**
   * For a `holds` settled by a few devices alone (a port's firewall), what it rests on: those devices
   * (`host/device`) and a key of everything else its answer and message were made from (the port, the
   * ports it stands for). Another choice of masters or another failure scenario in which these devices'
   * digests (src/scenario/device-digest.ts) and the key are the same gives the same result, so it is
   * taken from there rather than asked again (src/questions/carry.ts). Not itself reported.
   */
  readonly rests?: Rests;
  /** The failure scenario it was checked under (absent: none). */
  readonly scenario?: ScenarioTag;
  /** For a verdict that depends on which HA router instances are masters: theirs (router → hosts). */
  readonly masters?: Readonly<Record<string, readonly string[]>>;
  /**
   * A stand-in for a subject this run does not check (another shard's, `verify --shard`): it keeps
   * the subject's place in the order of results and is never reported.
   */
  readonly elsewhere?: true;
}

/** What a result settled by a few devices alone rests on (see `PropertyResult.rests`). */
export interface Rests {
  /** `host/device` of each device read. */
  readonly devices: readonly string[];
  /** Everything else the result was made from, as text. */
  readonly key: string;
}

/** A failure scenario as results name it: the hosts down and the underlay connections cut. */
export interface ScenarioTag {
  readonly failed: readonly string[];
  readonly cut: readonly (readonly [string, string])[];
}

/** Told as a property's work advances: `done` of `total` things (`what`: "projects", "port classes explored" …). */
export type SubjectProgress = (done: number, total: number, what: string) => void;

/** Everything a property needs, built once per `verify` run. */
export interface VerifyContext {
  readonly topology: Topology;
  readonly dataplane: Dataplane;
  readonly evaluator: Evaluator;
  /** Z3's own timeout per solver check. */
  readonly timeoutMs: number;
  /** Where a property says how far it is (progress on a terminal); absent: nobody is told. */
  readonly progress?: SubjectProgress;
  /**
   * Which subjects this run checks (`verify --shard`, or the subjects still open under another choice
   * of HA masters); absent: every one. A property does no work for a subject it does not own and
   * returns a stand-in for it (`elsewhere`) in its place.
   */
  readonly owns?: (subject: string) => boolean;
  /**
   * A result of `subject` already settled elsewhere (another failure scenario) that rests on devices
   * whose digests here are the same and on the same `key`, to be reported as it is; null when there is
   * none. A property asks it only for a subject it would settle by those devices alone.
   */
  readonly reuse?: (subject: string, key: string) => PropertyResult | null;
}

/** A built-in invariant: an id and a check producing one result per subject. */
export interface PropertyCheck {
  readonly id: string;
  /** One line on what it means, for `--help` and the README. */
  readonly description: string;
  check(ctx: VerifyContext): Promise<readonly PropertyResult[]>;
  /**
   * True when the check never depends on which HA router instances are masters: it follows no packet
   * that a router namespace routes or answers, nor one whose path depends on where a router's MAC was
   * learned. Asked once per failure scenario rather than under every choice of masters.
   */
  readonly mastersIndependent?: boolean;
}
