#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Overlays: --overlay-src, --overlay, --tmp-overlay, --ro-overlay, with
# squashfs images mounted by squashfuse (FUSE, read-only, mounted by the user
# running the test) as lower layers - the workflow they exist for - plus the
# extensions of issue 3: any bytes in layer paths, 500 layers with realistic
# store paths, paths past the 256-byte fsconfig and 4 KiB option limits,
# --size for --tmp-overlay, and one-line errors for every misuse with
# nothing changed on the host.  Misuse the parser alone catches (layers
# without an overlay, an overlay without layers, arity) is in the unit
# tests (tests/unit/test-options-errors.c); the misuse here needs the
# real paths.

. "$(dirname "$0")/lib.sh"

T=$TEST_TMP

# ------------------------------------------------------------ setuid mode

if is_setuid; then
  # Nothing overlay-related may run: each option is refused at parse time.
  for opt in "--overlay-src $T" "--overlay $T $T /m" "--tmp-overlay /m" "--ro-overlay /m"; do
    read -r -a words <<<"$opt"
    run_bwrap "${BASE[@]}" "${words[@]}" true
    assert_error 1 "bwrap: The ${words[0]} option is not permitted in setuid mode" "setuid: ${words[0]} refused"
  done
  # --size is refused too, also for a --tmp-overlay (test-fs.sh has the tmpfs).
  run_bwrap "${BASE[@]}" --size 4096 --tmp-overlay /m true
  assert_error 1 "bwrap: The --size option is not permitted in setuid mode" "setuid: --size refused"
  skip "overlays, their layers, sizes and misuse" "setuid mode refuses every overlay option"
  done_testing
  exit 0
fi

is_root || require have_overlay_userns
require have_squashfuse

# ------------------------------------------------------------ helpers

# Everything below $T (except lib.sh's own .files) and the mounts there:
# what must be identical before and after a refused command.  (Mounts
# elsewhere come and go with other tests running on the machine.)  Not
# below $T/mnt, the read-only FUSE images (bindfs's writable one shows
# its files in $T/e/bindfs-src), nor $T/var, the 500 store directories
# no refused case names: 2500 entries that made each case take a second.
host_mounts ()
{
  awk -v t="$T/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | LC_ALL=C sort
}
host_state ()
{
  find "$T" -mindepth 1 \( -path "$T/.*" -o -path "$T/mnt/*" -o -path "$T/var/*" \) -prune \
    -o -printf '%P|%y|%m|%s|%T@\n' 2>/dev/null |
    LC_ALL=C sort
  host_mounts
}

# Names, types, modes, owners, sizes, link targets and checksums of a tree.
tree_listing ()
{
  (
    cd "$1" || exit 1
    find . -printf '%p|%y|%m|%U|%G|%s|%l\n' | LC_ALL=C sort
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
  )
}

# One line per entry of an upper directory: "PATH KIND", KIND w for a
# whiteout (char device 0:0, or an empty file with user.overlay.whiteout),
# o for an opaque directory (user.overlay.opaque; bwrap always mounts with
# userxattr), d, f or l otherwise.
upper_list ()
{
  python3 - "$1" <<'EOF'
import os, stat, sys
root = sys.argv[1]
out = []
for d, dirs, files in os.walk(root):
    for n in dirs + files:
        p = os.path.join(d, n)
        st = os.lstat(p)
        x = [] if stat.S_ISLNK(st.st_mode) else os.listxattr(p)
        if (stat.S_ISCHR(st.st_mode) and st.st_rdev == 0) or 'user.overlay.whiteout' in x:
            kind = 'w'
        elif stat.S_ISDIR(st.st_mode):
            kind = 'o' if 'user.overlay.opaque' in x else 'd'
        elif stat.S_ISREG(st.st_mode):
            kind = 'f'
        elif stat.S_ISLNK(st.st_mode):
            kind = 'l'
        else:
            kind = '?'
        out.append(os.path.relpath(p, root) + ' ' + kind)
print('\n'.join(sorted(out)))
EOF
}

# refused EXPECTED DESC ARGS...: "$BWRAP" ARGS... exits 1 with exactly the
# one stderr line EXPECTED (an ERE with refused_match) and changes nothing
# below $T or in the host's mount table.  The state after one case is kept
# as the state before the next, unless something else ran in between
# (REFUSED_STATE= forgets it).
REFUSED_STATE=
_refused ()
{
  local how=$1 expected=$2 desc=$3 before after ok=0
  shift 3
  before=${REFUSED_STATE:-$(host_state)}
  run_bwrap "$@"
  after=$(host_state)
  REFUSED_STATE=$after
  _stderr_nlines
  if [ "$RUN_RC" = 1 ] && [ "$STDERR_NLINES" = 1 ]; then
    if [ "$how" = is ]; then
      [ "$RUN_ERR" = "$expected" ] && ok=1
    else
      [[ $RUN_ERR =~ ^($expected)$ ]] && ok=1
    fi
  fi
  if [ "$ok" = 1 ] && [ "$before" = "$after" ]; then
    pass "$desc"
  else
    fail "$desc" "expected exit status 1, exactly one stderr line: $expected," \
      "and the host unchanged"
    _run_diag
    [ "$before" = "$after" ] ||
      diag "host changed:" "$(diff <(echo "$before") <(echo "$after") | head -20)"
  fi
}
refused () { _refused is "$@"; }
refused_match () { _refused match "$@"; }

