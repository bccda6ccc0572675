#!/bin/bash
# Wedge: writers blocked on a frozen ext4 filesystem (seed 004 shape).
#
#   frozen_fs.sh up   STATEDIR [--hung-timeout SECS] [--timeout SECS]
#   frozen_fs.sh down STATEDIR
#
# up: ext4 image in STATEDIR (put it on tmpfs, e.g. /dev/shm/wedgetop-frozen),
# loop device, mount at STATEDIR/mnt, start writers (each its own process and
# session, distinctive comm), `fsfreeze -f`, release the writers and wait until
# each is in D in percpu_rwsem_wait.  Prints one JSON line:
#   {"mount":..,"loop":..,"image":..,"writers":[{"pid":..,"kind":..,"comm":..},..]}
# kinds: write (write(2) on an fd opened before the freeze), openat (O_CREAT),
# mkdir, mmap (store to a MAP_SHARED page mapped before the freeze),
# logd (auditd-sim, a log daemon appending every 100 ms).
# down: thaw (always, errors ignored), kill + reap writers, umount, detach the
# loop device, remove STATEDIR.  Idempotent, safe after a failed/killed up.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
LIB="$HERE/_wedgelib.py"
PY=${PYTHON:-python3}
KINDS="write openat mkdir mmap logd"

die() { echo "frozen_fs.sh: $*" >&2; exit 2; }
comm_of() {
  case $1 in write) echo frz-write ;; openat) echo frz-openat ;; mkdir) echo frz-mkdir ;;
    mmap) echo frz-mmap ;; logd) echo auditd-sim ;; esac
}
token() { echo "frozen_fs-$(echo -n "$SD" | md5sum | cut -c1-12)"; }
is_mounted() { findmnt -rn --mountpoint "$1" >/dev/null 2>&1; }
state_of() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null; }

# Python body of every writer: argv = kind mnt statedir comm
WRITER_PY='
import mmap, os, sys, time
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
elif kind == "mmap":
    fd = os.open(mnt + "/data/mmap.dat", os.O_RDWR | os.O_CREAT, 0o644)
    os.ftruncate(fd, 4096)
    m = mmap.mmap(fd, 4096, mmap.MAP_SHARED)
    m[0:1] = b"a"; m.flush()
    ready(); go(); m[0:1] = b"b"
elif kind == "logd":
    fd = os.open(mnt + "/log/audit.log", A, 0o600)
    ready(); n = 0
    while True:
        n += 1
        os.write(fd, b"type=DAEMON_SIM msg=audit(%.3f:%d): wedgetop logd\n" % (time.time(), n))
        time.sleep(0.1)
print("%s %d done" % (kind, os.getpid()), flush=True)
'

