/**
 * The notebooks as a person uses them: JupyterLab 4.6 from the project's venv (the server `npm run lab` starts),
 * driven in headless Chromium. Every notebook is opened, checked unmodified, run with "Run All", its outputs
 * checked (no error, every figure drawn by the interactive renderer, every table shown), saved, and reopened in a
 * new browser context, where the saved figures must show without running anything.
 *
 * What each notebook test proves, so the suite runs the six notebooks once in a browser and not twice:
 * - here: the notebooks run top to bottom in the real front end, on the 20,000 real rows (BANKSEG_INPUT), and
 *   what a person sees (figures, tables, widths, a reopened notebook);
 * - test/notebooks.test.ts: the runner `npm run notebooks` (nbconvert, a fresh kernel per notebook) names failures,
 *   the kernel and its metadata, module reload in a live kernel, and the findings text of one executed notebook.
 *
 * Screenshots go to figures/notebook_browser_*.png for a human look.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { defaultNotebooks } from '../scripts/run-notebooks';
import { REAL_RAW } from './helpers/real-data';
import { startJupyterLab } from './helpers/jupyter-server';
import { Helpers, openNotebook, pointAtFigures, runAll } from './helpers/jupyterlab-page';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM } from '../src/visualize/export';

const ROOT = path.resolve(__dirname, '..');
const SCREENSHOTS = path.join(ROOT, 'figures');
/** Window widths checked for cut tables, titles and text. */
const WINDOW_WIDTHS = [1280, 1400, 1920];

/**
 * A guard against a hang, not a speed limit: each step has its own shorter timeout. Per notebook about a minute on a
 * quiet machine, 1.5-3 min at a load of 20 on 2 cores (seven notebooks took 815 s there, past a fixed 900 s).
 */
const TIMEOUT_MS = (defaultNotebooks().length * 4 + 6) * 60_000;

