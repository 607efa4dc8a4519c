/**
 * Connecting to PostgreSQL and naming tables safely: one place that turns every way a database can fail
 * (bad URL, unreachable server, wrong password, missing privileges) into a one-line InputError that never
 * shows the password.
 */
import { Client, DatabaseError } from 'pg';
import { InputError } from '../../errors';

/** Seconds to wait for the server before giving up (an unreachable host would otherwise hang for minutes). */
const CONNECT_TIMEOUT_MS = 15_000;

/** The URL without its password, for messages and `TransactionTable.source`. O(length). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '';
    return u.toString().replace(/^(postgres(?:ql)?:\/\/[^:@/]*):?@/, '$1@');
  } catch {
    return '(unparseable URL)';
  }
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
 * Opens a connection to `url`, or throws an InputError naming the server (password redacted) and the reason.
 * The caller must `end()` the client.
 */
export async function connect(url: string): Promise<Client> {
  checkUrl(url);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'bankseg' });
  // A server that goes away between queries emits 'error' on the client; the pending query rejects on its own,
  // so this listener only keeps the event from crashing the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new InputError(`${redactUrl(url)}: cannot connect: ${describeDbError(err)}`);
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
 * Runs `work` with a connection to `url` and always closes it. Database and network errors become one-line
 * InputErrors prefixed with `where`; InputErrors and anything else (bugs) pass through unchanged.
 */
export async function withConnection<T>(url: string, where: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await work(client);
  } catch (err) {
    if (err instanceof InputError || !isDbError(err)) throw err;
    throw new InputError(`${where}: ${describeDbError(err)}`);
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
