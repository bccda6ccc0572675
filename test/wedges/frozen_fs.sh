#!/bin/bash
# Wedge: writers blocked on a frozen filesystem (seed 004 shape), directly or through a layer.
#
#   frozen_fs.sh up   STATEDIR [--fstype ext4|xfs|btrfs] [--layout plain|stacked|overlay]
#                              [--hung-timeout SECS] [--timeout SECS]
#   frozen_fs.sh down STATEDIR
#
# up: an image of FSTYPE (default ext4) in STATEDIR (put it on tmpfs, e.g. /dev/shm/...),
# loop device, mounted at STATEDIR/mnt: the mount that gets frozen. The writers (each its own
# process and session, distinctive comm) write to, by layout:
#   plain   STATEDIR/mnt itself.
#   stacked STATEDIR/top: an ext4 on a second loop device whose backing file is
#           STATEDIR/mnt/upper.img (the loop worker goes D on the frozen mount below).
#   overlay STATEDIR/ovl: an overlayfs whose lowerdir, upperdir ("upper dir", with a space:
#           mountinfo escapes it as \040) and workdir are on STATEDIR/mnt.
# Then `fsfreeze -f STATEDIR/mnt`, release the writers and wait until each is in D.
# Prints one JSON line:
#   {"mount":..,"loop":..,"image":..,"fstype":..,"layout":..,"top":..,"topLoop":..,
#    "writers":[{"pid":..,"kind":..,"comm":..,"wchan":..},..]}
# plain/overlay kinds: write (write(2) on an fd opened before the freeze), openat (O_CREAT),
# mkdir, mmap (store to a MAP_SHARED page mapped before the freeze), logd (auditd-sim, a log
# daemon appending every 100 ms); overlay adds create2 (an O_CREAT in data/, released once
# openat waits on the freeze: it queues on the lock of data/ that openat holds).
# stacked kinds (on STATEDIR/top): fsync (write + fsync: waits for writeback), direct
# (O_DIRECT write: waits for its bio), sync (syncfs(2) of the upper ext4), jsync (mkdir + fsync of the directory:
# waits for the journal commit), meta (mkdir every 100 ms: waits on the stuck journal).
# down: thaw (always, errors ignored), kill + reap writers, umount the upper layer and the
# mount, detach the loop devices, remove STATEDIR.  Idempotent, safe after a failed/killed up.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
LIB="$HERE/_wedgelib.py"
PY=${PYTHON:-python3}
KINDS="write openat mkdir mmap logd"
STACKED_KINDS="fsync direct sync jsync meta"
ALL_KINDS="$KINDS $STACKED_KINDS create2"

die() { echo "frozen_fs.sh: $*" >&2; exit 2; }
comm_of() {
  case $1 in write) echo frz-write ;; openat) echo frz-openat ;; mkdir) echo frz-mkdir ;;
    mmap) echo frz-mmap ;; logd) echo auditd-sim ;; fsync) echo frz-fsync ;; direct) echo frz-direct ;;
    sync) echo frz-sync ;; jsync) echo frz-jsync ;; meta) echo frz-meta ;; create2) echo frz-create2 ;; esac
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
    ready(); go(); os.mkdir(mnt + "/log/dir-while-frozen")  # not data/: see the overlay note in up
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
elif kind == "create2":
    ready()
    while not os.path.exists(sd + "/go2"):
        time.sleep(0.02)
    os.close(os.open(mnt + "/data/second-create", A, 0o644))
elif kind == "fsync":
    fd = os.open(mnt + "/data/fsync.dat", A, 0o644)
    ready(); go(); os.write(fd, b"x" * 8192); os.fsync(fd)
elif kind == "direct":
    fd = os.open(mnt + "/data/direct.dat", os.O_WRONLY | os.O_CREAT | os.O_DIRECT, 0o644)
    buf = mmap.mmap(-1, 4096); buf.write(b"d" * 4096)  # page-aligned, as O_DIRECT needs
    ready(); go(); os.write(fd, buf)
elif kind == "sync":
    # syncfs(2) of this filesystem, not sync(2): a sync(2) would also wait on any other wedge
    # up on the machine, and could outlive the thaw of ours.
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(mnt + "/data/sync.dat", A, 0o644)
    ready(); go(); os.write(fd, b"s" * 65536); libc.syncfs(fd)
