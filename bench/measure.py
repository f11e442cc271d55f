# SPDX-License-Identifier: LGPL-2.0-or-later
"""The six measurements of bench/run (issue 7; 6 prices setuid mode). Each
function fills ctx.results[n] with summaries for the report and ctx.samples
with every raw figure. Runs in the (CPU-pinned) driver; every mount it makes is
either inside a sandbox/unshare or registered with ctx.cleanup."""

import os
import pwd
import random
import re
import shlex
import shutil
import stat
import subprocess
import tempfile

import benchlib as bl

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOAD = os.path.join(HERE, "workload.py")
PROBE = os.path.join(HERE, "probe.py")
BASE = ["--unshare-all", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]


class Context:
    def __init__(self, args, prof, tmp, scratch, cleanup):
        self.args = args
        self.prof = prof
        self.tmp = tmp
        self.scratch = scratch
        self.cleanup = cleanup
        self.runner = bl.Runner()
        self.is_root = os.geteuid() == 0
        self.ours = args.bwrap
        self.ref = args.reference
        self.results = {}
        self.samples = []
        self.commands = {}
        # An empty directory that exists on the host, so that the read-only
        # root the sandboxes get already has the mount point.
        self.dest = os.path.join(tmp, "dest")
        os.mkdir(self.dest)
        self._trees = {}
        self._images = {}
        self._layers = None
        # Measurement 6: the directory holding the setuid and plain copies.
        self.suid_dir = None

    def unshare(self):
        """A bare private mount namespace, the kernel-only comparison."""
        return ["unshare", "-m"] if self.is_root else ["unshare", "-Urm"]

    def record(self, num, data):
        for case, metrics in data.items():
            for metric, values in metrics.items():
                for i, v in enumerate(values):
                    self.samples.append((num, case, i, metric, v))

    def show(self, num, label, argv):
        """Keep one exact command per case for the report, with the
        temporary paths named and long lists of store layers folded."""
        # No scratch file system when only measurement 6 runs.
        cas = os.path.join(self.scratch, "cas") + "/" if self.scratch else None
        text, i, folded = [], 0, 0
        while i <= len(argv):
            if (cas and i + 1 < len(argv) and argv[i] == "--overlay-src"
                    and argv[i + 1].startswith(cas)):
                folded += 1
                i += 2
                continue
            if folded:
                text.append("--overlay-src $CAS/<64 hex>/root" +
                            (" (x%d)" % folded if folded > 1 else ""))
                folded = 0
            if i < len(argv):
                text.append(shlex.quote(argv[i]))
            i += 1
        s = " ".join(text)
        if self.suid_dir:
            s = s.replace(self.suid_dir, "$SUID_DIR")
        if self.scratch:
            s = s.replace(self.scratch, "$SCRATCH")
        s = s.replace(self.tmp, "$TMP")
        s = s.replace(self.ours, "$OURS").replace(HERE, "bench")
        if self.ref:
            s = s.replace(self.ref + " ", "$REF ")
        self.commands.setdefault(num, []).append((label, s))

    # ----------------------------------------------------- shared fixtures

    def tree(self, n):
        if n not in self._trees:
            path = os.path.join(self.scratch, "trees", "t%d" % n)
            bl.log("  making a %d-file tree" % n)
            bl.make_tree(path, n)
            self._trees[n] = path
        return self._trees[n]

    def image(self, n):
        if n not in self._images:
            img = os.path.join(self.scratch, "trees", "t%d.sqfs" % n)
            bl.mksquashfs(self.tree(n), img)
            self._images[n] = img
        return self._images[n]

    def fuse_mount(self, argv, mnt):
        os.makedirs(mnt, exist_ok=True)
        self.runner.run(argv)
        bl.wait_mounted(mnt)
        self.cleanup.push("unmount " + mnt, lambda: bl.unmount(mnt, fuse=True))

    def layers(self):
        if self._layers is None:
            bl.log("  making %d layers" % max(self.prof["layer_counts"]))
            self._layers = bl.make_layers(os.path.join(self.scratch, "cas"),
                                          max(self.prof["layer_counts"]))
        return self._layers

    def layer_args(self, n):
        """--overlay-src is bottom-first: layer 0 at the bottom."""
        out = []
        for path in self.layers()[:n]:
            out += ["--overlay-src", path]
        return out


