#!/usr/bin/env bash
# Runs Jupyter from the project's venv (.venv/, made by scripts/install.sh) with this clone's kernel
# (jupyter/kernels/bankseg-tslab) first on JUPYTER_PATH; nothing installed globally.
#   bash scripts/jupyter-env.sh jupyter lab notebooks/   # one command with it (npm run lab does this)
#   source scripts/jupyter-env.sh                        # or set it up in the current shell
# The kernelspec finds tslab relative to itself ({resource_dir}), so the clone can live anywhere.
_bankseg_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$_bankseg_root/.venv/bin:$PATH"
export JUPYTER_PATH="$_bankseg_root/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
for _bankseg_need in .venv/bin/jupyter-lab node_modules/.bin/tslab; do
  if [ ! -x "$_bankseg_root/$_bankseg_need" ]; then
    echo "jupyter-env: $_bankseg_root/$_bankseg_need is missing; run: bash scripts/install.sh" >&2
  fi
done
unset _bankseg_root _bankseg_need
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ $# -gt 0 ]; then exec "$@"; fi
