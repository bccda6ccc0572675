#!/usr/bin/env python3
"""Shrink a `wedgetop --record DIR` snapshot to one wedge: keep /proc/PID only for the
given pids (plus pid 1, whose net/ holds the netlink tables), drop every other process.
Other wedges up on the same box (other helpers' tests) would otherwise be in the fixture.

    prune_fixture.py DIR PID [PID...]
"""
import os
import shutil
import sys


def main():
    d, keep = sys.argv[1], {"1"} | set(sys.argv[2:])
    proc = os.path.join(d, "proc")
    # mountinfo is read once per mount namespace, from whichever task came first: give it to
    # the kept tasks of that namespace, or the replay cannot resolve mounts any more.
    by_ns = {}
    for ent in os.listdir(proc):
        mi, ns = os.path.join(proc, ent, "mountinfo"), os.path.join(proc, ent, "ns", "mnt")
        if ent.isdigit() and os.path.isfile(mi) and os.path.islink(ns):
            by_ns.setdefault(os.readlink(ns), open(mi).read())
    for ent in keep:
        mi, ns = os.path.join(proc, ent, "mountinfo"), os.path.join(proc, ent, "ns", "mnt")
        if os.path.islink(ns) and not os.path.exists(mi) and os.readlink(ns) in by_ns:
            with open(mi, "w") as f:
                f.write(by_ns[os.readlink(ns)])
    for ent in os.listdir(proc):
        p = os.path.join(proc, ent)
        if ent.isdigit() and ent not in keep and os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
    mem = os.path.join(d, "mem")
    if os.path.isdir(mem):
        for ent in os.listdir(mem):
            if ent.split("-")[0].split(".")[0].isdigit() and ent.split("-")[0].split(".")[0] not in keep:
                p = os.path.join(mem, ent)
                shutil.rmtree(p) if os.path.isdir(p) else os.unlink(p)


if __name__ == "__main__":
    main()
