#!/usr/bin/env python3
"""Wedge: audit control mutex held by an "audit daemon" blocked on its own
full netlink socket (seed 000, auditbeat deadlock), reproduced on Linux 6.x.

  up   --state-file F [--senders 3] [--hold-seconds 600] [--separate-owner]
       [--sender-comm sudo-sim] [--holder-comm auditbeat-sim]
       [--owner-comm auditd-sim] [--random-portid] [--hung-timeout SECS]
       [--timeout 15]
  down --state-file F

`up` prints one JSON line {"holderPid", "holderTid", "socketOwnerPid",
"senderPids", ...} once every sender is verifiably in D in audit_receive, and
leaves the wedge running (detached, own sessions).  `down` is idempotent.

Mechanism: the owner registers as auditd (AUDIT_SET pid), shrinks SO_RCVBUF and
never reads; audit records fill the socket.  A holder thread (same process by
default, as in seed 000) sends ONE datagram with thousands of AUDIT_SET pid
messages: audit_receive() handles them all under audit_cmd_mutex and each one
sends an AUDIT_REPLACE probe to the full socket, sleeping ~HZ/10 in
netlink_attachskb.  Every other audit netlink sender waits in D on the mutex.
"""
import argparse, json, os, signal, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _wedgelib as w  # noqa: E402

SELF = os.path.abspath(__file__)
TOKEN = "audit_deadlock"


# ------------------------------------------------------------ roles (internal)
KEEP = []


def register_and_fill(fill, random_portid=False):
    """Register this process as the audit daemon, shrink the receive buffer
    and let audit records fill it. Returns the socket."""
    if random_portid:  # the first audit socket bound takes portid == pid
        KEEP.append(w.nl_socket())
    s = w.nl_socket(sndbuf=8 << 20)
    w.audit_set(sock=s, pid=os.getpid())
    s.setsockopt(w.socket.SOL_SOCKET, w.socket.SO_RCVBUF, 0)  # -> SOCK_MIN_RCVBUF
    rcvbuf = s.getsockopt(w.socket.SOL_SOCKET, w.socket.SO_RCVBUF)
    portid = s.getsockname()[0]
    f = w.nl_socket()
    for i in range(fill):  # AUDIT_USER records -> kauditd -> our socket
        f.sendto(w.nlmsg(w.AUDIT_USER, b"wedgetop fill %d\0" % i), (0, 0))
        row = w.netlink_row(portid)
        if row and (row["rmem"] >= rcvbuf or row["drops"]):
            break
        time.sleep(0.01)
    f.close()
    return s, portid, rcvbuf


def flood(sock, n):
    """One datagram, n x AUDIT_SET{pid=self}: each probes the daemon socket."""
    body = w.nlmsg(w.AUDIT_SET, w.status_payload(pid=os.getpid()), w.NLM_F_REQUEST) * n
    try:
        sock.sendto(body, (0, 0))
    except OSError as e:
        w.log("flood send failed:", e)


def role_holder(a):
    w.set_comm(a.holder_comm)
    info = {"pid": os.getpid()}
    try:
        if a.separate_owner:
            sock = w.nl_socket(sndbuf=8 << 20)
            info["portid"] = sock.getsockname()[0]
        else:
            sock, info["portid"], info["rcvbuf"] = register_and_fill(a.fill, a.random_portid)
        info["tid"] = None
        ready = threading.Event()

        def closer():
            info["tid"] = threading.get_native_id()
            ready.set()
            flood(sock, a.messages)
        t = threading.Thread(target=closer, daemon=True)
        t.start()
        ready.wait(5)
    except Exception as e:  # report to `up` and die
        info["error"] = "%s: %s" % (type(e).__name__, e)
    w.save_state(a.state_file + ".holder", info)
    if "error" in info:
        sys.exit(1)
    t.join()  # main thread: futex wait, state S, like auditbeat's main goroutine
    w.log("flood finished: the wedge has expired")
    threading.Event().wait()


def role_owner(a):
    w.set_comm(a.owner_comm)
    info = {"pid": os.getpid()}
    try:
        sock, info["portid"], info["rcvbuf"] = register_and_fill(a.fill, a.random_portid)
    except Exception as e:
        info["error"] = "%s: %s" % (type(e).__name__, e)
    w.save_state(a.state_file + ".owner", info)
    if "error" in info:
        sys.exit(1)
    threading.Event().wait()  # never read the socket


