/**
 * A throwaway Jupyter server for the browser tests: JupyterLab (or Notebook 7) from the project's venv, with the
 * project kernel, on a free loopback port with a random token, serving a folder of its own, with its own config,
 * runtime and settings folders (nothing read from or written to the user's), and no calls to the internet.
 */
import { spawn, ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JUPYTER, jupyterEnv } from '../../scripts/run-notebooks';
import { freePort } from './net';

export interface JupyterServer {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly token: string;
  /** Everything the server printed so far. */
  log(): string;
  /** Asks the server to shut down (it stops its kernels), then makes sure the process is gone. */
  stop(): Promise<void>;
  /**
   * Switches JupyterLab extensions off (e.g. `jupyterlab-plotly`, to see what a front end without it shows) for the
   * pages opened from now on; an empty list switches them all back on.
   */
  disableExtensions(names: readonly string[]): void;
}

export interface ServerOptions {
  /** The folder the server shows (its root). */
  readonly rootDir: string;
  /** Where the server keeps its config, runtime files and JupyterLab settings. */
  readonly stateDir: string;
  /** Extra environment for the server and its kernels (e.g. BANKSEG_INPUT). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts `jupyter lab` and waits until its API answers. The same server also serves Notebook 7 at /notebooks/. */
export async function startJupyterLab(opts: ServerOptions): Promise<JupyterServer> {
  const port = await freePort();
  const token = crypto.randomBytes(16).toString('hex');
  const base = `http://127.0.0.1:${port}`;
  const config = path.join(opts.stateDir, 'config');
  const settings = path.join(opts.stateDir, 'lab-settings');
  // No news or update checks: they would call out to the internet.
  const notification = path.join(settings, '@jupyterlab', 'apputils-extension', 'notification.jupyterlab-settings');
  fs.mkdirSync(path.dirname(notification), { recursive: true });
  fs.writeFileSync(notification, JSON.stringify({ fetchNews: 'false', checkForUpdates: false }));
  // Read by the server for every page it serves.
  const pageConfig = path.join(config, 'labconfig', 'page_config.json');
  const disableExtensions = (names: readonly string[]): void => {
    fs.mkdirSync(path.dirname(pageConfig), { recursive: true });
    fs.writeFileSync(pageConfig, JSON.stringify({ disabledExtensions: Object.fromEntries(names.map((e) => [e, true])) }));
  };
  const server = spawn(
    JUPYTER,
    [
      'lab',
      '--no-browser',
      '--allow-root',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--port-retries=0',
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${opts.rootDir}`,
      '--MappingKernelManager.default_kernel_name=bankseg-tslab',
      // window.jupyterapp: the page's own API (open, run all, save), as JupyterLab's own UI tests use it.
      '--LabApp.expose_app_in_browser=True',
      '--LabApp.news_url=None',
      '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
    ],
    {
      env: {
        ...jupyterEnv(),
        JUPYTER_CONFIG_DIR: config,
        JUPYTER_RUNTIME_DIR: path.join(opts.stateDir, 'runtime'),
        JUPYTERLAB_SETTINGS_DIR: settings,
        JUPYTERLAB_WORKSPACES_DIR: path.join(opts.stateDir, 'workspaces'),
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  server.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const handle: JupyterServer = { base, token, log: () => log, stop: () => stopServer(server, base, token), disableExtensions };
  try {
    await waitForServer(`${base}/api/status?token=${token}`, server, () => log, 60_000);
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

async function waitForServer(url: string, server: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`jupyter lab exited with ${server.exitCode}:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`jupyter lab did not answer ${url} within ${timeoutMs / 1000} s:\n${log()}`);
}

async function stopServer(server: ChildProcess, base: string, token: string): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
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
