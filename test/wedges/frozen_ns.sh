#!/bin/bash
# Wedge: writers blocked on a frozen ext4 filesystem mounted ONLY inside a private mount
# namespace (a container's shape): `fsfreeze -u PATH` run in the host's namespace reaches
# whatever PATH is there (here: an empty directory on /dev/shm), not the frozen filesystem.
#
#   frozen_ns.sh up   STATEDIR [--timeout SECS]
#   frozen_ns.sh down STATEDIR
#
# up: ext4 image and loop device in STATEDIR (tmpfs), then `unshare -m --propagation private`
# a keeper shell that mounts the image at STATEDIR/mnt inside its own namespace, starts the
# writers there (write(2) on an fd opened before the freeze, openat O_CREAT, mkdir), freezes
# it, releases them and sleeps. Prints one JSON line:
#   {"mount":..,"loop":..,"keeperPid":..,"mntNs":..,"writers":[{"pid":..,"kind":..,"comm":..},..]}
# down: thaw inside the namespace (nsenter -t keeper, or a writer when the keeper is gone),
# kill the writers and the keeper (the namespace and its mount go with them), detach the loop
# device, remove STATEDIR. Idempotent, safe after a failed/killed up.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
LIB="$HERE/_wedgelib.py"
PY=${PYTHON:-python3}
KINDS="write openat mkdir"

die() { echo "frozen_ns.sh: $*" >&2; exit 2; }
comm_of() { echo "frzns-$1"; }
token() { echo "frozen_ns-$(echo -n "$SD" | md5sum | cut -c1-12)"; }
state_of() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null; }
start_of() { cut -d')' -f2 "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }

WRITER_PY='
import os, sys, time
kind, mnt, sd, comm = sys.argv[1:5]
with open("/proc/self/comm", "w") as f:
    f.write(comm)
def ready():
    with open("%s/writers/%s.tmp" % (sd, kind), "w") as f:
        f.write("%d %s\n" % (os.getpid(), open("/proc/self/stat").read().split(")")[1].split()[19]))
    os.rename("%s/writers/%s.tmp" % (sd, kind), "%s/writers/%s.pid" % (sd, kind))
def go():
    while not os.path.exists(sd + "/go"):
        time.sleep(0.02)
A = os.O_WRONLY | os.O_CREAT | os.O_APPEND
if kind == "write":
    fd = os.open(mnt + "/data/write.dat", A, 0o644)
    ready(); go(); os.write(fd, b"written while frozen\n")
elif kind == "openat":
    ready(); go(); os.close(os.open(mnt + "/data/created-while-frozen", A, 0o644))
elif kind == "mkdir":
    ready(); go(); os.mkdir(mnt + "/data/dir-while-frozen")
with open("%s/writers/%s.done" % (sd, kind), "w") as f:
    f.write("done\n")
'

# Runs as the keeper, inside the new mount namespace: $1 loop, $2 mnt, $3 statedir.
KEEPER_SH='
loop=$1 mnt=$2 sd=$3
mount -t ext4 "$loop" "$mnt" || exit 3
mkdir -p "$mnt/data" || exit 3
for k in '"$KINDS"'; do
  setsid '"$PY"' -c "$WRITER_PY" "$k" "$mnt" "$sd" "frzns-$k" </dev/null >>"$sd/writers.log" 2>&1 &
done
t=0
for k in '"$KINDS"'; do
  while [ ! -s "$sd/writers/$k.pid" ]; do sleep 0.05; t=$((t + 1)); [ $t -gt 200 ] && exit 4; done
done
sync -f "$mnt/data"
timeout 20 fsfreeze -f "$mnt" || exit 5
echo frozen >> "$sd/state"
touch "$sd/go"
exec sleep infinity
'

up() {
  local timeout=15
  while [ $# -gt 0 ]; do
    case $1 in
      --timeout) timeout=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  [ "$(id -u)" = 0 ] || die "must run as root"
  if [ -e "$SD/state" ]; then
    echo "frozen_ns.sh: stale state in $SD, running down first" >&2
    down || die "could not clean stale state in $SD"
  fi
  mkdir -p "$SD/writers" "$SD/mnt" || die "cannot create $SD"
  SD=$(cd "$SD" && pwd)
  local img="$SD/fs.img" mnt="$SD/mnt" loop
  echo "up" > "$SD/state"
  $PY "$LIB" hung-acquire "$(token)" || fail "hung-task sysctls"
  echo "hung $(token)" >> "$SD/state"
  truncate -s 32M "$img" || fail "truncate"
  mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$img" >/dev/null 2>&1 || fail "mkfs"
  loop=$(timeout 10 losetup --find --show "$img") || fail "losetup"
  echo "$loop" > "$SD/loop"
  WRITER_PY=$WRITER_PY setsid unshare -m --propagation private bash -c "$KEEPER_SH" keeper "$loop" "$mnt" "$SD" \
    </dev/null >>"$SD/keeper.log" 2>&1 &
  local keeper=$!
  disown $keeper
  echo "$keeper $(start_of "$keeper")" > "$SD/keeper.pid"
  local deadline=$(( $(date +%s) + ${timeout%.*} )) all k pid start
  while :; do
    all=1
    for k in $KINDS; do
      [ -s "$SD/writers/$k.pid" ] || { all=0; break; }
      read -r pid start < "$SD/writers/$k.pid"
      [ "$(state_of "$pid")" = D ] && [ "$(cat "/proc/$pid/wchan" 2>/dev/null)" = percpu_rwsem_wait ] || all=0
    done
    [ $all = 1 ] && break
    [ -d "/proc/$keeper" ] || fail "keeper exited: $(cat "$SD/keeper.log" 2>/dev/null)"
    [ "$(date +%s)" -ge $deadline ] && fail "writers not all in D in percpu_rwsem_wait after ${timeout}s"
    sleep 0.1
  done
  local json="" sep="" ns
  ns=$(readlink "/proc/$keeper/ns/mnt")
  [ "$ns" != "$(readlink /proc/self/ns/mnt)" ] || fail "keeper is not in its own mount namespace"
  for k in $KINDS; do
    read -r pid start < "$SD/writers/$k.pid"
    json="$json$sep{\"pid\":$pid,\"kind\":\"$k\",\"comm\":\"$(comm_of "$k")\"}"; sep=","
  done
  echo "{\"mount\":\"$mnt\",\"loop\":\"$loop\",\"keeperPid\":$keeper,\"mntNs\":\"$ns\",\"writers\":[$json]}" | tee "$SD/up.json"
}

fail() {
  echo "frozen_ns.sh: up failed: $* - tearing down" >&2
  down
  exit 2
}

# pid recorded in FILE if it is still that process (start time matches)
live_pid() {
  local pid start
  [ -s "$1" ] || return 1
  read -r pid start < "$1"
  [ -n "$start" ] && [ "$(start_of "$pid")" = "$start" ] || return 1
  case $(state_of "$pid") in Z|X|"") return 1 ;; esac
  echo "$pid"
}