def role_sender(a):
    """Like PAM in sudo: one AUDIT_USER_CMD message, wait for the ack."""
    w.set_comm(a.sender_comm)
    msg = ('op=wedgetop-test cwd="/" cmd="true" exe="/usr/bin/sudo" terminal=? '
           'res=success').encode()
    t0 = time.monotonic()
    w.audit_request(w.AUDIT_USER_CMD, msg, timeout=30)
    w.log("sender %d done after %.1fs" % (os.getpid(), time.monotonic() - t0))


# ------------------------------------------------------------ up / down
def wait_file(path, timeout):
    return w.wait_until(lambda: w.load_state(path), timeout)


def holder_holding(pid, tid):
    st = w.stack(pid, tid)
    return "netlink_attachskb" in st and "audit_receive_msg" in st


def sender_blocked(pid):
    st = w.stat_fields(pid)
    top = w.stack(pid).split("\n", 1)[0]
    return bool(st) and st["state"] == "D" and "audit_receive+" in top


def fail(a, msg):
    w.log("up failed:", msg, "- tearing down")
    down(a)
    sys.exit(2)


def up(a):
    if os.geteuid() != 0:
        sys.exit("must run as root")
    if w.load_state(a.state_file):
        w.log("stale state file found, running down first")
        down(a)
    for suffix in (".holder", ".owner"):
        if os.path.exists(a.state_file + suffix):
            os.unlink(a.state_file + suffix)
    # 1. save settings while the audit mutex is certainly free
    try:
        saved = w.in_child(w.audit_status, 10)
    except Exception as e:
        sys.exit("cannot read audit status (is audit stuck already?): %s" % e)
    if saved["pid"]:
        sys.exit("an audit daemon (pid %d) is registered; refusing to hijack it" % saved["pid"])
    if saved["enabled"] == 2:
        sys.exit("audit configuration is locked (enabled=2)")
    st = {"saved": saved, "procs": {}, "hung": True}
    w.save_state(a.state_file, st)
    w.hung_acquire(TOKEN, a.hung_timeout)
    # 2. audit on, short backlog penalty so senders finish quickly once freed
    try:
        w.in_child(lambda: w.audit_set(enabled=1, backlog_wait_time=a.backlog_wait), 10)
    except Exception as e:
        fail(a, "AUDIT_SET enabled: %s" % e)
    common = ["--state-file", a.state_file, "--fill", str(a.fill)] + \
        (["--random-portid"] if a.random_portid else [])
    log = a.state_file + ".log"
    if a.separate_owner:
        st["procs"]["owner"] = w.ident(w.spawn([sys.executable, SELF, "_owner", "--owner-comm",
                                                a.owner_comm] + common, log))
        w.save_state(a.state_file, st)
        owner = wait_file(a.state_file + ".owner", 10)
        if not owner or "error" in owner:
            fail(a, "owner did not come up: %s" % owner)
    n = max(50, int(a.hold_seconds * 10))
    hargs = [sys.executable, SELF, "_holder", "--holder-comm", a.holder_comm, "--messages",
             str(n)] + common + (["--separate-owner"] if a.separate_owner else [])
    st["procs"]["holder"] = w.ident(w.spawn(hargs, log))
    w.save_state(a.state_file, st)
    holder = wait_file(a.state_file + ".holder", 10)
    if not holder or "error" in holder or not holder.get("tid"):
        fail(a, "holder did not come up: %s" % holder)
    if not a.separate_owner:
        owner = holder
    hp, ht = holder["pid"], holder["tid"]
    if not w.wait_until(lambda: holder_holding(hp, ht), 5):
        fail(a, "holder thread %d never slept in netlink_attachskb under audit_receive_msg; "
             "stack:\n%s" % (ht, w.stack(hp, ht)))
    senders = []
    for _ in range(a.senders):
        senders.append(w.ident(w.spawn([sys.executable, SELF, "_sender", "--sender-comm",
                                        a.sender_comm, "--state-file", a.state_file], log)))
        st["procs"]["senders"] = senders
        w.save_state(a.state_file, st)
    if not w.wait_until(lambda: all(sender_blocked(p) for p, _ in senders), a.timeout):
        bad = {p: (w.stat_fields(p) or {}).get("state") for p, _ in senders}
        fail(a, "senders not all in D in audit_receive within %ss: %s" % (a.timeout, bad))
    out = {"holderPid": hp, "holderTid": ht, "socketOwnerPid": owner["pid"],
           "senderPids": [p for p, _ in senders], "socketPortid": owner["portid"],
           "holderComm": a.holder_comm, "senderComm": a.sender_comm,
           "selfDeadlock": not a.separate_owner, "holdSeconds": n / 10.0}
    st["up"] = out
    st["ss"] = w.ss_netlink(owner["pid"])
    w.save_state(a.state_file, st)
    print(json.dumps(out), flush=True)


