#!/usr/bin/env python3
"""Wedge: "ps hangs".  A thread holds its process's mmap_lock while faulting in a
page of a file on a FUSE mount whose daemon stopped answering.

  up   --state-file F [--hung-daemon] [--no-interrupt] [--no-toucher] [--remote-holder]
       [--daemon-comm ph-fuse-daemon] [--lifetime 600] [--hung-timeout S] [--timeout 15]
  down --state-file F

The FUSE daemon is fuse_stuck.py's (raw /dev/fuse protocol), opening files
without FOPEN_DIRECT_IO so that an mmap of `data` is served through the page
cache.  One victim process (comm ps-hangs-victim) maps `data` MAP_PRIVATE,
madvise(MADV_RANDOM) (no readahead: the fault reads its page synchronously),
and then, once the daemon is stopped (default: SIGSTOP, state T; --hung-daemon:
it reads requests and never answers), its threads do, in this order:

* ph-gup       pread(/proc/self/mem) at an address of the FUSE mapping:
               __access_remote_vm takes mmap_read_lock, GUP faults the page in,
               fuse_read_folio waits in request_wait_answer: it HOLDS mmap_lock.
               A caught SIGTERM (tgkill) moves it to the killable wait, state D
               (--no-interrupt: left in S).
* ph-touch     reads the same FUSE page directly (page fault under the per-VMA
               lock): waits for the folio lock the holder's read keeps
               (folio_wait_bit_common under filemap_fault), holding no mmap_lock.
               Not with --hung-daemon (an abort fails the read: SIGBUS).
* ph-mmap      mmap(2)       -> queues for mmap_lock write (vm_mmap_pgoff)
* ph-mprotect  mprotect(2)   -> queues for mmap_lock write (do_mprotect_pkey)
* ph-munmap    munmap(2)     -> queues for mmap_lock write (__vm_munmap)
* ph-fault     first store to a fresh anonymous VMA: no anon_vma yet, so the
               per-VMA-lock fault needs mmap_lock, fails the trylock behind the
               queued writer and falls back to lock_mm_and_find_vma
* ph-memread   pread(/proc/self/mem) of an anonymous address: __access_remote_vm
               queues for mmap_read_lock behind the writer

and, as separate processes (own sessions): `cat /proc/VICTIM/cmdline` and
`ps -o pid,args -p VICTIM` (both wait in __access_remote_vm, under get_mm_cmdline).

`up` prints one JSON line {"victimPid","daemonPid","connection","mount","holder":{tid},
"roles":[{"role","pid","tid","comm","state","wchan"}],...} once every role
verifiably waits (state + /proc/PID/task/TID/stack) and leaves the wedge running.
Nothing here reads cmdline/maps/mem of the victim: that would hang like ps.
Processes are found again by comm plus their stdout (fd 1 -> F.log).

What frees it: SIGCONT of a stopped daemon (it answers the read: every role
completes), or an abort of the FUSE connection (the holder's read fails with
EIO).  The victim records each role's result in F.done.

`down` is idempotent: SIGCONT the daemon, abort the connection, kill the victim and
the readers, lazy-unmount, kill the daemon, remove F.mnt and helper files.
"""
import argparse, ctypes, errno, gc, hashlib, json, os, re, signal, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _wedgelib as w  # noqa: E402
import fuse_stuck as fs  # noqa: E402

SELF = os.path.abspath(__file__)
VICTIM = "ps-hangs-victim"
# Thread roles of the victim, in the order they are started (the holder first: the writers
# must queue behind it, and the fallback fault and reader must queue behind a writer).
THREADS = ["gup", "touch", "mmap", "mprotect", "munmap", "fault", "memread"]
READERS = {"cat": "cat", "ps": "ps"}
PEEK = "ph-peek"  # --remote-holder: another process reading the victim's memory (a debugger)
# What each role's kernel stack shows while it waits (checked by `up`).
EXPECT = {
    "gup": ["request_wait_answer", "__access_remote_vm"],
    "peek": ["request_wait_answer", "__access_remote_vm"],
    "touch": ["filemap_fault"],
    "mmap": ["vm_mmap_pgoff"],
    "mprotect": ["do_mprotect_pkey"],
    "munmap": ["__vm_munmap"],
    "fault": ["lock_mm_and_find_vma"],
    "memread": ["__access_remote_vm"],
    "cat": ["__access_remote_vm"],
    "ps": ["__access_remote_vm"],
}
PAGE = 4096
PROT_NONE, PROT_READ, PROT_WRITE = 0, 1, 2
MAP_PRIVATE, MAP_ANONYMOUS = 2, 0x20
MADV_RANDOM = 1
MAP_FAILED = ctypes.c_void_p(-1).value
FUSE_PAGE = 7  # the page of `data` the holder faults in