down() {
  [ -d "$SD" ] || { echo "frozen_ns.sh: $SD does not exist: nothing to do" >&2; return 0; }
  SD=$(cd "$SD" && pwd)
  local mnt="$SD/mnt" img="$SD/fs.img" rc=0 k pid pids="" keeper="" nspid="" i
  keeper=$(live_pid "$SD/keeper.pid") || keeper=""
  for k in $KINDS; do pid=$(live_pid "$SD/writers/$k.pid") && pids="$pids $pid"; done
  # 1. thaw inside the namespace: a SIGKILL stays pending while a writer waits on the freeze
  nspid=${keeper:-$(echo $pids | awk '{print $1}')}
  if [ -n "$nspid" ] && [ "$(readlink "/proc/$nspid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]; then
    timeout 20 nsenter -m -t "$nspid" fsfreeze -u "$mnt" 2>/dev/null
  fi
  # 2. stop the writers, then the keeper: the namespace (and its mount) dies with its last task
  for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done
  for i in $(seq 1 100); do
    local alive=0
    for pid in $pids; do case $(state_of "$pid") in Z|X|"") ;; *) alive=1 ;; esac; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  [ "${alive:-0}" = 0 ] || { echo "frozen_ns.sh: writers still alive:$pids" >&2; rc=1; }
  if [ $rc = 0 ] && [ -n "$keeper" ]; then
    timeout 20 nsenter -m -t "$keeper" umount "$mnt" 2>/dev/null
    kill -KILL "$keeper" 2>/dev/null
    for i in $(seq 1 50); do case $(state_of "$keeper") in Z|X|"") break ;; esac; sleep 0.1; done
  fi
  # 3. detach every loop device backed by our image (the last mount went with the namespace)
  if [ $rc = 0 ] && [ -e "$img" ]; then
    for i in 1 2 3 4 5; do
      local left=""
      for dev in $(losetup -n -O NAME -j "$img" 2>/dev/null); do timeout 10 losetup -d "$dev" 2>/dev/null || left=1; done
      [ -z "$left" ] && break
      sleep 0.5
    done
    [ -z "$(losetup -n -O NAME -j "$img" 2>/dev/null)" ] || { echo "frozen_ns.sh: loop device of $img still attached" >&2; rc=1; }
  fi
  if [ $rc = 0 ]; then
    grep -q '^hung ' "$SD/state" 2>/dev/null && $PY "$LIB" hung-release "$(token)"
    rm -f "$img" "$SD/state" "$SD/loop" "$SD/go" "$SD/up.json" "$SD/writers.log" "$SD/keeper.log" "$SD/keeper.pid" "$SD"/writers/*
    rmdir "$SD/writers" "$mnt" "$SD" 2>/dev/null
  fi
  return $rc
}

[ $# -ge 2 ] || { sed -n '2,17p' "$0" >&2; exit 2; }
CMD=$1; SD=${2%/}; shift 2
case $CMD in
  up) up "$@" ;;
  down) down; exit $? ;;
  *) die "unknown command $CMD" ;;
esac