def down(a):
    st = w.load_state(a.state_file)
    if st is None:
        w.log("no state file %s: nothing to do" % a.state_file)
        return 0
    procs, rc = st.get("procs", {}), 0
    # processes an interrupted `up` spawned but did not get to record
    strays = w.find_procs((a.holder_comm, a.owner_comm, a.sender_comm), a.state_file)
    # 1. kill the holder (frees the mutex) and the owner; senders then complete
    mains = [procs[r] for r in ("holder", "owner") if procs.get(r)]
    mains += [p for p in strays if (w.stat_fields(p[0]) or {}).get("comm") != a.sender_comm]
    for p in mains:
        w.kill(p)
    if not w.wait_gone(mains, 15):
        w.log("holder/owner still alive after SIGKILL")
        rc = 1
    senders = procs.get("senders", []) + [p for p in strays if p not in mains]
    if not w.wait_gone(senders, 10):
        w.log("senders still running after holder death; killing them")
        for p in senders:
            w.kill(p)
        if not w.wait_gone(senders, 10):
            rc = 1
    # 2. restore audit settings (in a child: never block this process in D)
    saved = st.get("saved")
    if saved and rc == 0:
        ours = [procs[r][0] for r in ("holder", "owner") if procs.get(r)]

        def restore():
            # unregister our (dead) daemon; the AUDIT_REPLACE probe to its
            # vanished port gets ECONNREFUSED, which resets the connection
            if w.audit_status()["pid"] in ours + [0]:
                w.audit_set(pid=0)
            w.audit_set(backlog_limit=saved["backlog_limit"],
                        backlog_wait_time=saved["backlog_wait_time"])
            w.audit_set(enabled=saved["enabled"])
            now = w.audit_status()
            return {k: now[k] for k in ("enabled", "pid", "backlog_limit", "backlog_wait_time")}
        try:
            now = w.in_child(restore, 20)
            w.log("audit restored:", now)
        except Exception as e:
            w.log("audit restore failed:", e)
            rc = 1
    elif saved:
        w.log("NOT restoring audit settings: wedge processes still alive")
    # 3. hung-task sysctls
    if st.get("hung") and rc == 0:
        w.hung_release(TOKEN)
    if rc == 0:
        for suffix in ("", ".holder", ".owner", ".log"):
            try:
                os.unlink(a.state_file + suffix)
            except FileNotFoundError:
                pass
    our_pids = {p[0] for p in mains + senders}
    left = [t for t in w.dstate() if t[0] in our_pids]
    if left:
        w.log("tasks still in D:", left)
        rc = 1
    return rc


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("cmd", choices=["up", "down", "_holder", "_owner", "_sender"])
    p.add_argument("--state-file", default="/run/wedgetop/audit_deadlock.json")
    p.add_argument("--senders", type=int, default=3)
    p.add_argument("--hold-seconds", type=float, default=600)
    p.add_argument("--self-deadlock", dest="separate_owner", action="store_false")
    p.add_argument("--separate-owner", dest="separate_owner", action="store_true")
    p.set_defaults(separate_owner=False)
    p.add_argument("--sender-comm", default="sudo-sim")
    p.add_argument("--holder-comm", default="auditbeat-sim")
    p.add_argument("--owner-comm", default="auditd-sim")
    p.add_argument("--hung-timeout", type=int, default=None)
    p.add_argument("--timeout", type=float, default=15)
    p.add_argument("--backlog-wait", type=int, default=w.HZ // 2,
                   help="audit_backlog_wait_time (jiffies) while the wedge is up")
    p.add_argument("--fill", type=int, default=200)
    p.add_argument("--random-portid", action="store_true",
                   help="give the daemon socket a kernel-chosen portid != pid")
    p.add_argument("--messages", type=int, default=6000)
    a = p.parse_args()
    roles = {"_holder": role_holder, "_owner": role_owner, "_sender": role_sender}
    w.dispatch(a, up, down, roles, sigint_default=roles)


if __name__ == "__main__":
    main()
