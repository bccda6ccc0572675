#!/bin/bash
# ensure-debian-packages.sh PKG...: install the Debian packages that are missing (as root).
# Runs `apt-get update` only when an install fails for want of a package list, and at most once.
# Prints what it did, one line per package; exit 0 when every package is installed.
set -u
[ $# -gt 0 ] || { echo "usage: $0 PKG..." >&2; exit 2; }
missing=()
for p in "$@"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    echo "ensure-debian-packages: $p already installed"
  else
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
[ "$(id -u)" = 0 ] || { echo "ensure-debian-packages: not root, cannot install: ${missing[*]}" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
install() { out=$(apt-get install -y -q --no-install-recommends "${missing[@]}" 2>&1); }
if install; then
  echo "ensure-debian-packages: installed ${missing[*]}"
else
  echo "ensure-debian-packages: install failed, running apt-get update once" >&2
  apt-get update -q >/dev/null 2>&1
  if install; then
    echo "ensure-debian-packages: installed ${missing[*]} (after apt-get update)"
  else
    printf "%s\n" "$out" | tail -5 >&2
    echo "ensure-debian-packages: could not install ${missing[*]}" >&2
    exit 1
  fi
fi
