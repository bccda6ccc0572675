#!/usr/bin/env python3
"""Wedge: audit backlog behind an audit daemon stuck on a frozen filesystem
(seed 004, "audit: backlog limit exceeded"), reproduced on Linux 6.x.

  up   --state-file F [--dir /dev/shm/wedgetop-auditfrz] [--generators 3]
       [--senders 2] [--backlog-limit 16] [--backlog-wait-ms 1000]
       [--uid 4242] [--hung-timeout SECS] [--timeout 15]
  down --state-file F

Chain: auditd-sim (registered with AUDIT_SET pid) reads records from its
netlink socket and appends them to a log on an ext4 loop mount; the mount is
frozen, so its writer thread sleeps in percpu_rwsem_wait (vfs_write), its
reader thread blocks on the full in-process queue, the socket fills, kauditd
times out on every send (HZ/10) and the audit queue goes over
audit_backlog_limit.  Generators (cron-sim, uid 4242, audited by an exit rule
on getppid) then sleep in D in audit_log_start for up to
audit_backlog_wait_time per record; AUDIT_USER senders (sudo-sim) sleep in D in
audit_receive's backlog penalty (after the audit mutex is released).
`up` prints one JSON line once every generator was seen in D in
audit_log_start; `down` thaws, stops everything and restores audit settings,
rules and hung-task sysctls.  Idempotent.
"""
import argparse, json, os, queue, signal, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _wedgelib as w  # noqa: E402

SELF = os.path.abspath(__file__)
TOKEN = "audit_backlog_frozen"
NR_GETPPID = 110  # x86_64
AUDIT_ARCH_X86_64 = 0xC000003E
AUDIT_EQUAL = 0x40000000
AUDIT_UID, AUDIT_ARCH = 1, 11  # rule field ids (AUDIT_PID is 0)


def rule(uid):
    # -a always,exit -F arch=b64 -S getppid -F uid=UID -k wedgetop
    return w.rule_payload(fields=[(AUDIT_ARCH, AUDIT_EQUAL, AUDIT_ARCH_X86_64),
                                  (AUDIT_UID, AUDIT_EQUAL, uid)],
                          syscalls=[NR_GETPPID], key="wedgetop")


def sh(*argv, timeout=20):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if r.returncode:
        raise RuntimeError("%s: %s" % (" ".join(argv), r.stderr.strip()))
    return r.stdout.strip()


def is_mounted(mnt):
    return any(line.split()[4] == mnt for line in open("/proc/self/mountinfo"))


