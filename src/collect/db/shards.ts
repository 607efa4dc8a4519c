/**
 * A sharded transactions table: PostgreSQL's own declarative partitioning with postgres_fdw. On the coordinator,
 * `<table>` is partitioned by HASH (customer_id); partition k is a foreign table `<table>_shard<k>` whose rows
 * live in a table of the same name on shard server k. Every row of a customer is on one shard, so every
 * per-customer aggregate can run whole on the shards (partitionwise aggregation) and the coordinator only combines
 * one row per customer. docs/database.md shows the SQL this module runs and its Citus and warehouse equivalents.
 *
 * The import: the file is read once here; the coordinator says which partition each customer id hashes to
 * (satisfies_hash_partition, so the hash is PostgreSQL's own); each shard's rows go straight to that shard with
 * COPY (they do not pass through the coordinator), into a staging table swapped in as in import.ts; then the
 * coordinator's partitioned table, foreign servers, user mappings and foreign partitions are (re)created. Each
 * server's work is one transaction; the shards commit first, then the coordinator. Without two-phase commit this is
 * not atomic across servers: a failure between those commits can leave some shards with the new rows; re-running
 * the import repairs it.
 */
import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import { InputError } from '../../errors';
import { readTransactions } from '../read';
import type { TransactionTable } from '../../table';
import { checkUrl, connect, describeDbError, disconnect, isConnectionLost, isDbError, parseTableName, redactUrl, sqlName, sqlTable, TableName } from './connection';
import { checkReplaceable, commentRecord, ImportOptions, ImportResult, replaceTable, STAGING_SUFFIX } from './import';
import { WORK_MEM } from './pushdown';
import { createTableSql, ShardRecord } from './schema';

export interface ShardedImportResult extends ImportResult {
  /** Per shard, in the order given: its address (password hidden), the table holding its slice and its rows. */
  readonly shards: readonly { readonly url: string; readonly table: string; readonly rows: number }[];
}

/** postgres_fdw options of every shard server: the tuning the push-down relies on (docs/database.md). */
export const SHARD_SERVER_OPTIONS: Readonly<Record<string, string>> = {
  // Shards are scanned at the same time (Append runs asynchronous foreign scans), not one after the other.
  async_capable: 'true',
  // Rows per round trip when the coordinator reads a shard (the default, 100, costs a round trip per 100 customers).
  fetch_size: '10000',
  // What the coordinator's planner charges per row fetched from a shard: 0.2 (PostgreSQL 17's default; 15's 0.01
  // made sorting all of a shard's rows on the coordinator look cheaper than sending the shard ORDER BY … LIMIT).
  fdw_tuple_cost: '0.2',
  // The coordinator's sessions on a shard run the per-customer aggregate there: give them the memory the push-down
  // gives itself (work_mem is per session; the 4 MB default spills half a million customers per shard to disk).
  options: `-c work_mem=${WORK_MEM}`,
};

/**
 * Reads `file` and loads it into `table` at the coordinator `url`, hash-partitioned by customer_id over the
 * `shardUrls` (one partition per shard, in that order). Replaces an earlier import of the same table (sharded or
 * not), never a table bankseg did not make. The coordinator needs the postgres_fdw extension (created here when
 * the role may, else by a superuser) and the role USAGE on it; every shard URL must carry a password (or PGPASSWORD
 * be set): the coordinator connects to the shards with it (postgres_fdw requires one for ordinary roles).
 * Cost: O(rows) here; each shard receives only its rows.
 */
