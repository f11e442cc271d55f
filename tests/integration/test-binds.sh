#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Bind mounts: --bind, --ro-bind, --dev-bind (+ -try), --bind-fd,
# --ro-bind-fd, --remount-ro; flags seen in mountinfo, read-only
# enforcement, mount point creation, and what lands on the host.

. "$(dirname "$0")/lib.sh"

T=$TEST_TMP
mkdir -p "$T/src/sub" "$T/host"
echo content >"$T/src/file"
echo subcontent >"$T/src/sub/file"
echo single >"$T/file"
chmod 0640 "$T/file"

P=(--proc /proc)

# ------------------------------------------------------------ --bind

run_bwrap "${BASE[@]}" --bind "$T/src" /mnt cat /mnt/file
assert_stdout_is "content" "--bind: host content visible"
run_bwrap "${BASE[@]}" --bind "$T/src" /mnt sh -c 'echo written > /mnt/new && mkdir /mnt/newdir'
assert_rc 0 "--bind: writes succeed"
assert_file_content "$T/src/new" "written" "--bind: writes land on the host"
check "--bind: directories created inside land on the host" test -d "$T/src/newdir"
rm -rf "$T/src/new" "$T/src/newdir"

if sandbox_mountinfo "${BASE[@]}" "${P[@]}" --bind "$T/src" /mnt; then
  check "--bind: mount is rw" mount_has_opt /mnt rw
  check "--bind: mount is nosuid" mount_has_opt /mnt nosuid
  check "--bind: mount is nodev" mount_has_opt /mnt nodev
else
  fail "--bind: mountinfo readable"
fi

# Relative SRC is resolved against the caller's cwd, symlinks followed.
ln -s src "$T/link"
(cd "$T" && run_bwrap "${BASE[@]}" --ro-bind link /mnt cat /mnt/file; echo "$RUN_OUT" >"$T/.rel")
assert_file_content "$T/.rel" "content" "--ro-bind: relative symlink SRC resolved from the caller's cwd"

# ------------------------------------------------------------ --ro-bind

run_bwrap "${BASE[@]}" --ro-bind "$T/src" /mnt touch /mnt/x
check_not "--ro-bind: touch fails" test "$RUN_RC" = 0
assert_stderr_has "Read-only file system" "--ro-bind: write fails with EROFS"
assert_no_file "$T/src/x" "--ro-bind: nothing created on the host"
run_bwrap "${BASE[@]}" --ro-bind "$T/src" /mnt sh -c 'echo x >> /mnt/file'
assert_stderr_has "Read-only file system" "--ro-bind: appending to an existing file fails with EROFS"
assert_file_content "$T/src/file" "content" "--ro-bind: host file unchanged"

if sandbox_mountinfo "${BASE[@]}" "${P[@]}" --ro-bind "$T/src" /mnt; then
  check "--ro-bind: mount is ro" mount_has_opt /mnt ro
  check "--ro-bind: mount is nosuid" mount_has_opt /mnt nosuid
  check "--ro-bind: mount is nodev" mount_has_opt /mnt nodev
  check "--ro-bind /usr (BASE) is ro" mount_has_opt /usr ro
else
  fail "--ro-bind: mountinfo readable"
fi