# ------------------------------------------------------------ roles (internal)
def role_daemon(a):
    """auditd stand-in: reader thread -> bounded queue -> writer thread -> log."""
    w.set_comm(a.daemon_comm)
    info = {"pid": os.getpid()}
    try:
        fd = os.open(os.path.join(a.dir, "mnt/audit/audit.log"),
                     os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        s = w.nl_socket()
        w.audit_set(sock=s, pid=os.getpid())
        s.setsockopt(w.socket.SOL_SOCKET, w.socket.SO_RCVBUF, a.rcvbuf)
        q = queue.Queue(maxsize=16)

        def writer():
            info["writerTid"] = threading.get_native_id()
            while True:
                for typ, _, _, pl in w.nl_parse(q.get()):
                    os.write(fd, b"type=%d msg=%s\n" % (typ, pl.rstrip(b"\0")))
        threading.Thread(target=writer, daemon=True).start()
        w.wait_until(lambda: info.get("writerTid"), 5, 0.01)
    except Exception as e:
        info["error"] = "%s: %s" % (type(e).__name__, e)
    w.save_state(a.state_file + ".daemon", info)
    if "error" in info:
        sys.exit(1)
    while True:
        try:
            q.put(s.recv(1 << 16))
        except OSError as e:  # ENOBUFS after kernel-side drops, like auditd: go on
            w.log("daemon recv:", e)


def role_generator(a):
    """Audited task: every getppid() by uid a.uid produces a SYSCALL record."""
    w.set_comm(a.gen_comm)
    os.setgroups([])
    os.setresgid(a.uid, a.uid, a.uid)
    os.setresuid(a.uid, a.uid, a.uid)
    while True:
        os.getppid()


def role_sender(a):
    """PAM-like AUDIT_USER sender: penalised in audit_receive after the mutex."""
    w.set_comm(a.sender_comm)
    s = w.nl_socket()
    while True:
        s.sendto(w.nlmsg(w.AUDIT_USER_CMD, b'op=wedgetop-test cmd="true" res=success'), (0, 0))


# ------------------------------------------------------------ up / down
def seen_in_d(pids, want, seen):
    for p, _ in pids:
        st = w.stat_fields(p)
        if st and st["state"] == "D" and w.wchan(p) == want:
            seen.add(p)
    return all(p in seen for p, _ in pids)


def fail(a, msg):
    w.log("up failed:", msg, "- tearing down")
    down(a)
    sys.exit(2)


def up(a):
    if os.geteuid() != 0:
        sys.exit("must run as root")
    if w.load_state(a.state_file):
        w.log("stale state file found, running down first")
        if down(a):
            sys.exit("could not clean up the previous wedge")
    try:
        saved = w.in_child(w.audit_status, 10)
        rules = w.in_child(w.audit_rules, 10)
    except Exception as e:
        sys.exit("cannot read audit status (is audit stuck already?): %s" % e)
    if saved["pid"]:
        sys.exit("an audit daemon (pid %d) is registered; refusing to hijack it" % saved["pid"])
    if saved["enabled"] == 2:
        sys.exit("audit configuration is locked (enabled=2)")
    d = os.path.abspath(a.dir)
    st = {"saved": saved, "rules": rules, "dir": d, "procs": {}, "hung": True}
    w.save_state(a.state_file, st)
    w.hung_acquire(TOKEN, a.hung_timeout)
    # 1. the loop mount the daemon logs to
    try:
        os.makedirs(d + "/mnt", exist_ok=True)
        sh("truncate", "-s", "64M", d + "/fs.img")
        sh("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", d + "/fs.img")
        st["loop"] = sh("losetup", "--find", "--show", d + "/fs.img")
        w.save_state(a.state_file, st)
        sh("mount", "-t", "ext4", st["loop"], d + "/mnt")
        os.makedirs(d + "/mnt/audit", exist_ok=True)
    except Exception as e:
        fail(a, "loop mount: %s" % e)
    # 2. audit settings and the rule
    st["rule"] = rule(a.uid).hex()
    w.save_state(a.state_file, st)
    wait = max(1, a.backlog_wait_ms * w.HZ // 1000)
    try:
        w.in_child(lambda: w.audit_set(enabled=1, backlog_limit=a.backlog_limit,
                                       backlog_wait_time=wait), 10)
        w.in_child(lambda: w.audit_request(w.AUDIT_ADD_RULE, rule(a.uid)), 10)
    except Exception as e:
        fail(a, "audit setup: %s" % e)
    # 3. daemon, then the audited tasks, then freeze
    log = a.state_file + ".log"
    common = ["--state-file", a.state_file, "--dir", d, "--uid", str(a.uid)]
    procs = st["procs"]
    procs["daemon"] = w.ident(w.spawn([sys.executable, SELF, "_daemon", "--daemon-comm",
                                       a.daemon_comm, "--rcvbuf", str(a.rcvbuf)] + common, log))
    w.save_state(a.state_file, st)
    dinfo = w.wait_until(lambda: w.load_state(a.state_file + ".daemon"), 10)
    if not dinfo or "error" in dinfo:
        fail(a, "daemon did not come up: %s" % dinfo)
    procs["generators"], procs["senders"] = [], []
    for kind, n in (("generators", a.generators), ("senders", a.senders)):
        for _ in range(n):
            procs[kind].append(w.ident(w.spawn(
                [sys.executable, SELF, "_" + kind[:-1], "--gen-comm", a.gen_comm,
                 "--sender-comm", a.sender_comm] + common, log)))
            w.save_state(a.state_file, st)
    time.sleep(0.5)  # records flow to the log while the fs is still writable
    st["frozen"] = True
    w.save_state(a.state_file, st)
    try:
        sh("fsfreeze", "-f", d + "/mnt")
    except Exception as e:
        fail(a, "fsfreeze: %s" % e)
    dp, wt = dinfo["pid"], dinfo["writerTid"]
    ok = w.wait_until(lambda: w.wchan(dp, wt) == "percpu_rwsem_wait", a.timeout)
    seen_g, seen_s = set(), set()
    ok = ok and w.wait_until(lambda: seen_in_d(procs["generators"], "audit_log_start", seen_g)
                             & seen_in_d(procs["senders"], "audit_receive", seen_s),
                             a.timeout, 0.02)
    if not ok:
        fail(a, "not wedged within %ss: daemon writer wchan=%r, generators seen in "
             "audit_log_start=%s, senders seen in audit_receive=%s"
             % (a.timeout, w.wchan(dp, wt), sorted(seen_g), sorted(seen_s)))
    out = {"daemonPid": dp, "daemonWriterTid": wt, "daemonComm": a.daemon_comm,
           "generatorPids": [p for p, _ in procs["generators"]], "generatorComm": a.gen_comm,
           "senderPids": [p for p, _ in procs["senders"]], "senderComm": a.sender_comm,
           "mount": d + "/mnt", "loop": st["loop"], "backlogLimit": a.backlog_limit,
           "backlogWaitTime": wait, "auditUid": a.uid}
    st["up"] = out
    w.save_state(a.state_file, st)
    print(json.dumps(out), flush=True)


def down(a):
    st = w.load_state(a.state_file)
    if st is None:
        w.log("no state file %s: nothing to do" % a.state_file)
        return 0
    rc, procs, d = 0, st.get("procs", {}), st.get("dir", "")
    mnt = d + "/mnt"
    # 1. thaw: lets the daemon drain, kauditd deliver, waiters wake
    if d and is_mounted(mnt):
        subprocess.run(["fsfreeze", "-u", mnt], capture_output=True, timeout=20)
    # 2. stop everything; waiters in audit_log_start die at the end of their wait
    strays = w.find_procs((a.daemon_comm, a.gen_comm, a.sender_comm), a.state_file)
    allp = [procs["daemon"]] if procs.get("daemon") else []
    allp += procs.get("generators", []) + procs.get("senders", []) + strays
    for p in allp:
        w.kill(p)
    wait_s = st.get("up", {}).get("backlogWaitTime", 60 * w.HZ) / w.HZ
    if not w.wait_gone(allp, wait_s + 10):
        w.log("processes still alive:", [p for p in allp if w.alive(p)])
        rc = 1
    # 3. audit: unregister, delete our rule, restore settings (in a child)
    saved = st.get("saved")
    if saved and rc == 0:
        ours = [procs["daemon"][0]] if procs.get("daemon") else []

        def restore():
            if w.audit_status()["pid"] in ours + [0]:
                w.audit_set(pid=0)
            if st.get("rule") and st["rule"] in w.audit_rules():
                w.audit_request(w.AUDIT_DEL_RULE, bytes.fromhex(st["rule"]))
            w.audit_set(backlog_limit=saved["backlog_limit"],
                        backlog_wait_time=saved["backlog_wait_time"])
            w.audit_set(enabled=saved["enabled"])
            now, rules = w.audit_status(), w.audit_rules()
            return {"status": {k: now[k] for k in ("enabled", "pid", "backlog_limit",
                                                   "backlog_wait_time")},
                    "rulesRestored": rules == st.get("rules", [])}
        try:
            now = w.in_child(restore, 30)
            w.log("audit restored:", now)
        except Exception as e:
            w.log("audit restore failed:", e)
            rc = 1
    # 4. mount, loop, files
    if d and rc == 0:
        if is_mounted(mnt):
            r = subprocess.run(["umount", mnt], capture_output=True, timeout=20)
            if r.returncode:
                w.log("umount failed:", r.stderr.strip())
                rc = 1
        if rc == 0 and os.path.exists(d + "/fs.img"):
            r = subprocess.run(["losetup", "-n", "-O", "NAME", "-j", d + "/fs.img"],
                               capture_output=True, text=True, timeout=10)
            for dev in r.stdout.split():
                subprocess.run(["losetup", "-d", dev], timeout=10)
            os.unlink(d + "/fs.img")
        if rc == 0:
            for p in (mnt, d):
                try:
                    os.rmdir(p)
                except OSError:
                    pass
    if st.get("hung") and rc == 0:
        w.hung_release(TOKEN)
    if rc == 0:
        for suffix in ("", ".daemon", ".log"):
            try:
                os.unlink(a.state_file + suffix)
            except FileNotFoundError:
                pass
    return rc


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("cmd", choices=["up", "down", "_daemon", "_generator", "_sender"])
    p.add_argument("--state-file", default="/run/wedgetop/audit_backlog_frozen.json")
    p.add_argument("--dir", default="/dev/shm/wedgetop-auditfrz")
    p.add_argument("--generators", type=int, default=6)
    p.add_argument("--senders", type=int, default=2)
    p.add_argument("--backlog-limit", type=int, default=16)
    p.add_argument("--backlog-wait-ms", type=int, default=1000)
    p.add_argument("--uid", type=int, default=4242)
    p.add_argument("--rcvbuf", type=int, default=16384)
    p.add_argument("--daemon-comm", default="auditd-sim")
    p.add_argument("--gen-comm", default="cron-sim")
    p.add_argument("--sender-comm", default="sudo-sim")
    p.add_argument("--hung-timeout", type=int, default=None)
    p.add_argument("--timeout", type=float, default=15)
    a = p.parse_args()
    roles = {"_daemon": role_daemon, "_generator": role_generator, "_sender": role_sender}
    w.dispatch(a, up, down, roles, sigint_default=roles)


if __name__ == "__main__":
    main()
