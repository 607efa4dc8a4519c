/**
 * A worker thread of the parallel reader (src/collect/parallel.ts): reads the pieces it claims into its own
 * RowReader and sends its share back (columns transferred, strings joined), then ends: the thread exits by itself.
 * Runs as plain JavaScript, bundled with its imports by src/io/worker_script.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MALFORMED_EXAMPLES } from './columns';
import { PiecePlan, readPieces, shareOf, toMessage } from './parallel';
import { RowReader } from './rows';
import { mapLargeArrays } from '../io/mapped';

const { plan, thread } = workerData as { plan: PiecePlan; thread: number };
// Its columns are freed on the main thread after the merge: in this thread's arena they would stay resident (io/mapped.ts).
mapLargeArrays(plan.mapLargeArrays === true);
const reader = new RowReader(plan.file, plan.layout, plan.strict, plan.expectedRows, MALFORMED_EXAMPLES);
const records = readPieces(plan, reader, thread, { onStarted: () => parentPort!.postMessage('ready') });
const { message, transfer } = toMessage(shareOf(reader, records, false, true));
parentPort!.postMessage(message, transfer);
