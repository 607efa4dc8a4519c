#!/usr/bin/env bash
# Installs everything bankseg needs on a Debian machine: system packages (as root, or with sudo) and npm packages.
# Idempotent: packages already present are skipped quickly.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium (+ a font for its text): static figure export + browser test; jupyter-*: run notebooks with the tslab kernel;
# postgresql: the database source; python3-pandas/sklearn: the reference side of `npm run bench`.
DEBIAN_PACKAGES=(chromium fonts-dejavu-core jupyter-nbconvert python3-nbclient jupyter-client jupyter-notebook python3-ipykernel
  postgresql python3-pandas python3-sklearn)

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