# Recursive: submounts come along and get the flags too.
if have_host_mounts; then
  host_mount_tmpfs "$T/src/sub" mode=0755
  echo ontmpfs >"$T/src/sub/tmpfile"
  run_bwrap "${BASE[@]}" --ro-bind "$T/src" /mnt cat /mnt/sub/tmpfile
  assert_stdout_is "ontmpfs" "--ro-bind is recursive: submount content visible"
  run_bwrap "${BASE[@]}" --ro-bind "$T/src" /mnt touch /mnt/sub/x
  assert_stderr_has "Read-only file system" "--ro-bind is recursively read-only: submount refuses writes"
  assert_no_file "$T/src/sub/x" "--ro-bind: nothing written to the submount"
  if sandbox_mountinfo "${BASE[@]}" "${P[@]}" --ro-bind "$T/src" /mnt; then
    check "--ro-bind: submount is ro" mount_has_opt /mnt/sub ro
    check "--ro-bind: submount is nosuid" mount_has_opt /mnt/sub nosuid
    check "--ro-bind: submount is nodev" mount_has_opt /mnt/sub nodev
    assert_eq tmpfs "$(mount_field /mnt/sub fstype)" "--ro-bind: submount keeps its type"
  else
    fail "--ro-bind submount: mountinfo readable"
  fi
  if sandbox_mountinfo "${BASE[@]}" "${P[@]}" --bind "$T/src" /mnt; then
    check "--bind: submount is rw" mount_has_opt /mnt/sub rw
    check "--bind: submount is nosuid" mount_has_opt /mnt/sub nosuid
    check "--bind: submount is nodev" mount_has_opt /mnt/sub nodev
  else
    fail "--bind submount: mountinfo readable"
  fi
  # --remount-ro is not recursive.
  run_bwrap "${BASE[@]}" --bind "$T/src" /mnt --remount-ro /mnt sh -c \
    'touch /mnt/sub/y && ! touch /mnt/z 2>/dev/null'
  assert_rc 0 "--remount-ro: only the mount at DEST, not its submounts"
  check "--remount-ro: submount write landed on the host" test -e "$T/src/sub/y"
  rm -f "$T/src/sub/y" "$T/src/sub/tmpfile"
else
  skip_n 12 "$SKIP_REASON (submount needed)" "recursive bind of a host submount"
fi

# ------------------------------------------------------------ --dev-bind

if sandbox_mountinfo "${BASE[@]}" "${P[@]}" --dev-bind "$T/src" /mnt; then
  check "--dev-bind: mount is nosuid" mount_has_opt /mnt nosuid
  # nodev is not added; it is only there if the host mount has it.
  if findmnt -n -o OPTIONS -T "$T/src" | tr , '\n' | grep -qx nodev; then
    skip "--dev-bind: no nodev added" "host mount of $T already nodev"
  else
    check_not "--dev-bind: no nodev added" mount_has_opt /mnt nodev
  fi
  check "--dev-bind: mount is rw" mount_has_opt /mnt rw
else
  fail "--dev-bind: mountinfo readable"
fi
run_bwrap "${BASE[@]}" --dev-bind /dev/null /null sh -c 'echo x > /null && head -c 3 /null | wc -c'
assert_stdout_is "0" "--dev-bind: device node usable"
run_bwrap "${BASE[@]}" --bind /dev/null /null sh -c 'echo x > /null'
check_not "--bind: device node not usable (nodev)" test "$RUN_RC" = 0
assert_stderr_has "Permission denied" "--bind: opening a device on nodev fails with EACCES"

# ------------------------------------------------------------ -try variants

for v in --bind-try --ro-bind-try --dev-bind-try; do
  run_bwrap "${BASE[@]}" "$v" "$T/missing" /a/b/c sh -c 'test ! -e /a && echo absent'
  assert_stdout_is "absent" "$v: missing SRC skipped, neither DEST nor parents created"
  run_bwrap "${BASE[@]}" "$v" "$T/src" /mnt cat /mnt/file
  assert_stdout_is "content" "$v: existing SRC is bound"
done
run_bwrap "${BASE[@]}" --ro-bind-try "$T/src" /mnt touch /mnt/x
assert_stderr_has "Read-only file system" "--ro-bind-try: read-only"
# Only ENOENT is skipped: a path through a regular file gives ENOTDIR.
run_bwrap "${BASE[@]}" --bind-try "$T/file/x" /mnt true
assert_error 1 "bwrap: Can't find source path $T/file/x: Not a directory" "--bind-try: errors other than ENOENT stay fatal"

# ------------------------------------------------------------ mount points

# A file SRC gets an empty 0444 file as mount point, parents 0700; a
# directory SRC a 0755 directory.  Created inside a bound host directory,
# they stay on the host where we can inspect them.
run_bwrap "${BASE[@]}" --bind "$T/host" /h --ro-bind "$T/file" /h/p/q/f \
  --ro-bind "$T/src" /h/d --proc /proc cat /h/p/q/f
assert_stdout_is "single" "file bind: source content visible"
assert_eq "444 0" "$(stat -c '%a %s' "$T/host/p/q/f" 2>&1)" "file bind: mount point is an empty 0444 file"
assert_eq "700 700" "$(stat -c %a "$T/host/p" "$T/host/p/q" 2>&1 | tr '\n' ' ' | sed 's/ $//')" \
  "file bind: new parents are 0700"
