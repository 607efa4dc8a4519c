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
import { chromium, Browser, Page } from 'playwright-core';
import { defaultNotebooks } from '../scripts/run-notebooks';
import { REAL_RAW } from './helpers/real-data';
import { startJupyterLab, JupyterServer } from './helpers/jupyter-server';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM } from '../src/visualize/export';

const ROOT = path.resolve(__dirname, '..');
const SCREENSHOTS = path.join(ROOT, 'figures');

/** What a notebook showed after "Run All", read from the page (model = what the kernel sent, DOM = what is drawn). */
interface RunState {
  readonly runAllOk: boolean;
  readonly codeCells: number;
  readonly unnumbered: number;
  readonly errorOutputs: string[];
  /** Figures the kernel sent (outputs carrying a figure) and figures the page drew interactively. */
  readonly figuresSent: number;
  readonly figuresDrawn: number;
  /** Figures shown as a static image instead. */
  readonly figuresAsImages: number;
  /** Tables the kernel sent and tables the page shows (laid out, not empty). */
  readonly tablesSent: number;
  readonly tablesShown: number;
}

/**
 * In-page helpers, installed once per page: JupyterLab's own API (window.jupyterapp, exposed by the test server)
 * to wait for the notebook and its kernel, run all, read the cells' outputs, and save. Plain JavaScript: it runs in
 * the browser.
 */
const PAGE_HELPERS = `
window.__bankseg = {
  widget(name) {
    const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    return w && w.context && w.context.path === name && w.content && w.sessionContext ? w : null;
  },
  async kernelReady(name) {
    const w = this.widget(name);
    await w.context.ready;
    await w.sessionContext.ready;
    const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
    if (!kernel) return false;
    await kernel.info;
    // The front end writes the kernel's language_info into the notebook when the info arrives; let it settle.
    await new Promise((r) => setTimeout(r, 1000));
    return true;
  },
  dirty(name) {
    return { model: this.widget(name).context.model.dirty, tabs: document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty').length };
  },
  runAll() {
    return window.jupyterapp.commands.execute('notebook:run-all-cells');
  },
  save() {
    return window.jupyterapp.commands.execute('docmanager:save');
  },
  isFigure(o) {
    const d = o.data || {};
    const html = [].concat(d['text/html'] || []).join('');
    return Boolean(d['application/vnd.plotly.v1+json']) || html.includes('bankseg-figure');
  },
  isTable(o) {
    return [].concat((o.data || {})['text/html'] || []).join('').includes('bankseg-table');
  },
  /** One cell's figures on screen: drawn by the interactive renderer, or as a decoded static image. */
  figuresIn(cell) {
    const shown = (el) => el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().height > 0;
    const drawn = Array.from(cell.node.querySelectorAll('.js-plotly-plot')).filter((p) => p.querySelector('.main-svg') && shown(p)).length;
    const images = Array.from(cell.node.querySelectorAll('.jp-OutputArea-output img')).filter((i) => i.naturalWidth > 0 && shown(i)).length;
    return { drawn, images };
  },
  /**
   * The notebook's outputs (model: what the kernel sent) and what the page shows of them. Each cell with a figure
   * or table is scrolled into view first, as a person would: JupyterLab skips laying out cells off screen.
   */
  async state(name) {
    const w = this.widget(name);
    const cells = w.content.widgets.filter((c) => c.model.type === 'code');
    const outputs = cells.flatMap((c) => c.model.outputs.toJSON());
    const shown = (el) => el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().height > 0;
    let figuresDrawn = 0, figuresAsImages = 0, tablesShown = 0;
    for (const cell of cells) {
      const own = cell.model.outputs.toJSON();
      const figures = own.filter((o) => this.isFigure(o)).length;
      const tables = own.filter((o) => this.isTable(o)).length;
      if (figures + tables === 0) continue;
      await w.content.scrollToCell(cell);
      // Give the renderers a moment to draw what just came into view.
      for (let i = 0; i < 40; i++) {
        const f = this.figuresIn(cell);
        if (f.drawn + f.images >= figures) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const f = this.figuresIn(cell);
      figuresDrawn += f.drawn;
      figuresAsImages += f.images;
      tablesShown += Array.from(cell.node.querySelectorAll('table.bankseg-table')).filter((t) => shown(t) && t.rows.length > 1).length;
    }
    return {
      codeCells: cells.length,
      unnumbered: cells.filter((c) => c.model.sharedModel.getSource().trim() !== '' && typeof c.model.executionCount !== 'number').length,
      errorOutputs: outputs
        .filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'))
        .map((o) => (o.output_type === 'error' ? o.ename + ': ' + o.evalue : [].concat(o.text).join('')).slice(0, 500)),
      figuresSent: outputs.filter((o) => this.isFigure(o)).length,
      figuresDrawn,
      figuresAsImages,
      tablesSent: outputs.filter((o) => this.isTable(o)).length,
      tablesShown,
    };
  },
};
`;

/** Opens `name` in JupyterLab in a fresh page and waits for its kernel. */
async function openNotebook(browser: Browser, server: JupyterServer, name: string, width = 1400): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 1000 } });
  const page = await context.newPage();
  // ?reset: start from the default layout (file browser open), not a saved workspace.
  await page.goto(`${server.base}/lab/tree/${encodeURIComponent(name)}?reset&token=${server.token}`);
  await page.waitForFunction((n) => {
    const app = (globalThis as unknown as { jupyterapp?: { shell?: { currentWidget?: { context?: { path?: string } } } } }).jupyterapp;
    return app?.shell?.currentWidget?.context?.path === n;
  }, name, { timeout: 90_000 });
  await page.evaluate(PAGE_HELPERS);
  const ready = await page.evaluate((n) => (globalThis as unknown as Helpers).__bankseg.kernelReady(n), name);
  assert.ok(ready, `${name}: the kernel started`);
  return page;
}

interface Helpers {
  __bankseg: {
    kernelReady(name: string): Promise<boolean>;
    dirty(name: string): { model: boolean; tabs: number };
    runAll(): Promise<boolean>;
    save(): Promise<void>;
    state(name: string): Promise<Omit<RunState, 'runAllOk'>>;
  };
}

async function runAll(page: Page, name: string): Promise<RunState> {
  const runAllOk = await page.evaluate(() => (globalThis as unknown as Helpers).__bankseg.runAll());
  return { runAllOk, ...(await page.evaluate((n) => (globalThis as unknown as Helpers).__bankseg.state(n), name)) };
}

test('JupyterLab 4.6: every notebook opens unmodified, runs all, and shows its figures and tables', { timeout: 900_000 }, async (t) => {
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
          assert.equal(state.figuresDrawn, state.figuresSent, `${name}: every figure drawn by the interactive renderer`);
          assert.equal(state.tablesShown, state.tablesSent, `${name}: every table shown`);
          figuresPerNotebook.set(name, state.figuresSent);
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
      for (const [name, figures] of figuresPerNotebook) {
        if (figures === 0) continue;
        const page = await openNotebook(browser, server, name);
        try {
          const shown = await page.evaluate((n) => (globalThis as unknown as Helpers).__bankseg.state(n), name);
          assert.equal(shown.figuresSent, figures, `${name}: the saved notebook holds its figures`);
          assert.equal(shown.figuresDrawn + shown.figuresAsImages, figures, `${name}: each saved figure shows (interactive ${shown.figuresDrawn}, image ${shown.figuresAsImages})`);
        } finally {
          await page.context().close();
        }
      }
    });
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
