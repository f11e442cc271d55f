# SPDX-License-Identifier: LGPL-2.0-or-later
"""Writes bench/run's results: report.md (tables, targets, commands, machine),
samples.csv (every raw figure), results.json (summaries and samples) and,
when gnuplot is installed, PNG charts of the staging comparison."""

import csv
import json
import os
import shutil
import subprocess

import benchlib as bl
import changes
import split

TITLES = {1: "1. Start latency", 2: "2. Build workload over a read-only input tree",
          3: "3. Staging cost against input size", 4: "4. Overlay layers",
          5: "5. Peak memory of bwrap", 6: "6. Setuid start latency",
          7: "7. Overlays over trees with mounts (issue 13)",
          8: "8. bwrap-changes against try and rsync (issue 26)"}


def ms(s):
    return "%.2f" % (s * 1e3) if s < 0.1 else "%.1f" % (s * 1e3)


def rng_ms(st):
    return "%s–%s" % (ms(st["min"]), ms(st["max"]))


def sec(s):
    return "%.2f" % s


def rng_s(st):
    return "%.2f–%.2f" % (st["min"], st["max"])


def ratio(a, b):
    return a / b if b else float("nan")


class Doc:
    def __init__(self):
        self.lines = []

    def p(self, text=""):
        self.lines.append(text)

    def table(self, head, rows):
        self.p("| " + " | ".join(head) + " |")
        self.p("|" + "|".join("---" for _ in head) + "|")
        for r in rows:
            self.p("| " + " | ".join(str(c) for c in r) + " |")
        self.p()


# ----------------------------------------------------------------- targets


def targets(res):
    """[(target, measured, verdict)] for the issue's targets that ran."""
    out = []
    r1 = res.get(1)
    if r1 and "reference" in r1["plain"]:
        q = ratio(r1["plain"]["ours"]["median"], r1["plain"]["reference"]["median"])
        out.append(("start latency ours/reference ≤ 0.80", "%.2f" % q,
                    "met" if q <= 0.80 else "NOT met"))
    if r1:
        q = ratio(r1["plain"]["ours"]["median"], r1["plain"]["floor"]["median"])
        out.append(("start latency ours/floor (reported)", "%.2f" % q, "—"))
        small, big = r1["overlay_sizes"]
        a = r1["overlay"]["tmp-overlay %d files" % small]
        b = r1["overlay"]["tmp-overlay %d files" % big]
        d = b["median"] - a["median"]
        noise = max(a["q3"] - a["q1"], b["q3"] - b["q1"])
        out.append(("overlay start independent of tree size (%d vs %d files)" % (small, big),
                    "Δ median %+.2f ms (%+.1f%%), IQR %.2f ms"
                    % (d * 1e3, 100 * ratio(d, a["median"]), noise * 1e3),
                    "met" if abs(d) <= noise or abs(ratio(d, a["median"])) <= 0.05
                    else "NOT met"))
    r2 = res.get(2)
    if r2:
        data = r2["data"]
        base, kbase = data["a"]["total"]["median"], data["a-k"]["total"]["median"]
        for m in ("c", "d"):
            ours_q = ratio(data[m]["total"]["median"], base)
            kern_q = ratio(data[m + "-k"]["total"]["median"], kbase)
            rel = ratio(ours_q, kern_q) - 1
            out.append(("mode (%s)/(a) within 5%% of kernel (%s-k)/(a-k)" % (m, m),
                        "%.3f vs %.3f (%+.1f%%)" % (ours_q, kern_q, 100 * rel),
                        "met" if rel <= 0.05 else "NOT met"))
    r4 = res.get(4)
    if r4:
        top = max(r4["counts"])
        ok = ("%d layers" % top) in r4["mount"] and ("%d layers" % top) in r4["walk"]
        out.append(("%d layers mount and run" % top, "yes" if ok else "no",
                    "met" if ok else "NOT met"))
    r5 = res.get(5)
    if r5:
        for case in ("ours, plain", "ours, %d layers" % r5["layers"]):
            st = r5["rss"].get(case)
            if st:
                out.append(("peak RSS < 4 MiB: %s" % case, "%.0f KiB (max of %d runs)"
                            % (st["max"], st["n"]), "met" if st["max"] < 4096 else "NOT met"))
    r6 = res.get(6)
    if r6 and "skipped" in r6:
        out.append(("setuid start cost, setuid/plain (reported)", "skipped", "—"))
    elif r6:
        w = r6["wall"]
        out.append(("setuid start cost, setuid/plain (reported)",
                    ", ".join("%s %.2f" % (b.split()[0] + "/" + a.split()[0],
                                           ratio(w[b]["median"], w[a]["median"]))
                              for _, a, b in r6["pairs"]), "—"))
    return out


