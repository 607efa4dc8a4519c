#!/usr/bin/env bash
# Points Jupyter at this clone's kernel (jupyter/kernels/bankseg-tslab), nothing installed globally.
#   source scripts/jupyter-env.sh            # then: jupyter lab / jupyter notebook / jupyter nbconvert ...
#   bash scripts/jupyter-env.sh jupyter lab  # or run one command with it
# The kernelspec finds tslab relative to itself ({resource_dir}), so the clone can live anywhere.
_bankseg_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JUPYTER_PATH="$_bankseg_root/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
# Debian's Python 3.11 prints a debugger warning about frozen modules on every jupyter start; it is noise.
export PYDEVD_DISABLE_FILE_VALIDATION=1
if [ ! -x "$_bankseg_root/node_modules/.bin/tslab" ]; then
  echo "jupyter-env: $_bankseg_root/node_modules/.bin/tslab is missing; run: bash scripts/install.sh" >&2
fi
unset _bankseg_root
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ $# -gt 0 ]; then exec "$@"; fi
