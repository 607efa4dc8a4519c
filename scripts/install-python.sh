#!/usr/bin/env bash
# The project's Python: a venv in .venv/ at the project root with the pinned requirements.txt (JupyterLab, Notebook 7,
# nbconvert, plotly's JupyterLab renderer, the benchmark's reference libraries). Nothing is installed system-wide.
# Idempotent: when .venv/ already holds exactly this requirements.txt for this Python, it returns at once.
# Run by scripts/install.sh; on its own: bash scripts/install-python.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pip-index.sh
PYTHON="${BANKSEG_PYTHON:-python3}"
VENV=.venv
STAMP="$VENV/.bankseg-requirements"

# What the venv must match: the lock file and the Python that made it (a new Python needs a new venv).
want="$(sha256sum requirements.txt | cut -d' ' -f1) $("$PYTHON" -c 'import sys; print(sys.version.split()[0], sys.executable)')"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && "$VENV/bin/python" -c '' 2>/dev/null; then
  exit 0
fi

start=$(date +%s)
if ! "$VENV/bin/python" -c '' 2>/dev/null || [ ! -f "$STAMP" ] || [ "$(cut -d' ' -f2- "$STAMP")" != "$(cut -d' ' -f2- <<<"$want")" ]; then
  rm -rf "$VENV"
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    # Debian's own python3 needs python3-venv for `-m venv` (ensurepip); pyenv's and python.org's have it built in.
    rm -rf "$VENV"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "Installing Debian package python3-venv (python3 -m venv needs it)" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    "$PYTHON" -m venv "$VENV"
  fi
fi
pip_index_args "$VENV/bin/python"
echo "Installing the Python packages of requirements.txt into $VENV/" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PIP_INDEX_ARGS[@]}" -r requirements.txt 2> >(quiet_local_index_warnings >&2)
echo "$want" > "$STAMP"
echo "$VENV/ ready in $(( $(date +%s) - start )) s" >&2
