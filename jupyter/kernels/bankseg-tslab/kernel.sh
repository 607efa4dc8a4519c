#!/bin/sh
# Starts this clone's tslab with the project root as working directory.
# Why the root: tslab compiles every imported .ts file with rootDir = its working directory, so src/ must lie
# under it (from notebooks/ an import of ../src fails with "is not under rootDir"). Notebook paths (./src, data/,
# figures/) are therefore relative to the project root. Jupyter passes the connection file as an absolute path.
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root" || exit 1
exec node "$root/node_modules/tslab/bin/tslab" kernel --config-path "$1"
