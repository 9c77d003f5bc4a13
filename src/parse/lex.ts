// Shared lexing helpers of the artifact parsers: numbered lines, splitting on top-level separators
// (outside quotes and parentheses), a shell-like tokenizer for iptables rules, and unquoting.
// All are total: they never throw, whatever the input.

/** One line of an artifact, 1-based, with its text as written and trimmed. */
export interface SourceLine {
  readonly line: number;
  readonly raw: string;
  readonly text: string;
}

/** Every line of `text`, numbered from 1 (CRLF tolerated). */
export function sourceLines(text: string): SourceLine[] {
  return text.split(/\r?\n/).map((raw, i) => ({ line: i + 1, raw, text: raw.trim() }));
}

/**
 * Splits `s` on `sep` where it is outside double quotes and parentheses, e.g. the actions of
 * `learn(table=20,…),output:"patch-int"` into `learn(…)` and `output:"patch-int"`.
 */
export function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' && s[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth = Math.max(0, depth - 1);
    else if (!quoted && depth === 0 && c === sep) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** Index of `needle` in `s` outside double quotes, or -1. */
export function indexOutsideQuotes(s: string, needle: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"' && s[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && s.startsWith(needle, i)) return i;
  }
  return -1;
}

/** Removes one pair of surrounding double quotes, undoing `\"` and `\\` escapes inside. */
export function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) return s.slice(1, -1).replace(/\\(["\\])/g, '$1');
  return s;
}

/**
 * Splits a command line into words as a POSIX shell would for the quoting iptables-save uses:
 * whitespace separates words, `"…"` and `'…'` group (the quotes are removed), and a backslash
 * escapes the next character outside single quotes. An unterminated quote ends at end of line.
 */
export function shellTokens(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === ' ' || c === '\t') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else if (c === '"') {
      inWord = true;
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        cur += s[i];
        i++;
      }
      i++;
    } else if (c === "'") {
      inWord = true;
      i++;
      while (i < s.length && s[i] !== "'") cur += s[i++];
      i++;
    } else if (c === '\\' && i + 1 < s.length) {
      inWord = true;
      cur += s[i + 1];
      i += 2;
    } else {
      inWord = true;
      cur += c;
      i++;
    }
  }
  if (inWord) out.push(cur);
  return out;
}
