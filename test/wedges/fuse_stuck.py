#!/usr/bin/env python3
"""Wedge: clients of a FUSE mount whose daemon stopped answering.

  up   --state-file F [--stop-daemon] [--readers 2] [--lookups 1] [--exiters 1]
       [--no-interrupt] [--daemon-comm fuse-sim-daemon] [--lifetime 600]
       [--hung-timeout SECS] [--timeout 15]
  down --state-file F

A minimal FUSE daemon in pure python (raw /dev/fuse protocol, no libfuse):
it opens /dev/fuse, mounts it with mount(2) on F.mnt (type fuse.wedgetop,
source wedgetop-fuse) and serves one read-only file, `data` (1 MiB, opened
with FOPEN_DIRECT_IO so every read(2) is a FUSE_READ request).  Clients open
the file while the daemon answers; then the daemon stops answering:

* default: it is hung.  It keeps reading requests from /dev/fuse and never
  replies (state S in fuse_dev_do_read).  Only an abort (or its death) helps.
* --stop-daemon: it is SIGSTOPped (state T) while healthy.  SIGCONT alone
  lets it answer everything that queued up.

Clients, each its own process and session:
* fuse-reader: pread(2) on its open fd   -> FUSE_READ   (request_wait_answer)
* fuse-stat:   stat(2) of a new name      -> FUSE_LOOKUP (request_wait_answer)
* fuse-exiter: killed (SIGKILL) with the file open: the close at exit sends
  FUSE_FLUSH, a forced request that waits uninterruptibly (D) in do_exit.

Waiters sit in request_wait_answer in state S until a signal arrives.  Unless
--no-interrupt, `up` sends SIGTERM (caught) to the readers and lookups, which
moves them to the killable wait: state D, same stack.

`up` prints one JSON line {"daemonPid","mount","connection","clientPids",
"clients":[{"pid","kind","comm","state"}],...} once every client verifiably
waits (state + /proc/PID/stack), and leaves the wedge running.  The daemon
exits by itself (closing /dev/fuse aborts the connection) after --lifetime
seconds, unless it is stopped.

`down` is idempotent and never touches the mount (a stat would hang): SIGCONT
the daemon, write 1 to /sys/fs/fuse/connections/N/abort, kill the clients,
lazy-unmount (umount2 MNT_DETACH, in a child with a timeout), kill the daemon,
remove F.mnt.  It also finds processes and mounts an interrupted `up` did not
record (comm + state path in cmdline; mountinfo at F.mnt).
"""
import argparse, ctypes, errno, hashlib, json, os, re, select, signal, struct, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _wedgelib as w  # noqa: E402

SELF = os.path.abspath(__file__)
FUSECTL = "/sys/fs/fuse/connections"
COMMS = {"read": "fuse-reader", "stat": "fuse-stat", "exit": "fuse-exiter"}
FILE_NAME = b"data"
FILE_SIZE = 1 << 20
MNT_DETACH = 2
MS_NOSUID, MS_NODEV = 2, 4

# ------------------------------------------------------------ FUSE protocol
# include/uapi/linux/fuse.h (7.x); we reply with minor 31, the kernel adapts.
LOOKUP, FORGET, GETATTR, OPEN, READ, STATFS, RELEASE = 1, 2, 3, 14, 15, 17, 18
FLUSH, INIT, OPENDIR, READDIR, RELEASEDIR, INTERRUPT = 25, 26, 27, 28, 29, 36
DESTROY, BATCH_FORGET = 38, 42
NO_REPLY = (FORGET, BATCH_FORGET, INTERRUPT)
IN_HDR = struct.Struct("=IIQQIIIHH")       # len opcode unique nodeid uid gid pid extlen pad
OUT_HDR = struct.Struct("=IiQ")            # len error unique
ATTR = struct.Struct("=QQQQQQIIIIIIIIII")  # ino size blocks a/m/ctime a/m/cnsec mode nlink uid gid rdev blksize flags
FOPEN_DIRECT_IO = 1
ROOT, FILE_INO = 1, 2
NAMES = {"daemon": "fuse-sim-daemon"}


def attr(ino):
    now = int(time.time())
    if ino == ROOT:
        return ATTR.pack(ROOT, 0, 0, now, now, now, 0, 0, 0, 0o40755, 2, 0, 0, 0, 4096, 0)
    return ATTR.pack(FILE_INO, FILE_SIZE, FILE_SIZE // 512, now, now, now, 0, 0, 0, 0o100444,
                     1, 0, 0, 0, 4096, 0)


