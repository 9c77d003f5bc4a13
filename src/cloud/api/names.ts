// Names for API objects in the topology: the API's own name, made safe (SAFE_NAME: ASCII letters, digits,
// `.`, `_`, `-`, at most 64, beginning with a letter or digit; anything else becomes `-`), when it is
// unique among its kind; else the name (or the kind) with the id's first 8 characters. Host names, bridge
// and physical network names come from the agents and keep their own spelling when safe.
import { SAFE_NAME } from '../../topology/names.ts';

/** `My Net (prod)` → `My-Net-prod`; an empty result is empty. */
export function safeName(raw: string | null | undefined): string {
  return (raw ?? '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').replace(/-+$/, '').slice(0, 64);
}

export class NameBook {
  private readonly byId = new Map<string, string>();

  /** Assigns names for a whole kind at once, so that which one gets the plain name does not depend on order. */
  assign(kind: string, objects: readonly { readonly id: string; readonly name?: string | null | undefined }[]): void {
    const count = new Map<string, number>();
    for (const o of objects) {
      const n = safeName(o.name);
      if (n !== '') count.set(n, (count.get(n) ?? 0) + 1);
    }
    const used = new Set<string>();
    const suffixed = (base: string, id: string) => `${base.slice(0, 55)}-${safeName(id).slice(0, 8)}`;
    for (const o of objects) {
      const n = safeName(o.name);
      let name = n !== '' && count.get(n) === 1 ? n : suffixed(n || (kind.split(':')[0] ?? 'x').replace(/[^A-Za-z0-9]/g, ''), o.id);
      while (used.has(name) || !SAFE_NAME.test(name)) name = suffixed(name.slice(0, 40) || 'x', `${o.id}${used.size}`);
      used.add(name);
      this.byId.set(`${kind}\u0000${o.id}`, name);
    }
  }

  get(kind: string, id: string): string | undefined {
    return this.byId.get(`${kind}\u0000${id}`);
  }
}
