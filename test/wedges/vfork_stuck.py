#!/usr/bin/env python3
"""vfork parent in D waiting on a child that cannot run: stopped, ptrace-stopped,
in a frozen cgroup v2, or itself blocked on a frozen filesystem.

    up   --state-file F --child stop|ptrace|cgroup|write [--write-into DIR]
    down --state-file F

The parent calls clone(CLONE_VFORK) (without CLONE_VM: Python cannot run safely on
a shared address space; the kernel's wait is the same wait_for_vfork_done either
way). Until the child execs or exits the parent sleeps in a killable D wait.
The child, once it can run again, exits at once (it polls for F.release, which
`up` creates only after it has seen the child stuck), so the remedy under test is
exactly what frees the parent.
"""
import argparse
import ctypes
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _wedgelib as w  # noqa: E402

SELF = os.path.abspath(__file__)
TOKEN = "vfork_stuck"
CLONE_VFORK = 0x4000
SYS_clone = 56  # x86_64: clone(flags, newsp, parent_tid, child_tid, tls)
PTRACE_SEIZE, PTRACE_INTERRUPT = 0x4206, 0x4207
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]


def cgroup2_root():
    """The cgroup v2 mount, from mountinfo (hybrid hosts: /sys/fs/cgroup/unified)."""
    for line in open("/proc/self/mountinfo"):
        pre, _, post = line.partition(" - ")
        if post.split(" ")[0] == "cgroup2":
            return pre.split(" ")[4]
    return None


