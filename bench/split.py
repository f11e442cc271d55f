# SPDX-License-Identifier: LGPL-2.0-or-later
"""Measurement 7 of bench/run (issue 13): what an overlay over a tree with
mounts costs. Start of `--overlay-src / --tmp-overlay /` (split into one
overlay per top-level entry and per mount) against `--ro-bind / /`, a short
workload in both, and how the start grows with the number of mounts below
the layer (tmpfs mounts made in a private mount namespace, inside which
bench/probe.py times bwrap with and without the overlay)."""

import json
import os

import benchlib as bl

PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probe.py")

# Create 200 files in /tmp, read /etc and walk /usr/include.
WORKLOAD = ("for i in $(seq 200); do echo $i >/tmp/bwrap-bench-$i; done; "
            "cat /etc/* >/dev/null 2>&1; ls -R /usr/include >/dev/null")
ENV = ["--unshare-all", "--dev", "/dev", "--proc", "/proc"]


def _wrapped(ctx, tree, k, inner):
    """inner run in a private mount namespace with k tmpfs mounts below
    tree (as a user: a user namespace too, and bwrap nests its own)."""
    script = ('i=0; while [ $i -lt %d ]; do i=$((i+1)); mkdir -p "$0/m$i" && '
              'mount -t tmpfs bwrap-bench "$0/m$i" || exit 1; done; exec "$@"' % k)
    return ctx.unshare() + ["sh", "-c", script, tree] + inner


def split_start(ctx):
    """overlay over the host root and over trees with mounts: start and a short workload"""
    p = ctx.prof
    wall = lambda _name, argv: {"wall": ctx.runner.run(argv)[0]}  # noqa: E731
    rounds = max(10, p["start_rounds"] // 4)
    ro = [ctx.ours, "--ro-bind", "/", "/"] + ENV
    ov = [ctx.ours, "--overlay-src", "/", "--tmp-overlay", "/"] + ENV
    cases = {
        "ro-bind /, true": ro + ["true"],
        "tmp-overlay /, true": ov + ["true"],
        "ro-bind / + tmpfs /tmp, workload": ro + ["--tmpfs", "/tmp", "sh", "-c", WORKLOAD],
        "tmp-overlay /, workload": ov + ["sh", "-c", WORKLOAD],
    }
    for k, v in cases.items():
        ctx.show(7, k, v)
    data = bl.interleave(cases, rounds, wall, warmup=2)
    ctx.record(7, data)

    # The mounts are made once per count, and bwrap runs many times inside
    # that namespace: timing the wrapper instead would bury bwrap's share
    # under the mounting (200 tmpfs mounts take longer than the sandbox).
    tree = os.path.join(ctx.tmp, "split-tree")
    os.makedirs(os.path.join(tree, "plain"), exist_ok=True)
    user = [] if ctx.is_root else ["--unshare-user"]
    base = [ctx.ours] + user + ["--ro-bind", "/", "/"]
    inner = {"ro-bind": base + ["true"],
             "tmp-overlay": base + ["--overlay-src", tree, "--tmp-overlay", ctx.dest, "true"]}
    mdata = {}
    for k in (0, 10, 50, 200):
        argv = _wrapped(ctx, tree, k, ["python3", PROBE, "spawn", str(rounds), json.dumps(inner)])
        ctx.show(7, "%d mounts" % k, argv)
        _, res = ctx.runner.run_json(argv)
        for name, values in res.items():
            mdata["%d mounts, %s" % (k, name)] = {"wall": values}
    ctx.record("7b", mdata)
    summ = lambda d: {c: bl.summarize(m["wall"]) for c, m in d.items()}  # noqa: E731
    ctx.results[7] = {"root": summ(data), "mounts": summ(mdata)}


def section(doc, r):
    rows = [(c, "%.1f" % (st["median"] * 1e3), "%.1f–%.1f" % (st["min"] * 1e3, st["max"] * 1e3),
             st["n"]) for c, st in r["root"].items()]
    doc.table(("sandbox (`--unshare-all --dev /dev --proc /proc`)", "median ms", "min–max ms",
               "runs"), rows)
    doc.p("Start against the number of tmpfs mounts below the layer, timed inside the "
          "namespace that holds them: `--ro-bind / /` alone, then with a `--tmp-overlay` "
          "of the directory holding the mounts (split into one overlay per mount); the "
          "difference is what the split overlay costs:")
    doc.p()
    rows = []
    for k in (0, 10, 50, 200):
        base = r["mounts"]["%d mounts, ro-bind" % k]["median"]
        ov = r["mounts"]["%d mounts, tmp-overlay" % k]["median"]
        rows.append((k, "%.1f" % (base * 1e3), "%.1f" % (ov * 1e3), "%.1f" % ((ov - base) * 1e3),
                     "%.2f" % ((ov - base) * 1e3 / k) if k else "—"))
    doc.table(("mounts", "ro-bind ms", "tmp-overlay ms", "overlay's share ms", "ms per mount"),
              rows)
