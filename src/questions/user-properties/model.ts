// A loaded user property: the checked item plus where it came from (for messages and errors).
import type { SourcePosition } from '../../errors.ts';
import type { ProtoArg } from '../packet.ts';

export type PortSpec = number | readonly [number, number];

interface Located {
  readonly name: string;
  readonly file: string;
  /** The item's position in its file. */
  readonly position: SourcePosition | null;
  /** The item's index in its file's list, for error paths (`[2].reach.from`). */
  readonly index: number;
}

export type UserProperty =
  | (Located & {
      readonly kind: 'reach';
      readonly from: string;
      readonly to: string;
      readonly proto?: ProtoArg | 'any';
      readonly sport?: PortSpec;
      readonly dport?: PortSpec;
      readonly expect: 'reachable' | 'unreachable';
      readonly bidirectional: boolean;
    })
  | (Located & { readonly kind: 'isolate'; readonly from: string; readonly to: string });

/** `reach:vm1->vm4`, `isolate:project:a->project:b`. */
export function subjectOf(p: UserProperty): string {
  return `${p.kind}:${p.from}->${p.to}`;
}
