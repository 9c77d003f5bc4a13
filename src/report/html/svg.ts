// The laid-out picture of the cloud (layout.ts) as inline SVG: host boxes, then edges, then the
// hosts' titles (an edge entering a box crosses its title's room: drawn above it, a title stays
// readable, on a backing in the box's colour that hides the line behind it), then device nodes on top. Every element carries its key (`data-key`) so the page's script can light up a path;
// nothing here depends on a trace. Styles are the page's (page-style.ts), by class.
import { xmlEscape } from '../verify-junit.ts';
import { CHAR_WIDTH, FONT_SIZE, LINE_HEIGHT, PAD, type CloudLayout, type PlacedEdge, type PlacedNode } from './layout.ts';

const r1 = (v: number) => Math.round(v * 10) / 10;

function textLines(lines: readonly string[], x: number, y: number, cls: string): string {
  return lines.map((l, i) => `<text class="${cls}${i === 0 ? ' head' : ''}" x="${r1(x)}" y="${r1(y + FONT_SIZE + i * LINE_HEIGHT)}">${xmlEscape(l)}</text>`).join('');
}

function node(n: PlacedNode): string {
  const { x, y, width, height } = n.box;
  const attrs = `class="node k-${n.kind}" data-key="${xmlEscape(n.key)}" data-x="${r1(x + width)}" data-y="${r1(y)}"`;
  return `<g ${attrs}><title>${xmlEscape(n.title)}</title><rect x="${r1(x)}" y="${r1(y)}" width="${r1(width)}" height="${r1(height)}" rx="4"/>${textLines(n.lines, x + PAD, y + PAD - 2, 'label')}</g>`;
}

function host(n: PlacedNode): string {
  const { x, y, width, height } = n.box;
  return `<g class="host" data-key="${xmlEscape(n.key)}"><title>${xmlEscape(n.title)}</title><rect x="${r1(x)}" y="${r1(y)}" width="${r1(width)}" height="${r1(height)}" rx="8"/></g>`;
}

function hostTitle(n: PlacedNode): string {
  const [x, y] = [n.box.x + PAD * 2, n.box.y + PAD];
  // Its text's room, in the box's colour (the bold first line is a little wider than the rest).
  const width = Math.max(...n.lines.map((l, i) => l.length * CHAR_WIDTH * (i === 0 ? 1.15 : 1))) + 4;
  const backing = `<rect x="${r1(x - 2)}" y="${r1(y)}" width="${r1(width)}" height="${r1(n.lines.length * LINE_HEIGHT + 3)}" rx="2"/>`;
  return `<g class="host-title">${backing}${textLines(n.lines, x, y, 'host-label')}</g>`;
}

function edge(e: PlacedEdge): string {
  if (e.points.length < 2) return '';
  const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${r1(p.x)} ${r1(p.y)}`).join(' ');
  const mid = e.points[Math.floor((e.points.length - 1) / 2)]!;
  const next = e.points[Math.floor((e.points.length - 1) / 2) + 1]!;
  const [mx, my] = [(mid.x + next.x) / 2, (mid.y + next.y) / 2];
  const label = e.label === '' ? '' : `<text class="edge-label" x="${r1(mx + 3)}" y="${r1(my - 3)}">${xmlEscape(e.label)}</text>`;
  return `<g class="edge k-${e.kind}" data-key="${xmlEscape(e.key)}" data-kind="${e.kind}" data-from="${xmlEscape(e.from)}" data-to="${xmlEscape(e.to)}" data-from-port="${xmlEscape(e.fromPort)}" data-to-port="${xmlEscape(e.toPort)}" data-x="${r1(mx)}" data-y="${r1(my)}"><title>${xmlEscape(e.title)}</title><path d="${d}"/>${label}</g>`;
}

export function cloudSvg(l: CloudLayout): string {
  const hosts = l.nodes.filter((n) => n.kind === 'host');
  const devices = l.nodes.filter((n) => n.kind !== 'host');
  const [w, h] = [l.width + 24, l.height + 24];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="cloud" width="${w}" height="${h}" viewBox="-12 -12 ${w} ${h}" font-size="${FONT_SIZE}" data-char-width="${CHAR_WIDTH}">`,
    `<g class="hosts">${hosts.map(host).join('')}</g>`,
    `<g class="edges">${l.edges.map(edge).join('')}</g>`,
    `<g class="host-titles">${hosts.map(hostTitle).join('')}</g>`,
    `<g class="nodes">${devices.map(node).join('')}</g>`,
    '<g class="badges"></g>',
    '</svg>',
  ].join('\n');
}
