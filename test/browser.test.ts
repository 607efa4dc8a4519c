/**
 * The notebooks in a real browser: Debian's classic Jupyter Notebook server with the project kernel, a notebook
 * opened in headless Chromium, "run all" clicked through the page's own API, and the interactive Plotly chart
 * checked in the DOM. Saves figures/notebook_browser.png for a human look.
 *
 * Runs on the 20,000 real rows (BANKSEG_INPUT) so it takes tens of seconds, most of it tslab compiling src/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { jupyterEnv } from '../scripts/run-notebooks';
import { REAL_RAW } from './helpers/real-data';
import { freePort } from './helpers/net';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM } from '../src/visualize/export';

const ROOT = path.resolve(__dirname, '..');
const NOTEBOOK = '05_visualization.ipynb';
const REAL_ROWS = REAL_RAW;
const SCREENSHOT = path.join(ROOT, 'figures', 'notebook_browser.png');


async function waitForServer(url: string, server: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`jupyter-notebook exited with ${server.exitCode}:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`jupyter-notebook did not answer ${url} within ${timeoutMs / 1000} s:\n${log()}`);
}

/** Asks the server to shut down (it stops its kernels), then makes sure the process is gone. */
async function stopServer(server: ChildProcess, base: string, token: string): Promise<void> {
  if (server.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  try {
    await fetch(`${base}/api/shutdown`, { method: 'POST', headers: { Authorization: `token ${token}` } });
  } catch {
    // already gone
  }
  const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

test('a notebook runs in the browser and shows an interactive Plotly chart', { timeout: 300_000 }, async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-browser-'));
  // The server autosaves executed notebooks: give it a copy, never the committed file.
  const nbDir = path.join(work, 'notebooks');
  fs.mkdirSync(nbDir);
  fs.copyFileSync(path.join(ROOT, 'notebooks', NOTEBOOK), path.join(nbDir, NOTEBOOK));
  const port = await freePort();
  const token = crypto.randomBytes(16).toString('hex');
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...jupyterEnv(),
    JUPYTER_CONFIG_DIR: path.join(work, 'config'),
    JUPYTER_RUNTIME_DIR: path.join(work, 'runtime'),
    BANKSEG_INPUT: REAL_ROWS,
  };
  const server = spawn(
    'jupyter-notebook',
    [
      '--no-browser',
      '--allow-root',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--port-retries=0',
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${nbDir}`,
      '--MappingKernelManager.default_kernel_name=bankseg-tslab',
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let serverLog = '';
  server.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));
  const browser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM, args: [...CHROMIUM_ARGS], headless: true });
  try {
    await waitForServer(`${base}/api/status?token=${token}`, server, () => serverLog, 60_000);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${base}/notebooks/${NOTEBOOK}?token=${token}`);
    // The page's own API: wait for the kernel, then "Run All".
    await page.waitForFunction(
      () => {
        const J = (globalThis as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected(): boolean; info_reply?: unknown } } } }).Jupyter;
        return Boolean(J?.notebook?.kernel?.is_connected() && J.notebook.kernel.info_reply);
      },
      undefined,
      { timeout: 60_000 },
    );
    await page.evaluate(() => (globalThis as unknown as { Jupyter: { notebook: { execute_all_cells(): void } } }).Jupyter.notebook.execute_all_cells());
    // Done when no cell waits ('*') and every code cell got its number; a failed cell leaves the rest unnumbered.
    await page.waitForFunction(
      () => {
        const J = (globalThis as unknown as { Jupyter: { notebook: { get_cells(): { cell_type: string; input_prompt_number?: number | string | null }[] } } }).Jupyter;
        const code = J.notebook.get_cells().filter((c) => c.cell_type === 'code');
        return code.every((c) => c.input_prompt_number !== '*') && code.some((c) => typeof c.input_prompt_number === 'number');
      },
      undefined,
      { timeout: 240_000, polling: 500 },
    );
    const state = await page.evaluate(() => {
      const J = (globalThis as unknown as { Jupyter: { notebook: { get_cells(): { cell_type: string; input_prompt_number?: number | string | null }[] } } }).Jupyter;
      const code = J.notebook.get_cells().filter((c) => c.cell_type === 'code');
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document;
      return {
        unnumbered: code.filter((c) => typeof c.input_prompt_number !== 'number').length,
        plots: doc.querySelectorAll('.js-plotly-plot .main-svg').length,
        charts: doc.querySelectorAll('.js-plotly-plot').length,
        staticImages: doc.querySelectorAll('.bankseg-figure img').length,
        errors: doc.querySelectorAll('.output_error').length,
      };
    });
    assert.equal(state.unnumbered, 0, 'every code cell ran (a failure leaves the following cells unnumbered)');
    assert.equal(state.errors, 0);
    assert.ok(state.plots > 0, 'an interactive Plotly chart rendered (.js-plotly-plot .main-svg)');
    // The interactive chart replaced its static PNG.
    assert.equal(state.staticImages, 0);
    await page.locator('.js-plotly-plot').first().scrollIntoViewIfNeeded();
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    // Reopened by someone who has not trusted it: no scripts run, and every chart still shows its PNG.
    await page.evaluate(() => (globalThis as unknown as { Jupyter: { notebook: { save_notebook(): Promise<unknown> } } }).Jupyter.notebook.save_notebook());
    const saved = JSON.parse(fs.readFileSync(path.join(nbDir, NOTEBOOK), 'utf8')) as { metadata: Record<string, unknown> };
    saved.metadata.reopened_elsewhere = true; // new content, so no trust signature matches it
    fs.writeFileSync(path.join(nbDir, 'reopened.ipynb'), JSON.stringify(saved));
    const reopened = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await reopened.goto(`${base}/notebooks/reopened.ipynb?token=${token}`);
    await reopened.waitForSelector('.bankseg-figure img', { timeout: 60_000 });
    const shown = await reopened.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ naturalWidth: number }> } }).document;
      const imgs = Array.from(doc.querySelectorAll('.bankseg-figure img'));
      return { images: imgs.length, decoded: imgs.filter((i) => i.naturalWidth > 0).length, plots: doc.querySelectorAll('.js-plotly-plot').length };
    });
    assert.equal(shown.plots, 0, 'no script ran in the untrusted notebook');
    assert.equal(shown.images, state.charts, 'each chart has its static image');
    assert.equal(shown.decoded, shown.images, 'every static image decodes');
    await reopened.locator('.bankseg-figure img').first().scrollIntoViewIfNeeded();
    await reopened.screenshot({ path: SCREENSHOT.replace(/\.png$/, '_untrusted.png') });
  } finally {
    await browser.close();
    await stopServer(server, base, token);
    fs.rmSync(work, { recursive: true, force: true });
  }
});