def child_body(a):
    """Runs in the vfork child (a copy of the parent's memory)."""
    w.set_comm(a.child_comm)
    w.save_state(a.state_file + ".child", {"pid": os.getpid()})
    if a.child == "stop":
        os.kill(os.getpid(), signal.SIGSTOP)
    elif a.child == "write":
        # O_CREAT on a frozen fs: D in mnt_want_write until the thaw
        fd = os.open(os.path.join(a.write_into, "vfork-child-%d" % os.getpid()),
                     os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
        os.close(fd)
    else:  # ptrace / cgroup: `up` stops us from the outside, then creates F.release
        while not os.path.exists(a.state_file + ".release"):
            time.sleep(0.02)
    os._exit(0)


def role_parent(a):
    w.set_comm(a.parent_comm)
    # cgroup mode: only the child moves into the cgroup; the parent stays outside it
    pid = libc.syscall(SYS_clone, ctypes.c_ulong(CLONE_VFORK | signal.SIGCHLD), ctypes.c_ulong(0),
                       None, None, ctypes.c_ulong(0))
    if pid == 0:
        try:
            if a.child == "cgroup":
                with open(os.path.join(a.cgroup, "cgroup.procs"), "w") as f:
                    f.write(str(os.getpid()))
            child_body(a)
        finally:
            os._exit(1)
    if pid < 0:
        w.log("clone failed: errno", ctypes.get_errno())
        sys.exit(1)
    w.log("vfork parent resumed (child %d done)" % pid)
    os.waitpid(pid, 0)
    w.save_state(a.state_file + ".resumed", {"pid": os.getpid(), "t": time.time()})


def role_tracer(a):
    w.set_comm(a.tracer_comm)
    info = {"pid": os.getpid()}
    if libc.ptrace(PTRACE_SEIZE, a.target, None, None) != 0 or \
            libc.ptrace(PTRACE_INTERRUPT, a.target, None, None) != 0:
        info["error"] = "ptrace: errno %d" % ctypes.get_errno()
    else:
        os.waitpid(a.target, 0x40000000)  # __WALL: the tracee enters its ptrace-stop
    w.save_state(a.state_file + ".tracer", info)
    if "error" in info:
        sys.exit(1)
    while True:  # never resume the tracee (a debugger left at a breakpoint)
        signal.pause()


def fail(a, msg):
    w.log("up failed:", msg, "- tearing down")
    down(a)
    sys.exit(2)


def state_of(pid):
    return (w.stat_fields(pid) or {}).get("state")


def parent_waiting(pid):
    return state_of(pid) == "D" and "kernel_clone" in w.stack(pid).split("\n", 1)[0]


def up(a):
    if os.geteuid() != 0:
        sys.exit("must run as root")
    if w.load_state(a.state_file):
        w.log("stale state file found, running down first")
        down(a)
    for s in (".child", ".tracer", ".release", ".resumed"):
        if os.path.exists(a.state_file + s):
            os.unlink(a.state_file + s)
    if a.child == "write" and not a.write_into:
        sys.exit("--child write needs --write-into DIR (a directory on a frozen fs)")
    st = {"procs": {}, "hung": True, "child": a.child}
    if a.child == "cgroup":
        root = cgroup2_root()
        if not root:
            sys.exit("no cgroup2 mount")
        a.cgroup = os.path.join(root, "wedgetop-" + os.path.basename(a.state_file))
        os.mkdir(a.cgroup, 0o755)
        st["cgroup"] = a.cgroup
    w.save_state(a.state_file, st)
    w.hung_acquire(TOKEN, a.hung_timeout)
    argv = [sys.executable, SELF, "_parent", "--state-file", a.state_file, "--child", a.child,
            "--parent-comm", a.parent_comm, "--child-comm", a.child_comm]
    argv += ["--write-into", a.write_into] if a.write_into else []
    argv += ["--cgroup", a.cgroup] if a.child == "cgroup" else []
    log = a.state_file + ".log"
    st["procs"]["parent"] = w.ident(w.spawn(argv, log))
    w.save_state(a.state_file, st)
    child = w.wait_until(lambda: w.load_state(a.state_file + ".child"), 10)
    if not child:
        fail(a, "child did not come up")
    cp = child["pid"]
    st["procs"]["child"] = w.ident(cp)
    w.save_state(a.state_file, st)
    pp = st["procs"]["parent"][0]
    out = {"parentPid": pp, "childPid": cp, "child": a.child,
           "parentComm": a.parent_comm, "childComm": a.child_comm}
    if a.child == "ptrace":
        st["procs"]["tracer"] = w.ident(w.spawn([sys.executable, SELF, "_tracer", "--state-file",
                                                  a.state_file, "--target", str(cp), "--tracer-comm",
                                                  a.tracer_comm], log))
        w.save_state(a.state_file, st)
        tr = w.wait_until(lambda: w.load_state(a.state_file + ".tracer"), 10)
        if not tr or "error" in tr:
            fail(a, "tracer did not attach: %s" % tr)
        out["tracerPid"] = tr["pid"]
        want = "t"
    elif a.child == "cgroup":
        with open(os.path.join(a.cgroup, "cgroup.freeze"), "w") as f:
            f.write("1")
        if not w.wait_until(lambda: "frozen 1" in (w.read(os.path.join(a.cgroup, "cgroup.events")) or ""), 10):
            fail(a, "cgroup never reported frozen 1")
        out["cgroup"] = a.cgroup
        want = "S"
    else:
        want = "T" if a.child == "stop" else "D"
    if not w.wait_until(lambda: state_of(cp) == want and parent_waiting(pp), a.timeout):
        fail(a, "child %d state %s (want %s), parent %d state %s stack %s" % (
            cp, state_of(cp), want, pp, state_of(pp), w.stack(pp)))
    # from now on the child exits as soon as it runs again
    with open(a.state_file + ".release", "w") as f:
        f.write("1")
    out["childState"] = want
    st["up"] = out
    w.save_state(a.state_file, st)
    print(json.dumps(out), flush=True)


def down(a):
    st = w.load_state(a.state_file)
    if st is None:
        w.log("no state file %s: nothing to do" % a.state_file)
        return 0
    procs, rc = st.get("procs", {}), 0
    strays = w.find_procs((a.parent_comm, a.child_comm, a.tracer_comm), a.state_file)
    cg = st.get("cgroup")
    if cg and os.path.isdir(cg):  # a SIGKILL to a task in a frozen cgroup is delivered, but thaw first
        try:
            with open(os.path.join(cg, "cgroup.freeze"), "w") as f:
                f.write("0")
        except OSError as e:
            w.log("cgroup thaw failed:", e)
    everyone = [procs[r] for r in ("tracer", "child", "parent") if procs.get(r)] + \
        [p for p in strays if p not in procs.values()]
    for p in everyone:  # tracer first: its death detaches the tracee
        w.kill(p)
    if not w.wait_gone(everyone, 10):
        w.log("wedge processes still alive after SIGKILL (a child on a frozen fs waits for the thaw)")
        rc = 1
    if cg and os.path.isdir(cg):
        try:
            os.rmdir(cg)
        except OSError as e:
            w.log("cannot remove cgroup", cg, e)
            rc = 1
    if st.get("hung") and rc == 0:
        w.hung_release(TOKEN)
    if rc == 0:
        for s in ("", ".child", ".tracer", ".release", ".resumed", ".log"):
            try:
                os.unlink(a.state_file + s)
            except FileNotFoundError:
                pass
    return rc


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("cmd", choices=["up", "down", "_parent", "_tracer"])
    p.add_argument("--state-file", default="/run/wedgetop/vfork_stuck.json")
    p.add_argument("--child", choices=["stop", "ptrace", "cgroup", "write"], default="stop")
    p.add_argument("--write-into", default=None)
    p.add_argument("--cgroup", default=None)
    p.add_argument("--target", type=int, default=0)
    p.add_argument("--parent-comm", default="vfork-parent")
    p.add_argument("--child-comm", default="vfork-child")
    p.add_argument("--tracer-comm", default="tracer-sim")
    p.add_argument("--hung-timeout", type=int, default=None)
    p.add_argument("--timeout", type=float, default=15)
    a = p.parse_args()
    w.dispatch(a, up, down, {"_parent": role_parent, "_tracer": role_tracer})


if __name__ == "__main__":
    main()
