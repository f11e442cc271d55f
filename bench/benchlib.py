# SPDX-License-Identifier: LGPL-2.0-or-later
"""Harness for bench/run: timing child processes, statistics, the machine
description, the scratch file system and the input trees.

Runs in the benchmark driver, as root or as an unprivileged user. Nothing
here touches the host outside the scratch directory and the temporary
directory the driver made, and every mount or loop device it creates is
registered with a Cleanup so an interrupted run leaves nothing behind.
"""

import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


class BenchError(Exception):
    pass


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


# ---------------------------------------------------------------- running


class Runner:
    """Spawns commands with stdin from /dev/null and stdout/stderr in files,
    and times them with a monotonic clock around posix_spawn + wait4.

    posix_spawn (a vfork-style clone) keeps the driver's own fork cost, which
    grows with its memory, out of the figures; the overhead left is the same
    for every command compared."""

    def __init__(self, env=None):
        self.env = dict(env or os.environ)
        self.out = tempfile.TemporaryFile()
        self.err = tempfile.TemporaryFile()

    def run(self, argv, check=True):
        """Run argv; returns (seconds, stdout text)."""
        for f in (self.out, self.err):
            f.seek(0)
            f.truncate()
        actions = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_DUP2, self.out.fileno(), 1),
                   (os.POSIX_SPAWN_DUP2, self.err.fileno(), 2)]
        t0 = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, self.env, file_actions=actions)
        _, status, _ = os.wait4(pid, 0)
        t1 = time.perf_counter()
        self.out.seek(0)
        out = self.out.read().decode(errors="replace")
        if check and status != 0:
            self.err.seek(0)
            err = self.err.read().decode(errors="replace").strip()
            raise BenchError("command failed (status %s): %s\n%s"
                             % (os.waitstatus_to_exitcode(status),
                                " ".join(argv), err[-2000:]))
        return t1 - t0, out

    def run_json(self, argv):
        secs, out = self.run(argv)
        try:
            return secs, json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError) as e:
            raise BenchError("no JSON from %s: %r" % (" ".join(argv), out[-500:])) from e


def interleave(cases, rounds, run_one, warmup=1, shuffle=None):
    """Run every case once per round, rotating the order each round
    (A B C, B C A, C A B ...), so slow drifts of the machine hit every case
    alike. run_one(name, spec) returns a dict of metric -> value. Warm-up
    rounds are run and thrown away. Returns {name: {metric: [values]}}.

    A rotation keeps the cyclic order, so each case always runs right
    after the same other case and inherits what that one leaves behind
    (the kernel tears a sandbox's namespaces down partly after it exits).
    With shuffle (a random.Random), every round runs in a fresh random
    order instead, so that cost falls on every case alike."""
    names = list(cases)
    res = {n: {} for n in names}
    for r in range(-warmup, rounds):
        k = r % len(names)
        order = names[k:] + names[:k]
        if shuffle is not None:
            shuffle.shuffle(order)
        for name in order:
            vals = run_one(name, cases[name])
            if r < 0:
                continue
            for metric, v in vals.items():
                res[name].setdefault(metric, []).append(v)
    return res


# ---------------------------------------------------------------- statistics


