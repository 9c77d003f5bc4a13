// Where a rule came from: the artifact line it was parsed from and, when netproof rendered it, the
// Neutron object and the reason it exists. Every rule in the IR carries one, so a trace can say
// which rule acted on a packet and why that rule is there.

export interface Origin {
  /** Artifact path relative to the render root, e.g. `compute1/br-int.dump-flows`, or a sample's file name. */
  readonly file: string;
  /** 1-based line in that artifact. */
  readonly line: number;
  /** The artifact line itself, trimmed. */
  readonly text: string;
  /** The Neutron object behind the rule, e.g. `port vm1:0 (3f2a…)`, when known. */
  readonly neutron?: string;
  /** Why the agent installs it, in an operator's words, when known. */
  readonly why?: string;
}

/** A parser or assembly warning: something not understood, modelled conservatively. */
export interface Warning {
  readonly code: string;
  readonly file: string;
  readonly line: number;
  readonly message: string;
}