# The source tree of the build workflow.
make_src_tree ()
{
  mkdir -p "$1/include" "$1/olddir" "$1/sub" "$1/emptydir"
  cat >"$1/hello.c" <<'EOF'
#include <stdio.h>
#include "greet.h"
int main (void) { puts (GREETING); return 0; }
EOF
  echo '#define GREETING "hello from the lower layer"' >"$1/include/greet.h"
  echo "line 1" >"$1/notes.txt"
  echo old >"$1/old.txt"
  echo data >"$1/data.txt"
  echo x >"$1/olddir/x"
  echo y >"$1/olddir/y"
  echo deep >"$1/sub/deep.txt"
  printf '#!/bin/sh\necho script\n' >"$1/run.sh"
  chmod 0755 "$1/run.sh"
}

# What the sandbox does to /src: modify, create, delete (file and
# directory), rename, replace a directory, compile and run.
BUILD='set -e
cd /src
echo "line 2" >> notes.txt
sed -i "s/the lower layer/the overlay/" include/greet.h
echo new > new.txt
rm old.txt
rm -r olddir
mv data.txt renamed.txt
rm -r sub
mkdir sub
echo fresh > sub/fresh.txt
gcc -o hello hello.c -Iinclude
./hello'

# The upper directory after BUILD: exactly the changes.
BUILD_UPPER="data.txt w
hello f
include d
include/greet.h f
new.txt f
notes.txt f
old.txt w
olddir w
renamed.txt f
sub o
sub/fresh.txt f"

# A root for gcc: the host's /usr, /proc, /dev and a private /tmp.
W=("${BASE[@]}" --proc /proc --dev /dev --tmpfs /tmp)

# ------------------------------------------------------------ fixtures

make_src_tree "$T/srctree"
SRC=$T/mnt/src
squashfs_of "$T/srctree" "$SRC" || skip_all "cannot mount a squashfs image with squashfuse"
SRC_IMG=$(ls "$T"/srctree.*.sqfs)
SRC_IMG_SUM=$(sha256sum <"$SRC_IMG")
tree_listing "$SRC" >"$T/src.before"

# Three layers for ordering: f in all, shadow12 in 1 and 2, d/ merged.
for i in 1 2 3; do
  mkdir -p "$T/layer$i/d"
  echo "$i" >"$T/layer$i/f"
  echo "$i" >"$T/layer$i/d/x$i"
done
echo 1 >"$T/layer1/only1"
echo 1 >"$T/layer1/shadow12"
echo 2 >"$T/layer2/shadow12"
for i in 1 2 3; do
  squashfs_of "$T/layer$i" "$T/mnt/l$i" || skip_all "cannot mount a squashfs image with squashfuse"
done
L1=$T/mnt/l1 L2=$T/mnt/l2 L3=$T/mnt/l3

check "fixture: squashfuse mounts are FUSE" \
  test "$(stat -f -c %T "$SRC")" = fuseblk -o "$(stat -f -c %T "$SRC")" = fuse

# ------------------------------------------------------------ --overlay over FUSE: the workflow

mkdir "$T/up" "$T/wk"
run_bwrap "${W[@]}" --overlay-src "$SRC" --overlay "$T/up" "$T/wk" /src sh -c "$BUILD"
assert_rc 0 "--overlay: modify, create, delete, rename and compile on a FUSE lower"
assert_stdout_is "hello from the overlay" "--overlay: the program built from the modified tree runs"
tree_listing "$SRC" >"$T/src.after"
check "--overlay: the FUSE tree is byte-identical afterwards" diff -u "$T/src.before" "$T/src.after"
assert_eq "$SRC_IMG_SUM" "$(sha256sum <"$SRC_IMG")" "--overlay: the squashfs image is unchanged"
assert_eq "$BUILD_UPPER" "$(upper_list "$T/up")" \
  "--overlay: RWSRC holds exactly the changes (a whiteout per deletion, opaque replaced dir)"
assert_file_content "$T/up/notes.txt" "line 1
line 2" "--overlay: modified file copied up with the change"
assert_file_content "$T/up/renamed.txt" "data" "--overlay: renamed file lands in RWSRC"
assert_file_content "$T/up/sub/fresh.txt" "fresh" "--overlay: file in a replaced directory lands in RWSRC"
run "$T/up/hello"
assert_stdout_is "hello from the overlay" "--overlay: the binary compiled in the sandbox is in RWSRC and runs on the host"
assert_eq "work" "$(ls -A "$T/wk")" "--overlay: WORKDIR holds only overlayfs's work directory"

# The same RWSRC and WORKDIR again: the changes persist, overlayfs's
# leftovers in WORKDIR are accepted.
run_bwrap "${W[@]}" --overlay-src "$SRC" --overlay "$T/up" "$T/wk" /src \
  sh -c 'cd /src && ls && cat notes.txt && ./hello && echo more >> notes.txt'
assert_stdout_is "emptydir
hello
hello.c
include
new.txt
notes.txt
renamed.txt
run.sh
sub
line 1
line 2
hello from the overlay" "--overlay: a second run over the same RWSRC sees the first run's changes"
assert_file_content "$T/up/notes.txt" "line 1
line 2
more" "--overlay: the second run's writes land in RWSRC too"
tree_listing "$SRC" >"$T/src.after"
check "--overlay: the FUSE tree is still byte-identical" diff -u "$T/src.before" "$T/src.after"