def quantile(sorted_vals, q):
    if not sorted_vals:
        return float("nan")
    pos = (len(sorted_vals) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (pos - lo)


def summarize(values):
    v = sorted(values)
    return {"n": len(v), "median": quantile(v, 0.5), "min": v[0] if v else float("nan"),
            "max": v[-1] if v else float("nan"), "q1": quantile(v, 0.25),
            "q3": quantile(v, 0.75),
            "mean": statistics.fmean(v) if v else float("nan"),
            # Sample standard deviation (n - 1); 0 for a single value.
            "stdev": statistics.stdev(v) if len(v) > 1 else 0.0}


# ---------------------------------------------------------------- environment


def _read(path, default=""):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def loadavg():
    return " ".join(_read("/proc/loadavg").split()[:3])


def cpu_model():
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def tool_version(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def git_describe(repo):
    try:
        p = subprocess.run(["git", "-C", repo, "describe", "--always", "--dirty"],
                           capture_output=True, text=True, timeout=10)
        return p.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def environment(repo, ours, reference, cpu, scratch_desc):
    mem = "unknown"
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            mem = "%d MiB" % (int(line.split()[1]) // 1024)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "kernel": platform.release(),
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "memory": mem,
        "load_start": loadavg(),
        "user": "root" if os.geteuid() == 0 else "uid %d" % os.geteuid(),
        "pinned_cpu": "none" if cpu is None else str(cpu),
        "ours": "%s (git %s)" % (ours, git_describe(repo)),
        "reference": ("%s (%s)" % (reference, tool_version([reference, "--version"]))
                      if reference else "none"),
        "scratch": scratch_desc,
        "python": platform.python_version(),
    }


# ---------------------------------------------------------------- cleanup


class Cleanup:
    """A stack of undo actions, run in reverse order; failures are reported,
    not raised, so one stuck mount does not leave the rest behind."""

    def __init__(self):
        self.actions = []

    def push(self, desc, fn):
        self.actions.append((desc, fn))

    def run(self):
        while self.actions:
            desc, fn = self.actions.pop()
            try:
                fn()
            except Exception as e:  # noqa: BLE001 - keep cleaning up
                log("cleanup %s failed: %s" % (desc, e))


def unmount(path, fuse=False, timeout=10.0):
    """Unmount a mount point in the host namespace (FUSE via fusermount3
    when not root, which is the only way an unprivileged user may).

    Not lazily at first: a FUSE daemon exits only after its mount is gone,
    and until then it holds files on the scratch file system open, which
    would make unmounting the scratch fail with EBUSY. Retry while busy,
    and detach lazily only as the last resort."""
    if fuse and os.geteuid() != 0:
        argv = ["fusermount3", "-u", path]
    else:
        argv = ["umount", path]
    end = time.monotonic() + timeout
    while True:
        p = subprocess.run(argv, capture_output=True, text=True)
        if p.returncode == 0:
            return
        if time.monotonic() > end:
            break
        time.sleep(0.1)
    subprocess.run(argv[:-1] + ["-z" if argv[0] == "fusermount3" else "-l", path],
                   check=True, capture_output=True)
    raise BenchError("%s was busy; detached lazily: %s" % (path, p.stderr.strip()))


def fuse_unmount_cmd(path):
    if os.geteuid() == 0:
        return ["umount", path]
    return ["fusermount3", "-u", path]


def wait_mounted(path, timeout=10.0):
    """FUSE daemons may return before the kernel shows the mount; wait."""
    st_parent = os.stat(os.path.dirname(path.rstrip("/")) or "/").st_dev
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.stat(path).st_dev != st_parent:
            return
        time.sleep(0.01)
    raise BenchError("%s did not become a mount point" % path)


def make_scratch(cleanup, tmp, size_gib, inodes_per_byte=8192):
    """As root: a journaled ext4 image on a loop device (direct I/O, so the
    page cache is not doubled) mounted under tmp. Returns (path, text)."""
    img = os.path.join(tmp, "scratch.img")
    mnt = os.path.join(tmp, "scratch")
    os.mkdir(mnt)
    with open(img, "wb") as f:
        f.truncate(size_gib << 30)
    cleanup.push("remove image", lambda: os.unlink(img))
    subprocess.run(["mkfs.ext4", "-q", "-F", "-i", str(inodes_per_byte),
                    "-O", "has_journal", img], check=True)
    dev = subprocess.run(["losetup", "-f", "--show", "--direct-io=on", img],
                         check=True, capture_output=True, text=True).stdout.strip()
    cleanup.push("detach " + dev, lambda: detach_loops(img))
    # noinit_itable: no background inode-table zeroing thread during the runs.
    subprocess.run(["mount", "-t", "ext4", "-o", "noinit_itable", dev, mnt], check=True)
    cleanup.push("unmount scratch", lambda: unmount(mnt))
    return mnt, "ext4 with journal on %s (%d GiB image, direct I/O)" % (dev, size_gib)


def detach_loops(img):
    """Detach the loop devices backed by img, looked up again rather than
    remembered: the device may have been cleared already."""
    p = subprocess.run(["losetup", "-j", img, "-O", "NAME", "-n"],
                       capture_output=True, text=True, check=True)
    for dev in p.stdout.split():
        subprocess.run(["losetup", "-d", dev], check=True)


def describe_dir_fs(path):
    p = subprocess.run(["stat", "-f", "-c", "%T", path], capture_output=True, text=True)
    return "%s directory %s (user-given)" % (p.stdout.strip() or "unknown", path)


# ---------------------------------------------------------------- trees


def _write(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


_BLOB = (b"/* generated input for bench/run */\n" + bytes(range(32, 127)) * 64) * 2


def make_tree(top, nfiles):
    """nfiles small files (100..4000 bytes), 50 per directory, 20
    directories per parent: the shape of a source or object tree."""
    for i in range(nfiles):
        d = os.path.join(top, "d%03d" % (i // 1000), "e%02d" % ((i // 50) % 20))
        if i % 50 == 0:
            os.makedirs(d, exist_ok=True)
        _write(os.path.join(d, "f%06d.txt" % i), _BLOB[:100 + (i * 7919) % 3900])


def make_input_tree(top, nsmall, nmedium):
    """The build workload's input: small sources, a few 1 MiB data files
    and a C program with its headers."""
    make_tree(os.path.join(top, "lib"), nsmall)
    data = os.path.join(top, "data")
    os.makedirs(data)
    chunk = bytes(range(256)) * 4096
    for i in range(nmedium):
        _write(os.path.join(data, "blob%03d.bin" % i), chunk)
    inc = os.path.join(top, "include")
    os.makedirs(inc)
    for h in range(20):
        body = ["#pragma once"]
        for f in range(10):
            body.append("static inline long h%d_f%d (long x) { return x * %d + %d; }"
                        % (h, f, h + 3, f))
        _write(os.path.join(inc, "h%02d.h" % h), ("\n".join(body) + "\n").encode())
    prog = os.path.join(top, "prog")
    os.makedirs(prog)
    lines = ['#include "h%02d.h"' % h for h in range(20)]
    lines.append("#include <stdio.h>")
    for f in range(25):
        lines.append("long fn%d (long x) { long s = 0; for (long i = 0; i < x; i++) "
                     "s += h%d_f%d (i) ^ (s >> 3); return s; }" % (f, f % 20, f % 10))
    lines.append("int main (void) { long s = 0;")
    lines.extend("  s += fn%d (%d);" % (f, f) for f in range(25))
    lines.append('  printf ("%ld\\n", s); return 0; }')
    _write(os.path.join(prog, "main.c"), ("\n".join(lines) + "\n").encode())


def layer_path(cas, i):
    """A realistic content-addressed store path: cas/<64 hex>/root."""
    return os.path.join(cas, hashlib.sha256(b"layer %d" % i).hexdigest(), "root")


def fill_layer(root, i):
    """What one package contributes: a library, a tool, a header, docs, and
    one file every layer has (the top one must win)."""
    for sub in ("usr/lib/pkg%d" % i, "usr/bin", "usr/include",
                "usr/share/doc/pkg%d" % i, "etc"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    _write(os.path.join(root, "usr/lib/pkg%d/libpkg%d.so.1" % (i, i)), _BLOB[:8000])
    _write(os.path.join(root, "usr/bin/tool%d" % i), _BLOB[:2000])
    _write(os.path.join(root, "usr/include/pkg%d.h" % i), _BLOB[:600])
    _write(os.path.join(root, "usr/share/doc/pkg%d/README" % i), _BLOB[:300])
    _write(os.path.join(root, "etc/layer-id"), b"%d\n" % i)


def make_layers(cas, count):
    paths = []
    for i in range(count):
        root = layer_path(cas, i)
        fill_layer(root, i)
        paths.append(root)
    return paths


def make_flat(top, count):
    """The same files as layers 0..count-1 merged into one directory."""
    for i in range(count):
        fill_layer(top, i)


def mksquashfs(src, img):
    # Uncompressed: the benchmark is about the file system stack, and
    # decompression in the FUSE daemon would add CPU cost unrelated to it.
    subprocess.run(["mksquashfs", src, img, "-noappend", "-quiet", "-no-progress",
                    "-noI", "-noD", "-noF", "-noX", "-all-root"],
                   check=True, stdout=subprocess.DEVNULL)


def rmtree(path):
    shutil.rmtree(path, ignore_errors=False)