# ----------------------------------------------------------------- sections


def section1(doc, r):
    rows = []
    plain = r["plain"]
    for case, st in plain.items():
        rows.append((case, ms(st["median"]), rng_ms(st), st["n"],
                     "%.2f" % ratio(st["median"], plain["floor"]["median"])))
    doc.table(("command", "median ms", "min–max ms", "runs", "÷ floor"), rows)
    if "reference" in plain:
        doc.p("ours/reference = **%.2f**, ours/floor = **%.2f**, reference/floor = %.2f."
              % (ratio(plain["ours"]["median"], plain["reference"]["median"]),
                 ratio(plain["ours"]["median"], plain["floor"]["median"]),
                 ratio(plain["reference"]["median"], plain["floor"]["median"])))
        doc.p()
    doc.p("Start with one overlay (our bwrap only; the tree is on the scratch ext4):")
    doc.p()
    rows = [(case, ms(st["median"]), rng_ms(st), "%.2f–%.2f" % (st["q1"] * 1e3, st["q3"] * 1e3),
             st["n"]) for case, st in r["overlay"].items()]
    doc.table(("sandbox", "median ms", "min–max ms", "IQR ms", "runs"), rows)


def section2(doc, r):
    w, i = r["workload"], r["input"]
    doc.p("Input tree (src/): %d small files, %d × 1 MiB, a C program with 20 headers. "
          "Workload: create %d small files, write %d × 1 MiB, readdir+stat+read everything "
          "(input and output), delete half the outputs, compile the program %d times. "
          "Seconds, median of the rounds (min–max); total = staging + run."
          % (i["small"], i["medium"], w["small"], w["medium_mb"], w["compiles"]))
    doc.p()
    data = r["data"]
    base = data["a"]["total"]["median"]
    rows = []
    for mode, label in r["modes"]:
        d = data[mode]
        rows.append(("(%s) %s" % (mode, label), sec(d["stage"]["median"]),
                     sec(d["run"]["median"]), "**%s**" % sec(d["total"]["median"]),
                     rng_s(d["total"]), "**%.2f**" % ratio(d["total"]["median"], base),
                     sec(d["cleanup"]["median"])))
    doc.table(("mode", "staging s", "run s", "total s", "total min–max", "÷ (a)",
               "cleanup s"), rows)
    doc.p("Kernel-only rows (`-k`) run the same workload under a bare `unshare` with "
          "`mount -t overlay`; their ratios are to (a-k). Phases inside the workload "
          "(median seconds):")
    doc.p()
    phases = ["create_small", "write_medium", "read_back", "delete_half", "compile"]
    rows = [["(%s)" % m] + [sec(data[m]["phase_" + p]["median"]) if "phase_" + p in data[m]
                            else "—" for p in phases] for m, _ in r["modes"]]
    doc.table(["mode"] + phases, rows)


def section3(doc, r):
    doc.p("Milliseconds, median (min–max). cp: wall time of `cp`; squashfuse: until the "
          "mount is visible; overlay: mkdir upper+work and mount(2) over the squashfuse "
          "mount of the same tree, timed inside a private mount namespace. Cleanup: "
          "`rm -rf`, unmount, umount2 + rm of upper/work.")
    doc.p()
    methods = ["cp -a", "cp -al", "squashfuse mount", "overlay mount"]
    for metric in ("stage", "cleanup"):
        rows = []
        for n, d in r.items():
            rows.append(["%d files" % n] + ["%s (%s)" % (ms(d[m][metric]["median"]),
                                                         rng_ms(d[m][metric])) for m in methods])
        doc.p("**%s**" % ("Staging" if metric == "stage" else "Cleanup"))
        doc.p()
        doc.table(["input"] + methods, rows)