if sandbox_mountinfo "${BASE[@]}" --proc /proc --overlay-src "$SRC" --overlay "$T/up" "$T/wk" /src; then
  assert_eq overlay "$(mount_field /src fstype)" "--overlay: DEST is an overlayfs mount"
  assert_eq overlay "$(mount_field /src source)" "--overlay: mount source is \"overlay\", as bubblewrap's"
  check "--overlay: mounted with userxattr" mount_has_superopt /src userxattr
  check "--overlay: mounted read-write" mount_has_opt /src rw
  # Beyond bubblewrap: like every other mount bwrap makes (only --dev-bind
  # keeps devices), the overlay is nosuid and nodev.
  check "--overlay: nosuid" mount_has_opt /src nosuid
  check "--overlay: nodev" mount_has_opt /src nodev
else
  fail "--overlay: mountinfo readable"
fi

# A previous run's RWSRC as a layer (layered builds): its whiteouts and
# opaque directory hide the lower layer's entries.
run_bwrap "${W[@]}" --overlay-src "$SRC" --overlay-src "$T/up" --ro-overlay /src \
  sh -c 'cd /src && ls -A . sub && ./hello'
assert_stdout_is ".:
emptydir
hello
hello.c
include
new.txt
notes.txt
renamed.txt
run.sh
sub

sub:
fresh.txt
hello from the overlay" "RWSRC as an upper layer: whiteouts and opaque dirs are honoured"

# ------------------------------------------------------------ --tmp-overlay

before=$(host_state)
run_bwrap "${W[@]}" --overlay-src "$SRC" --tmp-overlay /src sh -c "$BUILD"
assert_rc 0 "--tmp-overlay: modify, create, delete, rename and compile on a FUSE lower"
assert_stdout_is "hello from the overlay" "--tmp-overlay: the program built from the modified tree runs"
assert_eq "$before" "$(host_state)" "--tmp-overlay: nothing written anywhere below the test directory"
tree_listing "$SRC" >"$T/src.after"
check "--tmp-overlay: the FUSE tree is byte-identical afterwards" diff -u "$T/src.before" "$T/src.after"
run_bwrap "${W[@]}" --overlay-src "$SRC" --tmp-overlay /src sh -c 'cd /src && ls && cat notes.txt'
assert_stdout_is "data.txt
emptydir
hello.c
include
notes.txt
old.txt
olddir
run.sh
sub
line 1" "--tmp-overlay: the next run starts from the lower layer again"

# While the sandbox runs, neither the host nor the sandbox can reach the
# tmpfs holding the writes.
mkfifo "$T/fifo"
host_mounts_before=$(host_mounts)
"$BWRAP" "${BASE[@]}" --proc /proc --overlay-src "$SRC" --tmp-overlay /src --bind "$T/fifo" /fifo \
  sh -c 'echo secret > /src/secret-upper-file && cat /proc/self/mountinfo > /fifo && read -r x < /fifo' \
  >"$T/tmpov.out" 2>"$T/tmpov.err" &
tmpov_pid=$!
register_pid "$tmpov_pid"
if timeout 30 cat "$T/fifo" >"$T/mountinfo"; then
  host_mounts_during=$(host_mounts)
  found=$(find "$T" -name secret-upper-file 2>/dev/null)
  echo done | timeout 30 tee "$T/fifo" >/dev/null
  wait "$tmpov_pid"
  assert_eq 0 "$?" "--tmp-overlay: sandbox ran"
  assert_eq "$host_mounts_before" "$host_mounts_during" "--tmp-overlay: the host's mount table does not change"
  assert_eq "" "$found" "--tmp-overlay: the written file is nowhere below the test directory"
  # (As root, --proc adds read-only binds below /proc.)
  assert_eq "/
/fifo
/proc
/src
/usr" "$(mount_points | grep -v '^/proc/' | LC_ALL=C sort)" \
    "--tmp-overlay: the sandbox has no mount holding the upper layer"
  assert_eq overlay "$(mount_field /src fstype)" "--tmp-overlay: DEST is an overlayfs mount"
  check "--tmp-overlay: mounted with userxattr" mount_has_superopt /src userxattr
else
  fail "--tmp-overlay: sandbox reached the fifo" "$(cat "$T/tmpov.err")"
fi

# --size bounds the hidden upper; ENOSPC is the command's business.
before=$(host_state)
run_bwrap "${BASE[@]}" --overlay-src "$SRC" --size 1048576 --tmp-overlay /src --dev /dev \
  sh -c 'head -c 524288 /dev/zero > /src/half && echo half-ok;
         head -c 4194304 /dev/zero > /src/big; echo "big=$?"'
assert_rc 0 "--size with --tmp-overlay: bwrap exits with the command's status"
assert_stdout_is "half-ok
big=1" "--size 1 MiB: 512 KiB fit, 4 MiB do not"
assert_stderr_has "No space left on device" "--size 1 MiB: writing past it fails with ENOSPC inside"
assert_eq "$before" "$(host_state)" "--size with --tmp-overlay: host unaffected"
run_bwrap "${BASE[@]}" --overlay-src "$SRC" --tmp-overlay /src --dev /dev \
  sh -c 'head -c 4194304 /dev/zero > /src/big && echo big-ok'
