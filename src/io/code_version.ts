/**
 * What code a stage runs: the import closure of its module (the module and everything it imports, transitively,
 * through relative imports), read from the source files. The stage cache hashes it into the stage's key, so an
 * edit invalidates exactly the stages that run the edited file. Also the basis of the import-rule test
 * (test/imports.test.ts). Imports are found with regular expressions: the project writes one import per statement,
 * always with a literal path.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

// `import … from '…'` / `export … from '…'` at the start of a line (type-only ones too: they are code the stage
// depends on), side-effect `import '…'`, and `require('…')` / `import('…')` anywhere.
const STATEMENT = /^(?:import|export)\s+(?:type\s+)?(?:\*\s+as\s+\w+|\*|\w+(?:\s*,\s*\{[^}]*\})?|\{[^}]*\})\s+from\s+'([^']+)'/gm;
const SIDE_EFFECT = /^import\s+'([^']+)'/gm;
const CALL = /\b(?:require|import)\(\s*'([^']+)'\s*\)/g;

/** The module specifiers of the relative imports in `text` (`./x`, `../y/z`), in order of appearance, unique. */
export function relativeImports(text: string): string[] {
  const specs: string[] = [];
  for (const re of [STATEMENT, SIDE_EFFECT, CALL]) for (const m of text.matchAll(re)) specs.push(m[1]);
  return [...new Set(specs.filter((s) => s.startsWith('./') || s.startsWith('../')))];
}

/** The file a relative specifier of `from` names (`x.ts`, `x/index.ts` or `x` itself), relative to `root`; undefined if none. */
export function resolveImport(root: string, from: string, spec: string): string | undefined {
  const base = path.join(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    const full = path.join(root, candidate);
    if (fs.existsSync(full) && fs.statSync(full).isFile()) return candidate.split(path.sep).join('/');
  }
  return undefined;
}

/** The files `entry` (relative to `root`, e.g. `src/segment/index.ts`) runs: itself and its imports, transitively, sorted. */
export function importClosure(root: string, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of relativeImports(fs.readFileSync(path.join(root, file), 'utf8'))) {
      const target = resolveImport(root, file, spec);
      if (target) visit(target);
    }
  };
  visit(entry);
  return [...seen].sort();
}

/**
 * A hash of the code `entry` runs: the path and contents of every file of its import closure. Editing any of them
 * changes it; editing any other file does not. O(size of the closure), a few milliseconds.
 */
export function codeVersion(entry: string, root: string): string {
  const hash = crypto.createHash('sha256');
  for (const file of importClosure(root, entry)) hash.update(file).update('\0').update(fs.readFileSync(path.join(root, file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}
