/**
 * Driving a notebook in JupyterLab from a test: open it, wait for its kernel, "Run All", read what the kernel sent
 * (the notebook model) against what the page shows (the DOM), point at figures, check widths, save.
 */
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { JupyterServer } from './jupyter-server';

/** What a notebook showed after "Run All", read from the page (model = what the kernel sent, DOM = what is drawn). */
export interface RunState {
  readonly runAllOk: boolean;
  readonly codeCells: number;
  readonly unnumbered: number;
  readonly errorOutputs: string[];
  /** Figures the kernel sent (outputs carrying a Plotly spec) and figures the page drew interactively. */
  readonly figuresSent: number;
  /** Figure outputs that also carry the PNG and the HTML fallback. */
  readonly figuresWithFallbacks: number;
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
    return Boolean((o.data || {})['application/vnd.plotly.v1+json']);
  },
  isTable(o) {
    return [].concat((o.data || {})['text/html'] || []).join('').includes('bankseg-table');
  },
  /**
   * What does not fit at the current window size, cell by cell (each scrolled into view first): an output wider
   * than its area (cut, or a scroll bar), a table header aligned unlike its values, a chart title or subtitle
   * running past the chart, a word of a text report broken across two lines. Also the output area's width.
   */
  async widthProblems(name) {
    const w = this.widget(name);
    const problems = [];
    let outputWidth = 0;
    const cells = w.content.widgets.filter((c) => c.model.type === 'code' && c.model.outputs.length > 0);
    for (const cell of cells) {
      await w.content.scrollToCell(cell);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const where = 'cell ' + (w.content.widgets.indexOf(cell) + 1);
      for (const out of cell.node.querySelectorAll('.jp-OutputArea-output')) {
        outputWidth = Math.max(outputWidth, out.clientWidth);
        if (out.scrollWidth > out.clientWidth + 1) problems.push(where + ': ' + (out.querySelector('table') ? 'a table' : 'an output') + ' ' + out.scrollWidth + ' px wide in ' + out.clientWidth + ' px');
        for (const table of out.querySelectorAll('table.bankseg-table')) {
          const heads = table.tHead.rows[0].cells;
          const first = table.tBodies[0].rows[0] && table.tBodies[0].rows[0].cells;
          for (let j = 0; first && j < heads.length; j++) {
            const a = getComputedStyle(heads[j]).textAlign, b = getComputedStyle(first[j]).textAlign;
            if (a !== b) problems.push(where + ': header "' + heads[j].textContent + '" ' + a + '-aligned over ' + b + '-aligned values');
          }
        }
        for (const plot of out.querySelectorAll('.js-plotly-plot')) {
          const box = plot.getBoundingClientRect();
          for (const text of plot.querySelectorAll('.g-gtitle text')) {
            const r = text.getBoundingClientRect();
            if (r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1)) problems.push(where + ': title "' + text.textContent.slice(0, 40) + '" runs past the chart (' + Math.round(r.right - box.right) + ' px)');
          }
        }
        for (const pre of out.querySelectorAll('pre.bankseg-text')) {
          const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
          const range = document.createRange();
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const m of node.data.matchAll(/\\S+/g)) {
              range.setStart(node, m.index);
              range.setEnd(node, m.index + m[0].length);
              const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
              if (tops.size > 1) problems.push(where + ': "' + m[0] + '" broken across lines');
            }
          }
        }
      }
    }
    return { outputWidth, problems: problems.slice(0, 12) };
  },
  /** One cell's figures on screen: drawn by the interactive renderer, or as a decoded static image. */
  figuresIn(cell) {
    const shown = (el) => el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().height > 0 && getComputedStyle(el).display !== 'none';
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
        .map((o) => (o.output_type === 'error' ? o.ename + ': ' + o.evalue : [].concat(o.text).join('')).slice(0, 500))
        // A value printed by accident (a cell ending in a call that returns a promise or an object).
        .concat(outputs.filter((o) => o.output_type === 'stream' && /Promise \\{|\\[object Object\\]/.test([].concat(o.text).join(''))).map((o) => 'stray value: ' + [].concat(o.text).join('').slice(0, 200))),
      figuresSent: outputs.filter((o) => this.isFigure(o)).length,
      figuresWithFallbacks: outputs.filter((o) => this.isFigure(o) && o.data['image/png'] && o.data['text/html']).length,
      figuresDrawn,
      figuresAsImages,
      tablesSent: outputs.filter((o) => this.isTable(o)).length,
      tablesShown,
    };
  },
};
`;

/** Opens `name` in JupyterLab in a fresh page and waits for its kernel. */
export async function openNotebook(browser: Browser, server: JupyterServer, name: string, width = 1400): Promise<Page> {
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

export interface Helpers {
  __bankseg: {
    kernelReady(name: string): Promise<boolean>;
    dirty(name: string): { model: boolean; tabs: number };
    runAll(): Promise<boolean>;
    save(): Promise<void>;
    state(name: string): Promise<Omit<RunState, 'runAllOk'>>;
    widthProblems(name: string): Promise<{ outputWidth: number; problems: string[] }>;
  };
}

export async function runAll(page: Page, name: string): Promise<RunState> {
  const runAllOk = await page.evaluate(() => (globalThis as unknown as Helpers).__bankseg.runAll());
  return { runAllOk, ...(await page.evaluate((n) => (globalThis as unknown as Helpers).__bankseg.state(n), name)) };
}

/**
 * Moves the pointer onto every figure, as a person reading the notebook does: JupyterLab's plotly renderer shows
 * a figure's PNG first and draws the interactive chart when the pointer enters it. Returns the state after.
 */
export async function pointAtFigures(page: Page, name: string): Promise<Omit<RunState, 'runAllOk'>> {
  const figures = page.locator('.jp-RenderedPlotly');
  const n = await figures.count();
  for (let i = 0; i < n; i++) {
    const figure = figures.nth(i);
    await figure.scrollIntoViewIfNeeded();
    await figure.hover();
    // The renderer draws into its own node, which becomes the chart (.js-plotly-plot).
    await figure.locator('.main-svg').first().waitFor({ state: 'visible', timeout: 30_000 });
  }
  return page.evaluate((nb) => (globalThis as unknown as Helpers).__bankseg.state(nb), name);
}