def section4(doc, r):
    plain = r["mount"]["plain"]["median"]
    doc.p("Layers live at `$SCRATCH/cas/<64 hex>/root` (a library, a tool, a header, docs "
          "and a shared file each); mounted with `--tmp-overlay` (one layer cannot be a "
          "read-only overlay). Cold = the first walk on the fresh mount (lower ext4 caches "
          "are warm); flat = the same files in one directory, bound with `--ro-bind`.")
    doc.p()
    rows = [("plain start", ms(plain), rng_ms(r["mount"]["plain"]), "—", "—", "—", "—", "—")]
    for n in r["counts"]:
        k = "%d layers" % n
        m, w, f = r["mount"][k], r["walk"][k], r["walk"]["flat %d" % n]
        rows.append((k, ms(m["median"]), rng_ms(m), ms(m["median"] - plain),
                     "%d" % w["entries"]["median"], ms(w["cold"]["median"]),
                     ms(w["warm"]["median"]), ms(f["cold"]["median"])))
    doc.table(("sandbox", "start ms", "min–max ms", "mount cost ms", "entries",
               "cold walk ms", "warm walk ms", "flat cold walk ms"), rows)


def section5(doc, r):
    rows = [(case, "%.0f" % st["median"], "%.0f–%.0f" % (st["min"], st["max"]), st["n"])
            for case, st in r["rss"].items()]
    doc.p("`/usr/bin/time -f %M`: the largest RSS of any process of the command "
          "(bwrap, its children before exec, the sandboxed `true`).")
    doc.p()
    doc.table(("command", "max RSS KiB (median)", "min–max", "runs"), rows)


