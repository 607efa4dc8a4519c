/**
 * How the transactions table is stored: one table, or a partitioned table whose leaves may be foreign tables on
 * other servers (postgres_fdw shards, see shards.ts). The push-down asks this to decide how to run a whole-table
 * count on PostgreSQL 15: postgres_fdw pushes an aggregate down to a shard only when it is grouped by the partition
 * key or runs on one foreign table, so whole-table counts are run once per leaf (each pushed down whole) and the
 * per-leaf results combined; per-customer aggregates run on the parent, partitionwise.
 */
import type { Client } from 'pg';
import { sqlTable, TableName } from './connection';

export interface TableStorage {
  /** The leaf tables (the table itself when it is not partitioned), as quoted SQL references. */
  readonly leaves: readonly string[];
  /** True when every customer's rows are in one leaf: a plain table, or partitions keyed by customer_id alone. */
  readonly byCustomer: boolean;
  /** Leaves that are foreign tables (rows on another server). */
  readonly foreignLeaves: number;
}

/** The storage of `table` (which must exist). One catalog query. */
export async function tableStorage(client: Client, table: TableName): Promise<TableStorage> {
  // pg_partition_tree lists nothing for a plain table; pg_get_partkeydef is NULL for a leaf.
  const tree = await client.query<{ ref: string; leaf: boolean; foreign: boolean; key: string | null }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS ref, p.isleaf AS leaf, c.relkind = 'f' AS foreign,
            pg_get_partkeydef(p.relid) AS key
       FROM pg_partition_tree(to_regclass($1)) p
       JOIN pg_class c ON c.oid = p.relid JOIN pg_namespace n ON n.oid = c.relnamespace
      ORDER BY p.level, p.relid`,
    [sqlTable(table)],
  );
  if (tree.rows.length === 0) return { leaves: [sqlTable(table)], byCustomer: true, foreignLeaves: 0 };
  const leaves = tree.rows.filter((r) => r.leaf);
  return {
    leaves: leaves.map((r) => r.ref),
    // Every partitioning level must be keyed by customer_id alone, else a customer may span leaves.
    byCustomer: tree.rows.every((r) => r.leaf || /^(HASH|LIST|RANGE) \(customer_id\)$/.test(r.key ?? '')),
    foreignLeaves: leaves.filter((r) => r.foreign).length,
  };
}