def entry(ino):
    # nodeid generation entry_valid attr_valid entry_nsec attr_nsec + attr
    return struct.pack("=QQQQII", ino, 1, 3600, 1, 0, 0) + attr(ino)


def dirent(ino, off, name, typ):
    rec = struct.pack("=QQII", ino, off, len(name), typ) + name
    return rec + b"\0" * ((-len(rec)) % 8)


def file_bytes(off, size):
    """Deterministic content: every 8-byte word is its own offset."""
    off, end = max(0, off), min(FILE_SIZE, off + size)
    if end <= off:
        return b""
    first = off - off % 8
    words = b"".join(struct.pack("=Q", o) for o in range(first, end, 8))
    return words[off - first:off - first + (end - off)]


class Daemon:
    # FOPEN_DIRECT_IO: every read(2) is a FUSE_READ.  A subclass serving mmap'd pages through the
    # page cache (ps_hangs.py) opens with 0.
    open_flags = FOPEN_DIRECT_IO

    def __init__(self, fd, lifetime):
        self.fd = fd
        self.hung = False
        self.deadline = time.monotonic() + lifetime
        self.swallowed = {}

    def reply(self, unique, err=0, payload=b""):
        try:
            os.write(self.fd, OUT_HDR.pack(OUT_HDR.size + len(payload), -err, unique) + payload)
        except OSError as e:  # ENOENT: request was interrupted/aborted meanwhile
            if e.errno not in (errno.ENOENT, errno.ENODEV):
                raise

    def handle(self, buf):
        ln, op, unique, node, uid, gid, pid, extlen, _ = IN_HDR.unpack_from(buf)
        body = buf[IN_HDR.size:ln]
        if self.hung and op != DESTROY:
            self.swallowed[op] = self.swallowed.get(op, 0) + 1
            return
        if op in NO_REPLY:
            return
        if op == INIT:
            major, minor, readahead, flags = struct.unpack_from("=IIII", body)
            w.log("daemon: FUSE_INIT from kernel %d.%d" % (major, minor))
            # major minor max_readahead flags max_background congestion max_write time_gran
            # max_pages map_alignment flags2 max_stack_depth request_timeout unused[11]
            out = struct.pack("=IIIIHHIIHHIIH22x", 7, 31, readahead, 0, 16, 12, 128 << 10, 1,
                              32, 0, 0, 0, 0)
            self.reply(unique, 0, out)
        elif op == LOOKUP:
            name = body.split(b"\0", 1)[0]
            if node == ROOT and name == FILE_NAME:
                self.reply(unique, 0, entry(FILE_INO))
            else:
                self.reply(unique, errno.ENOENT)
        elif op == GETATTR:
            if node in (ROOT, FILE_INO):
                self.reply(unique, 0, struct.pack("=QII", 1, 0, 0) + attr(node))
            else:
                self.reply(unique, errno.ENOENT)
        elif op in (OPEN, OPENDIR):
            self.reply(unique, 0, struct.pack("=QIi", node, self.open_flags if op == OPEN else 0, 0))
        elif op == READ:
            fh, off, size = struct.unpack_from("=QQI", body)
            self.reply(unique, 0, file_bytes(off, size))
        elif op == READDIR:
            fh, off, size = struct.unpack_from("=QQI", body)
            ents = [(ROOT, b".", 4), (ROOT, b"..", 4), (FILE_INO, FILE_NAME, 8)]
            out = b"".join(dirent(i, n + 1, nm, t) for n, (i, nm, t) in enumerate(ents) if n >= off)
            self.reply(unique, 0, out[:size])
        elif op in (FLUSH, RELEASE, RELEASEDIR, DESTROY):
            self.reply(unique, 0)
        elif op == STATFS:
            # blocks bfree bavail files ffree bsize namelen frsize padding spare[6]
            self.reply(unique, 0, struct.pack("=QQQQQIIII24x", 256, 0, 0, 2, 0, 4096, 255, 4096, 0))
        else:
            self.reply(unique, errno.ENOSYS)

    def serve(self, on_hung):
        """Answer requests until told to hang (SIGUSR1); then read them in blocking
        reads (state S in fuse_dev_do_read) and never answer.  A watchdog thread
        ends the process at the deadline: closing /dev/fuse aborts the connection."""
        def watchdog():
            time.sleep(max(0.0, self.deadline - time.monotonic()))
            w.log("daemon: lifetime over, exiting (closing /dev/fuse aborts the connection)")
            os._exit(0)
        threading.Thread(target=watchdog, daemon=True).start()
        buf_size = (128 << 10) + 4096
        while True:
            if self.hung_requested and not self.hung:
                self.hung = True
                on_hung()
            try:
                if not self.hung and not select.select([self.fd], [], [], 0.1)[0]:
                    continue
                buf = os.read(self.fd, buf_size)
            except OSError as e:
                if e.errno in (errno.EINTR, errno.EAGAIN, errno.ENOENT):
                    continue
                if e.errno == errno.ENODEV:  # aborted or unmounted
                    w.log("daemon: connection gone (ENODEV)")
                    return
                raise
            if len(buf) >= IN_HDR.size:
                self.handle(buf)

    hung_requested = False