elif kind == "jsync":
    d = os.open(mnt + "/data", os.O_RDONLY | os.O_DIRECTORY)
    ready(); go(); os.mkdir(mnt + "/data/jsync-dir"); os.fsync(d)
elif kind == "meta":
    ready(); go(); n = 0
    while True:
        n += 1
        # log/, not data/: the jsync mkdir in data/ holds the i_rwsem of data/ while it
        # waits on the journal, and this one would queue on the lock instead of the journal.
        os.mkdir("%s/log/meta-%d" % (mnt, n))
        time.sleep(0.1)
print("%s %d done" % (kind, os.getpid()), flush=True)
'

up() {
  local hung_timeout="" timeout=15 fstype=ext4 layout=plain
  while [ $# -gt 0 ]; do
    case $1 in
      --fstype) fstype=$2; shift 2 ;;
      --layout) layout=$2; shift 2 ;;
      --hung-timeout) hung_timeout=$2; shift 2 ;;
      --timeout) timeout=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  case $fstype in ext4|xfs|btrfs) ;; *) die "unknown --fstype $fstype" ;; esac
  case $layout in plain|stacked|overlay) ;; *) die "unknown --layout $layout" ;; esac
  [ "$(id -u)" = 0 ] || die "must run as root"
  command -v "mkfs.$fstype" >/dev/null || die "mkfs.$fstype not installed (scripts/ensure-debian-packages.sh)"
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
  # xfs needs 300 MB at least; the image is sparse on tmpfs, so only what is written is used.
  case $fstype in xfs) truncate -s 320M "$img" ;; btrfs) truncate -s 128M "$img" ;; *) truncate -s 64M "$img" ;; esac || fail "truncate"
  mkfs_image "$fstype" "$img" || fail "mkfs.$fstype"
  loop=$(timeout 10 losetup --find --show "$img") || fail "losetup"
  echo "$loop" > "$SD/loop"
  timeout 10 mount -t "$fstype" "$loop" "$mnt" || fail "mount"
  echo "$layout" > "$SD/layout"
  local wdir="$mnt" toploop="" kinds=$KINDS
  case $layout in
    stacked)
      kinds=$STACKED_KINDS; wdir="$SD/top"
      mkdir -p "$wdir" && truncate -s 64M "$mnt/upper.img" && mkfs_image ext4 "$mnt/upper.img" || fail "upper image"
      toploop=$(timeout 10 losetup --find --show "$mnt/upper.img") || fail "losetup upper"
      echo "$toploop" > "$SD/toploop"
      timeout 10 mount -t ext4 "$toploop" "$wdir" || fail "mount upper" ;;
    overlay)
      wdir="$SD/ovl"
      mkdir -p "$wdir" "$mnt/lower" "$mnt/upper dir" "$mnt/work" || fail "overlay dirs"
      timeout 10 mount -t overlay overlay -o "lowerdir=$mnt/lower,upperdir=$mnt/upper dir,workdir=$mnt/work" "$wdir" || fail "mount overlay" ;;
  esac
  # overlay: a second creator in data/, released once the openat writer waits on the freeze
  # while holding the lock of data/ (the overlay takes the upper's write access inside it).
  [ "$layout" = overlay ] && kinds="$kinds create2"
  echo "$kinds" > "$SD/kinds"
  mkdir -p "$wdir/data" "$wdir/log" || fail "mkdir on mount"
  local k
  for k in $kinds; do
    setsid $PY -c "$WRITER_PY" "$k" "$wdir" "$SD" "$(comm_of "$k")" \
      </dev/null >>"$SD/writers.log" 2>&1 &
    disown $!  # no "Killed" job notices from this shell at teardown
  done
  local t=0
  for k in $kinds; do
    while [ ! -s "$SD/writers/$k.pid" ]; do
      sleep 0.05; t=$((t + 1)); [ $t -gt 200 ] && fail "writer $k did not start"
    done
  done
  # syncfs of our mounts only: a sync(2) would wait on any other wedge's stuck writeback.
  sync -f "$wdir/data" 2>/dev/null; sync -f "$mnt" 2>/dev/null
  echo "frozen" >> "$SD/state"
  timeout 20 fsfreeze -f "$mnt" || fail "fsfreeze -f"
  touch "$SD/go"
  # A stacked writer waits for I/O the stuck loop worker will never finish; the jbd2 commit
  # interval (5 s) decides when the journal waits begin, so give those more time.
  [ "$layout" = stacked ] && timeout=$(( ${timeout%.*} + 15 ))
  local deadline=$(( $(date +%s) + ${timeout%.*} )) all pid start
  while :; do
    all=1
    for k in $kinds; do
      read -r pid start < "$SD/writers/$k.pid"
      [ "$(state_of "$pid")" = D ] || all=0
      # Directly on the frozen superblock, every writer waits in percpu_rwsem_wait. Through an
      # overlay, mkdir can queue on the directory's i_rwsem behind the openat writer, which took
      # it before it wanted write access to the upper mount.
      [ "$layout" != plain ] || [ "$(cat "/proc/$pid/wchan" 2>/dev/null)" = percpu_rwsem_wait ] || all=0
      # create2 queues on the lock of data/ (6.18: wchan path_openat), not on the freeze.
      [ "$k" = create2 ] || [ "$layout" != overlay ] || [ "$(cat "/proc/$pid/wchan" 2>/dev/null)" = percpu_rwsem_wait ] || all=0
    done
    if [ "$layout" = overlay ] && [ ! -e "$SD/go2" ]; then
      read -r pid start < "$SD/writers/openat.pid"
      [ "$(cat "/proc/$pid/wchan" 2>/dev/null)" = percpu_rwsem_wait ] && touch "$SD/go2"
    fi
    [ $all = 1 ] && break
    if [ "$(date +%s)" -ge $deadline ]; then
      for k in $kinds; do
        read -r pid start < "$SD/writers/$k.pid"
        echo "frozen_fs.sh: $k writer $pid: state $(state_of "$pid") wchan $(cat "/proc/$pid/wchan" 2>/dev/null)" >&2
      done
      tail -5 "$SD/writers.log" >&2
      fail "writers not all in D after ${timeout}s"
    fi
    sleep 0.1
  done
  local json="" sep="" top=""
  for k in $kinds; do
    read -r pid start < "$SD/writers/$k.pid"
    json="$json$sep{\"pid\":$pid,\"kind\":\"$k\",\"comm\":\"$(comm_of "$k")\",\"wchan\":\"$(cat "/proc/$pid/wchan" 2>/dev/null)\"}"; sep=","
  done
  [ "$layout" = plain ] || top=$wdir
  echo "{\"mount\":\"$mnt\",\"loop\":\"$loop\",\"image\":\"$img\",\"fstype\":\"$fstype\",\"layout\":\"$layout\",\"top\":\"$top\",\"topLoop\":\"$toploop\",\"writers\":[$json]}" | tee "$SD/up.json"
}

