# SPDX-License-Identifier: LGPL-2.0-or-later
"""Measurement 8 of bench/run (issue 26): bwrap-changes against the tools
that do the same job. `status` on an upper directory of 100,000 files over
a TARGET of 200,000 (half of the upper's files copy-ups whose bytes did not
change, a quarter modified, a quarter new) against try's summary, the
shell `try summary` and its C helper `try-summary`; `apply` of 10,000 new
files against `rsync -a`, the shell `try -y commit` (which first starts
try's sandbox, as `try commit` always does, and commits without asking)
and the C `try-commit` (which moves the files; `-c` copies them). try is not part of this
repository: build it from a checkout (see bench/README.md) and pass
`--try DIR`; without it, and without rsync, those cases are skipped.

The upper directory is made by hand as overlayfs makes one (a copy-up
keeps mode and times, a directory is copied up with them), because real
copy-ups of 75,000 files take minutes: overlayfs syncs each to disk.
try expects it at SANDBOX/upperdir/<absolute path of TARGET>, so that is
where it is; bwrap-changes reads the same directory."""

import os
import random
import shutil
import subprocess

import benchlib as bl

STATUS_CASES = ("bwrap-changes status", "try-summary (C)", "try summary (shell)")
APPLY_CASES = ("bwrap-changes apply", "rsync -a", "try-commit (C, moves)",
               "try-commit -c (C, copies)", "try commit (shell)")


