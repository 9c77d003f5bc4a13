// Which chains a symbolic traversal enters, for a walk that watches for changed ones (`diff`: a
// sender whose packets enter no changed chain meets the same iptables on both sides). A chain is
// entered when its table is traversed (a built-in chain) or when a jump or goto to it is taken by
// some packet of the path (one whose match did not fold to false). The watcher is set by the walk
// around the device models it runs; traversals outside one notify nobody.
import type { NfChain } from '../../ir/netfilter.ts';

let watcher: ((chain: NfChain) => void) | null = null;

/** A traversal enters `chain`. */
export function entered(chain: NfChain): void {
  watcher?.(chain);
}

/** Runs `f` with `w` told of every chain entered (the watcher of an enclosing run is restored after). */
export function watchingChains<T>(w: ((chain: NfChain) => void) | null, f: () => T): T {
  const outer = watcher;
  watcher = w;
  try {
    return f();
  } finally {
    watcher = outer;
  }
}