mkfs_image() {
  case $1 in
    ext4) mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$2" ;;
    xfs) mkfs.xfs -q -f "$2" ;;
    btrfs) mkfs.btrfs -q -f "$2" ;;
  esac >/dev/null 2>&1
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
  for k in $ALL_KINDS; do pid=$(writer_pid "$k") && pids="$pids $pid"; done
  for pid in $(pgrep -f -- "-c .* $SD/(mnt|top|ovl) $SD " 2>/dev/null); do
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
  # 3. unmount the layer above first (it keeps the mount below busy), then the mount
  for top in "$SD/top" "$SD/ovl"; do
    if is_mounted "$top"; then
      for i in 1 2 3 4 5; do timeout 20 umount "$top" 2>/dev/null && break; sleep 0.5; done
      is_mounted "$top" && { echo "frozen_fs.sh: $top still mounted" >&2; rc=1; }
    fi
  done
  if [ $rc = 0 ] && [ -e "$mnt/upper.img" ]; then
    for dev in $(losetup -n -O NAME -j "$mnt/upper.img" 2>/dev/null); do
      timeout 10 losetup -d "$dev" || rc=1
    done
  fi
  if [ $rc = 0 ] && is_mounted "$mnt"; then
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
    rm -f "$img" "$SD/state" "$SD/loop" "$SD/toploop" "$SD/layout" "$SD/kinds" "$SD/go" "$SD/go2" "$SD/up.json" "$SD/writers.log" "$SD"/writers/*
    rmdir "$SD/writers" "$mnt" "$SD/top" "$SD/ovl" "$SD" 2>/dev/null
  fi
  return $rc
}

[ $# -ge 2 ] || { sed -n '2,28p' "$0" >&2; exit 2; }
CMD=$1; SD=${2%/}; shift 2
case $CMD in
  up) up "$@" ;;
  down) down; exit $? ;;
  *) die "unknown command $CMD" ;;
esac
