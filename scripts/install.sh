#!/usr/bin/env bash
# Installs everything bankseg needs on a Debian machine: system packages (as root, or with sudo), npm packages, and
# the project's Python venv (.venv/, scripts/install-python.sh). Idempotent: what is already there is skipped quickly.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium (+ a font for its text): static figure export, the browser tests and `npm run report`;
# postgresql: the database source. Python (Jupyter, and pandas, Polars and scikit-learn for the references of
# `npm run bench`) comes from .venv/ (requirements.txt), not from Debian.
DEBIAN_PACKAGES=(chromium fonts-dejavu-core postgresql)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installing Debian packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
bash scripts/install-python.sh