check "dir bind: mount point is a directory" test -d "$T/host/d"
assert_eq "755" "$(stat -c %a "$T/host/d" 2>&1)" "dir bind: mount point is 0755"
check "dir bind: mount point on the host is empty" test -z "$(ls -A "$T/host/d")"
rm -rf "${T:?}/host/"*

run_bwrap "${BASE[@]}" --ro-bind "$T/file" /a/b/f stat -c '%a %F' /a /a/b /a/b/f
assert_stdout_is "700 directory
700 directory
640 regular file" "file bind in the sandbox root: parents 0700, source mode visible"

run_bwrap "${BASE[@]}" --dir /mnt --ro-bind "$T/file" /mnt true
assert_error 1 "bwrap: Can't create file at /mnt: Is a directory" "file SRC on an existing directory"
run_bwrap "${BASE[@]}" --ro-bind "$T/file" /f --ro-bind "$T/src" /f true
assert_error 1 "bwrap: Can't mkdir /f: Not a directory" "directory SRC on an existing file"
run_bwrap "${BASE[@]}" --ro-bind "$T/file" /f --ro-bind "$T/src" /f/x true
assert_error 1 "bwrap: Can't mkdir parents for /f/x: Not a directory" "parent creation through a file"

# Existing DEST of the right kind is reused, symlinks followed.
run_bwrap "${BASE[@]}" --dir /real --symlink real /link --ro-bind "$T/src" /link \
  cat /real/file
assert_stdout_is "content" "DEST symlink (relative) is followed"
# Beyond bubblewrap (which fails here): DEST is resolved as if the sandbox
# root were "/" (openat2 RESOLVE_IN_ROOT), so an absolute symlink means a
# path in the sandbox and can never lead a mount out to the host.
run_bwrap "${BASE[@]}" --dir /real --symlink /real /link --ro-bind "$T/src" /link/x cat /real/x/file
assert_stdout_is "content" "absolute symlink in DEST resolves inside the sandbox root"
mkdir -p "$T/outside"
run_bwrap "${BASE[@]}" --symlink "$T/outside" /esc --ro-bind "$T/src" /esc/x true
assert_error 1 "bwrap: Can't mkdir /esc/x: No such file or directory" \
  "symlink to a host path in DEST: dangling inside the sandbox"
check "symlink to a host path in DEST: nothing created on the host" test -z "$(ls -A "$T/outside")"
run_bwrap "${BASE[@]}" --symlink ../../../.. /up --ro-bind "$T/src" /up/y cat /y/file
assert_stdout_is "content" "'..' in a DEST symlink stops at the sandbox root"

# ------------------------------------------------------------ failing runs

run_bwrap "${BASE[@]}" --bind "$T/host" /h --bind "$T/missing" /h/x true
assert_error 1 "bwrap: Can't find source path $T/missing: No such file or directory" \
  "missing SRC: message and exit 1"
assert_eq "" "$(ls -A "$T/host")" "missing SRC: nothing created on the host"
run_bwrap "${BASE[@]}" --bind "$T/host" /h --dir /h/made --ro-bind "$T/missing" /h/x/y true
assert_rc 1 "missing SRC after other operations fails"
assert_eq "" "$(ls -A "$T/host")" "missing SRC is found before any operation runs"

# ------------------------------------------------------------ --bind-fd

exec {dfd}<"$T/src"
run_bwrap "${BASE[@]}" --bind-fd "$dfd" /mnt sh -c 'cat /mnt/file && echo new > /mnt/viafd'
assert_stdout_is "content" "--bind-fd: directory fd content visible"
assert_file_content "$T/src/viafd" "new" "--bind-fd: writable, writes land on the host"
rm -f "$T/src/viafd"
run_bwrap "${BASE[@]}" --ro-bind-fd "$dfd" /mnt touch /mnt/x
assert_stderr_has "Read-only file system" "--ro-bind-fd: read-only"
if sandbox_mountinfo "${BASE[@]}" "${P[@]}" --ro-bind-fd "$dfd" /mnt; then
  check "--ro-bind-fd: ro" mount_has_opt /mnt ro
  check "--ro-bind-fd: nosuid" mount_has_opt /mnt nosuid
  check "--ro-bind-fd: nodev" mount_has_opt /mnt nodev
