"""Shared helpers for the wedge builders (python3 stdlib only, Linux, root).

Audit netlink requests, /proc inspection, detached spawning, hung-task sysctl
save/restore (reference counted so several wedges can be up at once), loop
mounts.  Every call that can block on a wedged kernel lock is either given a
timeout or run in a throw-away child process (`in_child`).
CLI (for the bash builders):  _wedgelib.py hung-acquire TOKEN [TIMEOUT] |
hung-release TOKEN | dstate
"""
import fcntl, json, os, select, signal, socket, struct, subprocess, sys, time

NETLINK_AUDIT = 9
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK = 1, 2, 4
NLMSG_ERROR, NLMSG_DONE = 2, 3
AUDIT_GET, AUDIT_SET, AUDIT_USER = 1000, 1001, 1005
AUDIT_ADD_RULE, AUDIT_DEL_RULE, AUDIT_LIST_RULES = 1011, 1012, 1013
AUDIT_USER_CMD = 1123
S_ENABLED, S_FAILURE, S_PID, S_RATE, S_BACKLOG, S_WAIT = 1, 2, 4, 8, 0x10, 0x20
STATUS_FIELDS = ("mask", "enabled", "failure", "pid", "rate_limit", "backlog_limit",
                 "lost", "backlog", "feature_bitmap", "backlog_wait_time",
                 "backlog_wait_time_actual")
STATUS_FMT = "=11I"


def _hz():
    import gzip
    try:
        with gzip.open("/proc/config.gz", "rt") as f:
            return int([ln for ln in f if ln.startswith("CONFIG_HZ=")][0].split("=")[1])
    except (OSError, IndexError, ValueError):
        return 250  # the CI kernel


HZ = _hz()  # audit_backlog_wait_time is in jiffies

RUN_DIR = "/run/wedgetop"


class AuditError(Exception): pass  # noqa: E701


# --------------------------------------------------------------- netlink
def nl_socket(rcvbuf=None, sndbuf=None):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_AUDIT)
    if sndbuf:
        try:
            s.setsockopt(socket.SOL_SOCKET, 32, sndbuf)  # SO_SNDBUFFORCE
        except OSError:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    if rcvbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((0, 0))
    return s


def nlmsg(typ, payload=b"", flags=NLM_F_REQUEST, seq=0):
    pad = (-len(payload)) % 4
    return struct.pack("=IHHII", 16 + len(payload), typ, flags, seq, 0) + payload + b"\0" * pad


def nl_parse(buf):
    off = 0
    while off + 16 <= len(buf):
        ln, typ, flags, seq, pid = struct.unpack_from("=IHHII", buf, off)
        if ln < 16:
            break
        yield typ, flags, seq, buf[off + 16:off + ln]
        off += (ln + 3) & ~3


def status_payload(**kw):
    mask = 0
    vals = dict.fromkeys(STATUS_FIELDS, 0)
    bits = {"enabled": S_ENABLED, "failure": S_FAILURE, "pid": S_PID, "rate_limit": S_RATE,
            "backlog_limit": S_BACKLOG, "backlog_wait_time": S_WAIT}
    for k, v in kw.items():
        vals[k] = v
        mask |= bits[k]
    vals["mask"] = mask
    return struct.pack(STATUS_FMT, *[vals[f] for f in STATUS_FIELDS])


def audit_request(typ, payload=b"", want=None, timeout=5.0, sock=None):
    """Send one request with NLM_F_ACK. Returns list of payloads of type
    `want` (None: only wait for the ack). Raises AuditError on a nack.
    NOTE: blocks in D (no timeout possible) if the audit mutex is held."""
    own = sock is None
    s = sock or nl_socket()
    try:
        seq = int(time.time() * 1000) & 0x7FFFFFFF
        s.sendto(nlmsg(typ, payload, NLM_F_REQUEST | NLM_F_ACK, seq), (0, 0))
        got, acked, done = [], False, want is None
        deadline = time.monotonic() + timeout
        while not (acked and done):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([s], [], [], left)[0]:
                raise AuditError("timeout waiting for reply to audit msg %d" % typ)
            for t, fl, sq, pl in nl_parse(s.recv(1 << 16)):
                if t == NLMSG_ERROR and sq == seq:
                    err = struct.unpack_from("=i", pl)[0]
                    if err:
                        raise AuditError("audit msg %d failed: %s" % (typ, os.strerror(-err)))
                    acked = True
                elif t == NLMSG_DONE and want is not None:
                    done = True
                elif want is not None and t == want:
                    got.append(pl)
                    if not fl & NLM_F_MULTI:
                        done = True
        return got
    finally:
        if own:
            s.close()


