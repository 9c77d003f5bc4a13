// The HTML report (`--format html`, `netproof report`) in a real headless browser: Debian's chromium
// driven by playwright-core (one launch for the file). Each page loads from a file with every request
// but its own refused and no console error; every verdict row of the JSON is a row of the page; clicking
// a violation lights up exactly the hops of its trace — the devices the JSON's hops name, the tunnel of
// each underlay hop, the edge of each move, a badge per step — and the steps beside the picture are the
// trace's. The seed's east-west path is screenshot; `UPDATE_SCREENSHOTS=1` writes it to docs/ (review it
// before committing), otherwise it is compared with the reviewed one's size.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeOracle, findExecutable } from '../oracle/prereq.ts';
import { runCli } from '../cli/run.ts';

const seed = 'topologies/seed.yaml';
const SCREENSHOT = 'docs/report-east-west.png';
const VIEWPORT = { width: 1600, height: 1000 };

interface HopJson { host: string; device: string; kind: string; in_port: string | null; out_port: string | null; explain: string }
interface ResultJson { property: string; subject: string; verdict: string; trace: { hops: HopJson[] } | null }

/** The picture element a hop is drawn on, read off the JSON alone (the page's keys: n:HOST/DEVICE, …). */
function expectedNode(h: HopJson): string | null {
  if (h.kind === 'underlay') return null;
  if (h.kind === 'wire') return `n:physnet:${h.device.replace(/^physnet:/, '')}`;
  if (h.kind === 'outside') return `n:outside/${h.device}`;
  return `n:${h.host}/${h.device}`;
}

/** What a page has lit up: node keys, edges as from→to, tunnel edge keys, badge numbers. */
async function lit(page: Page) {
  return page.evaluate(() => {
    const all = (sel: string) => [...document.querySelectorAll(sel)];
    return {
      nodes: all('svg.cloud .node.hl').map((e) => e.getAttribute('data-key')!).sort(),
      edges: all('svg.cloud .edge.hl:not(.k-tunnel)').map((e) => ({
        from: e.getAttribute('data-from')!, to: e.getAttribute('data-to')!, fromPort: e.getAttribute('data-from-port')!, toPort: e.getAttribute('data-to-port')!,
        kind: e.getAttribute('data-kind')!,
      })),
      tunnels: all('svg.cloud .edge.hl.k-tunnel').map((e) => e.getAttribute('data-key')!),
      badges: all('svg.cloud .badge').map((e) => Number(e.getAttribute('data-hop'))).sort((a, b) => a - b),
      steps: all('#steps li').map((e) => e.textContent ?? ''),
    };
  });
}

/** The hops of a trace held to what the page lit up. */
function expectPathLit(got: Awaited<ReturnType<typeof lit>>, hops: readonly HopJson[]): void {
  const nodes = hops.map(expectedNode).filter((k): k is string => k !== null);
  expect(got.nodes).toEqual([...new Set(nodes)].sort());
  // A move between two devices is the edge between their nodes (either way round); an underlay hop is a tunnel.
  // Between two devices joined by several links (br-int and a router's qr- ports), the one of the ports it
  // left and entered by: a move is its two ends, node@port, either way round.
  const end = (node: string, port: string | null) => `${node}@${port ?? ''}`;
  const undirected = (a: string, b: string) => [a, b].sort().join('|');
  const moves = new Set<string>();
  const pairs = new Set<string>();
  hops.forEach((h, i) => {
    const prev = hops[i - 1];
    if (!prev || h.kind === 'underlay' || prev.kind === 'underlay') return;
    moves.add(undirected(end(expectedNode(prev)!, prev.out_port), end(expectedNode(h)!, h.in_port)));
    pairs.add(undirected(expectedNode(prev)!, expectedNode(h)!));
  });
  expect(new Set(got.edges.map((e) => undirected(e.from, e.to)))).toEqual(pairs);
  // An edge per distinct move; links (not the physical network's wires, whose ends are named otherwise) by their ports.
  expect(got.edges).toHaveLength(moves.size);
  for (const e of got.edges.filter((x) => x.kind !== 'wire')) expect(moves).toContain(undirected(end(e.from, e.fromPort), end(e.to, e.toPort)));
  const underlay = hops.filter((h) => h.kind === 'underlay');
  expect(got.tunnels).toHaveLength(underlay.length);
  for (const [i, h] of hops.entries()) {
    if (h.kind !== 'underlay') continue;
    const [farHost, farBridge, farPort] = h.out_port!.split('/');
    const near = `${h.host}/${hops[i - 1]!.device}/${h.in_port}`;
    expect(got.tunnels.filter((k) => k.includes(near) && k.includes(`${farHost}/${farBridge}/${farPort}`))).toHaveLength(1);
  }
  expect(got.badges).toEqual(hops.map((_, i) => i + 1));
  expect(got.steps).toHaveLength(hops.length);
}

