#!/usr/bin/env bash
# Install the Debian packages the suite needs (tools/system-packages.txt) when their command is
# missing. Needs root or passwordless sudo; otherwise says exactly what to install and fails.
set -euo pipefail
# SYSTEM_PACKAGES_LIST: another list (the tests use it to check the "cannot install" path).
list="${SYSTEM_PACKAGES_LIST:-$(dirname "$0")/system-packages.txt}"
missing=()
while read -r cmd pkg; do
  [[ -z "${cmd}" || "${cmd}" == \#* ]] && continue
  if [[ "${cmd}" == /* ]]; then [[ -x "${cmd}" ]] && continue
  else command -v "${cmd}" >/dev/null 2>&1 && continue; fi
  missing+=("${pkg}")
done <"${list}"
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "installing Debian packages the suite needs: ${missing[*]}"
sudo=""
if [[ "$(id -u)" -ne 0 ]]; then
  if sudo -n true 2>/dev/null; then sudo="sudo -n"
  else
    echo "cannot install them: not root and no passwordless sudo." >&2
    echo "run: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  # The package lists may be missing or stale (a fresh machine): refresh once and retry.
  if ! { $sudo apt-get update -qq &&
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; }; then
    echo "could not install ${missing[*]} (apt-get's message is above)." >&2
    echo "install them by hand: apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi
