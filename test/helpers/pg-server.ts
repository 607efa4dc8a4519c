/**
 * A throwaway PostgreSQL server for tests: a fresh cluster in a temp directory, listening only on 127.0.0.1
 * on a free port (no Unix socket), password (SCRAM) authentication, a test role owning a test database.
 * `stop()` shuts it down and removes the directory; it also runs at process exit or on SIGINT/SIGTERM if a test
 * forgot or crashed (only SIGKILL can leave one behind, in a /tmp/bankseg-pg-XXXXXX directory).
 *
 * Needs the server binaries (Debian `postgresql`: /usr/lib/postgresql/<v>/bin, or `PG_BIN`). initdb refuses to
 * run as root, so as root every server command runs as the `postgres` OS user (`runuser`) and the directory is
 * chowned to it. Nothing depends on a cluster the Debian package may have started on 5432.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort } from './net';

export interface PgServer {
  /** `postgres://bankseg_test:<password>@127.0.0.1:<port>/bankseg_test` (the test role owns the database). */
  readonly url: string;
  /** Superuser URL (same server), for setting up odd cases: other roles, privileges. */
  readonly adminUrl: string;
  readonly port: number;
  readonly password: string;
  /** The temp directory holding the cluster (removed by `stop()`). */
  readonly dir: string;
  /** Stops the server and removes its directory. Safe to call twice. */
  stop(): void;
}

const TEST_ROLE = 'bankseg_test';
const ADMIN_ROLE = 'bankseg_admin';

/** Directory of initdb/pg_ctl: `PG_BIN`, else the newest /usr/lib/postgresql/<v>/bin, else PATH. */
function serverBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error('PostgreSQL server binaries not found: install the Debian package `postgresql` or set PG_BIN');
  return path.join(root, versions[0], 'bin');
}

const asRoot = process.getuid?.() === 0;

/** Runs a server binary (as `postgres` when we are root); throws with its output on failure. */
function runServerTool(binDir: string, tool: string, args: string[]): void {
  const exe = path.join(binDir, tool);
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    throw new Error(`${tool} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout || String(result.error)).trim()}`);
  }
}


function randomPassword(): string {
  return Buffer.from(Array.from({ length: 18 }, () => Math.floor(Math.random() * 256))).toString('base64url');
}

/** Starts a fresh server; about 1–3 s (initdb dominates). Cost: one cluster on disk (~40 MB) until `stop()`. */
export async function startPgServer(): Promise<PgServer> {
  const binDir = serverBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const adminPassword = randomPassword();
  const password = randomPassword();
  let started = false;

  // Ctrl-C or a runner's SIGTERM skips 'exit' handlers: stop the server, then die of the same signal.
  const onSignal = (signal: NodeJS.Signals): void => {
    stop();
    process.kill(process.pid, signal);
  };
  const stop = (): void => {
    process.removeListener('exit', stop);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (started) {
      started = false;
      try {
        runServerTool(binDir, 'pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
      } catch {
        // Already gone; the directory is removed below either way.
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const pwFile = path.join(dir, 'pw');
    fs.writeFileSync(pwFile, adminPassword + '\n', { mode: 0o600 });
    if (asRoot) spawnSync('chown', ['-R', 'postgres:postgres', dir]);
    runServerTool(binDir, 'initdb', [
      '-D', dataDir, '-U', ADMIN_ROLE, '--pwfile', pwFile, '--auth-host=scram-sha-256', '--auth-local=reject',
      '--encoding=UTF8', '--locale=C', '--no-sync',
    ]);
    fs.rmSync(pwFile);

    // Retry on the rare race where someone takes the port between freePort() and the server binding it.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const settings = [
        `port = ${port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = ''`,
        // A test cluster: durability is not needed, speed is.
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
      ];
      fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), '\n' + settings.join('\n') + '\n');
      try {
        runServerTool(binDir, 'pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60']);
        started = true;
      } catch (err) {
        if (attempt >= 3) throw err;
        continue;
      }
      const adminUrl = `postgres://${ADMIN_ROLE}:${encodeURIComponent(adminPassword)}@127.0.0.1:${port}/postgres`;
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE ROLE ${TEST_ROLE} LOGIN PASSWORD '${password}'`);
        await admin.query(`CREATE DATABASE ${TEST_ROLE} OWNER ${TEST_ROLE}`);
      } finally {
        await admin.end();
      }
      return {
        url: `postgres://${TEST_ROLE}:${encodeURIComponent(password)}@127.0.0.1:${port}/${TEST_ROLE}`,
        adminUrl,
        port,
        password,
        dir,
        stop,
      };
    }
  } catch (err) {
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
    stop();
    throw new Error(`could not start a test PostgreSQL server: ${(err as Error).message}${log ? '\n' + log : ''}`);
  }
}
