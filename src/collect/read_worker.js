// Entry point of the parallel reader's worker threads. A worker does not inherit the TypeScript loader of the
// thread that started it (tsx in the CLI and tests, tslab's compiler in notebooks), so it registers tsx (a
// dependency of the project) unless .ts files already load, then runs the worker's TypeScript module.
if (!require.extensions['.ts']) require('tsx/cjs/api').register();
require('./read_worker.ts');
