// Preloaded into the tslab kernel (node --require, see kernel.sh): edits to the project's modules are picked up by
// the next cell, as IPython's %autoreload does, without a kernel restart.
//
// Why a preload: tslab (1.0.22) watches the files it compiled with TypeScript's watch program and real file system
// watchers, and drives that program with a fake timer that holds ONE pending rebuild. Two changes between two cells
// (a module saved twice, a new folder, `npm install`) can schedule a second timer (directory watchers invalidate
// failed module lookups on a timer of their own), and the next cell fails with "Unexpected pending rebuildTimer".
// Even when a rebuild works, the notebook keeps the functions it imported earlier, and modules that import the
// edited one keep the old instance, so the old code runs.
//
// What this does instead, at the start of every cell (cost: one stat per project file the kernel compiled):
// 1. No file system watchers at all. TypeScript still asks to watch each file; the callback tslab passes is kept,
//    and when a project file (under the project root, outside node_modules) changed since the last cell, the
//    kernel calls those callbacks itself, one change at a time, so TypeScript re-reads the files and tslab
//    re-emits them (nothing fires between cells, so no second timer can exist).
// 2. The edited modules and every project module importing them are instantiated anew on their next require (a
//    module that imports an edited one must see the new one), and the names earlier cells imported from project modules and this cell
//    uses are imported again, in front of the cell's first line, so the cell runs the new code, type-checked.
// The kernel prints one line saying which files it reloaded. Values computed earlier keep what they are.
// If tslab's internals this relies on are not there (another tslab version), the kernel falls back to compiling
// each file once (restart the kernel after an edit) and says so once.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..', '..');
const tslabDir = path.join(root, 'node_modules', 'tslab');
// The same module instances tslab itself uses (resolved from tslab's own folder).
const ts = require(require.resolve('@tslab/typescript-for-tslab', { paths: [tslabDir] }));
const executorModule = require(path.join(tslabDir, 'dist', 'executor.js'));
const { getCodeMetadata } = require(path.join(tslabDir, 'dist', 'metadata.js'));

const nodeModules = `${path.sep}node_modules${path.sep}`;
const isProjectFile = (file) => file.startsWith(root + path.sep) && !file.includes(nodeModules);

/** `mtime:size`, or null for a missing file. */
function stamp(file) {
  try {
    const s = fs.statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return null;
  }
}

// ---- 1. Watching: callbacks kept, called by the kernel at cell boundaries. -----------------------------------
/** file → { callback tslab gave TypeScript's watcher, stamp when last seen } */
const watched = new Map();
function keepWatchCallbacks() {
  ts.sys.watchFile = (file, callback) => {
    const entry = { callback, stamp: isProjectFile(file) ? stamp(file) : null };
    watched.set(file, entry);
    return {
      close() {
        if (watched.get(file) === entry) watched.delete(file);
      },
    };
  };
  // Directory watchers only re-check failed module lookups; a cell importing a new file resolves it anew anyway.
  ts.sys.watchDirectory = () => ({ close() {} });
}

/** Project files that changed since the last cell, with the event TypeScript expects for each. */
function changedProjectFiles() {
  const out = [];
  for (const [file, entry] of watched) {
    if (!isProjectFile(file)) continue;
    const now = stamp(file);
    if (now === entry.stamp) continue;
    const kind =
      entry.stamp === null ? ts.FileWatcherEventKind.Created : now === null ? ts.FileWatcherEventKind.Deleted : ts.FileWatcherEventKind.Changed;
    out.push({ file, now, kind });
  }
  return out;
}

/** Project files that import `file` directly (relative imports resolved as TypeScript would, O(project size)). */
function importersOf(projectFiles) {
  const importers = new Map(projectFiles.map((f) => [f, new Set()]));
  for (const file of projectFiles) {
    let text;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), ref.fileName);
      const target = [base, `${base}.ts`, `${base}.tsx`, `${base}.d.ts`, `${base}.js`, path.join(base, 'index.ts')].find((f) => importers.has(f));
      if (target) importers.get(target).add(file);
    }
  }
  return importers;
}

/**
 * Tells TypeScript, through tslab's own callbacks, that the changed files changed, and that every project file
 * importing one of them (directly or not) changed too: tslab then emits those again and drops their module
 * instances, so each is instantiated anew on its next require and sees the new code. Returns how many modules.
 */
function invalidate(changed) {
  const projectFiles = [...watched.keys()].filter(isProjectFile);
  const importers = importersOf(projectFiles);
  const stale = new Set(changed.map((c) => c.file));
  const queue = [...stale];
  while (queue.length > 0) {
    for (const dependent of importers.get(queue.pop()) || []) {
      if (!stale.has(dependent)) {
        stale.add(dependent);
        queue.push(dependent);
      }
    }
  }
  const kinds = new Map(changed.map((c) => [c.file, c]));
  for (const file of stale) {
    const entry = watched.get(file);
    const c = kinds.get(file);
    if (c) entry.stamp = c.now;
    if (c || entry.stamp !== null) entry.callback(file, c ? c.kind : ts.FileWatcherEventKind.Changed);
  }
  return stale.size;
}

