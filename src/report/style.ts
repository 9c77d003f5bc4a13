// How text output is dressed for where it goes: colour for verdicts and the terminal's width for
// tables, only on a terminal. NO_COLOR (any non-empty value, no-color.org) and TERM=dumb turn colour
// off; FORCE_COLOR turns it on. Piped or redirected output is plain and unwrapped, one result a line.

export interface TextStyle {
  /** Whether to colour verdicts (ANSI SGR codes). */
  readonly color: boolean;
  /** The terminal's width in columns, to wrap tables to; null for no wrapping. */
  readonly width: number | null;
}

export const PLAIN: TextStyle = { color: false, width: null };

/** The style for a stream: colour and width only on a terminal, colour as NO_COLOR / FORCE_COLOR say. */
export function styleFor(stream: { isTTY?: boolean; columns?: number }, env: Readonly<Record<string, string | undefined>>): TextStyle {
  const tty = stream.isTTY === true;
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  const off = (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb';
  return { color: forced || (tty && !off), width: tty && stream.columns !== undefined && stream.columns > 0 ? stream.columns : null };
}

const SGR = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
export type Tone = keyof typeof SGR;

export function paint(style: TextStyle, tones: readonly Tone[], text: string): string {
  if (!style.color || tones.length === 0) return text;
  return `\u001b[${tones.map((t) => SGR[t]).join(';')}m${text}\u001b[0m`;
}

/** `text` broken at spaces into lines of at most `width` characters (a longer word is cut). */
export function wrapText(text: string, width: number): string[] {
  if (width < 1 || text.length <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let w = word;
    while (w.length > width) {
      if (line !== '') lines.push(line);
      lines.push(w.slice(0, width));
      w = w.slice(width);
      line = '';
    }
    if (line === '') line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      lines.push(line);
      line = w;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
