// Preloaded into the tslab kernel first (node --require, see kernel.sh): remembers on disk the CommonJS conversion
// of each module an earlier kernel already compiled, so a notebook's first cell does not redo it.
//
// Why: the first cell imports the notebook facade, which reaches ~70 modules of src/. For each, tslab (1.0.22)
// emits an ES module and then turns it into CommonJS with `ts.transpileModule`, a second compile of the file: about
// 2 of the first cell's ~6 s of CPU. The conversion depends only on its input text, the options and TypeScript's
// version, so it is kept by a hash of those, in node_modules/.cache/bankseg-tslab/transpile/ (written to a
// temporary file and renamed; past 2,000 entries the oldest half is removed). A module that changed is converted
// anew (its text, so its hash, changed). Anything unexpected (no cache folder, a read error) falls back to
// converting, as tslab does. (Skipping the type check of unchanged modules as well was tried: it saved ~0.4 s more,
// not worth a cache that could hide an error.)
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..', '..');
const tslabDir = path.join(root, 'node_modules', 'tslab');
const tsPath = require.resolve('@tslab/typescript-for-tslab', { paths: [tslabDir] });
const ts = require(tsPath);
const cacheDir = path.join(root, 'node_modules', '.cache', 'bankseg-tslab');
const MAX_ENTRIES = 2000;

const hash = (...parts) => {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(String(p)).update('\0');
  return h.digest('hex');
};

function read(kind, key) {
  try {
    return fs.readFileSync(path.join(cacheDir, kind, key), 'utf8');
  } catch {
    return undefined;
  }
}

function write(kind, key, text) {
  try {
    const dir = path.join(cacheDir, kind);
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `${key}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, path.join(dir, key));
  } catch {
    // a read-only or full disk: the kernel still works, it just does the work again next time
  }
}

/** Removes the oldest half of a kind's entries when there are too many (once per kernel). */
function prune(kind) {
  try {
    const dir = path.join(cacheDir, kind);
    const names = fs.readdirSync(dir);
    if (names.length <= MAX_ENTRIES) return;
    const aged = names.map((n) => ({ n, t: fs.statSync(path.join(dir, n)).mtimeMs })).sort((a, b) => a.t - b.t);
    for (const { n } of aged.slice(0, aged.length - MAX_ENTRIES / 2)) fs.rmSync(path.join(dir, n), { force: true });
  } catch {
    // no cache yet, or another kernel pruning at the same time
  }
}

const transpileModule = ts.transpileModule;
function cachedTranspileModule(input, options) {
  // Only tslab's conversion step (its fixed file name, no diagnostics or source maps asked for) is cached.
  if (!options || options.fileName !== 'custom.js' || options.reportDiagnostics || (options.compilerOptions && options.compilerOptions.sourceMap)) {
    return transpileModule(input, options);
  }
  const key = `${hash(ts.version, JSON.stringify(options.compilerOptions), input)}.js`;
  const cached = read('transpile', key);
  if (cached !== undefined) return { outputText: cached, diagnostics: [] };
  const out = transpileModule(input, options);
  write('transpile', key, out.outputText);
  return out;
}

// TypeScript's exports are read-only getters, so the module tslab requires is replaced, before tslab loads, by a view
// of it that answers transpileModule with the cached one. This file must be preloaded first (kernel.sh).
if (typeof transpileModule === 'function' && require.cache[tsPath]) {
  prune('transpile');
  require.cache[tsPath].exports = new Proxy(ts, {
    get: (target, key, receiver) => (key === 'transpileModule' ? cachedTranspileModule : Reflect.get(target, key, receiver)),
  });
}