def _write(path, data, mode=0o644, mtime=None):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def make_target(top, n_files, rng):
    """n_files in 100 directories of 20 subdirectories, 100-4000 bytes."""
    pool = bytes(rng.getrandbits(8) for _ in range(8192))
    per_dir = max(1, n_files // 2000)
    for d in range(100):
        for s in range(20):
            sub = os.path.join(top, "d%03d" % d, "s%02d" % s)
            os.makedirs(sub)
            for f in range(per_dir):
                size, off = rng.randint(100, 4000), rng.randint(0, 4000)
                _write(os.path.join(sub, "f%04d" % f), pool[off:off + size])


def make_upper(target, upper):
    """Every other file of target touched: of those, half copied up alone,
    a quarter modified (one byte appended), a quarter given a new sibling."""
    i = 0
    counts = {"copied up": 0, "modified": 0, "new": 0}
    for d in sorted(os.listdir(target)):
        for s in sorted(os.listdir(os.path.join(target, d))):
            src = os.path.join(target, d, s)
            dst = os.path.join(upper, d, s)
            os.makedirs(dst)
            for name in sorted(os.listdir(src))[::2]:
                i += 1
                if i % 2 == 0:
                    shutil.copy2(os.path.join(src, name), os.path.join(dst, name))
                    counts["copied up"] += 1
                elif i % 4 == 1:
                    shutil.copy2(os.path.join(src, name), os.path.join(dst, name))
                    with open(os.path.join(dst, name), "ab") as f:
                        f.write(b"x")
                    counts["modified"] += 1
                else:
                    _write(os.path.join(dst, "new" + name[1:]), b"new file\n" * 50)
                    counts["new"] += 1
            shutil.copystat(src, dst)
        shutil.copystat(os.path.join(target, d), os.path.join(upper, d))
    return counts


def make_new_files(upper, n_files, rng):
    """n_files new files in 100 new directories."""
    pool = bytes(rng.getrandbits(8) for _ in range(8192))
    for d in range(100):
        sub = os.path.join(upper, "n%03d" % d)
        os.makedirs(sub)
        for f in range(max(1, n_files // 100)):
            size, off = rng.randint(100, 4000), rng.randint(0, 4000)
            _write(os.path.join(sub, "f%04d" % f), pool[off:off + size])


def sandbox_upper(sandbox, target):
    """try's place for the upper directory of an overlay over target."""
    return os.path.join(sandbox, "upperdir") + os.path.abspath(target)


def tools(ctx):
    a = ctx.args
    changes = a.changes or os.path.join(os.path.dirname(a.bwrap), "bwrap-changes")
    if not os.access(changes, os.X_OK):
        raise bl.BenchError("no bwrap-changes at %s (pass --changes)" % changes)
    try_dir = os.path.abspath(a.try_dir) if a.try_dir else None
    found = {"changes": changes, "rsync": shutil.which("rsync")}
    for name in ("try", "try-summary", "try-commit"):
        path = None
        for where in ((try_dir, name), (try_dir, "utils", name)):
            if where[0] and os.access(os.path.join(*where), os.X_OK):
                path = os.path.join(*where)
                break
        found[name] = path
    if try_dir and not all(found[n] for n in ("try", "try-summary", "try-commit")):
        raise bl.BenchError("--try %s: try, try-summary and try-commit must be built there "
                            "(bench/README.md says how)" % try_dir)
    for name, path in found.items():
        if path is None:
            bl.log("  %s not found: its cases are skipped" % name)
    return found


def show(ctx, t, label, argv):
    """The exact command, bwrap-changes named $CHANGES."""
    ctx.show(8, label, ["$CHANGES" if a == t["changes"] else a for a in argv])


def shell_env(tmp):
    """PATH without try's C helpers, so that try uses its shell code."""
    path = [d for d in os.environ.get("PATH", "").split(":")
            if not os.access(os.path.join(d, "try-summary"), os.X_OK)]
    env = dict(os.environ, PATH=":".join(path), TMPDIR=tmp)
    return env


def changes_bench(ctx):
    """bwrap-changes status and apply against try and rsync"""
    p = ctx.prof["changes"]
    t = tools(ctx)
    rng = random.Random(26)
    top = os.path.join(ctx.scratch, "changes")
    target = os.path.join(top, "target")
    sandbox = os.path.join(top, "sandbox")
    upper = sandbox_upper(sandbox, target)
    bl.log("  making a %d-file TARGET and a %d-file upper directory"
           % (p["target"], p["target"] // 2))
    make_target(target, p["target"], rng)
    os.makedirs(upper)
    counts = make_upper(target, upper)
    subprocess.run(["sync"], check=True)

    # try's shell code forks several processes per file: it gets
    # p["shell_limit"] seconds, after which it is stopped (timeout(1)
    # exits 124) and recorded as having taken at least that long.
    shell = bl.Runner(shell_env(ctx.tmp))
    limited = ["timeout", str(p["shell_limit"]), "sh", t["try"]] if t["try"] else None
    status_cases = {
        "bwrap-changes status": (ctx.runner, [t["changes"], "status", upper, target]),
        "try-summary (C)": (ctx.runner, [t["try-summary"], sandbox]) if t["try-summary"] else None,
        "try summary (shell)": (shell, limited + ["summary", sandbox]) if t["try"] else None,
    }
    status_cases = {k: v for k, v in status_cases.items() if v}
    for k, (_, argv) in status_cases.items():
        show(ctx, t, k, argv)
    # Check once that bwrap-changes finds what was made: the copy-ups are no change.
    _, out = ctx.runner.run([t["changes"], "status", upper, target])
    lines = out.splitlines()
    want = counts["modified"] + counts["new"]
    if len(lines) != want:
        raise bl.BenchError("bwrap-changes status printed %d lines, not %d" % (len(lines), want))

    # The shell summary forks several processes per file: it runs in the
    # first p["shell_rounds"] rounds only, and not as a warm-up.
    calls = {}
    stopped = set()

    def time_status(name, spec):
        runner, argv = spec
        calls[name] = calls.get(name, 0) + 1
        if name == "try summary (shell)" and not 1 < calls[name] <= 1 + p["shell_rounds"]:
            return {}
        # try summary exits 1 when it finds no change: not a failure.
        secs, _ = runner.run(argv, check=not name.startswith("try summary"))
        if secs >= p["shell_limit"]:
            stopped.add(name)
        return {"wall": secs}
    status = bl.interleave(status_cases, p["rounds"], time_status, warmup=1)

    # apply: new files into an empty TARGET, made again before each run.
    a_target = os.path.join(top, "apply-target")
    a_sandbox = os.path.join(top, "apply-sandbox")
    a_upper = sandbox_upper(a_sandbox, a_target)
    pristine = os.path.join(top, "apply-pristine")
    make_new_files(pristine, p["apply"], rng)

    def reset():
        for d in (a_target, a_sandbox):
            if os.path.lexists(d):
                bl.rmtree(d)
        os.makedirs(a_target)
        os.makedirs(os.path.dirname(a_upper))
        subprocess.run(["cp", "-a", pristine, a_upper], check=True)
        subprocess.run(["sync"], check=True)

    apply_cases = {
        "bwrap-changes apply": (ctx.runner, [t["changes"], "apply", a_upper, a_target]),
        "rsync -a": (ctx.runner, [t["rsync"], "-a", a_upper + "/", a_target + "/"]) if t["rsync"] else None,
        "try-commit (C, moves)": (ctx.runner, [t["try-commit"], a_sandbox]) if t["try-commit"] else None,
        "try-commit -c (C, copies)": (ctx.runner, [t["try-commit"], "-c", a_sandbox])
        if t["try-commit"] else None,
        "try commit (shell)": (shell, limited + ["-y", "commit", a_sandbox]) if t["try"] else None,
    }
    apply_cases = {k: v for k, v in apply_cases.items() if v}
    for k, (_, argv) in apply_cases.items():
        show(ctx, t, k, argv)

    def time_apply(name, spec):
        runner, argv = spec
        calls[name] = calls.get(name, 0) + 1
        if name == "try commit (shell)" and not 1 < calls[name] <= 1 + p["shell_rounds"]:
            return {}
        reset()
        secs, _ = runner.run(argv, check=name != "try commit (shell)")
        if secs >= p["shell_limit"]:
            stopped.add(name)
            return {"wall": secs}
        made = sum(len(files) for _, _, files in os.walk(a_target))
        if made != p["apply"]:
            raise bl.BenchError("%s made %d files, not %d" % (name, made, p["apply"]))
        return {"wall": secs}
    applied = bl.interleave(apply_cases, p["rounds"], time_apply, warmup=1)
    bl.rmtree(top)

    ctx.record(8, status)
    ctx.record("8b", applied)
    summ = lambda d: {c: bl.summarize(m["wall"]) for c, m in d.items() if m}  # noqa: E731
    ctx.results[8] = {"status": summ(status), "apply": summ(applied), "counts": counts,
                      "target": p["target"], "apply_files": p["apply"],
                      "cpus": len(os.sched_getaffinity(0)), "stopped": sorted(stopped),
                      "limit": p["shell_limit"]}


def _rows(r, part, ours):
    base = r[part][ours]["median"]
    rows = []
    for k, st in r[part].items():
        if k in r.get("stopped", ()):
            rows.append((k, "> %d (stopped)" % r["limit"], "", st["n"],
                         "> %.0f" % (r["limit"] / base)))
        else:
            rows.append((k, "%.2f" % st["median"], "%.2f–%.2f" % (st["min"], st["max"]), st["n"],
                         "%.2f" % (st["median"] / base)))
    return rows


def section(doc, r):
    c = r["counts"]
    doc.p("`status` on an upper directory of %d files (%d copied up unchanged, %d modified, "
          "%d new) over a TARGET of %d files; warm caches, %d CPU(s) allowed (bwrap-changes "
          "walks on one thread per idle CPU); `$CHANGES` is bwrap-changes:"
          % (sum(c.values()), c["copied up"], c["modified"], c["new"], r["target"], r["cpus"]))
    doc.p()
    head = ("command", "median s", "min–max s", "runs", "÷ bwrap-changes")
    doc.table(head, _rows(r, "status", "bwrap-changes status"))
    doc.p("`apply` of %d new files in 100 new directories:" % r["apply_files"])
    doc.p()
    doc.table(head, _rows(r, "apply", "bwrap-changes apply"))
