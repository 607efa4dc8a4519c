/**
 * The import rules of src/, checked on the imports of every src/**\/*.ts (read by src/io/code_version.ts, whose
 * own parsing is tested on hand-written text in test/io.test.ts): no module outside src/cli/ imports the CLI
 * (domain code throws src/errors.ts errors; only the CLI turns them into exit codes), and no import cycle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { relativeImports, resolveImport } from '../src/io/code_version';

const ROOT = path.resolve(__dirname, '..');

/** Every .ts file under src/, relative to the root. */
function sourceFiles(dir = 'src'): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? sourceFiles(rel) : e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** file → the src files it imports (relative imports that resolve to a file). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    graph.set(file, relativeImports(text).map((spec) => resolveImport(ROOT, file, spec)).filter((t): t is string => t !== undefined));
  }
  return graph;
}

/** The import cycles, each as the files around it (the first repeated at the end); depth-first search. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

/** Imports of src/cli/ from modules outside it. */
function cliImports(graph: Map<string, string[]>): string[] {
  return [...graph].flatMap(([file, targets]) =>
    file.startsWith('src/cli/') ? [] : targets.filter((t) => t.startsWith('src/cli/')).map((t) => `${file} imports ${t}`),
  );
}

test('no module outside src/cli/ imports from src/cli/', () => {
  const graph = importGraph();
  assert.ok(graph.size > 50, `read the imports of ${graph.size} files`);
  assert.deepEqual(cliImports(graph), []);
});

test('src/ has no import cycle', () => {
  assert.deepEqual(cycles(importGraph()).map((c) => c.join(' → ')), []);
});

test('the cycle finder finds a planted cycle and the CLI rule a planted import (the checks can fail)', () => {
  const graph = new Map([
    ['src/a.ts', ['src/b.ts']],
    ['src/b.ts', ['src/c.ts', 'src/cli/main.ts']],
    ['src/c.ts', ['src/a.ts']],
    ['src/cli/main.ts', []],
  ]);
  assert.deepEqual(cycles(graph), [['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/a.ts']]);
  assert.deepEqual(cycles(new Map([['src/a.ts', ['src/b.ts']], ['src/b.ts', []]])), []);
  assert.deepEqual(cliImports(graph), ['src/b.ts imports src/cli/main.ts']);
});
