/** One query on its own connection (opened and closed around it): for tests, where simplicity beats pooling. */
import { Client } from 'pg';

export async function query<T extends Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}