up() {
  local hung_timeout="" timeout=15
  while [ $# -gt 0 ]; do
    case $1 in
      --hung-timeout) hung_timeout=$2; shift 2 ;;
      --timeout) timeout=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  [ "$(id -u)" = 0 ] || die "must run as root"
  if [ -e "$SD/state" ]; then
    echo "frozen_fs.sh: stale state in $SD, running down first" >&2
    down || die "could not clean stale state in $SD"
  fi
  mkdir -p "$SD/writers" "$SD/mnt" || die "cannot create $SD"
  SD=$(cd "$SD" && pwd)
  local img="$SD/fs.img" mnt="$SD/mnt" loop
  echo "up" > "$SD/state"
  $PY "$LIB" hung-acquire "$(token)" $hung_timeout || die "hung-task sysctls"
  echo "hung $(token)" >> "$SD/state"
  truncate -s 64M "$img" || fail "truncate"
  mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$img" >/dev/null 2>&1 || fail "mkfs"
  loop=$(timeout 10 losetup --find --show "$img") || fail "losetup"
  echo "$loop" > "$SD/loop"
  timeout 10 mount -t ext4 "$loop" "$mnt" || fail "mount"
  mkdir -p "$mnt/data" "$mnt/log" || fail "mkdir on mount"
  local k
  for k in $KINDS; do
    setsid $PY -c "$WRITER_PY" "$k" "$mnt" "$SD" "$(comm_of "$k")" \
      </dev/null >>"$SD/writers.log" 2>&1 &
    disown $!  # no "Killed" job notices from this shell at teardown
  done
  local t=0
  for k in $KINDS; do
    while [ ! -s "$SD/writers/$k.pid" ]; do
      sleep 0.05; t=$((t + 1)); [ $t -gt 200 ] && fail "writer $k did not start"
    done
  done
  sync -f "$mnt/data" 2>/dev/null
  echo "frozen" >> "$SD/state"
  timeout 20 fsfreeze -f "$mnt" || fail "fsfreeze -f"
  touch "$SD/go"
  local deadline=$(( $(date +%s) + ${timeout%.*} )) all pid start
  while :; do
    all=1
    for k in $KINDS; do
      read -r pid start < "$SD/writers/$k.pid"
      [ "$(state_of "$pid")" = D ] && [ "$(cat "/proc/$pid/wchan" 2>/dev/null)" = percpu_rwsem_wait ] || all=0
    done
    [ $all = 1 ] && break
    [ "$(date +%s)" -ge $deadline ] && fail "writers not all in D in percpu_rwsem_wait after ${timeout}s"
    sleep 0.1
  done
  local json="" sep=""
  for k in $KINDS; do
    read -r pid start < "$SD/writers/$k.pid"
    json="$json$sep{\"pid\":$pid,\"kind\":\"$k\",\"comm\":\"$(comm_of "$k")\"}"; sep=","
  done
  echo "{\"mount\":\"$mnt\",\"loop\":\"$loop\",\"image\":\"$img\",\"writers\":[$json]}" | tee "$SD/up.json"
}

fail() {
  echo "frozen_fs.sh: up failed: $* - tearing down" >&2
  down
  exit 2
}

# pid of a recorded writer if it is still that process (start time matches)
writer_pid() {
  local f="$SD/writers/$1.pid" pid start
  [ -s "$f" ] || return 1
  read -r pid start < "$f"
  [ -r "/proc/$pid/stat" ] || return 1
  [ "$(cut -d')' -f2 "/proc/$pid/stat" 2>/dev/null | awk '{print $20}')" = "$start" ] || return 1
  case $(state_of "$pid") in Z|X|"") return 1 ;; esac
  echo "$pid"
}

down() {
  [ -d "$SD" ] || { echo "frozen_fs.sh: $SD does not exist: nothing to do" >&2; return 0; }
  SD=$(cd "$SD" && pwd)
  local mnt="$SD/mnt" img="$SD/fs.img" rc=0 k pid pids="" i
  # 1. thaw first: a SIGKILL stays pending while a writer waits on the freeze
  if is_mounted "$mnt"; then timeout 20 fsfreeze -u "$mnt" 2>/dev/null; fi
  # 2. stop the writers (and any started but not yet recorded)
  for k in $KINDS; do pid=$(writer_pid "$k") && pids="$pids $pid"; done
  for pid in $(pgrep -f -- "-c .* $mnt $SD " 2>/dev/null); do
    case " $pids " in *" $pid "*) ;; *) pids="$pids $pid" ;; esac
  done
  for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done
  for i in $(seq 1 100); do
    local alive=0
    for pid in $pids; do case $(state_of "$pid") in Z|X|"") ;; *) alive=1 ;; esac; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  [ "${alive:-0}" = 0 ] || { echo "frozen_fs.sh: writers still alive:$pids" >&2; rc=1; }
  # 3. unmount
  if is_mounted "$mnt"; then
    for i in 1 2 3 4 5; do timeout 20 umount "$mnt" 2>/dev/null && break; sleep 0.5; done
    is_mounted "$mnt" && { echo "frozen_fs.sh: $mnt still mounted" >&2; rc=1; }
  fi
  # 4. detach every loop device backed by our image
  if [ $rc = 0 ] && [ -e "$img" ]; then
    for dev in $(losetup -n -O NAME -j "$img" 2>/dev/null); do
      timeout 10 losetup -d "$dev" || rc=1
    done
  fi
  # 5. hung-task sysctls, files
  if [ $rc = 0 ]; then
    $PY "$LIB" hung-release "$(token)"
    rm -f "$img" "$SD/state" "$SD/loop" "$SD/go" "$SD/up.json" "$SD/writers.log" "$SD"/writers/*
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
