#!/bin/sh
# Starts this clone's tslab with the project root as working directory.
# Why the root: tslab compiles every imported .ts file with rootDir = its working directory, so src/ must lie
# under it (from notebooks/ an import of ../src fails with "is not under rootDir"). Notebook paths (./src, data/,
# figures/) are therefore relative to the project root. Jupyter passes the connection file as an absolute path.
# reload.js: edits to src/ are picked up by the next cell (and works around a tslab watcher bug); see there.
# compile-cache.js (first): keeps compile work of earlier kernels on disk, for a faster first cell; see there.
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root" || exit 1
exec node --require "$here/compile-cache.js" --require "$here/reload.js" "$root/node_modules/tslab/bin/tslab" kernel --config-path "$1"
