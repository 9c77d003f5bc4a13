// The features of the topology format, read off its zod schema, and the features a topology file
// uses: every field (`routers.*.gateway.snat`), every enum value and boolean (`networks.*.type=gre`,
// `routers.*.gateway.snat=false`), null where null is allowed, and each alternative of a union
// (`security_groups.*.*:array`, `…port:string`). Comparing the two says which features a generator
// never reaches — and a field added to the schema shows up here until the generator covers it.
// Guarantees: `schemaFeatures` lists every key `usedFeatures` can produce for a schema-valid file.
import type { z } from 'zod';

type Schema = z.core.$ZodType;
interface Def {
  readonly type: string;
  readonly shape?: Record<string, Schema>;
  readonly entries?: Record<string, string>;
  readonly innerType?: Schema;
  readonly options?: readonly Schema[];
  readonly element?: Schema;
  readonly valueType?: Schema;
}
// zod 4 keeps a schema's definition under `_zod.def`; its public type is a union per kind.
const defOf = (s: Schema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
/** An object schema's fields (zod 4 keeps them as a getter on the definition). */
const shapeOf = (s: Schema): Record<string, Schema> => (defOf(s) as unknown as { shape: Record<string, Schema> }).shape;

/** The name of a union alternative, for `path:alternative`. */
function kindOf(s: Schema): string {
  const d = defOf(s);
  if (d.type === 'optional' || d.type === 'nullable') return kindOf(d.innerType!);
  if (d.type === 'enum' || d.type === 'string') return 'string';
  return d.type;
}

/** Every feature of the format under `path`. */
export function schemaFeatures(s: Schema, path = ''): string[] {
  const d = defOf(s);
  switch (d.type) {
    case 'optional':
      return schemaFeatures(d.innerType!, path);
    case 'nullable':
      return [`${path}=null`, ...schemaFeatures(d.innerType!, path)];
    case 'object':
      return Object.entries(shapeOf(s)).flatMap(([k, v]) => {
        const p = path === '' ? k : `${path}.${k}`;
        return [p, ...schemaFeatures(v, p)];
      });
    case 'record':
      return schemaFeatures(d.valueType!, `${path}.*`);
    case 'array':
      return schemaFeatures(d.element!, `${path}[]`);
    case 'union':
      return d.options!.flatMap((o) => [`${path}:${kindOf(o)}`, ...schemaFeatures(o, path)]);
    case 'enum':
      return Object.keys(d.entries!).map((v) => `${path}=${v}`);
    case 'boolean':
      return [`${path}=true`, `${path}=false`];
    default:
      return [];
  }
}

function matches(s: Schema, v: unknown): boolean {
  const d = defOf(s);
  switch (d.type) {
    case 'optional': return v === undefined || matches(d.innerType!, v);
    case 'nullable': return v === null || matches(d.innerType!, v);
    case 'object': case 'record': return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array': return Array.isArray(v);
    case 'enum': return typeof v === 'string' && Object.keys(d.entries!).includes(v);
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'union': return d.options!.some((o) => matches(o, v));
    default: return true;
  }
}

/** The features `value` uses, read along schema `s` (the value must be valid for it). */
export function usedFeatures(s: Schema, value: unknown, path = '', out: Set<string> = new Set()): Set<string> {
  const d = defOf(s);
  switch (d.type) {
    case 'optional':
      if (value !== undefined) usedFeatures(d.innerType!, value, path, out);
      break;
    case 'nullable':
      if (value === null) out.add(`${path}=null`);
      else usedFeatures(d.innerType!, value, path, out);
      break;
    case 'object':
      for (const [k, v] of Object.entries(shapeOf(s))) {
        const field = (value as Record<string, unknown>)[k];
        if (field === undefined) continue;
        const p = path === '' ? k : `${path}.${k}`;
        out.add(p);
        usedFeatures(v, field, p, out);
      }
      break;
    case 'record':
      for (const v of Object.values(value as Record<string, unknown>)) usedFeatures(d.valueType!, v, `${path}.*`, out);
      break;
    case 'array':
      for (const v of value as unknown[]) usedFeatures(d.element!, v, `${path}[]`, out);
      break;
    case 'union': {
      const o = d.options!.find((x) => matches(x, value));
      if (o) {
        out.add(`${path}:${kindOf(o)}`);
        usedFeatures(o, value, path, out);
      }
      break;
    }
    case 'enum':
      out.add(`${path}=${String(value)}`);
      break;
    case 'boolean':
      out.add(`${path}=${String(value)}`);
      break;
    default:
      break;
  }
  return out;
}