# ------------------------------------------------------------ mounts
def libc():
    return ctypes.CDLL(None, use_errno=True)


def our_mounts(mnt):
    """[(mount_id, "maj:min", fstype)] of the mounts at mnt, from mountinfo
    (never stat the mount point: with a stuck daemon that hangs)."""
    out = []
    for line in (w.read("/proc/self/mountinfo", "") or "").splitlines():
        f = line.split()
        if len(f) < 10:
            continue
        mp = f[4].replace("\\040", " ")
        if mp == mnt:
            sep = f.index("-")
            out.append((int(f[0]), f[2], f[sep + 1]))
    return out


def conn_of(mnt):
    ms = [m for m in our_mounts(mnt) if m[2].startswith("fuse")]
    return int(ms[-1][1].split(":")[1]) if ms else None


def ensure_fusectl():
    if os.path.isdir(FUSECTL) and any(l.split()[2] == "fusectl" for l in
                                      (w.read("/proc/self/mounts", "") or "").splitlines()):
        return False
    r = subprocess.run(["mount", "-t", "fusectl", "none", FUSECTL], capture_output=True,
                       text=True, timeout=10)
    if r.returncode:
        raise RuntimeError("cannot mount fusectl on %s: %s" % (FUSECTL, r.stderr.strip()))
    return True


def abort_conn(conn):
    p = "%s/%d/abort" % (FUSECTL, conn)
    if not os.path.exists(p):
        return False
    w.in_child(lambda: open(p, "w").write("1"), 10)
    return True


# ------------------------------------------------------------ roles (internal)
def role_daemon(a, daemon_cls=Daemon):
    w.set_comm(a.daemon_comm)
    info_path = a.state_file + ".daemon"
    info = {"pid": os.getpid()}
    try:
        fd = os.open("/dev/fuse", os.O_RDWR | os.O_CLOEXEC)
        data = "fd=%d,rootmode=40000,user_id=0,group_id=0,subtype=wedgetop" % fd
        lc = libc()
        if lc.mount(b"wedgetop-fuse", a.mnt.encode(), b"fuse", MS_NOSUID | MS_NODEV,
                    data.encode()) != 0:
            raise OSError(ctypes.get_errno(), "mount(2) fuse on %s: %s"
                          % (a.mnt, os.strerror(ctypes.get_errno())))
        info["connection"] = conn_of(a.mnt)
        info["fd"] = fd
    except Exception as e:
        info["error"] = "%s: %s" % (type(e).__name__, e)
    w.save_state(info_path, info)
    if "error" in info:
        sys.exit(1)
    d = daemon_cls(fd, a.lifetime)

    def on_usr1(*_):
        Daemon.hung_requested = True
    signal.signal(signal.SIGUSR1, on_usr1)

    def on_hung():
        info["hung"] = True
        w.save_state(info_path, info)
    d.serve(on_hung)
    w.log("daemon: swallowed %s" % d.swallowed)


def role_client(a):
    w.set_comm(COMMS[a.kind])
    ready = "%s.c%d" % (a.state_file, a.index)
    got = []
    # A caught signal: the waiter leaves the interruptible wait for the killable one (D).
    signal.signal(signal.SIGTERM, lambda s, f: got.append(s))
    signal.signal(signal.SIGINT, lambda s, f: got.append(s))
    fd = None
    if a.kind in ("read", "exit"):
        fd = os.open(os.path.join(a.mnt, FILE_NAME.decode()), os.O_RDONLY)
        check = os.pread(fd, 16, 8)
        if check != file_bytes(8, 16):
            raise SystemExit("bad data from the FUSE file: %r" % check)
    w.save_state(ready, {"pid": os.getpid(), "kind": a.kind})
    while not os.path.exists(a.state_file + ".go"):
        time.sleep(0.02)
    t0 = time.monotonic()
    try:
        if a.kind == "read":
            n = len(os.pread(fd, 4096, 4096 * (1 + a.index)))
            res = "read %d bytes" % n
        elif a.kind == "stat":
            os.stat(os.path.join(a.mnt, "missing-%d" % os.getpid()))
            res = "stat succeeded?"
        else:  # exit: wait to be killed
            threading.Event().wait()
    except OSError as e:
        res = "%s (%s)" % (e.strerror, errno.errorcode.get(e.errno, e.errno))
    w.log("%s %d: %s after %.1fs, signals %s" % (COMMS[a.kind], os.getpid(), res,
                                                 time.monotonic() - t0, got))