def section6(doc, r):
    if "skipped" in r:
        doc.p("Skipped: %s." % r["skipped"])
        doc.p()
        return
    w, counts, floor = r["wall"], r["counts"], r["floor"]
    doc.p("Run as the unprivileged user `%s` through `setpriv --reuid --regid --init-groups "
          "--reset-env`, all cases interleaved: the same bwrap binary installed twice in one "
          "root-owned directory, once setuid root (setuid mode, privsep.h) and once plain "
          "(the user's own user namespace). Every case pays for setpriv, shown as the floor. "
          "Processes and privop round trips (requests to the privileged peer) come from one "
          "more run of each case under strace, outside the timings. Milliseconds."
          % r["user"])
    doc.p()

    def cnt(key, metric):
        return str(counts[key][metric]) if key in counts else "—"

    def rows_for(keys):
        rows = []
        for key, kind, args in keys:
            st = w[key]
            label = ("(%s) %s `bwrap %s`" % (key[0], kind, args) if kind
                     else "`setpriv … true` (floor)")
            rows.append((label, ms(st["mean"]), "**%s**" % ms(st["median"]), ms(st["stdev"]),
                         rng_ms(st), st["n"], cnt(key, "processes"),
                         cnt(key, "privop_round_trips")))
        return rows

    head = ("case", "mean", "median", "stddev", "min–max", "runs", "processes",
            "privop round trips")
    main = [c for c in r["cases"] if c[0][0] in "abcd"]
    extra = [c for c in r["cases"] if c[0][0] not in "abcd"]
    doc.table(head, rows_for(main + [(floor, "", "")]))
    f = w[floor]["median"]
    rows = []
    for label, a, b in r["pairs"]:
        rows.append(("`%s`" % label, "**%.2f**" % ratio(w[b]["median"], w[a]["median"]),
                     "%.2f" % ratio(w[b]["mean"], w[a]["mean"]),
                     "%+.2f" % ((w[b]["median"] - w[a]["median"]) * 1e3),
                     "%.2f" % ratio(w[b]["median"] - f, w[a]["median"] - f)))
    doc.table(("sandbox", "setuid/plain (medians)", "setuid/plain (means)",
               "setuid − plain, ms (medians)", "setuid/plain, floor subtracted"), rows)

    doc.p("**Where the extra time goes.** A plain start is bwrap cloning the sandbox into its "
          "own user namespace, which mounts directly. A setuid start adds: the exec of a "
          "setuid binary (secure mode in the kernel and ld.so); the fork of the privileged "
          "helper, before parsing; one clone request to the helper over a socketpair (with "
          "the monitor's pipes as fds), its reply, and the helper's exit; the helper writing "
          "the id maps of the root-owned namespaces from outside; the fork of the privileged "
          "peer (privop.h) by the new sandbox process, which then drops every privilege, "
          "reads the command line handed on by the monitor and parses it again; one "
          "request/reply round trip to the peer per privileged setup step (the setup root, "
          "each bind or new file system, the loopback, the final pivot); and the wait for "
          "the peer's exit before the command starts. The cases below only break this "
          "down: (e)/(f) exec the binary and stop (`--version` is answered before the helper "
          "is forked); (g)/(h) are (a)/(b) with %d more `--ro-bind` mounts, one more round "
          "trip each in setuid mode." % r["extra_binds"])
    doc.p()
    doc.table(head, rows_for(extra))

    def med(key):
        return w[key]["median"]

    def trips(key, default):
        return counts[key]["privop_round_trips"] if key in counts else default

    d_min = med("b setuid ro-bind") - med("a plain ro-bind")
    d_all = med("d setuid unshare-all") - med("c plain unshare-all")
    d_exec = med("f setuid version") - med("e plain version")
    d_binds = med("h setuid binds") - med("g plain binds")
    rt_b = trips("b setuid ro-bind", 3)
    rt_d = trips("d setuid unshare-all", 13)
    more = trips("h setuid binds", rt_b + r["extra_binds"]) - rt_b
    per = (d_binds - d_min) / more if more else float("nan")
    fixed = d_min - d_exec - rt_b * per
    pred = d_min + (rt_d - rt_b) * per
    doc.p("From the medians (differences of medians, so expect a few tenths of a ms of "
          "noise on a busy machine):")
    doc.p()
    doc.table(("part of the setuid overhead", "ms", "from"), [
        ("exec of a setuid binary", ms(d_exec), "(f) − (e)"),
        ("each privop round trip, beyond the mount itself", "%.3f" % (per * 1e3),
         "((h) − (g) − ((b) − (a))) ÷ %d" % more),
        ("helper + peer: forks, clone request, id maps, re-parse, waits", ms(fixed),
         "(b) − (a) − exec − %d round trips" % rt_b),
        ("total, `--ro-bind / / true`", ms(d_min), "(b) − (a)"),
        ("total, `--dev --proc --unshare-all`: measured", ms(d_all), "(d) − (c)"),
        ("total, `--dev --proc --unshare-all`: fixed part + %d round trips" % rt_d, ms(pred),
         "(b) − (a) + %d × round trip" % (rt_d - rt_b)),
    ])


SECTIONS = {1: section1, 2: section2, 3: section3, 4: section4, 5: section5, 6: section6,
            7: split.section, 8: changes.section}


