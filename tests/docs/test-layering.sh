#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# The layering HACKING.md draws, checked on the sources:
#   - no file-level circle: drawing an edge A -> B when A.c names a
#     function B.c exports (a non-static definition), the graph of bwrap's
#     .c files at the top of the tree has no cycle;
#   - only the mount layer (mount.c, mount-overlay.c) and the path
#     resolver (resolve.c) ask kernel-api.c which interface works;
#   - no executor sends anything to the setuid peer itself: only the
#     mount layer's backends and process.c (which chooses one) name the
#     setuid client;
#   - the repository stands alone: no file cites notes kept outside it.
# Functions are found by the house style (GNU: the name at the start of
# its line, the return type on the line above), which the compiler flags
# and reviews keep.

. "$(dirname "$0")/lib.sh"

cd "$TOP_SRCDIR" || exit 1
out=$(python3 - <<'PY'
import glob, re, sys

files = sorted(glob.glob("*.c"))
text, defs = {}, {}
for f in files:
    t = open(f).read()
    t = re.sub(r"/\*.*?\*/", " ", t, flags=re.S)
    t = re.sub(r'"(\\.|[^"\\])*"', '""', t)
    text[f] = t
    lines = t.split("\n")
    for i in range(1, len(lines)):
        m = re.match(r"([a-z_][a-z0-9_]*) \(", lines[i])
        if m and "static" not in lines[i - 1] and lines[i - 1].strip() \
           and not lines[i - 1].rstrip().endswith((";", "}", ",")):
            defs.setdefault(m.group(1), f)
edges = {f: set() for f in files}
for f, t in text.items():
    for name in set(re.findall(r"\b[a-z_][a-z0-9_]*\b", t)):
        g = defs.get(name)
        if g is not None and g != f:
            edges[f].add(g)
# Tarjan's strongly connected components: any with two files is a circle.
index, low, stack, on, circles, n = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)
def visit(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in sorted(edges[v]):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            circles.append(" ".join(sorted(comp)))
for f in files:
    if f not in index:
        visit(f)
print("files %d" % len(files))
for c in circles:
    print("circle " + c)
for f, t in text.items():
    if f != "kernel-api.c" and re.search(r"\bkernel_api_(is_legacy|unavailable)\b", t) \
       and f not in ("mount.c", "mount-overlay.c", "resolve.c"):
        print("asks-kernel-api " + f)
    if re.search(r"\bsetuid_client_start\b", t) and f not in ("setuid-client.c", "process.c"):
        print("names-setuid-client " + f)
PY
)
n_files=$(sed -n 's/^files //p' <<< "$out")
if [ "${n_files:-0}" -gt 20 ]; then
  ok "read $n_files .c files"
else
  not_ok "read the .c files (got: ${n_files:-none})"
fi
if grep -q '^circle ' <<< "$out"; then
  not_ok "no two source files call each other: $(sed -n 's/^circle //p' <<< "$out" | tr '\n' ';')"
else
  ok "no two source files call each other, directly or round a longer circle"
fi
if grep -q '^asks-kernel-api ' <<< "$out"; then
  not_ok "only mount.c, mount-overlay.c and resolve.c ask kernel-api.c: $(sed -n 's/^asks-kernel-api //p' <<< "$out" | tr '\n' ' ')"
else
  ok "only mount.c, mount-overlay.c and resolve.c ask kernel-api.c which interface works"
fi
if grep -q '^names-setuid-client ' <<< "$out"; then
  not_ok "only process.c chooses the setuid client backend: $(sed -n 's/^names-setuid-client //p' <<< "$out" | tr '\n' ' ')"
else
  ok "only process.c chooses the setuid client backend"
fi

# Notes kept outside the repository (the project's shared background
# notes) must not be cited: a reader of the repository cannot follow them.
cited=$(git grep -n -I -E 'BWRAP-REFERENCE|DESIGN\.md|STYLE\.md|[Rr]eference [0-9]+\.[0-9]+|\(STYLE\b|\(DESIGN\b|\bSTYLE [0-9§]|\bDESIGN [0-9§]' \
          -- . ':!tests/docs/test-layering.sh' ':!bench/results' 2> /dev/null)
if [ -z "$cited" ]; then
  ok "no file cites notes kept outside the repository"
else
  not_ok "no file cites notes kept outside the repository"
  sed 's/^/# /' <<< "$cited"
fi

echo "1..$tap_n"
[ "$tap_failed" -eq 0 ]
