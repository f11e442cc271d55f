#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.0-or-later
"""Small probes that bench/run runs in a private mount namespace.

  probe.py overlay-mount LOWER SCRATCHDIR [userxattr]
      time one overlayfs mount (mkdir upper+work, mount(2)) over LOWER and
      its cleanup (umount2, remove upper+work). Must run in its own mount
      namespace (bench/run wraps it in unshare -m or unshare -Urm), so the
      host never sees the mount.
  probe.py walk DIR
      readdir + lstat of every entry under DIR twice: the first pass on a
      fresh mount is the cold one, the second the warm one.
  probe.py spawn ROUNDS JSON
      JSON maps names to command lines; run each ROUNDS times, interleaved
      (after one warm-up run each), timing posix_spawn + wait4, and print
      the list of seconds per name. For commands that must run inside a
      namespace the wrapper around the probe made (measurement 7).

Each prints one JSON object of seconds. Timing inside the process keeps
exec and interpreter start-up out of the figures.
"""

import ctypes
import ctypes.util
import json
import os
import shutil
import sys
import time

MNT_DETACH = 2


def overlay_mount(lower, scratch, userxattr):
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    upper = os.path.join(scratch, "upper")
    work = os.path.join(scratch, "work")
    target = os.path.join(scratch, "mnt")
    os.makedirs(target, exist_ok=True)
    opts = "lowerdir=%s,upperdir=%s,workdir=%s" % (lower, upper, work)
    if userxattr:
        opts += ",userxattr"
    t0 = time.perf_counter()
    os.mkdir(upper)
    os.mkdir(work)
    if libc.mount(b"overlay", target.encode(), b"overlay", 0, opts.encode()) != 0:
        e = ctypes.get_errno()
        sys.exit("probe: mount overlay %s: %s" % (opts, os.strerror(e)))
    t1 = time.perf_counter()
    # A listing proves the mount is usable before we take it down again.
    os.listdir(target)
    t2 = time.perf_counter()
    if libc.umount2(target.encode(), MNT_DETACH) != 0:
        e = ctypes.get_errno()
        sys.exit("probe: umount %s: %s" % (target, os.strerror(e)))
    shutil.rmtree(upper)
    shutil.rmtree(work)
    t3 = time.perf_counter()
    return {"mount": t1 - t0, "cleanup": t3 - t2}


def walk_once(top):
    entries = 0
    stack = [top]
    while stack:
        d = stack.pop()
        with os.scandir(d) as it:
            for entry in it:
                entry.stat(follow_symlinks=False)
                entries += 1
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
    return entries


def walk(top):
    t0 = time.perf_counter()
    n = walk_once(top)
    t1 = time.perf_counter()
    walk_once(top)
    t2 = time.perf_counter()
    return {"cold": t1 - t0, "warm": t2 - t1, "entries": n}


def spawn(rounds, cases):
    res = {name: [] for name in cases}
    for r in range(rounds + 1):
        for name, argv in cases.items():
            t0 = time.perf_counter()
            pid = os.posix_spawnp(argv[0], argv, os.environ)
            _, status, _ = os.wait4(pid, 0)
            t1 = time.perf_counter()
            if status != 0:
                sys.exit("probe: %s failed (status %d)" % (" ".join(argv), status))
            if r > 0:
                res[name].append(t1 - t0)
    return res


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "overlay-mount":
        res = overlay_mount(sys.argv[2], sys.argv[3],
                            len(sys.argv) > 4 and sys.argv[4] == "userxattr")
    elif len(sys.argv) == 3 and sys.argv[1] == "walk":
        res = walk(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "spawn":
        res = spawn(int(sys.argv[2]), json.loads(sys.argv[3]))
    else:
        sys.exit("usage: probe.py overlay-mount LOWER DIR [userxattr] | walk DIR | "
                 "spawn ROUNDS JSON")
    json.dump(res, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