describeOracle('the HTML report in headless chromium', ['chromium'], () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), `netproof-html-${process.pid}-`));
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    const executablePath = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'].map(findExecutable).find((p) => p !== null)!;
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a page written to a file, refusing (and recording) every request but the file itself. */
  async function open(name: string, html: string): Promise<Page> {
    const file = join(dir, name);
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: VIEWPORT });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${name}: console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${name}: ${e.message}`));
    await page.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      requests.push(route.request().url());
      return route.abort();
    });
    await page.goto(url);
    return page;
  }

  it('verify: a row per result with the JSON\'s verdicts; clicking each violation lights exactly the hops of its trace', async () => {
    const file = join(dir, 'nosnat.yaml');
    // A router with snat off (nat-egress violated) and a user property the seed violates.
    writeFileSync(file, readFileSync(seed, 'utf8').replace('gateway: { network: public, ip: 203.0.113.10 }', 'gateway: { network: public, ip: 203.0.113.10, snat: false }'));
    const args = ['verify', file, '--properties', 'properties/seed-isolation.yaml', '--select', 'nat-egress,fip-ingress,gateway,dhcp,demo-isolated-from-outside'];
    // One after the other: each run starts and shuts down the process's one Z3.
    const json = await runCli(...args, '--format', 'json');
    const html = await runCli(...args, '--format', 'html');
    expect(html.code).toBe(json.code);
    const results = (JSON.parse(json.stdout) as { results: ResultJson[] }).results;
    const violated = results.filter((r) => r.verdict === 'violated' && r.trace !== null);
    expect(violated.map((r) => r.property).sort()).toEqual(['demo-isolated-from-outside', 'nat-egress']);

    const page = await open('verify.html', html.stdout);
    const rows = await page.$$eval('table.verdicts tbody tr', (trs) => trs.map((tr) => ({
      property: tr.getAttribute('data-property'), subject: tr.getAttribute('data-subject'), verdict: tr.getAttribute('data-verdict'),
      shown: tr.children[2]!.textContent, path: tr.classList.contains('has-path'),
    })));
    expect(rows).toEqual(results.map((r) => ({ property: r.property, subject: r.subject, verdict: r.verdict, shown: r.verdict, path: r.trace !== null })));

    for (const v of violated) {
      await page.click(`tr[data-property="${v.property}"][data-subject="${v.subject}"]`);
      const got = await lit(page);
      expectPathLit(got, v.trace!.hops);
      expect(await page.$$eval('tr.selected', (trs) => trs.map((t) => t.getAttribute('data-property')))).toEqual([v.property]);
    }
    // A row without a path changes nothing when clicked.
    const before = await lit(page);
    await page.click('tr[data-property="fip-ingress"]');
    expect(await lit(page)).toEqual(before);
    await page.close();
  }, 120_000);

  it("trace: the seed's east-west path lit hop by hop with the steps beside it, screenshot kept in docs/", async () => {
    const args = ['trace', seed, '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22'];
    const [json, html] = await Promise.all([runCli(...args, '--format', 'json'), runCli(...args, '--format', 'html')]);
    expect(html.code).toBe(0);
    const trace = JSON.parse(json.stdout) as { hops: HopJson[]; disposition: string };
    const page = await open('trace.html', html.stdout);
    // The one path is shown when the page opens.
    const got = await lit(page);
    expectPathLit(got, trace.hops);
    // Two tunnels (compute1 → network1, network1 → compute2) and the router between them.
    expect(got.tunnels).toHaveLength(2);
    expect(got.nodes.some((k) => /^n:network1\/qrouter-/.test(k))).toBe(true);
    expect(got.steps[0]).toMatch(/VM vm1/);
    expect(await page.textContent('#steps .outcome')).toMatch(/^delivered to vm4 \(port 0\) on compute2/);
    // The picture fits the page's width (no part cut off at the side), kept in proportion; at a click it
    // is shown at its own size, wider than the page here, and scrolls; another click fits it again.
    const fit = () => page.$eval('#picture', (d) => {
      const svg = d.querySelector('svg.cloud')!;
      const box = svg.getBoundingClientRect();
      const [w, h] = [Number(svg.getAttribute('width')), Number(svg.getAttribute('height'))];
      return { scrolls: d.scrollWidth > d.clientWidth, shown: box.width, own: w, ratio: box.width / box.height, ownRatio: w / h, inside: box.right <= d.getBoundingClientRect().right + 0.5 };
    });
    const fitted = await fit();
    expect(fitted.scrolls).toBe(false);
    expect(fitted.inside).toBe(true);
    expect(fitted.shown).toBeLessThan(fitted.own);
    expect(Math.abs(fitted.ratio - fitted.ownRatio)).toBeLessThan(0.01);
    await page.click('#zoom');
    const own = await fit();
    expect(own.shown).toBeCloseTo(own.own, 0);
    expect(own.scrolls).toBe(true);
    expect(await page.textContent('#zoom')).toBe('fit to width');
    await page.click('#zoom');
    expect((await fit()).scrolls).toBe(false);
    const shot = await page.screenshot({ fullPage: false });
    const size = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });
    if (process.env.UPDATE_SCREENSHOTS === '1') writeFileSync(SCREENSHOT, shot);
    expect(size(readFileSync(SCREENSHOT))).toEqual(size(shot));
    expect(size(shot)).toEqual(VIEWPORT);
    await page.close();
  }, 120_000);

  it('query: the witness lit on the picture; report --out writes the same kind of page', async () => {
    const html = await runCli('query', seed, '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22', '--format', 'html');
    const json = await runCli('query', seed, '--from', 'vm1', '--to', 'vm4', '--proto', 'tcp', '--dport', '22', '--format', 'json');
    const answer = JSON.parse(json.stdout) as { verdict: string; hops: HopJson[] };
    const page = await open('query.html', html.stdout);
    expect(await page.getAttribute('table.verdicts tbody tr', 'data-verdict')).toBe(answer.verdict);
    expectPathLit(await lit(page), answer.hops);
    await page.close();

    const out = join(dir, 'report.html');
    const r = await runCli('report', seed, '--out', out, '--select', 'fip-ingress,gateway');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*report\.html: 4 results, 0 with a path on the picture/);
    const report = await open('report-page.html', readFileSync(out, 'utf8'));
    expect(await report.$$eval('table.verdicts tbody tr', (trs) => trs.map((t) => t.getAttribute('data-verdict')))).toEqual(['holds', 'holds', 'holds', 'holds']);
    expect(await report.locator('svg.cloud .node').count()).toBeGreaterThan(10);
    // The header: the command as run, and the verify that prints the same results in a terminal.
    expect(await report.$$eval('header .cmd', (ds) => ds.map((d) => d.textContent))).toEqual([
      `netproof report ${seed} --select fip-ingress,gateway --out ${out}`,
      `as text in a terminal: netproof verify ${seed} --select fip-ingress,gateway`,
    ]);
    await report.close();
  }, 120_000);

  it('no page made a request or logged an error', () => {
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
  });
});
