/**
 * Rewrites the figure spec snapshots (test/snapshots/figures/) from the current code: `npm run snapshots`.
 * Run it when a figure changes on purpose, then review `git diff test/snapshots` and commit the snapshots with the
 * change. Snapshots of figures no longer registered are removed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SNAPSHOT_DIR, snapshotFigures, snapshotText } from './helpers/snapshots';

fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
const figures = snapshotFigures();
let changed = 0;
for (const [name, fig] of figures) {
  const file = path.join(SNAPSHOT_DIR, `${name}.json`);
  const text = snapshotText(fig);
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) {
    fs.writeFileSync(file, text);
    changed++;
    process.stdout.write(`updated ${path.relative(process.cwd(), file)}\n`);
  }
}
for (const file of fs.readdirSync(SNAPSHOT_DIR)) {
  if (file.endsWith('.json') && !figures.has(file.slice(0, -5))) {
    fs.rmSync(path.join(SNAPSHOT_DIR, file));
    changed++;
    process.stdout.write(`removed ${file} (no such figure)\n`);
  }
}
process.stdout.write(`${figures.size} figure snapshots, ${changed} changed; review them with: git diff test/snapshots\n`);
