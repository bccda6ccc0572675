#!/bin/sh
# ensure-debian-packages.sh PKG...: install the Debian packages that are missing, nothing else.
# Used by tests that need a tool from Debian (e.g. promtool from `prometheus`) on a fresh CI
# machine. Installing never starts a service: policy-rc.d answers 101 ("action forbidden") to
# every start request the packages' maintainer scripts make while apt runs.
set -eu
[ "$#" -gt 0 ] || { echo "usage: $0 PKG..." >&2; exit 2; }
missing=""
for p in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "$0: missing Debian packages:$missing (run as root to install them)" >&2
  exit 1
fi
policy=/usr/sbin/policy-rc.d
own_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  own_policy=1
fi
trap '[ -z "$own_policy" ] || rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y --no-install-recommends $missing || { apt-get update && apt-get install -y --no-install-recommends $missing; }