test('JupyterLab 4.6: every notebook opens unmodified, runs all, and shows its figures and tables', { timeout: TIMEOUT_MS }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-lab-'));
  // The server writes to the notebooks it serves (save, checkpoints): give it copies, never the committed files.
  const nbDir = path.join(work, 'notebooks');
  fs.mkdirSync(nbDir);
  const names = defaultNotebooks().map((f) => path.basename(f));
  for (const name of names) fs.copyFileSync(path.join(ROOT, 'notebooks', name), path.join(nbDir, name));
  const server = await startJupyterLab({ rootDir: nbDir, stateDir: path.join(work, 'state'), env: { BANKSEG_INPUT: REAL_RAW } });
  const browser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM, args: [...CHROMIUM_ARGS], headless: true });
  const figuresPerNotebook = new Map<string, number>();
  try {
    for (const name of names) {
      await t.test(name, async () => {
        const page = await openNotebook(browser, server, name);
        try {
          // Opened, nothing run: the saved kernelspec and language_info match the kernel's, so nothing changed.
          assert.deepEqual(await page.evaluate((n) => (globalThis as unknown as Helpers).__bankseg.dirty(n), name), { model: false, tabs: 0 });
          const state = await runAll(page, name);
          assert.deepEqual(state.errorOutputs, [], `${name}: no error or stderr output`);
          assert.equal(state.runAllOk, true, `${name}: Run All reported every cell ok`);
          assert.equal(state.unnumbered, 0, `${name}: every code cell ran`);
          assert.equal(state.figuresWithFallbacks, state.figuresSent, `${name}: every figure carries its PNG and HTML fallback`);
          assert.equal(state.figuresAsImages, state.figuresSent, `${name}: every figure shows its PNG at once`);
          const pointed = await pointAtFigures(page, name);
          assert.deepEqual([pointed.figuresDrawn, pointed.figuresAsImages], [state.figuresSent, 0], `${name}: every figure drawn interactively once pointed at`);
          assert.equal(state.tablesShown, state.tablesSent, `${name}: every table shown`);
          figuresPerNotebook.set(name, state.figuresSent);
          // Nothing cut at common window sizes (the file browser open): 1280, 1400 (a 968 px output) and 1920 px.
          for (const width of WINDOW_WIDTHS) {
            await page.setViewportSize({ width, height: 1000 });
            await page.waitForTimeout(800); // JupyterLab and the charts lay out again
            const { outputWidth, problems } = await page.evaluate((n) => (globalThis as unknown as Helpers).__bankseg.widthProblems(n), name);
            // At 1280 px (an 848 px output) the widest tables (10+ columns) may scroll sideways; nothing else may.
            const cut = width < 1400 ? problems.filter((p) => !/: a table \d+ px wide/.test(p)) : problems;
            assert.deepEqual(cut, [], `${name} at ${width} px (output ${outputWidth} px)`);
          }
          await page.setViewportSize({ width: 1400, height: 1000 });
          await page.evaluate(() => (globalThis as unknown as Helpers).__bankseg.save());
          const saved = JSON.parse(fs.readFileSync(path.join(nbDir, name), 'utf8')) as { cells: { outputs?: unknown[] }[] };
          assert.ok(saved.cells.some((c) => (c.outputs ?? []).length > 0), `${name}: saved with its outputs`);
          await page.screenshot({ path: path.join(SCREENSHOTS, `notebook_browser_${name.replace(/\.ipynb$/, '')}.png`) });
        } finally {
          await page.context().close();
        }
      });
    }
    const total = [...figuresPerNotebook.values()].reduce((a, b) => a + b, 0);
    assert.ok(total >= 10, `the notebooks show their figures (${total})`);

    await t.test('saved notebooks reopened in a new browser context show every figure without running', async () => {
      // With JupyterLab's plotly renderer: drawn interactively from the saved spec (no kernel, no trust needed);
      // without it (a front end that lacks the renderer): the static image of the HTML fallback.
      for (const renderer of [true, false]) {
        server.disableExtensions(renderer ? [] : ['jupyterlab-plotly']);
        for (const [name, figures] of figuresPerNotebook) {
          if (figures === 0) continue;
          const page = await openNotebook(browser, server, name);
          try {
            const shown = await page.evaluate((n) => (globalThis as unknown as Helpers).__bankseg.state(n), name);
            assert.equal(shown.figuresSent, figures, `${name}: the saved notebook holds its figures`);
            assert.equal(shown.unnumbered, 0, `${name}: saved with every cell run`);
            if (renderer) {
              assert.equal(shown.figuresAsImages, figures, `${name}: every saved figure shows its image`);
              const pointed = await pointAtFigures(page, name);
              assert.equal(pointed.figuresDrawn, figures, `${name}: every saved figure drawn interactively once pointed at`);
            } else assert.deepEqual([shown.figuresDrawn, shown.figuresAsImages], [0, figures], `${name}: every saved figure shown as its image`);
            if (name.startsWith('05')) await page.screenshot({ path: path.join(SCREENSHOTS, `notebook_browser_reopened${renderer ? '' : '_no_plotly_renderer'}.png`) });
          } finally {
            await page.context().close();
          }
        }
      }
      server.disableExtensions([]);
    });

    await t.test('Notebook 7 (the classic interface) shows a saved notebook with its figures', async () => {
      const name = '05_visualization.ipynb';
      const figures = figuresPerNotebook.get(name) ?? 0;
      assert.ok(figures > 0);
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      try {
        const page = await context.newPage();
        await page.goto(`${server.base}/notebooks/${name}?token=${server.token}`);
        const outputs = page.locator('.jp-RenderedPlotly');
        await outputs.first().waitFor({ state: 'attached', timeout: 90_000 });
        assert.equal(await outputs.count(), figures, 'every figure output is there');
        // Each shows its saved image (the renderer draws the chart when the pointer enters it).
        for (let i = 0; i < figures; i++) {
          await outputs.nth(i).scrollIntoViewIfNeeded();
          await page.waitForFunction((el) => Array.from(el.querySelectorAll('img')).some((img) => img.naturalWidth > 0), await outputs.nth(i).elementHandle(), { timeout: 30_000 });
        }
        await outputs.first().hover();
        await outputs.first().locator('.main-svg').first().waitFor({ state: 'visible', timeout: 30_000 });
      } finally {
        await context.close();
      }
    });
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
