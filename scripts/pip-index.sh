# Sourced by the scripts that run pip. `pip_index_args PYTHON` sets PIP_INDEX_ARGS for `PYTHON -m pip install`.
#
# Why: a machine set up to install offline lists local indexes as pip's *extra* indexes (file://… in pip.conf), so
# pip still asks its default index (pypi.org) first, for every package, and waits through 5 retries when it is
# unreachable: ~3.5 s a package, minutes for JupyterLab. When every index pip is configured with is a local
# folder, the first becomes the main index and the default one is never asked. Anywhere else (a user's machine, a
# chosen main index, PIP_INDEX_URL) PIP_INDEX_ARGS stays empty and pip's own settings apply unchanged.
pip_index_args() {
  local cfg url
  local -a extra=()
  PIP_INDEX_ARGS=()
  cfg="$("$1" -m pip config list 2>/dev/null || true)"
  # A main index chosen in a config file or the environment (key `…index-url`, not `…extra-index-url`): keep it.
  if grep -qE '^[^=]*[.]index-url=' <<<"$cfg"; then return 0; fi
  while IFS= read -r url; do
    [ -n "$url" ] && extra+=("$url")
  done < <(grep -E '^[^=]*[.]extra-index-url=' <<<"$cfg" | sed -E "s/^[^=]*=//; s/^'(.*)'$/\1/" | tr ' ' '\n')
  [ ${#extra[@]} -gt 0 ] || return 0
  for url in "${extra[@]}"; do
    case "$url" in file://*) ;; *) return 0 ;; esac
  done
  PIP_INDEX_ARGS=(--index-url "${extra[0]}")
  for url in "${extra[@]:1}"; do PIP_INDEX_ARGS+=(--extra-index-url "$url"); done
}

# pip warns twice per package that a local index has no folder for it ("is ignored: it is neither a file nor a
# directory"): expected when a package lives in the other local index. Filter stderr through this to drop only that.
quiet_local_index_warnings() {
  grep -v -E "^WARNING: Location 'file://.*' is ignored: it is neither a file nor a directory\.$" || true
}