# ------------------------------------------------------------ up / down
def client_waiting(pid, kind):
    """(ok, state, stack) for a client that should be waiting on the daemon."""
    st = w.stat_fields(pid)
    stk = w.stack(pid)
    state = st["state"] if st else "?"
    if not st or "request_wait_answer" not in stk:
        return False, state, stk
    if kind == "exit":
        return state == "D" and "fuse_flush" in stk, state, stk
    return state in "SD", state, stk


def token(a):
    """hung-task refcount token: one per state file (several FUSE wedges may be up)."""
    return "fuse_stuck-" + hashlib.md5(a.state_file.encode()).hexdigest()[:12]


def our_procs(a):
    """[pid, start] of live wedge processes of this state file (recorded or not):
    our comms, and the state file as one exact argv element."""
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit() and (w.read("/proc/%s/comm" % p) or "").strip() in \
                list(COMMS.values()) + [a.daemon_comm]:
            if a.state_file in (w.read("/proc/%s/cmdline" % p) or "").split("\0"):
                st = w.stat_fields(int(p))
                if st and st["state"] not in "ZX":
                    out.append([int(p), st["start"]])
    return out


def fail(a, msg):
    w.log("up failed:", msg, "- tearing down")
    down(a)
    sys.exit(2)


def up(a):
    if os.geteuid() != 0:
        sys.exit("must run as root")
    if not os.path.exists("/dev/fuse"):
        sys.exit("no /dev/fuse (modprobe fuse)")
    if w.load_state(a.state_file) or our_mounts(a.mnt) or our_procs(a):
        w.log("stale state found, running down first")
        if down(a):
            sys.exit("could not clean up the stale state of %s" % a.state_file)
    for suffix in (".daemon", ".go"):
        if os.path.exists(a.state_file + suffix):
            os.unlink(a.state_file + suffix)
    st = {"procs": {}, "mount": a.mnt, "hung": True}
    w.save_state(a.state_file, st)
    w.hung_acquire(token(a), a.hung_timeout)
    try:
        st["mountedFusectl"] = ensure_fusectl()
    except Exception as e:
        fail(a, str(e))
    os.makedirs(a.mnt, exist_ok=True)
    log = a.state_file + ".log"
    common = ["--state-file", a.state_file]
    st["procs"]["daemon"] = w.ident(w.spawn([sys.executable, SELF, "_daemon", "--daemon-comm",
                                             a.daemon_comm, "--lifetime", str(a.lifetime)]
                                            + common, log))
    w.save_state(a.state_file, st)
    dinfo = w.wait_until(lambda: w.load_state(a.state_file + ".daemon"), 10)
    if not dinfo or "error" in dinfo:
        fail(a, "daemon did not come up: %s" % dinfo)
    dpid, conn = dinfo["pid"], dinfo["connection"]
    st["connection"] = conn
    w.save_state(a.state_file, st)
    if conn is None or not os.path.isdir("%s/%d" % (FUSECTL, conn)):
        fail(a, "no fusectl directory for connection %s" % conn)
    # The file system works: INIT, LOOKUP, GETATTR, OPEN, READ, FLUSH, RELEASE answered.
    try:
        got = w.in_child(lambda: open(os.path.join(a.mnt, "data"), "rb").read(64).hex(), 10)
    except Exception as e:
        fail(a, "reading the FUSE file failed: %s" % e)
    if bytes.fromhex(got) != file_bytes(0, 64):
        fail(a, "FUSE file content is wrong: %s" % got)
    kinds = ["read"] * a.readers + ["stat"] * a.lookups + ["exit"] * a.exiters
    clients = []
    for i, kind in enumerate(kinds):
        if os.path.exists("%s.c%d" % (a.state_file, i)):
            os.unlink("%s.c%d" % (a.state_file, i))
        clients.append({"pid": None, "kind": kind, "comm": COMMS[kind], "index": i,
                        "ident": w.ident(w.spawn([sys.executable, SELF, "_client", "--kind", kind,
                                                  "--index", str(i)] + common, log))})
        clients[-1]["pid"] = clients[-1]["ident"][0]
        st["procs"]["clients"] = [c["ident"] for c in clients]
        w.save_state(a.state_file, st)
    if not w.wait_until(lambda: all(os.path.exists("%s.c%d" % (a.state_file, c["index"]))
                                    for c in clients), 10):
        fail(a, "clients did not get ready (open on the FUSE mount)")
    # The daemon stops answering.
    if a.stop_daemon:
        os.kill(dpid, signal.SIGSTOP)
        if not w.wait_until(lambda: (w.stat_fields(dpid) or {}).get("state") == "T", 5):
            fail(a, "daemon %d not stopped" % dpid)
    else:
        os.kill(dpid, signal.SIGUSR1)
        if not w.wait_until(lambda: (w.load_state(a.state_file + ".daemon") or {}).get("hung"), 5):
            fail(a, "daemon %d did not acknowledge the hang" % dpid)
    open(a.state_file + ".go", "w").close()
    for c in clients:
        if c["kind"] == "exit":
            os.kill(c["pid"], signal.SIGKILL)
    waiters = [c for c in clients if c["kind"] != "exit"]
    if not w.wait_until(lambda: all(client_waiting(c["pid"], c["kind"])[0] for c in clients),
                        a.timeout):
        fail(a, "clients not all waiting in request_wait_answer: %s" %
             {c["pid"]: client_waiting(c["pid"], c["kind"])[1:] for c in clients})
    # Interruptible wait (S) -> killable wait (D): a caught signal.
    if a.interrupt:
        for c in waiters:
            os.kill(c["pid"], signal.SIGTERM)
        if not w.wait_until(lambda: all(client_waiting(c["pid"], c["kind"])[1] == "D"
                                        and client_waiting(c["pid"], c["kind"])[0]
                                        for c in waiters), a.timeout):
            fail(a, "clients not in D after SIGTERM: %s" %
                 {c["pid"]: client_waiting(c["pid"], c["kind"])[1:] for c in clients})
    for c in clients:
        c["state"] = client_waiting(c["pid"], c["kind"])[1]
        c["wchan"] = w.wchan(c["pid"])
    # The hung daemon idles in a sleep loop: one reading can catch it running (R) for an
    # instant. Report the state it settles in.
    if not a.stop_daemon:
        w.wait_until(lambda: (w.stat_fields(dpid) or {}).get("state") == "S", 2)
    out = {"daemonPid": dpid, "daemonComm": a.daemon_comm,
           "daemonState": (w.stat_fields(dpid) or {}).get("state"),
           "mount": a.mnt, "connection": conn, "fstype": "fuse.wedgetop",
           "waiting": int((w.read("%s/%d/waiting" % (FUSECTL, conn), "-1") or "-1").strip()),
           "clientPids": [c["pid"] for c in clients],
           "clients": [{k: c[k] for k in ("pid", "kind", "comm", "state", "wchan")}
                       for c in clients],
           "stopDaemon": a.stop_daemon, "interrupted": a.interrupt}
    st["up"] = out
    st["stacks"] = {str(c["pid"]): w.stack(c["pid"]) for c in clients}
    st["stacks"]["daemon"] = w.stack(dpid)
    w.save_state(a.state_file, st)
    print(json.dumps(out), flush=True)