else
  fail "--ro-bind-fd: mountinfo readable"
fi
if sandbox_mountinfo "${BASE[@]}" "${P[@]}" --bind-fd "$dfd" /mnt; then
  check "--bind-fd: rw, nosuid, nodev" eval 'mount_has_opt /mnt rw && mount_has_opt /mnt nosuid && mount_has_opt /mnt nodev'
else
  fail "--bind-fd: mountinfo readable"
fi
run_bwrap "${BASE[@]}" --bind-fd "$dfd" /mnt --proc /proc sh -c "test -e /proc/self/fd/$dfd && echo open || echo closed"
assert_stdout_is "closed" "--bind-fd: fd closed in COMMAND"
run_bwrap "${BASE[@]}" --bind-fd "$dfd" /mnt --bind-fd "$dfd" /mnt2 true
assert_error 1 "bwrap: Can't stat fd $dfd: Bad file descriptor" "--bind-fd: fd is closed after use"
exec {dfd}<&-

exec {ffd}<"$T/file"
run_bwrap "${BASE[@]}" --ro-bind-fd "$ffd" /a/f sh -c 'stat -c %a /a && stat -c "%a %s" /a/f'
assert_stdout_is "700
640 7" "--ro-bind-fd: file fd bound on a file, parents 0700"
exec {ffd}<&-

# O_PATH fd (python opens it and execs bwrap with the fd inherited).
run python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_PATH | os.O_DIRECTORY)
os.set_inheritable(fd, True)
bwrap = sys.argv[2]
base = sys.argv[3:]
os.execv(bwrap, [bwrap] + base + ["--ro-bind-fd", str(fd), "/mnt", "cat", "/mnt/file"])
' "$T/src" "$BWRAP" "${BASE[@]}"
assert_stdout_is "content" "--ro-bind-fd: O_PATH directory fd"

run_bwrap "${BASE[@]}" --bind-fd 77 /mnt true
assert_stderr_match "bwrap: Can't find source path /proc/self/fd/77: .*" "--bind-fd: fd not open"
assert_rc 1 "--bind-fd: fd not open exits 1"

# ------------------------------------------------------------ --remount-ro

run_bwrap "${BASE[@]}" --bind "$T/src" /mnt --remount-ro /mnt touch /mnt/x
assert_stderr_has "Read-only file system" "--remount-ro: bind becomes read-only"
assert_no_file "$T/src/x" "--remount-ro: nothing written on the host"
if sandbox_mountinfo "${BASE[@]}" "${P[@]}" --bind "$T/src" /mnt --remount-ro /mnt; then
  check "--remount-ro: mountinfo ro" mount_has_opt /mnt ro
  check "--remount-ro: keeps nosuid" mount_has_opt /mnt nosuid
  check "--remount-ro: keeps nodev" mount_has_opt /mnt nodev
else
  fail "--remount-ro: mountinfo readable"
fi
run_bwrap "${BASE[@]}" --tmpfs /t --remount-ro /t touch /t/x
assert_stderr_has "Read-only file system" "--remount-ro: works on a tmpfs"
run_bwrap "${BASE[@]}" --dir /d --remount-ro /d true
assert_error 1 "bwrap: Can't remount readonly on /newroot/d: Unable to find \"/newroot/d\" in mount table" \
  "--remount-ro: not a mount point"
run_bwrap "${BASE[@]}" --remount-ro /missing true
assert_error 1 "bwrap: Can't remount readonly on /newroot/missing: realpath(destination): No such file or directory" \
  "--remount-ro: missing DEST"


# ------------------------------------------------------------ submounts the remount must not miss

# Without the new mount API (suites legacy-*) a recursive bind is mount(2)
# with MS_REC, after which every submount is remounted with the added
# flags through a walk to its mount point.  These cases run in every
# suite: with the new API they check that nothing changes.
#
# Mounts the user cannot make on the host are made, as the user, in a user
# and mount namespace of our own, kept by a holder process; bwrap runs in
# it through nsenter, with --unshare-user, as in a rootless container.
#
# As root, some cases need a process of the user bwrap-test (which
# run-as-user.sh creates): AS_USER runs a command as it.
AS_USER=()
if is_root && id -u bwrap-test >/dev/null 2>&1; then
  chmod 0711 "$TEST_TMP"
  AS_USER=(setpriv --reuid=bwrap-test --regid=bwrap-test --init-groups)