def markdown(env, ctx):
    doc = Doc()
    doc.p("# bwrap benchmarks (%s mode)" % ctx.args.profile)
    doc.p()
    doc.p("Produced by `bench/run%s`; see bench/README.md for how to read this. "
          "All compared commands ran interleaved in the same run; figures from different "
          "runs are not comparable." % (" --quick" if ctx.args.profile == "quick" else ""))
    doc.p()
    doc.p("## Machine")
    doc.p()
    doc.table(("", ""), [(k, v) for k, v in env.items()])
    doc.p("## Targets (issue 7)")
    doc.p()
    doc.table(("target", "measured", "verdict"), targets(ctx.results))
    for num in sorted(ctx.results):
        doc.p("## " + TITLES[num])
        doc.p()
        SECTIONS[num](doc, ctx.results[num])
        if num == 2 and os.path.exists(os.path.join(ctx.out_dir, "build-modes.png")):
            doc.p("![build workload by mode](build-modes.png)")
            doc.p()
        if num == 3 and os.path.exists(os.path.join(ctx.out_dir, "staging-size.png")):
            doc.p("![staging cost against input size](staging-size.png)")
            doc.p()
    doc.p("## Exact commands")
    doc.p()
    doc.p("`$OURS` our bwrap, `$REF` the reference, `$TMP` the run's temporary directory, "
          "`$SCRATCH` the scratch ext4, `$CAS` = `$SCRATCH/cas`, `$SUID_DIR` the root-owned "
          "directory with measurement 6's setuid and plain copies of `$OURS`; all runs "
          "pinned to CPU %s (the FUSE daemons too)." % env["pinned_cpu"])
    doc.p()
    for num in sorted(ctx.commands):
        doc.p("Measurement %s:" % num)
        doc.p()
        doc.p("```")
        for label, cmd in ctx.commands[num]:
            doc.p("# %s" % label)
            doc.p(cmd)
        doc.p("```")
        doc.p()
    return "\n".join(doc.lines)


# ----------------------------------------------------------------- charts


def charts(out, ctx):
    if not shutil.which("gnuplot"):
        bl.log("gnuplot not installed (apt-get install gnuplot-nox): no charts")
        return []
    made = []
    r2, r3 = ctx.results.get(2), ctx.results.get(3)
    if r2:
        with open(os.path.join(out, "build-modes.dat"), "w") as f:
            for mode, _ in r2["modes"]:
                d = r2["data"][mode]
                f.write('"(%s)" %f %f\n' % (mode, d["stage"]["median"], d["run"]["median"]))
        script = """set terminal pngcairo size 900,480
set output 'build-modes.png'
set title 'Build workload by mode (median seconds; staging + run in the sandbox)'
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.7
set ylabel 'seconds'
set yrange [0:*]
set key below horizontal
plot 'build-modes.dat' using 2:xtic(1) title 'staging', '' using 3 title 'build in sandbox'
"""
        made += _gnuplot(out, "build-modes", script)
    if r3:
        methods = ["cp -a", "cp -al", "squashfuse mount", "overlay mount"]
        with open(os.path.join(out, "staging-size.dat"), "w") as f:
            for n, d in r3.items():
                f.write("%d %s\n" % (n, " ".join("%f" % (d[m]["stage"]["median"] * 1e3)
                                                 for m in methods)))
        plots = ", ".join("'staging-size.dat' using 1:%d with linespoints title '%s'"
                          % (i + 2, m) for i, m in enumerate(methods))
        script = """set terminal pngcairo size 900,480
set output 'staging-size.png'
set title 'Staging cost against input size (median)'
set logscale xy
set xlabel 'files in the input tree'
set ylabel 'milliseconds'
set key top left
plot %s
""" % plots
        made += _gnuplot(out, "staging-size", script)
    return made


def _gnuplot(out, name, script):
    path = os.path.join(out, name + ".gp")
    with open(path, "w") as f:
        f.write(script)
    p = subprocess.run(["gnuplot", name + ".gp"], cwd=out, capture_output=True, text=True)
    if p.returncode != 0:
        bl.log("gnuplot %s failed: %s" % (name, p.stderr.strip()))
        return []
    return [name + ".png"]


# ----------------------------------------------------------------- files


def write_all(out, env, ctx):
    ctx.out_dir = out
    files = charts(out, ctx)
    with open(os.path.join(out, "samples.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(("measurement", "case", "round", "metric", "value"))
        for row in ctx.samples:
            w.writerow(row)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"environment": env, "profile": ctx.args.profile,
                   "parameters": ctx.prof, "results": ctx.results,
                   "commands": ctx.commands, "samples": ctx.samples}, f, indent=1)
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(markdown(env, ctx))
    return [os.path.join(out, x) for x in ["report.md", "samples.csv", "results.json"] + files]
