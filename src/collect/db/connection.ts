/**
 * Connecting to PostgreSQL and naming tables safely: one place that turns every way a database can fail
 * (bad URL, unreachable server, wrong password, missing privileges) into a one-line InputError that never
 * shows the password.
 */
import { Client, DatabaseError } from 'pg';
import { InputError } from '../../errors';

/** Seconds to wait for the server before giving up (an unreachable host would otherwise hang for minutes). */
const CONNECT_TIMEOUT_MS = 15_000;

/** Query parameters that carry a secret (`password`, `sslpassword`), in any case. */
const SECRET_PARAMETER = /password/i;
/** Secrets shorter than this are not searched for inside other text (a one-letter password would blank every such letter). */
const MIN_SCRUBBED = 4;

/**
 * Every form in which `url` (and the environment) may hold a password: the user-info password and each
 * `?password=`-like parameter, raw and decoded, what a human meant as the password in a URL whose unencoded
 * characters confuse the parser (between `user:` and the last `@`), and PGPASSWORD. O(length).
 */
export function urlSecrets(url: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const secrets = new Set<string>();
  const add = (s: string | undefined | null): void => {
    if (!s) return;
    secrets.add(s);
    try {
      secrets.add(decodeURIComponent(s));
    } catch {
      // Not percent-encoded text: the raw form is enough.
    }
  };
  const lastAt = url.lastIndexOf('@');
  const scheme = url.indexOf('://');
  if (scheme >= 0 && lastAt > scheme) {
    const userInfo = url.slice(scheme + 3, lastAt);
    const colon = userInfo.indexOf(':');
    if (colon >= 0) add(userInfo.slice(colon + 1));
  }
  try {
    const u = new URL(url);
    add(u.password);
    for (const [name, value] of u.searchParams) if (SECRET_PARAMETER.test(name)) add(value);
  } catch {
    // Unparseable: the raw forms above are all there is.
  }
  for (const m of url.matchAll(/[?&][^=&]*password[^=&]*=([^&#]*)/gi)) add(m[1]);
  add(env.PGPASSWORD);
  return [...secrets].filter((s) => s.length > 0);
}

/** `text` with every occurrence of the secrets (at least MIN_SCRUBBED long) replaced by `***`. O(length × secrets). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s.length >= MIN_SCRUBBED) out = out.split(s).join('***');
  return out;
}

/**
 * The URL for messages and `TransactionTable.source`: no user-info password, `***` for the value of every
 * password-like query parameter, and no trace of any of the URL's or PGPASSWORD's secrets even when the URL is
 * malformed. O(length).
 */
export function redactUrl(url: string): string {
  let text: string;
  try {
    const u = new URL(url);
    if (u.password) u.password = '';
    for (const name of [...u.searchParams.keys()]) if (SECRET_PARAMETER.test(name)) u.searchParams.set(name, '***');
    text = u.toString().replace(/^(postgres(?:ql)?:\/\/[^:@/]*):?@/, '$1@');
  } catch {
    return '(unparseable URL)';
  }
  return scrubSecrets(text, urlSecrets(url));
}

/** Throws an InputError unless `url` looks like `postgres://` or `postgresql://` (the password is never echoed). */
export function checkUrl(url: string): void {
  if (!/^postgres(ql)?:\/\/./i.test(url)) {
    throw new InputError('not a PostgreSQL URL: expected postgres://user:password@host:port/database');
  }
  try {
    new URL(url);
  } catch {
    throw new InputError('not a valid PostgreSQL URL: expected postgres://user:password@host:port/database');
  }
}

/** One line that says why a database operation failed (pg errors, socket errors, AggregateError of several addresses). */
export function describeDbError(err: unknown): string {
  const e = err as Error & { code?: string; errors?: Error[] };
  let message = e?.message ?? String(err);
  if (!message && Array.isArray(e.errors) && e.errors.length > 0) message = e.errors.map((x) => x.message).join('; ');
  if (!message) message = e.code ?? 'unknown error';
  if (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) message = `connection refused (${message})`;
  return message.split('\n')[0];
}

/** True for the errors a database or the network raises (as opposed to a bug in our code). */
export function isDbError(err: unknown): boolean {
  if (err instanceof DatabaseError) return true;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^(E[A-Z]+|[0-9A-Z]{5})$/.test(code)) return true;
  const message = (err as Error)?.message ?? '';
  return /Connection terminated|timeout expired|connection timeout/i.test(message);
}

/**
 * The connection string for pg: with an `sslmode`, pg is told to read it as libpq (and psql) do
 * (`uselibpqcompat=true`): `require` encrypts without checking the certificate, `verify-full` checks it. Without
 * that, pg reads `require` as `verify-full` and prints a 9-line deprecation warning before anything else.
 */
function pgConnectionString(url: string, sslmode?: string): string {
  const u = new URL(url);
  if (sslmode !== undefined) u.searchParams.set('sslmode', sslmode);
  if (u.searchParams.has('sslmode') && !u.searchParams.has('uselibpqcompat')) u.searchParams.set('uselibpqcompat', 'true');
  return u.toString();
}

async function open(connectionString: string): Promise<Client> {
  const client = new Client({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'bankseg' });
  // A server that goes away between queries emits 'error' on the client; the pending query rejects on its own,
  // so this listener only keeps the event from crashing the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}

/** Bytes received from PostgreSQL by the connections this process has closed (the benchmarks' "bytes moved"). */
let receivedBytes = 0;

/** Bytes received from PostgreSQL servers so far by every connection opened here and closed since. O(1). */
export function bytesReceived(): number {
  return receivedBytes;
}

/** Closes `client`, counting the bytes its socket received. */
export async function disconnect(client: Client): Promise<void> {
  // pg keeps the socket on a field its types do not declare.
  const socket = (client as unknown as { connection?: { stream?: { bytesRead?: number } } }).connection?.stream;
  receivedBytes += socket?.bytesRead ?? 0;
  await client.end().catch(() => undefined);
}

/**
 * Opens a connection to `url`, or throws an InputError naming the server (password redacted) and the reason.
 * `sslmode` means what it means to psql, `prefer` included (encryption if the server offers it, else none).
 * The caller must `end()` the client.
 */
export async function connect(url: string): Promise<Client> {
  checkUrl(url);
  const sslmode = new URL(url).searchParams.get('sslmode') ?? undefined;
  try {
    try {
      return await open(pgConnectionString(url));
    } catch (err) {
      if (sslmode === 'prefer' && noSsl(err)) return await open(pgConnectionString(url, 'disable'));
      throw err;
    }
  } catch (err) {
    const reason = noSsl(err) && sslmode ? `the server does not support SSL, which sslmode=${sslmode} requires` : describeDbError(err);
    throw new InputError(scrubSecrets(`${redactUrl(url)}: cannot connect: ${reason}`, urlSecrets(url)));
  }
}

function noSsl(err: unknown): boolean {
  return /does not support SSL/i.test(String((err as Error)?.message ?? ''));
}

/** True for the errors that mean the connection itself is gone (server stopped or restarted, network cut, backend killed). */
export function isConnectionLost(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && /^(EPIPE|ECONNRESET|ECONNABORTED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|57P01|57P02|57P03)$/.test(e.code)) return true;
  return /Connection terminated|connection error|not queryable|write after end|socket hang up/i.test(String(e?.message ?? ''));
}

/**
 * Runs `work` with a connection to `url` and always closes it. Database and network errors become one-line
 * InputErrors prefixed with `where`; InputErrors and anything else (bugs) pass through unchanged. No message
 * carries a secret of the URL (src/collect/db/connection.ts `scrubSecrets`).
 */
export async function withConnection<T>(url: string, where: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await work(client);
  } catch (err) {
    if (err instanceof InputError) throw new InputError(scrubSecrets(err.message, urlSecrets(url)));
    if (!isDbError(err)) throw err;
    throw new InputError(scrubSecrets(`${where}: ${describeDbError(err)}`, urlSecrets(url)));
  } finally {
    await disconnect(client);
  }
}

/** A table name as given (`name` or `schema.name`), checked and ready to quote. */
export interface TableName {
  readonly schema?: string;
  readonly name: string;
  /** The name as the user wrote it, for messages. */
  readonly text: string;
}

/** Longest table name accepted: leaves room in PostgreSQL's 63-byte identifiers for the loader's staging suffix. */
export const MAX_TABLE_NAME = 40;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses `name` or `schema.name` (letters, digits, `_`; at most MAX_TABLE_NAME characters each).
 * Names are used as written (quoted), so they are case-sensitive. Throws an InputError otherwise.
 */
export function parseTableName(text: string): TableName {
  const parts = text.split('.');
  const ok = parts.length <= 2 && parts.every((p) => IDENTIFIER.test(p) && p.length <= MAX_TABLE_NAME);
  if (!ok) {
    throw new InputError(
      `table name ${JSON.stringify(text)}: expected name or schema.name of letters, digits and _ (at most ${MAX_TABLE_NAME} each)`,
    );
  }
  return parts.length === 2 ? { schema: parts[0], name: parts[1], text } : { name: parts[0], text };
}

function quoteIdentifier(id: string): string {
  return '"' + id.replace(/"/g, '""') + '"';
}

/** The quoted SQL reference to `table`, with `suffix` added to the table part (e.g. a staging copy). */
export function sqlTable(table: TableName, suffix = ''): string {
  const name = quoteIdentifier(table.name + suffix);
  return table.schema === undefined ? name : `${quoteIdentifier(table.schema)}.${name}`;
}

/** The quoted bare identifier `table.name + suffix` (for RENAME TO, which takes no schema). */
export function sqlName(table: TableName, suffix = ''): string {
  return quoteIdentifier(table.name + suffix);
}