export async function importShardedFile(
  url: string,
  file: string,
  table: string,
  shardUrls: readonly string[],
  opts: ImportOptions = {},
): Promise<ShardedImportResult> {
  const name = parseTableName(table);
  if (shardUrls.length < 1) throw new InputError('a sharded import needs at least one shard URL');
  for (const u of [url, ...shardUrls]) checkUrl(u);
  const credentials = shardUrls.map(shardCredentials);
  const clients: Client[] = [];
  const where = (u: string) => `${redactUrl(u)}: importing into ${name.text}`;
  let current = url;
  // What a lost connection leaves behind: nothing committed yet, commits under way, or all committed.
  let phase: LostPhase = 'loading';
  try {
    clients.push(await connect(url));
    for (const u of shardUrls) clients.push(await connect(u));
    const [coordinator, ...shards] = clients;
    const data = await readTransactions(file, { strict: opts.strict });

    current = url;
    await coordinator.query('BEGIN');
    await coordinator.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`bankseg-import:${sqlTable(name)}`]);
    await checkReplaceable(coordinator, name, `importing into ${name.text}`);
    await ensurePostgresFdw(coordinator, url);
    // The new parent, under a staging name until the swap; it also answers which partition a customer hashes to.
    await coordinator.query(`${createTableSql(name, STAGING_SUFFIX)} PARTITION BY HASH (customer_id)`);
    const slices = await slicesByShard(coordinator, data, sqlTable(name, STAGING_SUFFIX), shardUrls.length);

    const shardTables = shardUrls.map((_, k) => ({ ...name, name: `${name.name}_shard${k}`, text: `${name.text}_shard${k}` }));
    const loaded: number[] = [];
    for (const [k, shard] of shards.entries()) {
      current = shardUrls[k];
      await shard.query('BEGIN');
      loaded.push(
        await replaceTable(shard, data, shardTables[k], {
          rows: slices[k],
          record: { source: data.source, malformed: { count: 0, examples: [] }, shardOf: { table: name.text, index: k, modulus: shardUrls.length } },
        }),
      );
    }
    const remoteSchemas = await Promise.all(shards.map((shard, k) => schemaOf(shard, shardTables[k])));

    current = url;
    const servers: ShardRecord[] = [];
    for (const [k, u] of shardUrls.entries()) {
      const server = await ensureShardServer(coordinator, u, credentials[k]);
      servers.push({ server, url: redactUrl(u), table: `${remoteSchemas[k]}.${shardTables[k].name}`, rows: loaded[k] });
    }
    await coordinator.query(`DROP TABLE IF EXISTS ${sqlTable(name)}`);
    await coordinator.query(`ALTER TABLE ${sqlTable(name, STAGING_SUFFIX)} RENAME TO ${sqlName(name)}`);
    for (const [k, s] of servers.entries()) {
      await coordinator.query(
        `CREATE FOREIGN TABLE ${sqlTable(shardTables[k])} PARTITION OF ${sqlTable(name)}
           FOR VALUES WITH (MODULUS ${shardUrls.length}, REMAINDER ${k})
           SERVER ${quoteIdent(s.server)}
           OPTIONS (schema_name ${coordinator.escapeLiteral(remoteSchemas[k])}, table_name ${coordinator.escapeLiteral(shardTables[k].name)})`,
      );
    }
    await commentRecord(coordinator, name, { source: data.source, rows: data.rows, malformed: data.malformed, shards: servers });

    // Shards first: once the coordinator commits, its partitions point at tables that must already hold the rows.
    phase = 'committing';
    for (const [k, shard] of shards.entries()) {
      current = shardUrls[k];
      await shard.query('COMMIT');
    }
    current = url;
    await coordinator.query('COMMIT');
    phase = 'committed';
    // Statistics for the coordinator's planner (postgres_fdw samples the shards); only possible once committed.
    await coordinator.query(`ANALYZE ${sqlTable(name)}`);
    return {
      table: name.text,
      rows: data.rows,
      malformed: data.malformed.count,
      shards: servers.map((s) => ({ url: s.url, table: s.table, rows: s.rows })),
    };
  } catch (err) {
    await Promise.all(clients.map((c) => c.query('ROLLBACK').catch(() => undefined)));
    if (isConnectionLost(err)) throw new InputError(`${where(current)}: ${lostConnectionWords(phase, name.text)}`);
    if (err instanceof InputError || !isDbError(err)) throw err;
    throw new InputError(`${where(current)}: ${describeDbError(err)}`);
  } finally {
    await Promise.all(clients.map(disconnect));
  }
}

/** How far a sharded import got when a connection was lost. */
export type LostPhase = 'loading' | 'committing' | 'committed';

/**
 * What a lost connection left, in words, as `bankseg db-import` without shards says it: before any commit every
 * server rolls back (the one whose connection died on its own, the others on our ROLLBACK); once the shards
 * commit, some may hold the new rows; after the coordinator's commit only the planner statistics are missing.
 */
export function lostConnectionWords(phase: LostPhase, table: string): string {
  if (phase === 'loading') return 'connection to the database lost during import; the old table is unchanged';
  if (phase === 'committing') {
    return `connection to the database lost while committing; the import may or may not have replaced ${table} on each server (the shards commit first): run it again`;
  }
  return `connection to the database lost after the import was committed: ${table} holds the new rows, but its planner statistics were not updated (run ANALYZE ${table})`;
}

