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