def audit_status(sock=None):
    pl = audit_request(AUDIT_GET, want=AUDIT_GET, sock=sock)[0]
    pl = pl[:44].ljust(44, b"\0")
    return dict(zip(STATUS_FIELDS, struct.unpack(STATUS_FMT, pl)))


def audit_set(sock=None, **kw):
    audit_request(AUDIT_SET, status_payload(**kw), sock=sock)


def audit_rules():
    return [pl.hex() for pl in audit_request(AUDIT_LIST_RULES, want=AUDIT_LIST_RULES)]


def rule_payload(action=2, flt=0x04, fields=(), syscalls=None, key=None):
    """audit_rule_data: flags(filter) action field_count mask[64] fields[64]
    values[64] fieldflags[64] buflen buf. fields: (field, op, value) ints."""
    mask = [0xFFFFFFFF] * 64 if syscalls is None else [0] * 64
    for nr in syscalls or ():
        mask[nr // 32] |= 1 << (nr % 32)
    f, v, o = [0] * 64, [0] * 64, [0] * 64
    buf = b""
    fl = list(fields)
    if key:
        fl.append((210, 0x40000000, None))  # AUDIT_FILTERKEY
    for i, (fld, op, val) in enumerate(fl):
        f[i], o[i] = fld, op
        if val is None:
            v[i] = len(key)
            buf += key.encode()
        else:
            v[i] = val & 0xFFFFFFFF
    return struct.pack("=3I", flt, action, len(fl)) + struct.pack("=256I", *(mask + f + v + o)) \
        + struct.pack("=I", len(buf)) + buf


# --------------------------------------------------------------- processes
def in_child(fn, timeout):
    """Run fn() in a forked child, return its JSON-able result, or raise
    TimeoutError (the child is left behind: it may be stuck in D)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            res = {"ok": fn()}
        except BaseException as e:  # noqa
            res = {"err": "%s: %s" % (type(e).__name__, e)}
        os.write(w, json.dumps(res).encode())
        os._exit(0)
    os.close(w)
    try:
        if not select.select([r], [], [], timeout)[0]:
            raise TimeoutError("audit request still blocked after %.0fs (child pid %d "
                               "left behind)" % (timeout, pid))
        data = b""
        while True:
            chunk = os.read(r, 65536)
            if not chunk:
                break
            data += chunk
        os.waitpid(pid, 0)
    finally:
        os.close(r)
    res = json.loads(data or b'{"err": "child died"}')
    if "err" in res:
        raise AuditError(res["err"])
    return res["ok"]


def spawn(argv, log, env=None):
    """Start a detached process in its own session; returns its pid. env: extra variables."""
    with open(log, "ab") as lf:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=lf, stderr=lf,
                             start_new_session=True, close_fds=True,
                             env=dict(os.environ, **env) if env else None)
    return p.pid


def set_comm(name, tid=None):
    tid = tid or __import__("threading").get_native_id()
    with open("/proc/self/task/%d/comm" % tid, "w") as f:
        f.write(name[:15])


def read(path, default=None):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def stat_fields(pid, tid=None):
    s = read("/proc/%d/task/%d/stat" % (pid, tid) if tid else "/proc/%d/stat" % pid)
    if not s:
        return None
    rest = s[s.rindex(")") + 2:].split()
    return {"comm": s[s.index("(") + 1:s.rindex(")")], "state": rest[0],
            "start": int(rest[19])}


def ident(pid):
    st = stat_fields(pid)
    return [pid, st["start"]] if st else [pid, 0]


def alive(pid_start):
    """True if that process (pid + start time) exists and is not a zombie."""
    pid, start = pid_start
    st = stat_fields(pid)
    return bool(st) and st["start"] == start and st["state"] not in "ZX"


def kill(pid_start, sig=signal.SIGKILL):
    if alive(pid_start):
        try:
            os.kill(pid_start[0], sig)
        except ProcessLookupError:
            pass


def wait_gone(pids, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return not any(alive(p) for p in pids)


def find_procs(comms, needle):
    """[pid, start] of live processes with one of `comms` whose cmdline
    contains `needle` (comm is read first: cmdline takes the mmap lock)."""
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit() and (read("/proc/%s/comm" % p) or "").strip() in comms:
            if needle in (read("/proc/%s/cmdline" % p) or "").replace("\0", " "):
                st = stat_fields(int(p))
                if st and st["state"] not in "ZX":
                    out.append([int(p), st["start"]])
    return out


def stack(pid, tid=None):
    return read("/proc/%d/task/%d/stack" % (pid, tid or pid), "")


def wchan(pid, tid=None):
    return read("/proc/%d/task/%d/wchan" % (pid, tid or pid), "")


def dstate():
    """All tasks (pid, tid, comm, wchan) currently in D."""
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        for t in os.listdir("/proc/%s/task" % p) if os.path.isdir("/proc/" + p) else ():
            st = stat_fields(int(p), int(t))
            if st and st["state"] == "D":
                out.append((int(p), int(t), st["comm"], wchan(int(p), int(t))))
    return out


def wait_until(pred, timeout, step=0.1):
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > end:
            return v
        time.sleep(step)


def netlink_row(portid, proto=NETLINK_AUDIT):
    """/proc/net/netlink row of a socket: dict with rmem, drops."""
    for line in (read("/proc/net/netlink", "") or "").splitlines()[1:]:
        c = line.split()
        if int(c[1]) == proto and int(c[2]) == portid:
            return {"rmem": int(c[4]), "wmem": int(c[5]), "drops": int(c[8])}
    return None


def ss_netlink(pid):
    try:
        out = subprocess.run(["ss", "-f", "netlink", "-e", "-m", "-p"], capture_output=True,
                             text=True, timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
    lines, keep = out.splitlines(), []
    for i, line in enumerate(lines):
        if "pid=%d," % pid in line:
            keep.append(line)
            if i + 1 < len(lines) and "skmem" in lines[i + 1]:
                keep.append(lines[i + 1])
    return "\n".join([lines[0]] + keep) if keep else ""


# --------------------------------------------------------------- hung task sysctls
HUNG = "/proc/sys/kernel/hung_task_"
HUNG_KEYS = ("timeout_secs", "warnings", "panic", "check_interval_secs")


def _locked(fn):
    os.makedirs(RUN_DIR + "/hung.d", exist_ok=True)
    with open(RUN_DIR + "/hung.lock", "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        return fn()


def _wsys(key, val):
    try:
        with open(HUNG + key, "w") as f:
            f.write(str(val))
    except OSError:
        pass


def hung_acquire(token, timeout=None):
    """Save hung_task_* once (first holder), then make D tasks harmless:
    no panic, unlimited warnings; optionally a shorter timeout."""
    def go():
        saved = RUN_DIR + "/hung.saved.json"
        if not os.path.exists(saved):
            vals = {k: read(HUNG + k, "").strip() for k in HUNG_KEYS}
            with open(saved + ".tmp", "w") as f:
                json.dump(vals, f)
            os.rename(saved + ".tmp", saved)
        open(RUN_DIR + "/hung.d/" + token, "w").close()
        _wsys("panic", 0)
        _wsys("warnings", -1)
        if timeout:
            _wsys("timeout_secs", timeout)
    _locked(go)


def hung_release(token):
    """Drop our token; the last holder restores the saved values."""
    def go():
        try:
            os.unlink(RUN_DIR + "/hung.d/" + token)
        except FileNotFoundError:
            pass
        saved = RUN_DIR + "/hung.saved.json"
        if os.listdir(RUN_DIR + "/hung.d") or not os.path.exists(saved):
            return
        with open(saved) as f:
            vals = json.load(f)
        for k in ("warnings", "timeout_secs", "check_interval_secs", "panic"):
            if vals.get(k, "") != "":
                _wsys(k, vals[k])
        os.unlink(saved)
    _locked(go)


# --------------------------------------------------------------- state file
def load_state(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def save_state(path, st):
    with open(path + ".tmp", "w") as f:
        json.dump(st, f, indent=1)
    os.rename(path + ".tmp", path)


def log(*a):
    print("[%s] %s" % (os.path.basename(sys.argv[0]), " ".join(str(x) for x in a)),
          file=sys.stderr, flush=True)


def dispatch(a, up, down, roles, sigint_default=()):
    """Every wedge script's entry: make the state file's directory, then run up, down, or one of
    the hidden roles the script re-executes itself as (a child that must be its own process so
    its kernel stack is its own). The roles in sigint_default take the default SIGINT action: a ^C
    ends them at once, as it would a C daemon, instead of raising KeyboardInterrupt in whatever
    Python frame they are parked in."""
    os.makedirs(os.path.dirname(os.path.abspath(a.state_file)), exist_ok=True)
    if a.cmd == "up":
        up(a)
    elif a.cmd == "down":
        sys.exit(down(a))
    else:
        if a.cmd in sigint_default:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
        roles[a.cmd](a)


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "hung-acquire":
        hung_acquire(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None)
    elif cmd == "hung-release":
        hung_release(sys.argv[2])
    elif cmd == "dstate":
        for row in dstate():
            print(*row)
    else:
        sys.exit(__doc__)