assert_stdout_is "big-ok" "(control) without --size 4 MiB fit"
run_bwrap "${BASE[@]}" --overlay-src "$SRC" --size 1048576 --tmp-overlay /a \
  --overlay-src "$SRC" --tmp-overlay /b --dev /dev \
  sh -c 'head -c 2097152 /dev/zero > /b/big && echo b-ok; head -c 2097152 /dev/zero > /a/big 2>/dev/null || echo a-full'
assert_stdout_is "b-ok
a-full" "--size applies to its own --tmp-overlay only"
mkdir "$T/biglayer"
head -c 2097152 /dev/zero >"$T/biglayer/big"
run_bwrap "${BASE[@]}" --overlay-src "$T/biglayer" --size 1048576 --tmp-overlay /m \
  sh -c 'echo x >> /m/big || echo copy-up-failed; wc -c < /m/big'
assert_stdout_is "copy-up-failed
2097152" "--size: copying up a 2 MiB lower file into 1 MiB fails, the file stays intact"
assert_stderr_has "No space left on device" "--size: the copy-up fails with ENOSPC"

# ------------------------------------------------------------ layer order

run_bwrap "${BASE[@]}" --overlay-src "$L1" --overlay-src "$L2" --overlay-src "$L3" --ro-overlay /m \
  sh -c 'cat /m/f /m/shadow12 /m/only1; ls /m/d'
assert_stdout_is "3
2
1
x1
x2
x3" "order: the last --overlay-src wins, the first is the bottom, directories merge"
run_bwrap "${BASE[@]}" --overlay-src "$L3" --overlay-src "$L2" --overlay-src "$L1" --ro-overlay /m \
  cat /m/f /m/shadow12
assert_stdout_is "1
1" "order: reversed list, reversed result"
run_bwrap "${BASE[@]}" --overlay-src "$L1" --overlay-src "$L2" --tmp-overlay /m cat /m/f /m/shadow12
assert_stdout_is "2
2" "order: --tmp-overlay, the last --overlay-src wins"
mkdir "$T/up-o" "$T/wk-o"
run_bwrap "${BASE[@]}" --overlay-src "$L2" --overlay-src "$L1" --overlay "$T/up-o" "$T/wk-o" /m \
  sh -c 'cat /m/f /m/shadow12 && echo w > /m/f'
assert_stdout_is "1
1" "order: --overlay, the last --overlay-src wins"
assert_file_content "$T/up-o/f" "w" "order: --overlay writes go above all layers"

RUN_CWD=$T run_bwrap "${BASE[@]}" --overlay-src layer1 --overlay-src ./layer3 --ro-overlay /m cat /m/f /m/only1
assert_stdout_is "3
1" "order: relative layer paths are resolved from the caller's cwd"

# ------------------------------------------------------------ --ro-overlay

run_bwrap "${BASE[@]}" --overlay-src "$L1" --overlay-src "$L2" --ro-overlay /m \
  sh -c 'touch /m/new; echo x >> /m/f; rm /m/only1; mkdir /m/dir; cat /m/f'
assert_stdout_is "2" "--ro-overlay: readable"
n=$(grep -c "Read-only file system" "$TEST_TMP/.err")
assert_eq 4 "$n" "--ro-overlay: create, append, delete and mkdir fail with EROFS"
if sandbox_mountinfo "${BASE[@]}" --proc /proc --overlay-src "$L1" --overlay-src "$L2" --ro-overlay /m; then
  assert_eq overlay "$(mount_field /m fstype)" "--ro-overlay: DEST is an overlayfs mount"
  check "--ro-overlay: the overlay is read-only" mount_has_superopt /m ro
else
  fail "--ro-overlay: mountinfo readable"
fi

# ------------------------------------------------------------ several overlays in one command

mkdir "$T/up-m" "$T/wk-m"
run_bwrap "${BASE[@]}" \
  --overlay-src "$L1" --tmp-overlay /a \
  --overlay-src "$L2" --overlay-src "$L3" --ro-overlay /b \
  --overlay-src "$L1" --overlay-src "$L3" --overlay "$T/up-m" "$T/wk-m" /c \
  --overlay-src "$L2" --size 1048576 --tmp-overlay /d \
  sh -c 'for m in a b c d; do echo "$m: $(cat /$m/f) $(ls /$m/d | tr "\n" " ")"; done
         echo A > /a/t; echo C > /c/t; echo D > /d/t; cat /a/t /c/t /d/t
         touch /b/t 2>/dev/null || echo b-ro'
assert_stdout_is "a: 1 x1 
b: 3 x2 x3 
c: 3 x1 x3 
d: 2 x2 
A
C
D
b-ro" "four overlays in one command: each consumes only its own --overlay-src list"
assert_eq "t f" "$(upper_list "$T/up-m")" "four overlays: only the --overlay's writes land in its RWSRC"
run_bwrap "${BASE[@]}" --overlay-src "$L1" --tmp-overlay /m --overlay-src "$L2" --tmp-overlay /m/d/inner \
  sh -c 'cat /m/f /m/d/inner/f; ls /m/d'
assert_stdout_is "1
2
inner
x1" "an overlay whose DEST is inside an earlier overlay lands on top of it"

# ------------------------------------------------------------ DEST=/ over a busybox-static sysroot