def down(a):
    st = w.load_state(a.state_file) or {}
    procs, rc = st.get("procs", {}), 0
    strays = our_procs(a)
    daemons = [procs["daemon"]] if procs.get("daemon") else []
    daemons += [p for p in strays if p not in daemons
                and (w.stat_fields(p[0]) or {}).get("comm") == a.daemon_comm]
    clients = procs.get("clients", []) + [p for p in strays if p not in daemons
                                          and p not in procs.get("clients", [])]
    mounts = our_mounts(a.mnt)
    if not st and not mounts and not strays and not os.path.exists(a.mnt):
        # An `up` racing with another `down` may hold a token without a state file.
        w.hung_release(token(a))
        w.log("no state file %s: nothing to do" % a.state_file)
        return 0
    caller = (w.read("/proc/%d/cmdline" % os.getppid(), "") or "").replace("\0", " ").strip()
    w.log("down %s (called by %d: %s)" % (a.state_file, os.getppid(), caller[:120]))
    # 1. a stopped daemon first resumes (a SIGKILL would wait for it anyway)
    for p in daemons:
        w.kill(p, signal.SIGCONT)
    # 2. abort every connection mounted at our mount point: all requests fail now
    conns = {int(m[1].split(":")[1]) for m in mounts if m[2].startswith("fuse")}
    if conns:
        try:
            ensure_fusectl()
        except Exception as e:
            w.log(e)
    for conn in sorted(conns):
        try:
            if not abort_conn(conn):
                w.log("no %s/%d/abort (fusectl not mounted?): killing the daemon aborts it"
                      % (FUSECTL, conn))
        except Exception as e:
            w.log("abort of connection %d failed: %s" % (conn, e))
    # 3. clients (a killed one flushes its files at exit: that now fails at once)
    for p in clients:
        w.kill(p)
    if not w.wait_gone(clients, 10):
        w.log("clients still alive: killing the daemon too")
        for p in daemons:
            w.kill(p)
        if not w.wait_gone(clients, 10):
            w.log("clients still alive:", [(p[0], (w.stat_fields(p[0]) or {}).get("state"))
                                           for p in clients if w.alive(p)])
            rc = 1
    # 4. lazy unmount, in a child: never let this process block on the mount
    for _ in range(len(our_mounts(a.mnt))):
        try:
            res = w.in_child(lambda: libc().umount2(a.mnt.encode(), MNT_DETACH) == 0
                             or os.strerror(ctypes.get_errno()), 10)
            if res is not True:
                w.log("umount2 %s: %s" % (a.mnt, res))
        except Exception as e:
            w.log("umount2 failed:", e)
    if our_mounts(a.mnt):
        subprocess.run(["umount", "-l", "-c", a.mnt], timeout=10)
    if our_mounts(a.mnt):
        w.log("%s still mounted" % a.mnt)
        rc = 1
    # 5. the daemon
    for p in daemons:
        w.kill(p)
    if not w.wait_gone(daemons, 10):
        w.log("daemon still alive after SIGKILL")
        rc = 1
    left = [t for t in w.dstate() if t[0] in {p[0] for p in clients + daemons}]
    if left:
        w.log("tasks still in D:", left)
        rc = 1
    if rc == 0:
        if os.path.isdir(a.mnt):
            try:
                os.rmdir(a.mnt)
            except OSError as e:
                w.log("cannot remove %s: %s" % (a.mnt, e))
                rc = 1
    if rc == 0:
        w.hung_release(token(a))  # idempotent; also covers an `up` killed before it saved
        helper = re.compile(re.escape(os.path.basename(a.state_file))
                            + r"(\.daemon|\.go|\.log|\.c\d+)?(\.tmp)?$")
        d = os.path.dirname(a.state_file)
        for name in os.listdir(d):
            if helper.match(name) and not os.path.isdir(os.path.join(d, name)):
                try:
                    os.unlink(os.path.join(d, name))
                except FileNotFoundError:
                    pass
    return rc


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("cmd", choices=["up", "down", "_daemon", "_client"])
    p.add_argument("--state-file", default="/dev/shm/wedgetop-fuse/state.json")
    p.add_argument("--stop-daemon", action="store_true",
                   help="SIGSTOP the (healthy) daemon instead of hanging it")
    p.add_argument("--readers", type=int, default=2)
    p.add_argument("--lookups", type=int, default=1)
    p.add_argument("--exiters", type=int, default=1)
    p.add_argument("--no-interrupt", dest="interrupt", action="store_false",
                   help="leave the readers/lookups in the interruptible wait (state S)")
    p.add_argument("--daemon-comm", default=NAMES["daemon"])
    p.add_argument("--lifetime", type=float, default=600,
                   help="the daemon exits (aborting the connection) after this many seconds")
    p.add_argument("--hung-timeout", type=int, default=None)
    p.add_argument("--timeout", type=float, default=15)
    p.add_argument("--kind", choices=sorted(COMMS))
    p.add_argument("--index", type=int, default=0)
    a = p.parse_args()
    a.state_file = os.path.abspath(a.state_file)
    a.mnt = a.state_file + ".mnt"
    a.daemon_comm = a.daemon_comm[:15]
    roles = {"_daemon": role_daemon, "_client": role_client}
    w.dispatch(a, up, down, roles, sigint_default=roles)


if __name__ == "__main__":
    main()