def wall(ctx):
    return lambda _name, argv: {"wall": ctx.runner.run(argv)[0]}


def summaries(data, metric):
    return {case: bl.summarize(m[metric]) for case, m in data.items() if metric in m}


# ----------------------------------------------------------- measurement 1


def start_latency(ctx):
    """start latency: ours vs reference vs the unshare floor; overlay start vs tree size"""
    p = ctx.prof
    cases = {"ours": [ctx.ours] + BASE + ["true"]}
    if ctx.ref:
        cases["reference"] = [ctx.ref] + BASE + ["true"]
    cases["floor"] = ["unshare", "-Urmpinuf", "--mount-proc", "true"]
    for k, v in cases.items():
        ctx.show(1, k, v)
    data = bl.interleave(cases, p["start_rounds"], wall(ctx), warmup=3)
    ctx.record(1, data)

    small, big = p["overlay_start_trees"]
    ocases = {
        "ro-bind %d files" % big:
            [ctx.ours] + BASE + ["--ro-bind", ctx.tree(big), ctx.dest, "true"],
        "tmp-overlay %d files" % small:
            [ctx.ours] + BASE + ["--overlay-src", ctx.tree(small), "--tmp-overlay", ctx.dest, "true"],
        "tmp-overlay %d files" % big:
            [ctx.ours] + BASE + ["--overlay-src", ctx.tree(big), "--tmp-overlay", ctx.dest, "true"],
    }
    for k, v in ocases.items():
        ctx.show(1, k, v)
    odata = bl.interleave(ocases, p["start_rounds"] // 2, wall(ctx), warmup=2)
    ctx.record("1b", odata)
    ctx.results[1] = {"plain": summaries(data, "wall"), "overlay": summaries(odata, "wall"),
                      "overlay_sizes": (small, big)}


# ----------------------------------------------------------- measurement 2


MODES = [
    ("a", "native ext4, --bind (the limit)"),
    ("b", "FUSE passthrough (bindfs), --bind"),
    ("c", "--overlay: squashfuse lower, ext4 upper"),
    ("d", "--tmp-overlay: squashfuse lower"),
    ("e", "hardlink staging (cp -al), then (a)"),
    ("f", "copy staging (cp -a), then (a)"),
    ("a-k", "kernel only: unshare -m, native ext4"),
    ("c-k", "kernel only: unshare -m + mount -t overlay, ext4 upper"),
    ("d-k", "kernel only: unshare -m + tmpfs + mount -t overlay"),
]


class BuildModes:
    """The fixtures and one run of the build workload in each mode."""

    def __init__(self, ctx):
        self.ctx = ctx
        s = ctx.scratch
        self.input = os.path.join(s, "input")          # input/src: the store copy
        bl.log("  making the input tree")
        bl.make_input_tree(os.path.join(self.input, "src"), ctx.prof["input"]["small"],
                           ctx.prof["input"]["medium"])
        img = os.path.join(s, "input.sqfs")
        bl.mksquashfs(self.input, img)
        self.lower = os.path.join(ctx.tmp, "mnt-squashfuse")
        ctx.fuse_mount(["squashfuse", img, self.lower], self.lower)
        self.native = os.path.join(s, "a")
        self.fuse_back = os.path.join(s, "b")
        for d in (self.native, self.fuse_back):
            ctx.runner.run(["cp", "-a", self.input + "/.", d])
        self.fuse = os.path.join(ctx.tmp, "mnt-bindfs")
        # Without allow_other: unprivileged users may not set it by default,
        # and only our own processes use the mount.
        ctx.fuse_mount(["bindfs", "--no-allow-other", self.fuse_back, self.fuse], self.fuse)
        self.upper = os.path.join(s, "c-upper")
        self.work = os.path.join(s, "c-work")
        self.staged = os.path.join(s, "staged")
        self.ktmp = os.path.join(ctx.tmp, "ktmp")
        os.mkdir(self.ktmp)

    def workload_args(self, where, tiny):
        w = self.ctx.prof["workload"]
        if tiny:
            w = {"small": 200, "medium_mb": 2, "compiles": 1}
        return ["python3", WORKLOAD, where, "--small", str(w["small"]),
                "--medium-mb", str(w["medium_mb"]), "--compiles", str(w["compiles"])]

    def argv(self, mode, tiny=False):
        ctx, dest = self.ctx, self.ctx.dest
        sandbox = [ctx.ours] + BASE
        wl = self.workload_args(dest, tiny)
        ov = "lowerdir=%s,upperdir=%s,workdir=%s" % (self.lower, self.upper, self.work)
        if not ctx.is_root:
            ov += ",userxattr"
        if mode == "a":
            return sandbox + ["--bind", self.native, dest] + wl
        if mode == "b":
            return sandbox + ["--bind", self.fuse, dest] + wl
        if mode == "c":
            return sandbox + ["--overlay-src", self.lower,
                              "--overlay", self.upper, self.work, dest] + wl
        if mode == "d":
            return sandbox + ["--overlay-src", self.lower, "--tmp-overlay", dest] + wl
        if mode in ("e", "f"):
            return sandbox + ["--bind", self.staged, dest] + wl
        if mode == "a-k":
            return ctx.unshare() + self.workload_args(self.native, tiny)
        if mode == "c-k":
            return ctx.unshare() + ["sh", "-c", 'mount -t overlay overlay -o "$1" "$2" && '
                                    'shift 2 && exec "$@"', "sh", ov, dest] + wl
        if mode == "d-k":
            kov = "lowerdir=%s,upperdir=%s/u,workdir=%s/w" % (self.lower, self.ktmp, self.ktmp)
            if not ctx.is_root:
                kov += ",userxattr"
            return ctx.unshare() + ["sh", "-c", 'mount -t tmpfs tmpfs "$1" && mkdir "$1/u" "$1/w" '
                                    '&& mount -t overlay overlay -o "$2" "$3" && shift 3 && '
                                    'exec "$@"', "sh", self.ktmp, kov, dest] + wl
        raise ValueError(mode)

    def run(self, mode, tiny=False):
        r = self.ctx.runner
        stage = 0.0
        if mode in ("c", "c-k"):
            os.mkdir(self.upper)
            os.mkdir(self.work)
        if mode in ("e", "f"):
            stage, _ = r.run(["cp", "-al" if mode == "e" else "-a", self.input, self.staged])
        secs, phases = r.run_json(self.argv(mode, tiny))
        if mode in ("a", "a-k"):
            clean, _ = r.run(["rm", "-rf", os.path.join(self.native, "out")])
        elif mode == "b":
            clean, _ = r.run(["rm", "-rf", os.path.join(self.fuse_back, "out")])
        elif mode in ("c", "c-k"):
            clean, _ = r.run(["rm", "-rf", self.upper, self.work])
        elif mode in ("e", "f"):
            clean, _ = r.run(["rm", "-rf", self.staged])
        else:
            clean = 0.0
        # Write back this run's dirty pages now, outside any timing, instead
        # of during the next run.
        os.sync()
        res = {"stage": stage, "run": secs, "total": stage + secs, "cleanup": clean}
        for k, v in phases.items():
            if isinstance(v, float):
                res["phase_" + k] = v
        return res


def build_workload(ctx):
    """build workload in modes (a)-(f) plus kernel-only overlay baselines"""
    bm = BuildModes(ctx)
    for mode, _ in MODES:
        ctx.show(2, mode, bm.argv(mode))
    if not ctx.args.quick:
        bl.log("  warm-up pass (small workload, every mode)")
        for mode, _ in MODES:
            bm.run(mode, tiny=True)
    cases = {m: m for m, _ in MODES}
    data = bl.interleave(cases, ctx.prof["build_rounds"], lambda n, _m: bm.run(n), warmup=0)
    ctx.record(2, data)
    ctx.results[2] = {"modes": MODES, "data": {m: {k: bl.summarize(v) for k, v in d.items()}
                                               for m, d in data.items()},
                      "workload": ctx.prof["workload"], "input": ctx.prof["input"]}


# ----------------------------------------------------------- measurement 3


def staging(ctx):
    """staging and cleanup cost against input size"""
    r = ctx.runner
    dst = os.path.join(ctx.scratch, "stage")
    sqmnt = os.path.join(ctx.tmp, "mnt-stage")
    os.makedirs(sqmnt)
    out = {}
    for n in ctx.prof["staging_sizes"]:
        tree, img = ctx.tree(n), ctx.image(n)
        lower = os.path.join(ctx.tmp, "mnt-lower-%d" % n)
        ctx.fuse_mount(["squashfuse", img, lower], lower)
        ovdir = os.path.join(ctx.scratch, "ov-%d" % n)
        os.makedirs(ovdir)
        probe = ctx.unshare() + ["python3", PROBE, "overlay-mount", lower, ovdir]
        if not ctx.is_root:
            probe.append("userxattr")

        def one(name, _spec, tree=tree, img=img, probe=probe):
            # Start each case with no dirty pages left by the previous one:
            # the overlay unmount syncs the upper file system and would
            # otherwise pay for an earlier cp's write-back.
            os.sync()
            if name in ("cp -a", "cp -al"):
                t, _ = r.run(["cp", name.split()[1], tree, dst])
                c, _ = r.run(["rm", "-rf", dst])
                return {"stage": t, "cleanup": c}
            if name == "squashfuse mount":
                t, _ = r.run(["squashfuse", img, sqmnt])
                bl.wait_mounted(sqmnt)
                c, _ = r.run(bl.fuse_unmount_cmd(sqmnt))
                return {"stage": t, "cleanup": c}
            _, res = r.run_json(probe)
            return {"stage": res["mount"], "cleanup": res["cleanup"]}

        names = ["cp -a", "cp -al", "squashfuse mount", "overlay mount"]
        if n == ctx.prof["staging_sizes"][-1]:
            ctx.show(3, "cp -a", ["cp", "-a", tree, dst])
            ctx.show(3, "cp -al", ["cp", "-al", tree, dst])
            ctx.show(3, "squashfuse mount", ["squashfuse", img, sqmnt])
            ctx.show(3, "overlay mount (timed inside)", probe)
        big = n >= 100000
        data = bl.interleave({k: k for k in names},
                             ctx.prof["staging_rounds"] - (2 if big else 0), one,
                             warmup=0 if big or ctx.args.quick else 1)
        ctx.record("3/%d" % n, data)
        out[n] = {k: {m: bl.summarize(v) for m, v in d.items()} for k, d in data.items()}
        os.sync()
    ctx.results[3] = out


# ----------------------------------------------------------- measurement 4


def layers(ctx):
    """overlay layers: mount time and cold readdir/stat through 1..500 layers"""
    p = ctx.prof
    counts = p["layer_counts"]
    ctx.layers()
    plain = [ctx.ours] + BASE + ["true"]
    cases = {"plain": plain}
    for n in counts:
        cases["%d layers" % n] = ([ctx.ours] + BASE + ctx.layer_args(n) +
                                  ["--tmp-overlay", ctx.dest, "true"])
    ctx.show(4, "plain", plain)
    ctx.show(4, "%d layers" % counts[-1], cases["%d layers" % counts[-1]])
    mdata = bl.interleave(cases, p["layer_rounds"], wall(ctx), warmup=1)
    ctx.record("4/mount", mdata)

    wcases = {}
    for n in counts:
        flat = os.path.join(ctx.scratch, "flat", str(n))
        bl.make_flat(flat, n)
        walk = ["python3", PROBE, "walk", ctx.dest]
        wcases["%d layers" % n] = ([ctx.ours] + BASE + ctx.layer_args(n) +
                                   ["--tmp-overlay", ctx.dest] + walk)
        wcases["flat %d" % n] = [ctx.ours] + BASE + ["--ro-bind", flat, ctx.dest] + walk
    ctx.show(4, "walk, %d layers" % counts[-1], wcases["%d layers" % counts[-1]])
    ctx.show(4, "walk, flat %d" % counts[-1], wcases["flat %d" % counts[-1]])
    wdata = bl.interleave(wcases, p["walk_rounds"], lambda _n, argv: ctx.runner.run_json(argv)[1],
                          warmup=0 if ctx.args.quick else 1)
    ctx.record("4/walk", wdata)
    ctx.results[4] = {"counts": counts, "mount": summaries(mdata, "wall"),
                      "walk": {k: {m: bl.summarize(v) for m, v in d.items()}
                               for k, d in wdata.items()}}


# ----------------------------------------------------------- measurement 5


def peak_rss(ctx):
    """peak memory (max RSS) of bwrap, plain and with 500 layers"""
    rssfile = os.path.join(ctx.tmp, "rss")
    top = max(ctx.prof["layer_counts"])

    def timed(argv):
        return ["/usr/bin/time", "-f", "%M", "-o", rssfile] + argv

    cases = {"ours, plain": timed([ctx.ours] + BASE + ["true"]),
             "ours, %d layers" % top: timed([ctx.ours] + BASE + ctx.layer_args(top) +
                                            ["--tmp-overlay", ctx.dest, "true"])}
    if ctx.ref:
        cases["reference, plain"] = timed([ctx.ref] + BASE + ["true"])
    cases["true (no sandbox)"] = timed(["true"])
    for k, v in cases.items():
        ctx.show(5, k, v)

    def one(_name, argv):
        ctx.runner.run(argv)
        with open(rssfile) as f:
            return {"maxrss_kib": float(f.read().split()[-1])}

    data = bl.interleave(cases, ctx.prof["rss_rounds"], one, warmup=1)
    ctx.record(5, data)
    ctx.results[5] = {"rss": summaries(data, "maxrss_kib"), "layers": top}


# ----------------------------------------------------------- measurement 6


SETUID_USER = "bwrap-test"
# The user tests/integration/run-as-user.sh creates: one account for both.
SETUID_USERADD = ["useradd", "--system", "--user-group", "--create-home", "--shell",
                  "/bin/bash", "--comment", "bwrap integration tests", SETUID_USER]
MINIMAL = ["--ro-bind", "/", "/"]
FULL = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all"]
# Extra binds for the per-mount slope: each is one more privop round trip
# in setuid mode, one more mount in both.
SETUID_EXTRA_BINDS = 40
# (key, binary, bwrap arguments): a-d are the comparison; e-h only break
# the difference down (e/f: the exec of a setuid binary, which --version
# answers before the helper is forked; g/h: the cost of each mount).
SETUID_CASES = [
    ("a plain ro-bind", "plain", MINIMAL + ["true"]),
    ("b setuid ro-bind", "setuid", MINIMAL + ["true"]),
    ("c plain unshare-all", "plain", FULL + ["true"]),
    ("d setuid unshare-all", "setuid", FULL + ["true"]),
    ("e plain version", "plain", ["--version"]),
    ("f setuid version", "setuid", ["--version"]),
    ("g plain binds", "plain", MINIMAL + ["--ro-bind", "/usr", "/usr"] * SETUID_EXTRA_BINDS
     + ["true"]),
    ("h setuid binds", "setuid", MINIMAL + ["--ro-bind", "/usr", "/usr"] * SETUID_EXTRA_BINDS
     + ["true"]),
]
SETUID_FLOOR = "floor setpriv true"
# (label, plain case, setuid case): the two comparisons the report leads with.
SETUID_PAIRS = [("--ro-bind / / true", "a plain ro-bind", "b setuid ro-bind"),
                ("--ro-bind / / --dev /dev --proc /proc --unshare-all true",
                 "c plain unshare-all", "d setuid unshare-all")]


class Skip(Exception):
    """Measurement 6 cannot run on this machine; the reason is reported."""


def _nosuid(path):
    p = subprocess.run(["findmnt", "-n", "-o", "OPTIONS", "-T", path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise Skip("findmnt -T %s failed: %s" % (path, p.stderr.strip()))
    return "nosuid" in p.stdout.strip().split(",")


def _setuid_user(ctx):
    try:
        return pwd.getpwnam(SETUID_USER)
    except KeyError:
        pass
    bl.log("  creating the system user %s (as tests/integration/run-as-user.sh does)"
           % SETUID_USER)
    p = subprocess.run(SETUID_USERADD, capture_output=True, text=True)
    if p.returncode != 0:
        raise Skip("could not create the user %s: %s" % (SETUID_USER, p.stderr.strip()))
    return pwd.getpwnam(SETUID_USER)


def _install_copies(ctx):
    """A fresh root-owned 0755 directory on a file system that honours the
    setuid bit, with a setuid-root copy of our bwrap and a plain one. Only
    root can write there, so the user cannot swap either binary."""
    for parent in ("/var/tmp", "/tmp"):
        if os.path.isdir(parent) and not _nosuid(parent):
            break
    else:
        raise Skip("/var/tmp and /tmp are both on nosuid file systems")
    d = tempfile.mkdtemp(prefix="bwrap-bench-suid.", dir=parent)
    ctx.cleanup.push("remove " + d, lambda: bl.rmtree(d))
    os.chown(d, 0, 0)
    os.chmod(d, 0o755)
    copies = {"setuid": os.path.join(d, "bwrap-setuid"), "plain": os.path.join(d, "bwrap-plain")}
    for kind, path in copies.items():
        shutil.copyfile(ctx.ours, path)
        os.chown(path, 0, 0)          # before chmod: chown clears the setuid bit
        os.chmod(path, 0o4755 if kind == "setuid" else 0o755)
    st = os.stat(copies["setuid"])
    if (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) != (0o4755, 0, 0) or _nosuid(d):
        raise bl.BenchError("%s is not setuid root (mode %o, uid %d)"
                            % (copies["setuid"], stat.S_IMODE(st.st_mode), st.st_uid))
    ctx.suid_dir = d
    return copies


def _trace_counts(ctx, argv, user):
    """Run argv once under strace (outside any timing) and count the
    processes, the helper's clone requests and the privop round trips.
    strace runs as root and starts the command as the user (-u), so the
    setuid bit still takes effect under tracing. None without strace."""
    if not shutil.which("strace"):
        return None
    log = os.path.join(ctx.tmp, "setuid-trace")
    env = ["env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + user.pw_dir]
    # -q, not -qq: the "+++ exited" line names every process, also those
    # that make none of the traced calls (the command itself).
    p = subprocess.run(["strace", "-f", "-q", "-s", "8", "-o", log, "-u", SETUID_USER,
                        "-e", "trace=sendmsg,clone,clone3,fork,vfork"] + env + argv,
                       capture_output=True, text=True, cwd="/")
    if p.returncode != 0:
        bl.log("  strace of %s failed (status %d): no process/round-trip counts: %s"
               % (" ".join(argv), p.returncode, p.stderr.strip()[-300:]))
        return None
    pids, privop, privsep = set(), 0, 0
    with open(log) as f:
        for line in f:
            m = re.match(r"(\d+)\s+(.*)", line)
            if not m:
                continue
            pids.add(m.group(1))
            call = m.group(2)
            # Entry lines only ("<... sendmsg resumed>" repeats the call).
            if call.startswith("sendmsg("):
                if 'iov_base="opvp' in call:      # PRIVOP_MAGIC, request or reply
                    privop += 1
                elif 'iov_base="prwb' in call:    # PRIVSEP_MAGIC: the clone request
                    privsep += 1
    os.unlink(log)
    # Every privop request gets exactly one reply.
    return {"processes": len(pids), "clone_requests": privsep, "privop_round_trips": privop // 2}


def setuid_start(ctx):
    """setuid start latency: setuid-root vs plain copy of our bwrap, run as a user"""
    try:
        _setuid_start(ctx)
    except Skip as e:
        bl.log("measurement 6 skipped: %s" % e)
        ctx.results[6] = {"skipped": str(e)}


def _setuid_start(ctx):
    if not ctx.is_root:
        raise Skip("not root: installing a setuid-root copy of bwrap needs root "
                   "(run bench/run as root; --only 1,2,3,4,5 leaves it out)")
    for tool in ("setpriv", "findmnt", "useradd"):
        if not shutil.which(tool):
            raise Skip("%s not found (Debian: util-linux, passwd)" % tool)
    user = _setuid_user(ctx)
    copies = _install_copies(ctx)
    as_user = ["setpriv", "--reuid=%d" % user.pw_uid, "--regid=%d" % user.pw_gid,
               "--init-groups", "--reset-env"]
    cases = {key: as_user + [copies[kind]] + args for key, kind, args in SETUID_CASES}
    # What setpriv itself costs: every case above pays it.
    cases[SETUID_FLOOR] = as_user + ["true"]
    for k, v in cases.items():
        ctx.show(6, k, v)
    ctx.commands[6] = [(k, _fold(c.split(" "))) for k, c in ctx.commands[6]]

    # The user may not be able to enter the driver's directory (a checkout
    # below /root); bwrap would then start elsewhere. Run from /.
    cwd = os.getcwd()
    os.chdir("/")
    try:
        for k, v in cases.items():
            try:
                ctx.runner.run(v)
            except bl.BenchError as e:
                raise Skip("%s failed as %s: %s" % (k, SETUID_USER, e)) from e
        counts = {}
        for key, kind, args in SETUID_CASES:
            c = _trace_counts(ctx, [copies[kind]] + args, user)
            if c is None:
                continue
            # A copy on a file system that ignores the setuid bit would
            # silently measure plain mode twice.
            if (c["clone_requests"] > 0) != (kind == "setuid" and "--version" not in args):
                raise bl.BenchError("%s: %d clone requests to the privileged helper: the %s "
                                    "copy did not run in %s mode" % (key, c["clone_requests"],
                                                                     kind, kind))
            counts[key] = c
        # A random order each round (seeded: the same in every run): the
        # cases differ a lot in what they leave the kernel to tear down
        # (d: five processes, network and pid namespaces), and in measurement
        # 1's rotation each case would always follow the same one.
        data = bl.interleave(cases, ctx.prof["start_rounds"], wall(ctx), warmup=3,
                             shuffle=random.Random(6))
    finally:
        os.chdir(cwd)
    ctx.record(6, data)
    for key, c in counts.items():
        ctx.record(6, {key: {m: [v] for m, v in c.items()}})
    ctx.results[6] = {"wall": summaries(data, "wall"), "counts": counts,
                      "cases": [(key, kind, _fold(args)) for key, kind, args in SETUID_CASES],
                      "floor": SETUID_FLOOR, "pairs": SETUID_PAIRS, "user": SETUID_USER,
                      "extra_binds": SETUID_EXTRA_BINDS}


def _fold(args):
    """The arguments as text, the repeated extra binds folded."""
    text = " ".join(args)
    bind = " ".join(["--ro-bind", "/usr", "/usr"] * SETUID_EXTRA_BINDS)
    return text.replace(bind, "--ro-bind /usr /usr (x%d)" % SETUID_EXTRA_BINDS)