# Once a writer queues on the victim's mmap_lock, any mmap/munmap/brk/madvise of the victim's
# own allocator blocks too: pymalloc returned an empty arena with munmap (seen: ph-fault stuck in
# __vm_munmap before its store). glibc malloc in one arena, grown in big steps and never trimmed
# or mmap'd, makes no such call once the threads are started.
VICTIM_ENV = {
    "PYTHONMALLOC": "malloc",
    "GLIBC_TUNABLES": "glibc.malloc.arena_max=1:glibc.malloc.trim_threshold=4294967295:"
                      "glibc.malloc.top_pad=67108864:glibc.malloc.mmap_threshold=33554432",
}


class PageCacheDaemon(fs.Daemon):
    open_flags = 0


def victim_roles(a):
    return [r for r in THREADS if (r != "touch" or a.toucher) and (r != "gup" or not a.remote_holder)]


def role_peek(a):
    """--remote-holder: read the victim's memory at its FUSE mapping, as a debugger would."""
    w.set_comm(PEEK)
    signal.signal(signal.SIGTERM, lambda s, f: None)
    fd = os.open("/proc/%d/mem" % a.target, os.O_RDONLY)
    try:
        res = "read %d bytes of the FUSE page" % len(os.pread(fd, 8, int(a.addr, 16)))
    except OSError as e:
        res = "%s (%s)" % (e.strerror, errno.errorcode.get(e.errno, e.errno))
    w.log("%s: %s" % (PEEK, res))


def comm_of(role):
    return ("ph-" + role)[:15]


def libc():
    lc = ctypes.CDLL(None, use_errno=True)
    lc.mmap.restype = ctypes.c_void_p
    lc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                        ctypes.c_long]
    for fn in ("munmap", "mprotect", "madvise"):
        getattr(lc, fn).argtypes = [ctypes.c_void_p, ctypes.c_size_t] + \
            ([ctypes.c_int] if fn != "munmap" else [])
    lc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    lc.memset.restype = ctypes.c_void_p
    lc.memcpy.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    lc.memcpy.restype = ctypes.c_void_p
    lc.syscall.restype = ctypes.c_long
    return lc


def must(addr, what):
    if addr in (None, MAP_FAILED):
        raise OSError(ctypes.get_errno(), "%s: %s" % (what, os.strerror(ctypes.get_errno())))
    return addr


