// Reading a topology file's text: YAML 1.2 (JSON is YAML) parsed with source ranges kept, so any
// field path can be mapped back to a line and column. Syntax errors and duplicate keys become
// NP002/NP003 errors; when there are any, nothing else is reported (no cascade after a parse failure).
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { InputError, SourcePosition } from '../errors.ts';
import type { Path, PathSegment } from './path.ts';
import { formatPath } from './path.ts';

/** Where in a field's source to point: its key (unknown fields), its value, or (missing fields) the enclosing object. */
export type Anchor = 'key' | 'value';

export interface Locator {
  /**
   * The position of `path` in the source. When the path does not exist in full (a missing field),
   * the deepest existing ancestor's value; null only when nothing matches (empty file).
   */
  locate(path: Path, anchor?: Anchor): SourcePosition | null;
}

export type SourceResult =
  | { readonly ok: true; readonly data: unknown; readonly locator: Locator }
  | { readonly ok: false; readonly errors: readonly InputError[] };

type YNode = Node | null | undefined;

/** How far aliases may expand when the document becomes data (yaml's guard against alias bombs). */
const MAX_ALIAS_COUNT = 1000;

/** The child of a collection node for one path segment, with its key node when it is a map entry. */
function child(node: YNode, seg: PathSegment): { key: YNode; value: YNode } | null {
  if (isMap(node)) {
    for (const item of node.items) {
      const k = isScalar(item.key) ? item.key.value : item.key;
      if (String(k) === String(seg)) return { key: item.key as YNode, value: item.value as YNode };
    }
    return null;
  }
  if (isSeq(node) && typeof seg === 'number') {
    const v = node.items[seg];
    return v === undefined ? null : { key: null, value: v as YNode };
  }
  return null;
}

/** The path of the innermost map entry or sequence item whose source range contains `offset`. */
function pathAt(root: YNode, offset: number): Path {
  const path: PathSegment[] = [];
  let node: YNode = root;
  for (;;) {
    let next: YNode = undefined;
    if (isMap(node)) {
      for (const item of node.items) {
        const keyNode = item.key as YNode;
        const valNode = item.value as YNode;
        const start = keyNode?.range?.[0] ?? valNode?.range?.[0];
        const end = valNode?.range?.[2] ?? keyNode?.range?.[2];
        if (start !== undefined && end !== undefined && offset >= start && offset <= end) {
          path.push(String(isScalar(keyNode) ? keyNode.value : keyNode));
          next = valNode;
          break;
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const r = (item as YNode)?.range;
        if (next === undefined && r && offset >= r[0] && offset <= r[2]) {
          path.push(i);
          next = item as YNode;
        }
      });
    }
    if (next === undefined || next === null) return path;
    node = next;
  }
}

/** Parses `text` (from `file`) into plain data plus a locator over the original source. */
export function readSource(text: string, file: string): SourceResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const pos = (offset: number): SourcePosition => {
    const lp = lineCounter.linePos(offset);
    return { line: lp.line, column: lp.col };
  };
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e): InputError => {
      const dup = e.code === 'DUPLICATE_KEY';
      const segments = pathAt(doc.contents as YNode, e.pos[0]);
      const path = formatPath(segments);
      const firstLine = e.message.split('\n')[0] ?? e.message;
      return {
        code: dup ? 'NP003' : 'NP002',
        file,
        position: pos(e.pos[0]),
        path,
        message: dup
          ? `duplicate key "${String(segments[segments.length - 1] ?? '')}" (map keys must be unique)`
          : firstLine.replace(/ at line \d+, column \d+:?$/, ''),
      };
    });
    return { ok: false, errors };
  }
  const locator: Locator = {
    locate(path, anchor = 'value') {
      let node: YNode = doc.contents as YNode;
      let at: YNode = node;
      for (const [i, seg] of path.entries()) {
        if (isAlias(node)) node = node.resolve(doc) as YNode;
        const c = child(node, seg);
        if (c === null) break;
        const last = i === path.length - 1;
        at = last && anchor === 'key' && c.key ? c.key : (c.value ?? c.key);
        node = c.value;
      }
      const r = at?.range;
      return r ? pos(r[0]) : null;
    },
  };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // yaml throws only on aliases that expand past the count (an "alias bomb") when building data.
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, errors: [{ code: 'NP006', file, position: null, path: '', message: `aliases would expand more than ${MAX_ALIAS_COUNT} times (${message.split('\n')[0]})` }] };
  }
  return { ok: true, data, locator };
}
