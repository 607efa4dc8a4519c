#!/usr/bin/env bash
# One command from a fresh clone: install everything, then run the main job on the embedded default data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npx bankseg run
