// The HTML report's script, inlined into the page as plain browser JavaScript (no framework, nothing
// fetched): clicking a result row with a path lights up exactly its hops on the picture — each hop's
// node (or tunnel edge) and the edge it came over — with a numbered badge per hop, and lists the steps
// beside the picture; hovering a step points at its element; the packet's other copies (a flood) are
// drawn dashed; a button shows the picture at its own size instead of fitted to the page. The paths come from the JSON block
// `#netproof-paths` (path.ts); the first row with a path is shown when the page opens.
export const CLIENT_JS = `
(function () {
  'use strict';
  var paths = JSON.parse(document.getElementById('netproof-paths').textContent);
  var svg = document.querySelector('svg.cloud');
  var badges = svg.querySelector('g.badges');
  var steps = document.getElementById('steps');
  var NS = 'http://www.w3.org/2000/svg';

  function el(key) {
    return key === null ? null : svg.querySelector('[data-key="' + CSS.escape(key) + '"]');
  }
  function clear() {
    svg.querySelectorAll('.hl, .focus, .copy').forEach(function (e) { e.classList.remove('hl', 'focus', 'copy'); });
    while (badges.firstChild) badges.removeChild(badges.firstChild);
    document.querySelectorAll('tr.selected').forEach(function (r) { r.classList.remove('selected'); });
  }
  function badge(e, n, nth) {
    var x = Number(e.getAttribute('data-x')) - 2 + nth * 17, y = Number(e.getAttribute('data-y')) + 1;
    var g = document.createElementNS(NS, 'g');
    g.setAttribute('class', 'badge');
    g.setAttribute('data-hop', String(n));
    var c = document.createElementNS(NS, 'circle');
    c.setAttribute('cx', String(x)); c.setAttribute('cy', String(y)); c.setAttribute('r', '8');
    var t = document.createElementNS(NS, 'text');
    t.setAttribute('x', String(x)); t.setAttribute('y', String(y + 3.5));
    t.textContent = String(n);
    g.appendChild(c); g.appendChild(t);
    badges.appendChild(g);
  }
  function text(tag, cls, s) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    e.textContent = s;
    return e;
  }
  function show(index, row, scroll) {
    clear();
    var p = paths[index];
    if (!p) return;
    if (row) row.classList.add('selected');
    svg.classList.add('lit');
    var seen = {};
    p.hops.forEach(function (h) {
      var e = el(h.key);
      if (e) {
        e.classList.add('hl');
        seen[h.key] = (seen[h.key] || 0) + 1;
        badge(e, h.n, seen[h.key] - 1);
      }
      var v = el(h.via);
      if (v) v.classList.add('hl');
    });
    // The packet's other copies (a flood, a broadcast): drawn apart, dashed, without badges.
    p.copies.keys.forEach(function (k) { var e = el(k); if (e) e.classList.add('copy'); });
    steps.innerHTML = '';
    steps.appendChild(text('h3', '', p.name));
    steps.appendChild(text('div', 'more', p.title));
    var ol = document.createElement('ol');
    p.hops.forEach(function (h) {
      var li = document.createElement('li');
      li.setAttribute('data-hop', String(h.n));
      li.appendChild(text('span', 'n', String(h.n)));
      li.appendChild(document.createTextNode(h.lines[0].replace(/^\\d+\\. /, '')));
      h.lines.slice(1).forEach(function (l) { li.appendChild(text('span', 'more', l)); });
      if (h.decisive) li.appendChild(text('span', 'rule', 'decided by: ' + h.decisive));
      li.addEventListener('mouseenter', function () { var e = el(h.key); if (e) e.classList.add('focus'); });
      li.addEventListener('mouseleave', function () { var e = el(h.key); if (e) e.classList.remove('focus'); });
      ol.appendChild(li);
    });
    steps.appendChild(ol);
    steps.appendChild(text('div', 'outcome ' + (p.ok ? 'ok' : 'stop'), p.outcome.join(' ')));
    if (p.copies.count > 0) steps.appendChild(text('div', 'more', 'and ' + p.copies.count + ' other ' + (p.copies.count === 1 ? 'copy' : 'copies') + ' of the packet (a flood or broadcast), dashed on the picture'));
    var first = el(p.hops.length > 0 ? p.hops[0].key : null);
    // On a click, bring the path's start into view; not when the page opens (the header stays on screen).
    if (scroll && first && first.scrollIntoView) first.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }
  // The picture fits the page's width, or is shown at its own size (scrolled), at a click.
  var zoom = document.getElementById('zoom');
  var picture = document.getElementById('picture');
  if (zoom && picture) {
    zoom.addEventListener('click', function () {
      var fit = picture.classList.toggle('fit');
      zoom.textContent = fit ? 'actual size' : 'fit to width';
    });
  }
  document.querySelectorAll('tr.has-path').forEach(function (row) {
    row.addEventListener('click', function () { show(Number(row.getAttribute('data-path')), row, true); });
  });
  var first = document.querySelector('tr.has-path');
  if (first) show(Number(first.getAttribute('data-path')), first, false);
})();
`;
