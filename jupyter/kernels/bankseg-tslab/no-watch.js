// Preloaded into the tslab kernel (node --require, see kernel.sh): switches off TypeScript's file and directory
// watching. tslab recompiles when a watched file changes, but two changes between two cells make the next cell
// fail with "Unexpected pending rebuildTimer" (a tslab bug): saving a src/ file twice or installing an npm package
// while a notebook is open is enough. With watching off, the kernel compiles each file once; restart the kernel
// to pick up edits to src/ (Kernel > Restart), as with Python modules.
'use strict';
const path = require('path');
const root = path.resolve(__dirname, '..', '..', '..');
// The same module instance tslab's compiler uses (resolved from tslab's own folder).
const ts = require(require.resolve('@tslab/typescript-for-tslab', { paths: [path.join(root, 'node_modules', 'tslab')] }));
const inert = () => ({ close() {} });
ts.sys.watchFile = inert;
ts.sys.watchDirectory = inert;
