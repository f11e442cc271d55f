#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.0-or-later
"""The build workload of bench/run, measurement 2 (issue 7).

Runs inside the sandbox (or under a bare unshare) with the build directory
as its only argument. The directory holds the input tree in src/ (read,
never written) and gets the outputs in out/. The same steps run in every
mode, so differences between modes are differences of the file system
stack underneath: native ext4, FUSE, overlayfs over a FUSE lower.

Prints one JSON object with the seconds spent in each phase.
"""

import argparse
import json
import os
import subprocess
import sys
import time


def create_small(out, count):
    """count small files (100..2000 bytes) in a two-level directory tree."""
    blob = bytes(range(256)) * 8
    per_dir = 50
    for i in range(count):
        d = os.path.join(out, "s", "d%02d" % (i // (per_dir * 20)),
                         "e%02d" % ((i // per_dir) % 20))
        if i % per_dir == 0:
            os.makedirs(d, exist_ok=True)
        size = 100 + (i * 7919) % 1900
        fd = os.open(os.path.join(d, "f%05d.o" % i),
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, blob[:size])
        finally:
            os.close(fd)


def write_medium(out, megabytes):
    """megabytes files of 1 MiB each, written in 64 KiB chunks."""
    d = os.path.join(out, "m")
    os.makedirs(d, exist_ok=True)
    chunk = bytes(range(256)) * 256
    for i in range(megabytes):
        fd = os.open(os.path.join(d, "obj%04d.a" % i),
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            for _ in range(16):
                os.write(fd, chunk)
        finally:
            os.close(fd)


def read_back(top):
    """readdir, lstat and read every file under top; returns bytes read."""
    total = 0
    stack = [top]
    while stack:
        d = stack.pop()
        with os.scandir(d) as it:
            for entry in it:
                st = entry.stat(follow_symlinks=False)
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif st.st_size:
                    fd = os.open(entry.path, os.O_RDONLY)
                    try:
                        while True:
                            b = os.read(fd, 1 << 20)
                            if not b:
                                break
                            total += len(b)
                    finally:
                        os.close(fd)
    return total


def delete_half(out):
    """unlink every second output file (by sorted name, per directory)."""
    removed = 0
    for root, _dirs, files in os.walk(out):
        for name in sorted(files)[::2]:
            os.unlink(os.path.join(root, name))
            removed += 1
    return removed


def compile_n(src, out, times):
    """compile the input tree's small C program several times."""
    bindir = os.path.join(out, "bin")
    os.makedirs(bindir, exist_ok=True)
    # gcc's temporary objects belong to the build, and / is read-only.
    tmpdir = os.path.join(out, "tmp")
    os.makedirs(tmpdir, exist_ok=True)
    env = dict(os.environ, TMPDIR=tmpdir)
    for i in range(times):
        subprocess.run(["gcc", "-O2", "-pipe", "-I", os.path.join(src, "include"),
                        "-o", os.path.join(bindir, "prog%d" % i),
                        os.path.join(src, "prog", "main.c")], check=True, env=env)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--small", type=int, default=20000)
    ap.add_argument("--medium-mb", type=int, default=200)
    ap.add_argument("--compiles", type=int, default=5)
    a = ap.parse_args()
    src = os.path.join(a.dir, "src")
    out = os.path.join(a.dir, "out")
    if not os.path.isdir(src):
        sys.exit("workload: no input tree at %s" % src)
    os.makedirs(out, exist_ok=True)
    phases = {}
    t = time.perf_counter()

    def lap(name):
        nonlocal t
        now = time.perf_counter()
        phases[name] = now - t
        t = now

    create_small(out, a.small)
    lap("create_small")
    write_medium(out, a.medium_mb)
    lap("write_medium")
    nbytes = read_back(a.dir)
    lap("read_back")
    removed = delete_half(out)
    lap("delete_half")
    compile_n(src, out, a.compiles)
    lap("compile")
    phases["bytes_read"] = nbytes
    phases["files_removed"] = removed
    json.dump(phases, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
