// The names a topology gives its objects (hosts, networks, subnets, routers, projects, security
// groups, VMs, physical networks, bridges) become directory and file names of `render --out`, parts of
// device names, and parts of the endpoints and subjects users write (`VM:N`, `NETWORK/IP`, `port:VM:N`).
// So a name is 1–64 characters from a safe set: ASCII letters, digits, `.`, `_` and `-`, beginning with
// a letter or a digit (so never `.`, `..` or a path, never an option, never a separator of ours).

export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The character set in words, for messages and docs. */
export const SAFE_NAME_RULE = '1–64 characters: ASCII letters, digits, ".", "_" and "-", beginning with a letter or a digit';

export function isSafeName(s: string): boolean {
  return SAFE_NAME.test(s);
}
