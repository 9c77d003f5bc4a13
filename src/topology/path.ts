// Field paths: the location of a value in the topology file as a list of keys and indices, and the
// one text form every error shows (`vms.vm1.ports[0].ip`).

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}
