/**
 * The small shared I/O modules: Arrow files, JSON with NaN and typed arrays, atomic writes, and the import
 * closure a stage's cache key hashes. Arrow output is read back with Arrow's own accessors (the independent reader).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { decodeTable, encodeTable } from '../src/io/arrow';
import { fromJson, toJson } from '../src/io/json';
import { replaceDirAtomic, writeFileAtomic, writeFileAtomicAsync } from '../src/io/atomic';
import { codeVersion, importClosure, relativeImports } from '../src/io/code_version';
import type { DictColumn } from '../src/table';

const made: string[] = [];
const tmp = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-io-test-'));
  made.push(dir);
  return dir;
};
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

test('encodeTable writes real Arrow: pyarrow-style reads through the arrow API see the same values', () => {
  const loc: DictColumn = { codes: new Int32Array([1, -1, 0, 1, -1]), values: ['PUNE', 'NEW DELHI'] };
  const bytes = encodeTable(
    {
      amount: new Float64Array([1.5, NaN, -0, 1e300, 2]),
      day: new Int32Array([17000, -1, 0, 2147483647, -2147483648]),
      gender: new Int8Array([0, 1, -1, 0, 1]),
      id: ['T1', '', 'ÉLODIE', 'x,y', '"q"'],
      loc,
    },
    { note: 'hello' },
  );
  // Read with Arrow's own row accessors, not with decodeTable.
  const t = arrow.tableFromIPC(bytes);
  assert.equal(t.numRows, 5);
  assert.deepEqual(
    Array.from({ length: 5 }, (_, i) => t.getChild('loc')!.get(i)),
    ['NEW DELHI', null, 'PUNE', 'NEW DELHI', null],
  );
  assert.deepEqual(
    Array.from({ length: 5 }, (_, i) => t.getChild('id')!.get(i)),
    ['T1', '', 'ÉLODIE', 'x,y', '"q"'],
  );
  assert.ok(arrow.DataType.isDictionary(t.getChild('loc')!.type));
  assert.ok(Number.isNaN(t.getChild('amount')!.get(1)));
  assert.equal(t.getChild('day')!.get(4), -2147483648);
  assert.equal(t.schema.metadata.get('bankseg'), '{"note":"hello"}');
});

test('decodeTable returns exactly what was encoded (NaN, -1 codes, non-ASCII, empty dictionary)', () => {
  const cols = {
    f: new Float64Array([NaN, 0.1, -3]),
    i: new Int32Array([5, -1, 9]),
    b: new Int8Array([-1, 0, 1]),
    s: ['a', 'ü€', ''],
    d: { codes: new Int32Array([-1, -1, -1]), values: [] as string[] },
    e: { codes: new Int32Array([2, 0, 1]), values: ['z', 'y', 'x'] },
  };
  const t = decodeTable(encodeTable(cols, { x: NaN }));
  assert.equal(t.rows, 3);
  assert.deepEqual(t.f64('f'), cols.f);
  assert.deepEqual(t.i32('i'), cols.i);
  assert.deepEqual(t.i8('b'), cols.b);
  assert.deepEqual(t.strings('s'), cols.s);
  assert.deepEqual(t.dict('d'), cols.d);
  assert.deepEqual(t.dict('e'), cols.e);
  assert.ok(Number.isNaN((t.meta as { x: number }).x));
  assert.throws(() => t.f64('nope'), /no column "nope"/);
  assert.throws(() => t.f64('i'), /not a Float64Array/);
});

test('encodeTable refuses columns of different lengths; empty tables round-trip', () => {
  assert.throws(() => encodeTable({ a: new Float64Array(2), b: ['x'] }, null), /column b has 1 rows, expected 2/);
  const t = decodeTable(encodeTable({ a: new Float64Array(0), s: [], d: { codes: new Int32Array(0), values: ['A'] } }, {}));
  assert.equal(t.rows, 0);
  assert.deepEqual(t.f64('a'), new Float64Array(0));
  assert.deepEqual(t.strings('s'), []);
  assert.deepEqual(t.dict('d'), { codes: new Int32Array(0), values: ['A'] });
});

test('toJson/fromJson keep NaN, ±Infinity and typed arrays, nested', () => {
  const v = { a: [1, NaN, Infinity, -Infinity], t: new Float64Array([0.1, NaN]), i: new Int32Array([3, -4]), s: 'NaN' };
  const back = fromJson(toJson(v)) as typeof v;
  assert.deepEqual(back, v);
  assert.equal(typeof back.s, 'string');
  assert.ok(back.t instanceof Float64Array);
});

test('writeFileAtomic: the whole content or the old file, never a temporary one left behind', () => {
  const dir = tmp();
  const file = path.join(dir, 'sub', 'out.txt');
  assert.equal(writeFileAtomic(file, 'first\n'), file);
  assert.equal(fs.readFileSync(file, 'utf8'), 'first\n');
  writeFileAtomic(file, Buffer.from('second ü\n', 'utf8'));
  assert.equal(fs.readFileSync(file, 'utf8'), 'second ü\n');
  // Written in pieces through the descriptor: 3 MB in 1,000 pieces arrive whole.
  const piece = 'x'.repeat(2999) + '\n';
  writeFileAtomic(file, (out) => {
    for (let i = 0; i < 1000; i++) out.write(piece);
  });
  assert.equal(fs.statSync(file).size, 3_000_000);
  // A failure half-way keeps the previous file as it was.
  assert.throws(() => writeFileAtomic(file, (out) => {
    out.write('partial');
    throw new Error('disk on fire');
  }), /disk on fire/);
  assert.equal(fs.statSync(file).size, 3_000_000);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['out.txt']);
});

test('writeFileAtomicAsync and replaceDirAtomic: a failed fill leaves the old file; a folder is replaced whole', async () => {
  const dir = tmp();
  const file = path.join(dir, 'data.csv');
  await writeFileAtomicAsync(file, async (t) => {
    await fs.promises.writeFile(t, 'a,b\n');
    return 4;
  });
  await assert.rejects(writeFileAtomicAsync(file, async (t) => {
    await fs.promises.writeFile(t, 'half');
    throw new Error('stream broke');
  }), /stream broke/);
  assert.equal(fs.readFileSync(file, 'utf8'), 'a,b\n');
  assert.deepEqual(fs.readdirSync(dir), ['data.csv']);

  const entry = path.join(dir, 'entry');
  await replaceDirAtomic(entry, { 'one.bin': Uint8Array.of(1, 2, 3), 'old.txt': 'old' });
  await replaceDirAtomic(entry, { 'one.bin': Uint8Array.of(4), 'manifest.json': '{}' });
  assert.deepEqual(fs.readdirSync(entry).sort(), ['manifest.json', 'one.bin']);
  assert.deepEqual([...fs.readFileSync(path.join(entry, 'one.bin'))], [4]);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['data.csv', 'entry']);
});

test('relativeImports finds every relative import form, and nothing in comments or packages', () => {
  const text = [
    "import * as fs from 'node:fs';",
    "import { a, b } from './a';",
    "import type { T } from '../types';",
    'import {',
    '  c,',
    '  d,',
    "} from './multi/line';",
    "import def from './def';",
    "export * from './star';",
    "export { e } from './reexport';",
    "export type { F } from './typeonly';",
    "import './side-effect';",
    "const g = require('./required');",
    "const h = await import('./dynamic');",
    '/**',
    " * import { nope } from './in-a-comment';",
    ' */',
    "export const s = 'import { x } from \"./in-a-string\"';",
    "import { dfd } from 'danfojs-node';",
  ].join('\n');
  assert.deepEqual(relativeImports(text), [
    './a', '../types', './multi/line', './def', './star', './reexport', './typeonly', './side-effect', './required', './dynamic',
  ]);
});

test('importClosure follows imports to files and folder index files; codeVersion changes with the closure only', () => {
  const root = tmp();
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write('src/stage.ts', "import { b } from './b';\nimport type { C } from './c';\n");
  write('src/b.ts', "import { shared } from './lib/shared';\nexport const b = shared;\n");
  write('src/c/index.ts', 'export type C = number;\n');
  write('src/lib/shared.ts', 'export const shared = 1;\n');
  write('src/other.ts', "import { b } from './b';\n");
  assert.deepEqual(importClosure(root, 'src/stage.ts'), ['src/b.ts', 'src/c/index.ts', 'src/lib/shared.ts', 'src/stage.ts']);
  const before = codeVersion('src/stage.ts', root);
  write('src/other.ts', "import { b } from './b';\n// edited\n");
  assert.equal(codeVersion('src/stage.ts', root), before, 'a file outside the closure');
  write('src/lib/shared.ts', 'export const shared = 2;\n');
  assert.notEqual(codeVersion('src/stage.ts', root), before, 'a file inside the closure');
});