def anon(lc, pages, touch=True):
    a = must(lc.mmap(None, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
             "mmap anon")
    if touch:
        lc.memset(a, 0x5a, pages * PAGE)
    return a


MAP_FIXED_NOREPLACE = 0x100000


def isolated_page(lc):
    for hint in range(0x3e0000000000, 0x300000000000, -0x10000000000):
        a = lc.mmap(hint, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                    -1, 0)
        if a == hint:
            return a
        if a not in (None, MAP_FAILED):
            lc.munmap(a, PAGE)
    raise OSError(errno.ENOMEM, "no free isolated address for the fresh page")


def fifo(a, role):
    return "%s.go-%s" % (a.state_file, role)


# ------------------------------------------------------------ the victim process
def role_victim(a):
    w.set_comm(VICTIM)
    lc = libc()
    info = {"pid": os.getpid(), "tids": {}}
    results = {}
    lock = threading.Lock()
    try:
        fd = os.open(os.path.join(a.mnt, fs.FILE_NAME.decode()), os.O_RDONLY)
        fuse = must(lc.mmap(None, fs.FILE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0), "mmap FUSE file")
        # No readahead: the fault reads exactly its page with a synchronous FUSE_READ.
        if lc.madvise(fuse, fs.FILE_SIZE, MADV_RANDOM):
            raise OSError(ctypes.get_errno(), "madvise")
        target = fuse + FUSE_PAGE * PAGE
        mem = os.open("/proc/self/mem", os.O_RDONLY)
        unmap_me = anon(lc, 1)
        protect_me = anon(lc, 1)
        # A fresh anonymous VMA with no anon_vma: its first fault cannot be handled under the VMA
        # lock alone. It must merge with nothing: placed next to a touched anonymous mapping it
        # joins that VMA and inherits its anon_vma (seen: the fault then went through at once and
        # only the thread's later munmap queued). So it goes far from every other mapping.
        fresh = isolated_page(lc)
        buf = ctypes.create_string_buffer(64)
        plain = ctypes.addressof(buf)
        info.update({"fuseAddr": hex(target), "fd": fd, "memFd": mem})
    except Exception as e:
        info["error"] = "%s: %s" % (type(e).__name__, e)
        w.save_state(a.state_file + ".victim", info)
        sys.exit(1)

    def act(role):
        if role == "gup":
            return "read %d bytes of the FUSE page" % len(os.pread(mem, 8, target))
        if role == "touch":
            out = ctypes.create_string_buffer(8)
            lc.memcpy(out, target + 8, 8)  # ctypes releases the GIL for the fault
            return "read %s" % out.raw.hex()
        if role == "mmap":
            return "mmap -> %#x" % must(lc.mmap(None, PAGE, PROT_READ | PROT_WRITE,
                                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), "mmap")
        if role == "mprotect":
            return "mprotect -> %d" % lc.mprotect(protect_me, PAGE, PROT_READ)
        if role == "munmap":
            return "munmap -> %d" % lc.munmap(unmap_me, PAGE)
        if role == "fault":
            lc.memset(fresh, 1, 1)
            return "stored to the fresh page"
        if role == "memread":
            return "read %d bytes" % len(os.pread(mem, 8, plain))
        raise ValueError(role)

    def thread(role):
        w.set_comm(comm_of(role))
        got = []
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
        with lock:
            info["tids"][role] = threading.get_native_id()
        # Blocks (GIL released) until `up` opens the FIFO for writing.
        g = os.open(fifo(a, role), os.O_RDONLY)
        os.read(g, 1)
        os.close(g)
        t0 = time.monotonic()
        try:
            res = act(role)
        except OSError as e:
            res = "%s (%s)" % (e.strerror, errno.errorcode.get(e.errno, e.errno))
        with lock:
            results[role] = {"result": res, "after": round(time.monotonic() - t0, 1), "signals": got}
            w.save_state(a.state_file + ".done", results)
        w.log("%s: %s after %.1fs" % (comm_of(role), res, time.monotonic() - t0))

    # The caught SIGTERM that moves the holder into the killable wait is aimed at its tid (tgkill).
    signal.signal(signal.SIGTERM, lambda s, f: None)
    roles = victim_roles(a)
    # A precaution: no collection (and no finalizer) in a role thread between its go and its call,
    # so that nothing there returns memory to the kernel (a munmap would queue behind the writers).
    gc.disable()
    ts = [threading.Thread(target=thread, args=(r,), daemon=True) for r in roles]
    for t in ts:
        t.start()
    if not w.wait_until(lambda: len(info["tids"]) == len(roles), 5, 0.01):
        info["error"] = "threads did not start"
    w.save_state(a.state_file + ".victim", info)
    # The main thread only waits (an allocation here could queue for mmap_lock too).
    deadline = time.monotonic() + a.lifetime
    for t in ts:
        t.join(max(0.0, deadline - time.monotonic()))
    w.log("victim: done %s" % sorted(results))
    threading.Event().wait(max(0.0, deadline - time.monotonic()))


# ------------------------------------------------------------ up / down
def token(a):
    return "ps_hangs-" + hashlib.md5(a.state_file.encode()).hexdigest()[:12]


def log_path(a):
    return a.state_file + ".log"


def our_procs(a):
    """[pid, start] of live wedge processes of this state file: our comms and stdout on F.log.
    (Never their cmdline: the victim's would hang this very script.)"""
    comms = {VICTIM, a.daemon_comm, PEEK} | set(READERS.values())
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit() and (w.read("/proc/%s/comm" % p) or "").strip() in comms:
            try:
                if os.readlink("/proc/%s/fd/1" % p) != log_path(a):
                    continue
            except OSError:
                continue
            st = w.stat_fields(int(p))
            if st and st["state"] not in "ZX":
                out.append([int(p), st["start"]])
    return out


def tgkill(tgid, tid, sig):
    return libc().syscall(234, tgid, tid, sig)  # x86_64 SYS_tgkill


def thread_waiting(pid, tid, role):
    st = w.stat_fields(pid, tid)
    stk = w.stack(pid, tid)
    state = st["state"] if st else "?"
    ok = bool(st) and all(f in stk for f in EXPECT[role])
    if role == "touch":
        ok = ok and "folio" in stk
    return ok and state in ("SD" if role in ("gup", "peek") else "D"), state, stk


class Unsettled(Exception):
    """A role waits somewhere else than it should (a race inside the victim): build again."""


def fail(a, msg):
    w.log("up failed:", msg, "- tearing down")
    down(a)
    sys.exit(2)


def go(a, role):
    # ENXIO until the thread has opened its end of the FIFO.
    fd = w.wait_until(lambda: _open_w(fifo(a, role)), 5, 0.01)
    if fd is None:
        raise RuntimeError("%s never opened %s" % (comm_of(role), fifo(a, role)))
    os.write(fd, b"g")
    os.close(fd)


def _open_w(path):
    try:
        return os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as e:
        if e.errno == errno.ENXIO:
            return None
        raise


def up(a):
    for attempt in range(1, 4):
        try:
            return build(a)
        except Unsettled as e:
            w.log("attempt %d: %s" % (attempt, e))
            if down(a):
                sys.exit("could not clean up after attempt %d" % attempt)
    fail(a, "no attempt settled as expected")


def build(a):
    if os.geteuid() != 0:
        sys.exit("must run as root")
    if not os.path.exists("/dev/fuse"):
        sys.exit("no /dev/fuse (modprobe fuse)")
    if w.load_state(a.state_file) or fs.our_mounts(a.mnt) or our_procs(a):
        w.log("stale state found, running down first")
        if down(a):
            sys.exit("could not clean up the stale state of %s" % a.state_file)
    roles = victim_roles(a)
    for suffix in [".daemon", ".victim", ".done"] + [".go-" + r for r in THREADS]:
        if os.path.lexists(a.state_file + suffix):
            os.unlink(a.state_file + suffix)
    for r in roles:
        os.mkfifo(fifo(a, r), 0o600)
    st = {"procs": {}, "mount": a.mnt}
    w.save_state(a.state_file, st)
    w.hung_acquire(token(a), a.hung_timeout)
    try:
        st["mountedFusectl"] = fs.ensure_fusectl()
    except Exception as e:
        fail(a, str(e))
    os.makedirs(a.mnt, exist_ok=True)
    log = log_path(a)
    common = ["--state-file", a.state_file, "--daemon-comm", a.daemon_comm,
              "--lifetime", str(a.lifetime)] + ([] if a.toucher else ["--no-toucher"]) \
        + (["--remote-holder"] if a.remote_holder else [])
    st["procs"]["daemon"] = w.ident(w.spawn([sys.executable, SELF, "_daemon"] + common, log))
    w.save_state(a.state_file, st)
    dinfo = w.wait_until(lambda: w.load_state(a.state_file + ".daemon"), 10)
    if not dinfo or "error" in dinfo:
        fail(a, "daemon did not come up: %s" % dinfo)
    dpid, conn = dinfo["pid"], dinfo["connection"]
    st["connection"] = conn
    w.save_state(a.state_file, st)
    if conn is None or not os.path.isdir("%s/%d" % (fs.FUSECTL, conn)):
        fail(a, "no fusectl directory for connection %s" % conn)
    st["procs"]["victim"] = w.ident(w.spawn([sys.executable, SELF, "_victim"] + common, log,
                                            VICTIM_ENV))
    w.save_state(a.state_file, st)
    vinfo = w.wait_until(lambda: (w.load_state(a.state_file + ".victim") or {}).get("tids")
                         and w.load_state(a.state_file + ".victim"), 10)
    if not vinfo or "error" in vinfo or len(vinfo["tids"]) != len(roles):
        fail(a, "victim did not come up: %s" % vinfo)
    vpid, tids = vinfo["pid"], vinfo["tids"]
    # The daemon stops answering (the victim's open and mmap are done).
    if a.hung_daemon:
        os.kill(dpid, signal.SIGUSR1)
        if not w.wait_until(lambda: (w.load_state(a.state_file + ".daemon") or {}).get("hung"), 5):
            fail(a, "daemon %d did not acknowledge the hang" % dpid)
    else:
        os.kill(dpid, signal.SIGSTOP)
        if not w.wait_until(lambda: (w.stat_fields(dpid) or {}).get("state") == "T", 5):
            fail(a, "daemon %d not stopped" % dpid)
    out_roles = []

    def start(role):
        go(a, role)
        tid = tids[role]
        if not w.wait_until(lambda: thread_waiting(vpid, tid, role)[0], a.timeout, 0.05):
            every = {t: "%s %s %s" % ((w.stat_fields(vpid, int(t)) or {}).get("comm"),
                                      (w.stat_fields(vpid, int(t)) or {}).get("state"),
                                      w.stack(vpid, int(t)).split("\n")[0])
                     for t in sorted(os.listdir("/proc/%d/task" % vpid))}
            raise Unsettled("%s (%d/%d) not waiting as expected: %s; every thread: %s"
                            % (comm_of(role), vpid, tid, thread_waiting(vpid, tid, role)[1:], every))
        if role == "gup" and a.interrupt:
            tgkill(vpid, tid, signal.SIGTERM)
            if not w.wait_until(lambda: thread_waiting(vpid, tid, role)[1] == "D", a.timeout, 0.05):
                fail(a, "holder not in D after SIGTERM: %s" % (thread_waiting(vpid, tid, role)[1:],))
        out_roles.append({"role": role, "pid": vpid, "tid": tid, "comm": comm_of(role)})

    holder = None
    if a.remote_holder:
        pid = w.spawn([sys.executable, SELF, "_peek", "--target", str(vpid), "--addr", vinfo["fuseAddr"]]
                      + common, log)
        st["procs"].setdefault("readers", []).append(w.ident(pid))
        w.save_state(a.state_file, st)
        if not w.wait_until(lambda: thread_waiting(pid, pid, "peek")[0], a.timeout, 0.05):
            fail(a, "%s %d not waiting as expected: %s" % (PEEK, pid, thread_waiting(pid, pid, "peek")[1:]))
        if a.interrupt:
            os.kill(pid, signal.SIGTERM)
            if not w.wait_until(lambda: thread_waiting(pid, pid, "peek")[1] == "D", a.timeout, 0.05):
                fail(a, "%s not in D after SIGTERM" % PEEK)
        out_roles.append({"role": "peek", "pid": pid, "tid": pid, "comm": PEEK})
        holder = {"pid": pid, "tid": pid}
    for role in roles:
        start(role)
    for role, argv in (("cat", ["cat", "/proc/%d/cmdline" % vpid]),
                       ("ps", ["ps", "-o", "pid,args", "-p", str(vpid)])):
        pid = w.spawn(argv, log)
        st["procs"].setdefault("readers", []).append(w.ident(pid))
        w.save_state(a.state_file, st)
        if not w.wait_until(lambda: thread_waiting(pid, pid, role)[0], a.timeout, 0.05):
            fail(a, "%s %d not waiting as expected: %s" % (role, pid, thread_waiting(pid, pid, role)[1:]))
        out_roles.append({"role": role, "pid": pid, "tid": pid, "comm": READERS[role]})
    for r in out_roles:
        r["state"] = thread_waiting(r["pid"], r["tid"], r["role"])[1]
        r["wchan"] = w.wchan(r["pid"], r["tid"])
    if a.hung_daemon:
        w.wait_until(lambda: (w.stat_fields(dpid) or {}).get("state") == "S", 2)
    out = {"victimPid": vpid, "victimComm": VICTIM, "daemonPid": dpid, "daemonComm": a.daemon_comm,
           "daemonState": (w.stat_fields(dpid) or {}).get("state"), "mount": a.mnt,
           "connection": conn, "fstype": "fuse.wedgetop", "fuseAddr": vinfo["fuseAddr"],
           "waiting": int((w.read("%s/%d/waiting" % (fs.FUSECTL, conn), "-1") or "-1").strip()),
           "holder": holder or {"pid": vpid, "tid": tids["gup"]},
           "roles": out_roles, "blockedPids": sorted({r["pid"] for r in out_roles}),
           "hungDaemon": a.hung_daemon, "interrupted": a.interrupt,
           # Each victim thread writes its result here once it runs again.
           "doneFile": a.state_file + ".done"}
    st["up"] = out
    st["stacks"] = {"%s %d/%d" % (r["comm"], r["pid"], r["tid"]): w.stack(r["pid"], r["tid"])
                    for r in out_roles}
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
    others = ([procs["victim"]] if procs.get("victim") else []) + procs.get("readers", [])
    others += [p for p in strays if p not in daemons and p not in others]
    mounts = fs.our_mounts(a.mnt)
    if not st and not mounts and not strays and not os.path.exists(a.mnt):
        w.hung_release(token(a))
        w.log("no state file %s: nothing to do" % a.state_file)
        return 0
    w.log("down %s" % a.state_file)
    # 1. a stopped daemon resumes: it answers the holder's read and everything behind it runs
    for p in daemons:
        w.kill(p, signal.SIGCONT)
    # 2. abort the connection: whatever is still pending fails
    conns = {int(m[1].split(":")[1]) for m in mounts if m[2].startswith("fuse")}
    if conns:
        try:
            fs.ensure_fusectl()
        except Exception as e:
            w.log(e)
    for conn in sorted(conns):
        try:
            fs.abort_conn(conn)
        except Exception as e:
            w.log("abort of connection %d failed: %s" % (conn, e))
    # 3. the victim and the readers (every wait here is killable)
    for p in others:
        w.kill(p)
    if not w.wait_gone(others, 10):
        for p in daemons:
            w.kill(p)
        if not w.wait_gone(others, 10):
            w.log("still alive:", [(p[0], (w.stat_fields(p[0]) or {}).get("state"))
                                   for p in others if w.alive(p)])
            rc = 1
    # 4. lazy unmount, in a child
    for _ in range(len(fs.our_mounts(a.mnt))):
        try:
            res = w.in_child(lambda: fs.libc().umount2(a.mnt.encode(), fs.MNT_DETACH) == 0
                             or os.strerror(ctypes.get_errno()), 10)
            if res is not True:
                w.log("umount2 %s: %s" % (a.mnt, res))
        except Exception as e:
            w.log("umount2 failed:", e)
    if fs.our_mounts(a.mnt):
        w.log("%s still mounted" % a.mnt)
        rc = 1
    # 5. the daemon
    for p in daemons:
        w.kill(p)
    if not w.wait_gone(daemons, 10):
        w.log("daemon still alive after SIGKILL")
        rc = 1
    left = [t for t in w.dstate() if t[0] in {p[0] for p in others + daemons}]
    if left:
        w.log("tasks still in D:", left)
        rc = 1
    if rc == 0 and os.path.isdir(a.mnt):
        try:
            os.rmdir(a.mnt)
        except OSError as e:
            w.log("cannot remove %s: %s" % (a.mnt, e))
            rc = 1
    if rc == 0:
        w.hung_release(token(a))
        helper = re.compile(re.escape(os.path.basename(a.state_file))
                            + r"(\.daemon|\.victim|\.done|\.log|\.go-[a-z]+)?(\.tmp)?$")
        d = os.path.dirname(a.state_file)
        for name in os.listdir(d):
            p = os.path.join(d, name)
            if helper.match(name) and not os.path.isdir(p):
                try:
                    os.unlink(p)
                except FileNotFoundError:
                    pass
    return rc


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("cmd", choices=["up", "down", "_daemon", "_victim", "_peek"])
    p.add_argument("--state-file", default="/dev/shm/wedgetop-pshangs/state.json")
    p.add_argument("--hung-daemon", action="store_true",
                   help="the daemon reads requests and never answers (instead of SIGSTOP)")
    p.add_argument("--no-interrupt", dest="interrupt", action="store_false",
                   help="leave the holder in the interruptible FUSE wait (state S)")
    p.add_argument("--no-toucher", dest="toucher", action="store_false",
                   help="no thread touching the FUSE page directly (default with --hung-daemon)")
    p.add_argument("--remote-holder", action="store_true",
                   help="the mmap_lock holder is another process reading /proc/VICTIM/mem (ph-peek)")
    p.add_argument("--target", type=int, help=argparse.SUPPRESS)
    p.add_argument("--addr", help=argparse.SUPPRESS)
    p.add_argument("--daemon-comm", default="ph-fuse-daemon")
    p.add_argument("--lifetime", type=float, default=600)
    p.add_argument("--hung-timeout", type=int, default=None)
    p.add_argument("--timeout", type=float, default=15)
    a = p.parse_args()
    a.state_file = os.path.abspath(a.state_file)
    a.mnt = a.state_file + ".mnt"
    a.daemon_comm = a.daemon_comm[:15]
    if a.hung_daemon:
        a.toucher = False
    roles = {"_daemon": lambda a: fs.role_daemon(a, PageCacheDaemon), "_peek": role_peek, "_victim": role_victim}
    w.dispatch(a, up, down, roles, sigint_default=("_daemon",))


if __name__ == "__main__":
    main()