// ---- 2. Names the notebook imported from project modules. -----------------------------------------------------
let generation = 0;
/** local name → { spec, imported: export name | '*' | 'default', generation it was bound in } */
const bindings = new Map();

function parse(src) {
  return ts.createSourceFile('cell.ts', src, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
}

/** The cell's value imports from relative module specifiers (type-only ones need no rebinding). */
function importsOf(sf) {
  const out = [];
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || !st.importClause) continue;
    const spec = st.moduleSpecifier.text;
    const clause = st.importClause;
    if (!spec.startsWith('.') || clause.isTypeOnly) continue;
    if (clause.name) out.push({ local: clause.name.text, spec, imported: 'default' });
    const nb = clause.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) out.push({ local: nb.name.text, spec, imported: '*' });
    if (nb && ts.isNamedImports(nb)) {
      for (const el of nb.elements) {
        if (!el.isTypeOnly) out.push({ local: el.name.text, spec, imported: (el.propertyName || el.name).text });
      }
    }
  }
  return out;
}

/** Names the cell declares at top level other than by import (they replace an imported name). */
function declaredNames(sf) {
  const out = new Set();
  const addBinding = (name) => {
    if (ts.isIdentifier(name)) out.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name);
  };
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) addBinding(d.name);
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) out.add(st.name.text);
  }
  return out;
}

/** Every identifier in the cell (an over-approximation of the names it uses: enough to decide what to rebind). */
function identifiers(sf) {
  const out = new Set();
  const visit = (node) => {
    if (ts.isIdentifier(node)) out.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** `import …` statements, on one line, that bind `names` again from their modules. */
function importLine(names) {
  const bySpec = new Map();
  const parts = [];
  for (const name of names) {
    const b = bindings.get(name);
    if (b.imported === '*') parts.push(`import * as ${name} from ${JSON.stringify(b.spec)};`);
    else if (b.imported === 'default') parts.push(`import ${name} from ${JSON.stringify(b.spec)};`);
    else {
      if (!bySpec.has(b.spec)) bySpec.set(b.spec, []);
      bySpec.get(b.spec).push(b.imported === name ? name : `${b.imported} as ${name}`);
    }
  }
  for (const [spec, elements] of bySpec) parts.push(`import { ${elements.join(', ')} } from ${JSON.stringify(spec)};`);
  return parts.length ? parts.join(' ') + ' ' : '';
}

// ---- The hook: around each execution. -------------------------------------------------------------------------
function install() {
  keepWatchCallbacks();
  const createExecutor = executorModule.createExecutor;
  executorModule.createExecutor = function (rootDir, convs, console) {
    // Diagnostics of a cell are printed as `line:col - message`; shift line-1 columns back past the inserted imports.
    let prefixLength = 0;
    const cellConsole = {
      log: (...args) => console.log(...args),
      error: (...args) => {
        if (prefixLength > 0 && args[0] === '%s%d:%d - %s' && args[1] === '' && args[2] === 1) {
          args = args[3] > prefixLength ? [args[0], '', 1, args[3] - prefixLength, args[4]] : ['%s', `(importing again after the reload) ${args[4]}`];
        }
        console.error(...args);
      },
    };
    const executor = createExecutor(rootDir, convs, cellConsole);
    const execute = executor.execute;
    executor.execute = async function (src) {
      const meta = getCodeMetadata(src);
      if (meta.module || meta.mode === 'browser') return execute.call(this, src);
      const changed = changedProjectFiles();
      if (changed.length > 0) {
        generation++;
        const modules = invalidate(changed);
        const names = changed.map((c) => path.relative(root, c.file)).sort();
        const others = modules - changed.length;
        console.log(`(reloaded after edits to ${names.join(', ')}${others > 0 ? ` and ${others} module(s) importing them` : ''})`);
      }
      const sf = parse(src);
      const own = importsOf(sf);
      const ownNames = new Set(own.map((i) => i.local));
      const declared = declaredNames(sf);
      const used = identifiers(sf);
      const stale = [...bindings.keys()].filter(
        (name) => bindings.get(name).generation < generation && used.has(name) && !ownNames.has(name) && !declared.has(name),
      );
      const prefix = importLine(stale);
      prefixLength = prefix.length;
      let ok;
      try {
        ok = await execute.call(this, prefix + src);
      } finally {
        prefixLength = 0;
      }
      if (ok) {
        for (const name of stale) bindings.get(name).generation = generation;
        for (const name of declared) bindings.delete(name);
        for (const i of own) bindings.set(i.local, { spec: i.spec, imported: i.imported, generation });
      }
      return ok;
    };
    return executor;
  };
}

const ready =
  typeof executorModule.createExecutor === 'function' &&
  typeof getCodeMetadata === 'function' &&
  typeof ts.sys.watchFile === 'function' &&
  typeof ts.createSourceFile === 'function';
if (ready) {
  install();
} else {
  // Compile each file once: an edit needs a kernel restart, but nothing fails.
  const inert = () => ({ close() {} });
  ts.sys.watchFile = inert;
  ts.sys.watchDirectory = inert;
  process.stderr.write('bankseg kernel: module reload is off (unexpected tslab version); restart the kernel after editing src/\n');
}