# ldd fails on a static executable (Debian's busybox-static).
if BUSYBOX=$(command -v busybox) && ! ldd "$BUSYBOX" >/dev/null 2>&1; then
  mkdir -p "$T/sysroot/bin" "$T/sysroot/etc" "$T/sysroot2/proc" "$T/sysroot2/dev" "$T/sysroot2/etc"
  cp "$BUSYBOX" "$T/sysroot/bin/busybox"
  # One link per applet, made by one process (not ~400 `ln`).
  "$BUSYBOX" --list | python3 -c 'import os, sys
for a in sys.stdin.read().split():
    if a != "busybox":
        os.symlink("busybox", os.path.join(sys.argv[1], a))' "$T/sysroot/bin"
  echo "NAME=busybox-sysroot" >"$T/sysroot/etc/os-release"
  echo second >"$T/sysroot2/etc/extra"
  squashfs_of "$T/sysroot" "$T/mnt/sysroot" &&
    squashfs_of "$T/sysroot2" "$T/mnt/sysroot2"
  have_sysroot=$?
else
  have_sysroot=1
fi
ROOTCHECK='cat /etc/os-release
test -c /dev/null && echo dev-ok
grep -q "^Name:" /proc/self/status && echo proc-ok
test -e /usr || echo no-host-usr
echo w > /written && cat /written'
if [ "$have_sysroot" = 0 ]; then
  R=$T/mnt/sysroot
  run_bwrap --overlay-src "$R" --tmp-overlay / --proc /proc --dev /dev sh -c "$ROOTCHECK"
  assert_stdout_is "NAME=busybox-sysroot
dev-ok
proc-ok
no-host-usr
w" "DEST=/ --tmp-overlay over a FUSE busybox root: --proc and --dev land on top"
  if sandbox_mountinfo --overlay-src "$R" --tmp-overlay / --proc /proc --dev /dev; then
    assert_eq overlay "$(mount_field / fstype)" "DEST=/: the root is an overlayfs mount"
    assert_eq proc "$(mount_field /proc fstype)" "DEST=/: /proc is proc on top of it"
    assert_eq tmpfs "$(mount_field /dev fstype)" "DEST=/: /dev is a tmpfs on top of it"
  else
    fail "DEST=/: mountinfo readable"
  fi
  mkdir "$T/up-r" "$T/wk-r"
  echo bound >"$T/bound"
  run_bwrap --overlay-src "$R" --overlay "$T/up-r" "$T/wk-r" / --proc /proc --dev /dev \
    --ro-bind "$T/bound" /etc/bound sh -c "$ROOTCHECK; cat /etc/bound"
  assert_stdout_is "NAME=busybox-sysroot
dev-ok
proc-ok
no-host-usr
w
bound" "DEST=/ --overlay: later --proc, --dev and binds land on top"
  assert_eq "dev d
etc d
etc/bound f
proc d
written f" "$(upper_list "$T/up-r")" "DEST=/ --overlay: RWSRC holds the written file and the mount points made"
  run_bwrap --overlay-src "$R" --overlay-src "$T/mnt/sysroot2" --ro-overlay / --proc /proc --dev /dev \
    sh -c 'cat /etc/os-release /etc/extra; touch /x 2>&1; test -c /dev/null && echo dev-ok'
  assert_stdout_is "NAME=busybox-sysroot
second
touch: /x: Read-only file system
dev-ok" "DEST=/ --ro-overlay of two FUSE layers: read-only root, mounts on top"
  refused "bwrap: Can't mkdir /proc: Read-only file system" \
    "DEST=/ --ro-overlay without a /proc directory: --proc refused in one line" \
    --overlay-src "$R" --overlay-src "$T/layer1" --ro-overlay / --proc /proc true
else
  skip_n 10 "no static busybox or squashfuse mount failed" "DEST=/ over a busybox sysroot"
fi

# ------------------------------------------------------------ 500 layers, realistic store paths

# /var/tmp/cas/<64 hex digits>/root below the test directory, as a build
# tool's content-addressed store lays them out.
python3 - "$T/var/tmp/cas" 500 >"$T/cas.list" <<'EOF'
import hashlib, os, sys
base, n = sys.argv[1], int(sys.argv[2])
for i in range(1, n + 1):
    r = os.path.join(base, hashlib.sha256(str(i).encode()).hexdigest(), 'root')
    os.makedirs(os.path.join(r, 'cas'))
    for name in ('cas/%d' % i, 'stamp'):
        with open(os.path.join(r, name), 'w') as f:
            f.write('%d\n' % i)
    print(r)