fi
_holder_ready () { [ "$(readlink "/proc/$1/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]; }
outer_ns ()
{
  local holder
  have_userns || return 1
  unshare --user --map-root-user --mount sleep 600 &
  holder=$!
  disown "$holder"   # killed at exit: no job report
  register_pid "$holder"
  if ! wait_for 5 _holder_ready "$holder"; then
    SKIP_REASON="the holder of our own namespace did not start"
    return 1
  fi
  OWN_IN=(nsenter -t "$holder" -U -m --preserve-credentials)
  OWN_EXTRA=(--unshare-user)
}
# OWN_IN and OWN_EXTRA go before and after "$BWRAP" where own_tmpfs
# mounted something: nothing as root, our namespace as the user.
OWN_IN=()
OWN_EXTRA=()
if ! is_root && ! is_setuid; then
  outer_ns
fi
# own_mount MOUNT-ARGS... MOUNTPOINT: mount(8) where bwrap will see it;
# not in setuid mode (the setuid copy does not run setuid in our
# namespace).  own_tmpfs MOUNTPOINT [OPTIONS]: a tmpfs there.
own_mount ()
{
  if is_root; then
    mount "$@" 2>/dev/null && register_mount "${*: -1}"
  elif [ ${#OWN_IN[@]} -gt 0 ]; then
    "${OWN_IN[@]}" mount "$@" 2>/dev/null
  else
    return 1
  fi
}
own_tmpfs () { own_mount -t tmpfs -o "${2:-mode=0755}" own "$1"; }

# A stack: mounts on the root of a submount cover it and all it holds;
# those are left as they are (nothing reaches them, the sandbox no more
# than we), the top of the stack and what is mounted in it get the flags.
# A file bound twice is a stack too.
SKIP_REASON=
C=$T/cov
mkdir -p "$C/s"
echo under >"$C/f"
echo first >"$T/cov-first"
echo second >"$T/cov-second"
if is_setuid; then
  skip_n 5 "a stack of mounts needs root or a namespace of our own" "a covered submount"
elif own_tmpfs "$C/s" && "${OWN_IN[@]}" mkdir "$C/s/in" && own_tmpfs "$C/s/in" &&
     own_tmpfs "$C/s" && own_tmpfs "$C/s" && "${OWN_IN[@]}" mkdir "$C/s/top" &&
     own_tmpfs "$C/s/top" && own_mount --bind "$T/cov-first" "$C/f" &&
     own_mount --bind "$T/cov-second" "$C/f"; then
  run "${OWN_IN[@]}" "$BWRAP" "${OWN_EXTRA[@]}" "${BASE[@]}" "${P[@]}" --ro-bind "$C" /mnt \
    cat /proc/self/mountinfo
  assert_rc 0 "a covered submount: the bind succeeds"
  printf '%s\n' "$RUN_OUT" >"$TEST_TMP/mountinfo"
  check "a covered submount: the mount on top of the stack is read-only" mount_has_opt /mnt/s ro
  check "a covered submount: a mount inside the top is read-only" mount_has_opt /mnt/s/top ro
  check "a covered file mount: the one on top is read-only" mount_has_opt /mnt/f ro
  run "${OWN_IN[@]}" "$BWRAP" "${OWN_EXTRA[@]}" "${BASE[@]}" --ro-bind "$C" /mnt touch /mnt/s/new
  assert_stderr_has "Read-only file system" "a covered submount: the visible stack refuses writes"
else
  skip_n 5 "${SKIP_REASON:-could not mount the stack}" "a covered submount"
fi

# Issue 23, item 1: a directory renamed while the submounts were walked
# to made the walk miss, and the submount was skipped as if covered: it
# stayed writable (a root-owned tmpfs written to from the sandbox).  Here
# a directory holds $RACE_N submounts under p/ while a renamer flips p and
# q as fast as it can and bwrap binds the directory read-only again and
# again.  Every run must either fail naming a submount, in bubblewrap's
# words, or show every submount read-only and refuse writes; nothing may
# land on the host.  Root: host tmpfs mounts in a directory owned by
# bwrap-test, who renames (root does, without that user).  User: tmpfs mounts in our own namespace.
# Setuid: the user's squashfuse mounts (read-only filesystems: there the
# mount flags are what is checked, and the setuid copy's messages, which
# come from its privileged peer).
RACE_N=4
RACE_RUNS=40
SKIP_REASON=
R=$T/race
mkdir -p "$R/u/p" "$R/img"
echo image >"$R/img/f"
race_ready=yes
for ((k = 1; k <= RACE_N; k++)); do
  mkdir "$R/u/p/s$k"
  if ! is_setuid; then
    own_tmpfs "$R/u/p/s$k" || race_ready=
    is_root && register_mount "$R/u/q/s$k"   # where a rename may have left it
  elif ! have_squashfuse; then
    race_ready=
  else
    if [ "$k" = 1 ]; then
      make_squashfs "$R/img" "$R/img.sqfs" || race_ready=
    fi
    if [ -n "$race_ready" ]; then
      mount_squashfs "$R/img.sqfs" "$R/u/p/s$k" || race_ready=
      register_mount "$R/u/q/s$k" fuse
    fi
  fi
done
if [ ${#AS_USER[@]} -gt 0 ]; then
  chown bwrap-test "$R/u"
fi

if [ -n "$race_ready" ]; then
  "${AS_USER[@]}" perl -e 'chdir $ARGV[0] or die; while (1) { rename "p", "q"; rename "q", "p" }' "$R/u" &
  renamer=$!
  register_pid "$renamer"
  race_ro=0 race_closed=0 race_bad=0 race_other=0
  race_start=$SECONDS
  for ((i = 1; i <= RACE_RUNS; i++)); do
    # Builtins only: a fork per attempt would make the loop slow.
    run "${OWN_IN[@]}" "$BWRAP" "${OWN_EXTRA[@]}" "${BASE[@]}" --proc /proc --ro-bind "$R/u" /mnt sh -c '
      for s in /mnt/p/s* /mnt/q/s* /mnt/p/s* /mnt/q/s*; do
        echo x > "$s/w" && echo "wrote $s"
      done
      while read -r id parent dev root mp opts rest; do
        case $mp in /mnt/[pq]/s*) echo "$mp $opts" ;; esac
      done < /proc/self/mountinfo'
    race_ro_lines=$(grep -c '^/mnt/[pq]/s[0-9]* ro,' <<<"$RUN_OUT")
    if [ "$RUN_RC" = 0 ] && [ "$race_ro_lines" = "$RACE_N" ] && ! grep -q '^wrote\| rw' <<<"$RUN_OUT"; then
      race_ro=$((race_ro + 1))
    elif [ "$RUN_RC" = 0 ]; then
      [ "$race_bad" = 0 ] && diag "run $i: a submount not read-only:" "$RUN_OUT"
      race_bad=$((race_bad + 1))
    elif [ "$RUN_RC" = 1 ] && [ "$(_stderr_lines)" = 1 ] && [[ $RUN_ERR == "bwrap: Can't bind mount /oldroot$R/u on /newroot/mnt: Unable to apply mount flags: remount \"/newroot/mnt/"[pq]/s[0-9]*'": '* ]]; then
      race_closed=$((race_closed + 1))
    else
      [ "$race_other" = 0 ] && _run_diag
      race_other=$((race_other + 1))
    fi
  done
  check "renames during --ro-bind: the renamer ran throughout" kill -0 "$renamer"
  kill "$renamer"
  wait "$renamer" 2>/dev/null
  [ -d "$R/u/q" ] && mv "$R/u/q" "$R/u/p"
  diag "$RACE_RUNS runs in $((SECONDS - race_start)) s: $race_ro with every submount read-only," \
    "$race_closed failed naming a submount, $race_bad left one writable, $race_other failed otherwise"
  assert_eq 0 "$race_bad" "renames during --ro-bind: no run leaves a submount writable"
  assert_eq 0 "$race_other" "renames during --ro-bind: a failing run names the submount"
  if is_setuid; then
    skip "renames during --ro-bind: nothing written on the host" "squashfs is read-only anyway"
  else
    assert_eq "" "$("${OWN_IN[@]}" find "$R/u/p" -name w)" \
      "renames during --ro-bind: nothing written on the host"
  fi
else
  skip_n 4 "${SKIP_REASON:-could not mount the submounts} (submounts needed)" "renames during --ro-bind"
fi

# Issue 23, item 4: the classic remount rebuilt each mount's flags from a
# list without nosymfollow (Linux 5.10), so binding a tree holding a
# nosymfollow mount cleared it there; the new API keeps it.  Flags are
# only ever added: through mountinfo (the binds) and statvfs
# (--remount-ro).  Root: a host tmpfs; user: one in our own namespace.
SKIP_REASON=
N=$T/nsf
mkdir -p "$N/sub"
if is_setuid; then
  skip_n 9 "a nosymfollow mount needs root or a namespace of our own, where the setuid copy does not run setuid" "nosymfollow kept"
elif ! own_tmpfs "$N/sub" nosymfollow,mode=0755; then
  skip_n 9 "${SKIP_REASON:-no nosymfollow mounts (Linux 5.10)}" "nosymfollow kept"
else
  "${OWN_IN[@]}" sh -c 'echo target > "$1/target" && ln -s target "$1/link"' sh "$N/sub"
  for how in "--ro-bind:--ro-bind $N /mnt" "--remount-ro:--bind $N /mnt --remount-ro /mnt/sub" \
             "--bind:--bind $N /mnt"; do
    what=${how%%:*}
    # shellcheck disable=SC2086 # the options are words by design
    run "${OWN_IN[@]}" "$BWRAP" "${OWN_EXTRA[@]}" "${BASE[@]}" --proc /proc ${how#*:} sh -c '
      while read -r id parent dev root mp opts rest; do
        [ "$mp" = /mnt/sub ] && echo "$opts"
      done < /proc/self/mountinfo
      cat /mnt/sub/target /mnt/sub/link'
    check "$what: a nosymfollow submount stays nosymfollow" \
      _has_comma_item "${RUN_OUT%%$'\n'*}" nosymfollow
    assert_stderr_has "cat: /mnt/sub/link: Too many levels of symbolic links" \
      "$what: a symlink on the nosymfollow submount is not followed"
    assert_eq target "${RUN_OUT##*$'\n'}" "$what: files on the nosymfollow submount are read"
  done
fi

# A walk refused with EACCES: bubblewrap leaves such a submount as it is;
# here only where the command can never use it either, another user's
# FUSE mount (the kernel refuses every other uid before the daemon is
# asked).  A mount behind a directory whose owner could open it later
# fails the run instead, naming it.  With the new API every mount of the
# tree gets its flags in one step, and both runs succeed.  As root, for
# the fixtures: directories of root's, mode 0700, bound by bwrap-test.
SKIP_REASON=
if [ ${#AS_USER[@]} -gt 0 ] && have_squashfuse; then
  mkdir -p "$T/closed-fuse/in/m" "$T/closed-tmpfs/in/t"
  chmod 0700 "$T/closed-fuse/in" "$T/closed-tmpfs/in"
  if squashfs_of "$R/img" "$T/closed-fuse/in/m" && host_mount_tmpfs "$T/closed-tmpfs/in/t"; then
    run "${AS_USER[@]}" "$BWRAP" "${BASE[@]}" --ro-bind "$T/closed-fuse" /mnt true
    assert_rc 0 "root's FUSE mount behind a directory we may not search: left as it is"
    run "${AS_USER[@]}" "$BWRAP" "${BASE[@]}" --ro-bind "$T/closed-tmpfs" /mnt true
    if have_mount_api; then
      assert_rc 0 "a tmpfs behind a directory we may not search: gets its flags (new API)"
    else
      assert_error 1 "bwrap: Can't bind mount /oldroot$T/closed-tmpfs on /newroot/mnt: Unable to apply mount flags: remount \"/newroot/mnt/in/t\": Permission denied" \
        "a tmpfs behind a directory we may not search: the run fails, naming it"
    fi
  else
    skip_n 2 "could not mount the fixtures" "submounts behind a directory we may not search"
  fi
else
  skip_n 2 "${SKIP_REASON:-needs root and the user bwrap-test} (fixtures owned by root, run as bwrap-test)" \
    "submounts behind a directory we may not search"
fi

done_testing