/** User and password the coordinator uses for a shard: from its URL, the password else from PGPASSWORD. */
function shardCredentials(u: string): { user: string; password: string } {
  const parsed = new URL(u);
  const user = decodeURIComponent(parsed.username) || process.env.PGUSER || '';
  const password = parsed.password ? decodeURIComponent(parsed.password) : process.env.PGPASSWORD ?? '';
  if (!user || !password) {
    throw new InputError(`${redactUrl(u)}: a shard URL needs a user and a password (or PGPASSWORD): the coordinator connects to the shard with them`);
  }
  return { user, password };
}

/** Creates postgres_fdw on the coordinator if it is missing, or says who must. */
async function ensurePostgresFdw(client: Client, url: string): Promise<void> {
  const found = await client.query(`SELECT 1 FROM pg_extension WHERE extname = 'postgres_fdw'`);
  if (found.rows.length > 0) return;
  await client.query('SAVEPOINT fdw');
  try {
    await client.query('CREATE EXTENSION postgres_fdw');
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT fdw');
    throw new InputError(
      `${redactUrl(url)}: the coordinator needs the postgres_fdw extension (${describeDbError(err)}); ` +
        'a superuser runs: CREATE EXTENSION postgres_fdw; GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO <role>',
    );
  }
}

/**
 * For each shard k, the indices of the rows whose customer hashes to partition k of `parent` (MODULUS = shards).
 * One query: the distinct customer ids go to the coordinator as one array and come back as one array of
 * remainders, found with satisfies_hash_partition, i.e. by PostgreSQL's own hash. O(rows + customers).
 */
async function slicesByShard(client: Client, data: TransactionTable, parent: string, shards: number): Promise<Int32Array[]> {
  const r = await client.query<{ remainders: number[] }>(
    `SELECT array_agg((SELECT k FROM generate_series(0, $3 - 1) k WHERE satisfies_hash_partition($2::regclass, $3, k, id)) ORDER BY i) AS remainders
       FROM unnest($1::text[]) WITH ORDINALITY AS u(id, i)`,
    [data.customerId.values, parent, shards],
  );
  const remainderOf = Int32Array.from(r.rows[0].remainders ?? []);
  const sizes = new Int32Array(shards);
  const codes = data.customerId.codes;
  for (let i = 0; i < data.rows; i++) sizes[remainderOf[codes[i]]]++;
  const slices = Array.from(sizes, (n) => new Int32Array(n));
  const filled = new Int32Array(shards);
  for (let i = 0; i < data.rows; i++) {
    const k = remainderOf[codes[i]];
    slices[k][filled[k]++] = i;
  }
  return slices;
}

/** The schema `table` was created in (an unqualified name lands in the first schema of the search path). */
async function schemaOf(client: Client, table: TableName): Promise<string> {
  const r = await client.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
    [sqlTable(table)],
  );
  return r.rows[0].schema;
}

/**
 * The coordinator's foreign server for the shard at `u`, created if missing: one server per shard address (host,
 * port, database), shared by every table sharded there, named after that address. The user mapping of the current
 * role is (re)written with `credentials`. Returns the server's name.
 */
async function ensureShardServer(client: Client, u: string, credentials: { user: string; password: string }): Promise<string> {
  const parsed = new URL(u);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  const port = parsed.port || '5432';
  const dbname = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || credentials.user;
  const server = shardServerName(host, port, dbname);
  const literal = (v: string) => client.escapeLiteral(v);
  const exists = await client.query(`SELECT 1 FROM pg_foreign_server WHERE srvname = $1`, [server]);
  if (exists.rows.length === 0) {
    const options = { host, port, dbname, ...SHARD_SERVER_OPTIONS };
    const list = Object.entries(options).map(([k, v]) => `${k} ${literal(v)}`).join(', ');
    await client.query(`CREATE SERVER ${quoteIdent(server)} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (${list})`);
  }
  await client.query(`DROP USER MAPPING IF EXISTS FOR CURRENT_USER SERVER ${quoteIdent(server)}`);
  await client.query(
    `CREATE USER MAPPING FOR CURRENT_USER SERVER ${quoteIdent(server)} OPTIONS (user ${literal(credentials.user)}, password ${literal(credentials.password)})`,
  );
  return server;
}

/** `bankseg_<host>_<port>_<database>` in identifier characters, shortened with a hash past PostgreSQL's 63 bytes. */
export function shardServerName(host: string, port: string, dbname: string): string {
  const name = `bankseg_${host}_${port}_${dbname}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(`${host}\0${port}\0${dbname}`).digest('hex').slice(0, 8);
  return `${name.slice(0, 54)}_${hash}`;
}

function quoteIdent(id: string): string {
  return '"' + id.replace(/"/g, '""') + '"';
}