EOF
mapfile -t CAS <"$T/cas.list"
cas_args () # cas_args FIRST COUNT: --overlay-src for CAS[FIRST..FIRST+COUNT-1]
{
  local i
  CAS_ARGS=()
  for ((i = $1; i < $1 + $2; i++)); do
    CAS_ARGS+=(--overlay-src "${CAS[i]}")
  done
}
opt_bytes=0
for p in "${CAS[@]}"; do opt_bytes=$((opt_bytes + ${#p} + 1)); done
diag "500 layers: paths of ${#CAS[0]} bytes, $opt_bytes bytes as a lowerdir= list"

cas_args 0 500
run_bwrap "${BASE[@]}" "${CAS_ARGS[@]}" --ro-overlay /m sh -c 'cat /m/stamp; ls /m/cas | wc -l; cat /m/cas/1 /m/cas/500'
assert_stdout_is "500
500
1
500" "500 layers --ro-overlay: all visible, the last given on top"
run_bwrap "${BASE[@]}" "${CAS_ARGS[@]}" --tmp-overlay /m sh -c 'echo t > /m/stamp && cat /m/stamp && ls /m/cas | wc -l'
# Linux >= 6.8 has "lowerdir+": the layers must go to the kernel one by one
# (mountinfo then lists each), not as one 51 KB option string.
IFS=. read -r kmaj kmin _ <<<"$(uname -r)"
if ! have_mount_api; then
  skip "500 layers: given to the kernel one at a time (lowerdir+)" "$SKIP_REASON"
elif [ "$kmaj" -gt 6 ] || { [ "$kmaj" = 6 ] && [ "${kmin%%[!0-9]*}" -ge 8 ]; }; then
  if sandbox_mountinfo "${BASE[@]}" --proc /proc "${CAS_ARGS[@]}" --ro-overlay /m; then
    n=$(mount_field /m superopts | tr ',' '\n' | grep -c '^lowerdir+=')
    assert_eq 500 "$n" "500 layers: given to the kernel one at a time (lowerdir+)"
  else
    fail "500 layers: mountinfo readable"
  fi
else
  skip "500 layers: given to the kernel one at a time (lowerdir+)" "Linux < 6.8 has no lowerdir+"
fi
assert_stdout_is "t
500" "500 layers --tmp-overlay"

# The build workflow with the FUSE tree at the bottom of 500 layers.
cas_args 0 499
mkdir "$T/up-500" "$T/wk-500"
run_bwrap "${W[@]}" --overlay-src "$SRC" "${CAS_ARGS[@]}" --overlay "$T/up-500" "$T/wk-500" /src \
  sh -c "cat /src/stamp && ls /src/cas | wc -l && $BUILD"
assert_stdout_is "499
499
hello from the overlay" "500 layers --overlay (FUSE bottom + 499 store dirs): build works"
assert_eq "$BUILD_UPPER" "$(upper_list "$T/up-500")" "500 layers --overlay: RWSRC holds exactly the changes"
tree_listing "$SRC" >"$T/src.after"
check "500 layers: the FUSE tree is byte-identical afterwards" diff -u "$T/src.before" "$T/src.after"


# ------------------------------------------------------------ any bytes but NUL, long paths

# Each name would break an unescaped lowerdir=/upperdir= string; the fourth
# tries to inject options.
WEIRD=("$T/weird/comma,colon:back\\slash=eq sp" "$T/weird/"$'tab\tnl\nend' "$T/weird/"$'\xff\xfe bytes'
       "$T/weird/x,upperdir=$T/weird,lowerdir=$T")
for i in 0 1 2 3; do
  mkdir -p "${WEIRD[i]}"
  echo "$i" >"${WEIRD[i]}/f"
  echo "$i" >"${WEIRD[i]}/only$i"
done
WUP="$T/weird-rw/up,per:\\dir=1 "$'\n'
WWK="$T/weird-rw/wo:rk,dir\\ "$'\t'
mkdir -p "$WUP" "$WWK"
run_bwrap "${BASE[@]}" --overlay-src "${WEIRD[0]}" --overlay-src "${WEIRD[1]}" --overlay-src "${WEIRD[2]}" \
  --overlay-src "${WEIRD[3]}" --overlay "$WUP" "$WWK" /m \
  sh -c 'cat /m/f; ls /m; echo written > /m/new'
assert_stdout_is "3
f
only0
only1
only2
only3" "layers with , : \\ = space tab newline and non-UTF-8 bytes: all used, in order"
assert_file_content "$WUP/new" "written" "RWSRC and WORKDIR with special bytes: writes land in RWSRC"
assert_eq "8" "$(find "$T/weird" -type f -printf x | wc -c)" "option-like layer name: nothing written outside the layers"

# Past the 256-byte fsconfig string limit and close to PATH_MAX.
comp=$(printf 'c%.0s' {1..250})
LONG=$T/long
while [ ${#LONG} -lt 3800 ]; do LONG=$LONG/$comp; done
LONGRW=$T/longrw/$comp/$comp/$comp/$comp
mkdir -p "$LONG" "$LONGRW/upper" "$LONGRW/work"
echo long >"$LONG/f"
echo long >"$LONG/longfile"
diag "longest layer path: ${#LONG} bytes; RWSRC: $((${#LONGRW} + 6)) bytes"
run_bwrap "${BASE[@]}" --overlay-src "$LONG" --overlay-src "$L1" --overlay "$LONGRW/upper" "$LONGRW/work" /m \
  sh -c 'cat /m/only1; rm /m/f; echo new > /m/g; ls /m'
assert_stdout_is "1
d
g
longfile
only1
shadow12" "a ${#LONG}-byte layer path and ~1 KiB RWSRC/WORKDIR paths work"
assert_eq "f w
g f" "$(upper_list "$LONGRW/upper")" "long paths: changes land in the long RWSRC"
run_bwrap "${BASE[@]}" --overlay-src "$LONG" --overlay-src "$L1" --ro-overlay /m cat /m/longfile
assert_stdout_is "long" "long layer path: content visible"

# ------------------------------------------------------------ misuse: one line, exit 1, host unchanged

R=$(realpath "$T")
mkdir -p "$T/e/l1/sub" "$T/e/up" "$T/e/wk" "$T/e/wk-full" "$T/e/l2"
echo x >"$T/e/file"
echo x >"$T/e/wk-full/leftover"
ln -s l1 "$T/e/l1-link"
REFUSED_STATE=

refused "bwrap: Can't find source path $T/e/missing: No such file or directory" \
  "missing layer named" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay-src "$T/e/missing" --tmp-overlay /m true
refused "bwrap: Can't find source path $T/e/missing: No such file or directory" \
  "missing RWSRC named" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/e/missing" "$T/e/wk" /m true
refused "bwrap: Can't find source path $T/e/missing: No such file or directory" \
  "missing WORKDIR named" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/e/up" "$T/e/missing" /m true
refused "bwrap: --overlay-src $T/e/file: not a directory" \
  "layer that is a file" "${BASE[@]}" --overlay-src "$T/e/file" --tmp-overlay /m true
refused "bwrap: --overlay RWSRC $T/e/file: not a directory" \
  "RWSRC that is a file" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/e/file" "$T/e/wk" /m true
refused "bwrap: --overlay WORKDIR $T/e/file: not a directory" \
  "WORKDIR that is a file" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/e/up" "$T/e/file" /m true

ov="overlay directories may not overlap"
refused "bwrap: --overlay-src $R/e/l1/sub overlaps --overlay-src $R/e/l1: $ov" \
  "overlap: layer inside a layer" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay-src "$T/e/l1/sub" --tmp-overlay /m true
refused "bwrap: --overlay-src $R/e/l1/sub overlaps --overlay-src $R/e/l1: $ov" \
  "overlap: layer containing an earlier one" "${BASE[@]}" --overlay-src "$T/e/l1/sub" --overlay-src "$T/e/l1" --tmp-overlay /m true
refused "bwrap: --overlay-src $R/e/l1 overlaps --overlay-src $R/e/l1: $ov" \
  "overlap: the same layer twice via a symlink" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay-src "$T/e/l1-link" --ro-overlay /m true
# RWSRC or WORKDIR inside a layer is accepted (the kernel keeps them out
# of the overlay, or bwrap covers them): test-overlay-split.sh, test-cow.sh.
mkdir "$T/e/up/in"
REFUSED_STATE=
refused "bwrap: --overlay-src $R/e/up/in overlaps --overlay RWSRC $R/e/up: $ov" \
  "overlap: layer inside RWSRC" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay-src "$T/e/up/in" \
  --overlay "$T/e/up" "$T/e/wk" /m true
rmdir "$T/e/up/in"
mkdir "$T/e/up/w"
REFUSED_STATE=
refused "bwrap: --overlay WORKDIR $R/e/up/w overlaps --overlay RWSRC $R/e/up: $ov" \
  "overlap: WORKDIR inside RWSRC" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/e/up" "$T/e/up/w" /m true
rmdir "$T/e/up/w"
REFUSED_STATE=
refused "bwrap: --overlay WORKDIR $R/e/l1 overlaps --overlay-src $R/e/l1: $ov" \
  "overlap: WORKDIR is a layer" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/e/up" "$T/e/l1" /m true
refused "bwrap: --overlay WORKDIR $R/e/up overlaps --overlay RWSRC $R/e/up: $ov" \
  "overlap: WORKDIR is RWSRC" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/e/up" "$T/e/up" /m true

refused "bwrap: --overlay: WORKDIR $R/e/wk-full is not an empty directory" \
  "WORKDIR not empty" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/e/up" "$T/e/wk-full" /m true
refused "bwrap: --overlay: WORKDIR $SRC/emptydir and RWSRC $R/e/up must be on the same filesystem" \
  "WORKDIR on another filesystem (FUSE) than RWSRC" \
  "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/e/up" "$SRC/emptydir" /m true
refused_match "bwrap: --overlay: RWSRC $SRC/emptydir is on a (read-only filesystem|FUSE filesystem, which cannot hold an overlay upper layer)" \
  "RWSRC on a read-only FUSE mount" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$SRC/emptydir" "$T/e/wk" /m true
refused "bwrap: --overlay: RWSRC /proc/sys is on a proc filesystem, which cannot hold an overlay upper layer" \
  "RWSRC on proc" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay /proc/sys "$T/e/wk" /m true
if command -v bindfs >/dev/null; then
  mkdir -p "$T/e/bindfs-src/up" "$T/e/bindfs-src/wk" "$T/mnt/bindfs"
  if bindfs --no-allow-other "$T/e/bindfs-src" "$T/mnt/bindfs" 2>"$T/.bindfs"; then
    register_mount "$T/mnt/bindfs" fuse
    REFUSED_STATE=
    refused "bwrap: --overlay: RWSRC $T/mnt/bindfs/up is on a FUSE filesystem, which cannot hold an overlay upper layer" \
      "RWSRC on a writable FUSE filesystem" \
      "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/mnt/bindfs/up" "$T/mnt/bindfs/wk" /m true
  else
    fail "bindfs mount" "$(cat "$T/.bindfs")"
  fi
else
  skip "RWSRC on a writable FUSE filesystem" "bindfs not installed"
fi

# overlayfs refuses an overlayfs upper itself; its fs-context message must
# reach the user (naming the directory) rather than a bare EINVAL.  Host
# overlays need a mount namespace of our own: unshare's.
mkdir -p "$T/ns/l" "$T/ns/u" "$T/ns/w" "$T/ns/m"
run unshare --user --map-root-user --mount sh -c '
  mount -t overlay overlay -o "lowerdir=$1/l,upperdir=$1/u,workdir=$1/w,userxattr" "$1/m" || exit 99
  mkdir "$1/m/up" "$1/m/wk" || exit 99
  "$2" --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
    --overlay-src "$1/l" --overlay "$1/m/up" "$1/m/wk" /x true
  rc=$?
  [ -z "$(ls -A "$1/m/wk")" ] || { echo "WORKDIR changed: $(ls -A "$1/m/wk")" >&2; exit 98; }
  exit $rc' sh "$T/ns" "$BWRAP"
if have_mount_api; then
  assert_error 1 "bwrap: Can't make overlay mount on /newroot/x: overlay: filesystem on /oldroot$R/ns/m/up not supported as upperdir" \
    "RWSRC on overlayfs: the kernel's own message, naming RWSRC, WORKDIR untouched"
else
  # mount(2) returns no fs-context log: the classic message with errno.
  assert_rc 1 "RWSRC on overlayfs (classic mount(2)): refused, WORKDIR untouched"
  assert_stderr_match "bwrap: Can't make overlay mount on /newroot/x with options .*: Invalid argument" \
    "RWSRC on overlayfs (classic mount(2)): one line with the errno"
fi

if is_root; then
  mkdir -p "$T/e/tmpfs-wk"
  host_mount_tmpfs "$T/e/tmpfs-wk"
  REFUSED_STATE=
  refused "bwrap: --overlay: WORKDIR $R/e/tmpfs-wk and RWSRC $R/e/up must be on the same filesystem" \
    "(root) WORKDIR on a tmpfs, RWSRC on the disk" \
    "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/e/up" "$T/e/tmpfs-wk" /m true
  mkdir -p "$T/e/bound-wk"
  mount --bind "$T/e/wk" "$T/e/bound-wk" && register_mount "$T/e/bound-wk"
  REFUSED_STATE=
  refused "bwrap: --overlay: WORKDIR $R/e/bound-wk and RWSRC $R/e/up must be on the same mount" \
    "(root) WORKDIR on the same filesystem but another mount" \
    "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/e/up" "$T/e/bound-wk" /m true
  mkdir -p "$T/e/bound-l1"
  mount --bind "$T/e/l1" "$T/e/bound-l1" && register_mount "$T/e/bound-l1"
  REFUSED_STATE=
  refused "bwrap: --overlay-src $R/e/bound-l1 overlaps --overlay-src $R/e/l1 (the same directory): $ov" \
    "(root) the same layer twice via a bind mount" \
    "${BASE[@]}" --overlay-src "$T/e/l1" --overlay-src "$T/e/bound-l1" --ro-overlay /m true
  mkdir -p "$T/e/ro-up"
  host_mount_tmpfs "$T/e/ro-up" mode=0755,ro
  REFUSED_STATE=
  refused "bwrap: --overlay: RWSRC $R/e/ro-up is on a read-only filesystem" \
    "(root) RWSRC on a read-only filesystem" \
    "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/e/ro-up" "$T/e/wk" /m true
  # Setuid mode: a setuid copy run by the unprivileged test user (a build
  # without setuid mode refuses to run setuid: test-no-setuid.sh).
  if ! supports_setuid; then
    skip_n 4 "this build has no setuid mode" "(root) setuid mode refuses overlays"
  elif getent passwd bwrap-test >/dev/null; then
    mkdir -m 0755 "$T/suid"
    chmod o+x "$T"
    cp "$BWRAP" "$T/suid/bwrap"
    chmod 04755 "$T/suid/bwrap"
    for opt in --overlay-src --overlay --tmp-overlay --ro-overlay; do
      case $opt in
        --overlay) args=(--overlay /usr /usr /m) ;;
        --overlay-src) args=(--overlay-src /usr) ;;
        *) args=("$opt" /m) ;;
      esac
      run setpriv --reuid=bwrap-test --regid=bwrap-test --init-groups \
        "$T/suid/bwrap" "${BASE[@]}" "${args[@]}" true
      assert_error 1 "bwrap: The $opt option is not permitted in setuid mode" "(root) setuid mode refuses $opt"
    done
  else
    skip_n 4 "user bwrap-test missing" "(root) setuid mode refuses overlays"
  fi
else
  mkdir -p "$T/e/ro-dir" "$T/e/noaccess"
  chmod 0555 "$T/e/ro-dir"
  chmod 0000 "$T/e/noaccess"
  REFUSED_STATE=
  refused "bwrap: --overlay: Can't write to RWSRC $R/e/ro-dir: Permission denied" \
    "(user) RWSRC not writable" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/e/ro-dir" "$T/e/wk" /m true
  refused "bwrap: --overlay: Can't write to WORKDIR $R/e/ro-dir: Permission denied" \
    "(user) WORKDIR not writable" "${BASE[@]}" --overlay-src "$T/e/l1" --overlay "$T/e/up" "$T/e/ro-dir" /m true
  refused "bwrap: Can't access --overlay-src $T/e/noaccess: Permission denied" \
    "(user) unreadable layer" "${BASE[@]}" --overlay-src "$T/e/noaccess" --tmp-overlay /m true
  chmod 0755 "$T/e/ro-dir" "$T/e/noaccess"
fi

done_testing
