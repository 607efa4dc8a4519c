/**
 * COPY … FROM STDIN in PostgreSQL's text format: escaping a value, and streaming chunks of rows to the server
 * with backpressure. The fastest way to load rows (one statement, no per-row protocol messages, no bind arrays).
 */
import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** The text format's NULL (the default of COPY … FROM STDIN without options). */
export const COPY_NULL = '\\N';

/** The characters the text format gives a meaning to: the escape, the column separator and the row separators. */
const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * `value` as one field of COPY's text format: backslash, tab, newline and carriage return escaped (`\\`, `\t`,
 * `\n`, `\r`), everything else as is (commas and quotes mean nothing in this format). A value of `\N` comes out
 * as `\\N`, so it is never read as NULL. O(length); returns `value` itself when nothing needs escaping.
 */
export function copyText(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPED[c]) : value;
}

/**
 * Runs `sql` (a `COPY … FROM STDIN` statement, text format) on `client` and sends `chunks` (whole rows, each row
 * ending in `\n`), one chunk at a time: the next chunk is made only once the socket took the previous one, so
 * memory stays at about one chunk however many rows there are.
 * Resolves with the number of rows the server reports; rejects with the server's error (a constraint violated,
 * a bad value, the connection lost), after which the transaction must be rolled back. O(total size).
 */
export async function copyIn(client: Client, sql: string, chunks: Iterable<string>): Promise<number> {
  const stream = client.query(copyFrom(sql));
  let failed = false;
  const finished = new Promise<void>((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', (error) => {
      failed = true;
      reject(error);
    });
  });
  finished.catch(() => undefined); // handled below; this only avoids an unhandled rejection while chunks are written
  for (const chunk of chunks) {
    // After an error the stream has let go of the connection: writing again would throw, so stop.
    if (failed) break;
    // One write in flight: pg-copy-streams must not be handed a second chunk it could try to flush after an error.
    // The race ends the wait when the server refuses the COPY itself (the write would then wait forever).
    await Promise.race([new Promise<void>((resolve) => stream.write(chunk, () => resolve())), finished]);
    // On localhost the socket takes every chunk at once, so without a turn of the event loop pg would never read
    // the server's error and the whole file would be sent for nothing.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (!failed) stream.end();
  await finished;
  return stream.rowCount;
}
