/**
 * A throwaway sharded PostgreSQL for tests: a coordinator and N shard servers, each a fresh cluster from
 * test/helpers/pg-server.ts (own temp directory, 127.0.0.1 on a free port, SCRAM passwords). The coordinator gets
 * the `postgres_fdw` extension, created by its superuser, and the test role may use it (USAGE on the wrapper), so
 * the code under test runs as an ordinary role, as it would at a bank: it creates the foreign servers, user
 * mappings and foreign partitions itself. `stop()` stops every server and removes every directory (each server
 * also stops itself at process exit).
 */
import { Client } from 'pg';
import { PgServer, startPgServer } from './pg-server';

export interface PgCluster {
  readonly coordinator: PgServer;
  readonly shards: readonly PgServer[];
  /** Stops every server and removes its directory. Safe to call twice. */
  stop(): void;
}

/** Starts a coordinator and `shards` shard servers (in parallel: initdb dominates, about 1–3 s each). */
export async function startPgCluster(shards = 2): Promise<PgCluster> {
  const started = await Promise.allSettled([startPgServer(), ...Array.from({ length: shards }, () => startPgServer())]);
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = (): void => servers.forEach((s) => s.stop());
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    stop();
    throw failed.reason;
  }
  const [coordinator, ...shardServers] = servers;
  try {
    // The extension lives in the test database; only a superuser may create it (postgres_fdw is not "trusted").
    const admin = new Client({ connectionString: coordinator.adminUrl.replace(/\/postgres$/, '/bankseg_test') });
    await admin.connect();
    try {
      await admin.query('CREATE EXTENSION postgres_fdw');
      await admin.query('GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO bankseg_test');
    } finally {
      await admin.end();
    }
  } catch (err) {
    stop();
    throw err;
  }
  return { coordinator, shards: shardServers, stop };
}
