/**
 * `npm run report`: a notebook executed in a fresh kernel on the 20,000 real rows and written as a self-contained
 * page, opened offline in headless Chromium: nothing requested from the network, no console error, every chart
 * interactive, every table shown; without JavaScript, every chart's static image. One notebook (05, five charts and
 * a text report) keeps the test to about half a minute; the others go through the same code.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { REAL_RAW } from './helpers/real-data';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM } from '../src/visualize/export';
import { loadedFrom, reportSource } from '../scripts/report';

const ROOT = path.resolve(__dirname, '..');
const NOTEBOOK = '05_visualization';
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-report-test-'));
after(() => fs.rmSync(out, { recursive: true, force: true }));

test('npm run report writes a page that works offline: interactive charts, tables, images without JavaScript', { timeout: 600_000 }, async () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'scripts', 'report.ts'), '--out', out, path.join(ROOT, 'notebooks', `${NOTEBOOK}.ipynb`)],
    { cwd: ROOT, env: { ...process.env, BANKSEG_INPUT: REAL_RAW }, encoding: 'utf8', timeout: 600_000 },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const page = path.join(out, `${NOTEBOOK}.html`);
  const html = fs.readFileSync(page, 'utf8');
  // What the page should show, counted from the notebook's own cells independently of the page: 05 shows five
  // figures (segment map, sizes, money share, centroids, box plots) and one text report.
  const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', `${NOTEBOOK}.ipynb`), 'utf8')) as { cells: { cell_type: string; source: string[] }[] };
  const code = nb.cells.filter((c) => c.cell_type === 'code').map((c) => c.source.join('')).join('\n');
  const charts = [...code.matchAll(/bs\.(segmentMap|segmentSizes|moneyShare|centroidProfile|segmentBoxPlots)\(/g)].length;
  assert.equal(charts, 5);
  assert.match(r.stdout, new RegExp(`${NOTEBOOK}\\.html: 5 · Visualization \\(${charts} interactive chart\\(s\\)\\)`));
  assert.ok(fs.existsSync(path.join(out, 'index.html')));
  assert.match(fs.readFileSync(path.join(out, 'index.html'), 'utf8'), new RegExp(`href="${NOTEBOOK}\\.html"`));
  // The input named by the notebook's own load line (BANKSEG_INPUT, as the test set it).
  assert.ok(fs.readFileSync(path.join(out, 'index.html'), 'utf8').includes(`The notebooks, run on BANKSEG_INPUT=${REAL_RAW}; pages written on `));
  assert.ok(!/<script[^>]*\ssrc=/i.test(html), 'every script is inline: no require.js, MathJax or CDN');
  assert.ok(!html.includes('bs.show('), 'code is not shown');

  const browser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM, args: [...CHROMIUM_ARGS], headless: true });
  try {
    for (const javaScriptEnabled of [true, false]) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true, javaScriptEnabled });
      const tab = await context.newPage();
      const problems: string[] = [];
      tab.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      tab.on('requestfailed', (req) => problems.push(`failed to load ${req.url().slice(0, 120)}`));
      // Anything but the file itself and data: URIs would be a load from the network.
      await tab.route(/^(?!file:|data:)/, (route) => {
        problems.push(`network request ${route.request().url().slice(0, 120)}`);
        return route.abort();
      });
      await tab.goto(`file://${page}`, { waitUntil: 'load' });
      if (javaScriptEnabled) await tab.waitForFunction((n) => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n, charts, { timeout: 60_000 }).catch(() => undefined);
      const shown = await tab.evaluate(() => ({
        drawn: Array.from(document.querySelectorAll('.js-plotly-plot')).filter((p) => p.querySelector('.main-svg') && p.getBoundingClientRect().width > 0).length,
        images: Array.from(document.querySelectorAll('.bankseg-figure img')).filter((i) => (i as HTMLImageElement).naturalWidth > 0).length,
        texts: document.querySelectorAll('pre.bankseg-text').length,
      }));
      assert.deepEqual(problems, [], `javaScript ${javaScriptEnabled}`);
      if (javaScriptEnabled) assert.deepEqual(shown, { drawn: charts, images: 0, texts: 1 }, 'every chart interactive');
      else assert.deepEqual(shown, { drawn: 0, images: charts, texts: 1 }, 'every chart as its image without JavaScript');
      if (javaScriptEnabled) await tab.screenshot({ path: path.join(ROOT, 'figures', 'report_page.png') });
      await context.close();
    }
  } finally {
    await browser.close();
  }
});

test('the report index names the input the notebooks\' own load lines name, and only when they agree', () => {
  const stream = (text: string) => ({ cell_type: 'code', source: '', outputs: [{ output_type: 'stream', name: 'stdout', text }] });
  const nb = (text: string) => ({ metadata: {}, cells: [{ cell_type: 'markdown', source: '# x' }, stream('Parameters: …\n'), stream(text)] });
  const line = '19,866 clean transactions, 19,937 customers from BANKSEG_URL=postgres://ana@db/bank (table tx); from the stage cache (load) in 0.4 s\n';
  assert.equal(loadedFrom(nb(line)), 'BANKSEG_URL=postgres://ana@db/bank (table tx)');
  assert.equal(loadedFrom(nb(['20,000 clean transactions, 1 customers from the generated default data; ', 'computed and cached in 12.0 s\n'] as unknown as string)), 'the generated default data');
  assert.equal(loadedFrom(nb('no load line here\n')), undefined);
  assert.equal(reportSource(['a.csv', 'a.csv', undefined]), 'run on a.csv');
  assert.equal(reportSource(['a.csv', 'b.csv']), 'run on the input each page names');
  assert.equal(reportSource([undefined]), 'run on the input each page names');
});
