#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Setuid-root installation (privsep.c): installs a setuid-root copy of
# $BWRAP in a private root-owned directory and runs it as the unprivileged
# user bwrap-test.  Checks that the sandbox works, that the command (and
# every bwrap process) ends without capabilities, that the user reaches no
# path they could not reach without bwrap, that the options refused in
# setuid mode are refused with bubblewrap's messages, that the privileged
# helper cannot be inspected while privileged, and that root running the
# setuid binary is plain root.  The messages are bubblewrap 0.11's setuid
# mode's, word for word.
# Also that the sandbox's namespaces belong to root, so that the user's
# other processes cannot enter them (the difference to an unprivileged
# user namespace, and why setuid mode may run under a ban on those).
# Root only (it installs a setuid binary); the 'user' suite skips it.

. "$(dirname "$0")/lib.sh"

is_root || skip_all "installs a setuid-root copy of bwrap: needs root"
is_sanitizer_build &&
  skip_all "a sanitizer build is never installed setuid (its runtime obeys ASAN_OPTIONS/UBSAN_OPTIONS)"

. "$(dirname "$0")/machine.sh"
SU_USER=$TEST_USER
ensure_test_user || skip_all "could not create the user $SU_USER"
SU_UID=$(id -u "$SU_USER")
SU_GID=$(id -g "$SU_USER")

# The user must traverse TEST_TMP (mktemp made it 0700) to reach the copy;
# the copy's directory is root's, so nobody but root can replace it, and
# only root and the test user may enter it (0710, the user's group), so no
# other local user can run the copy.  lib.sh's trap removes it all.
chmod 0711 "$TEST_TMP"
SUID_DIR=$TEST_TMP/suid
mkdir -m 0710 "$SUID_DIR"
SBWRAP=$SUID_DIR/bwrap
cp "$(command -v "$BWRAP")" "$SBWRAP"
chown "root:$SU_GID" "$SUID_DIR"
chown root:root "$SBWRAP"
chmod 4755 "$SBWRAP"
if findmnt -n -o OPTIONS -T "$SUID_DIR" | tr ',' '\n' | grep -qx nosuid; then
  skip_all "$SUID_DIR is on a nosuid filesystem"
fi

as_user ()
{
  setpriv --reuid="$SU_UID" --regid="$SU_GID" --init-groups --reset-env "$@"
}

# run_suid ARGS...: the setuid copy, started by the user, from /.
run_suid ()
{
  local RUN_CWD=/
  run setpriv --reuid="$SU_UID" --regid="$SU_GID" --init-groups --reset-env "$SBWRAP" "$@"
}

# A directory the user owns, and things of root's the user must not reach.
UDIR=$TEST_TMP/user
mkdir "$UDIR"
chown "$SU_UID:$SU_GID" "$UDIR"
SECRET=$TEST_TMP/secret
mkdir -m 0700 "$SECRET"
echo secret >"$SECRET/file"
ROOTFILE=$TEST_TMP/rootfile
echo root-data >"$ROOTFILE"
chmod 0644 "$ROOTFILE"

ZERO_CAPS="CapInh:0000000000000000
CapPrm:0000000000000000
CapEff:0000000000000000
CapBnd:0000000000000000
CapAmb:0000000000000000
NoNewPrivs:1"
CAPS_CMD='grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):" /proc/self/status | tr -d "\t"'

# ------------------------------------------------------------ the setuid copy

assert_eq "4755 0" "$(stat -c '%a %u' "$SBWRAP")" "the copy is setuid root"
run_suid "${BASE[@]}" true
if [ "$RUN_RC" != 0 ]; then
  fail "the user can run a sandbox with the setuid copy"
  _run_diag
  done_testing
  exit 1
fi
pass "the user can run a sandbox with the setuid copy"
# Only root and the test user may enter the copy's directory.
# (Through a shell: setpriv resolves its own program before it switches.)
check_not "another local user cannot run the setuid copy" \
  setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env /bin/sh -c '"$0" --version' "$SBWRAP"
check "control: the test user can run it" \
  setpriv --reuid="$SU_UID" --regid="$SU_GID" --init-groups --reset-env /bin/sh -c '"$0" --version' "$SBWRAP"

# The privileged helper sets no_new_privs before it creates the sandbox
# process (which, with the privileged peer it forks, inherits it).  Seen
# through strace as root (a privileged tracer keeps the setuid exec's
# privileges): the process whose clone makes the root-owned user
# namespace for the monitor (CLONE_PARENT) must have set it first.
if command -v strace >/dev/null; then
  strace -f -qq -o "$TEST_TMP/strace" -e trace=prctl,clone,clone3 \
    setpriv --reuid="$SU_UID" --regid="$SU_GID" --init-groups --reset-env \
    "$SBWRAP" "${BASE[@]}" true >/dev/null 2>&1
  helper=$(grep -E 'clone3?\(.*CLONE_NEWUSER.*CLONE_PARENT|clone3?\(.*CLONE_PARENT.*CLONE_NEWUSER' \
             "$TEST_TMP/strace" | head -n 1 | cut -d' ' -f1)
  if [ -n "$helper" ] &&
     grep -E "^$helper +(prctl\(PR_SET_NO_NEW_PRIVS, 1|clone)" "$TEST_TMP/strace" | head -n 1 |
       grep -q PR_SET_NO_NEW_PRIVS; then
    pass "the privileged helper sets no_new_privs before it creates the sandbox"
  else
    fail "the privileged helper sets no_new_privs before it creates the sandbox" \
      "helper pid: '$helper'" "$(grep -E 'NO_NEW_PRIVS|CLONE_NEWUSER' "$TEST_TMP/strace")"
  fi
else
  skip "the privileged helper sets no_new_privs before it creates the sandbox" "no strace"
fi

# No process of a setuid run becomes the user's in every uid while it is
# dumpable: the kernel resets the dumpable flag to fs.suid_dumpable at each
# change of the effective uid and lets the user attach once real,
# effective and saved uid are theirs (to the sandbox process and the peer
# only with CAP_SYS_PTRACE in the sandbox's root-owned user namespace), so
# with fs.suid_dumpable=1 the user could stop (SIGSTOP) and attach to the
# monitor, which holds the socket to the helper, between the two steps.
# Every setresuid that gives the user's uid to the saved uid must come
# after that process's PR_SET_DUMPABLE 0 (issue 25; the sysctl is
# machine-wide, so the order is what is checked, not the window).
if command -v strace >/dev/null; then
  mkdir "$TEST_TMP/strace-ids"
  strace -ff -qq -o "$TEST_TMP/strace-ids/t" -e trace=execve,setresuid,prctl \
    setpriv --reuid="$SU_UID" --regid="$SU_GID" --init-groups --reset-env \
    "$SBWRAP" "${BASE[@]}" true >/dev/null 2>&1
  # One word per process that gives the user's uid to its saved uid: ok,
  # or bad: and what it did in order, d = dumpable flag cleared, s = saved
  # uid the user's (counted from the exec of bwrap: setpriv's own change
  # comes before).
  order=$(for f in "$TEST_TMP"/strace-ids/t.*; do
            awk -v u="$SU_UID" '
              /^execve\("[^"]*\/bwrap"/ { seq = "" }
              /^prctl\(PR_SET_DUMPABLE, (0|SUID_DUMP_DISABLE)\)/ { seq = seq "d" }
              $0 ~ "^setresuid\\([^,]*, [^,]*, " u "\\)" { seq = seq "s" }
              END { if (seq ~ /s/) print (seq ~ /^d/ ? "ok" : "bad:" seq) }' "$f"
          done | sort | tr '\n' ' ')
  # The monitor, the sandbox process and the peer (the helper stays root).
  assert_eq "ok ok ok " "$order" \
    "each process clears its dumpable flag before its saved uid becomes the user's"
else
  skip "each process clears its dumpable flag before its saved uid becomes the user's" "no strace"
fi

# ------------------------------------------------------------ the sandbox works

run_suid "${BASE[@]}" --proc /proc sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map'
assert_rc 0 "ids and maps: exit 0"
# Only the user's own ids are mapped, each to itself: no other host id is
# reachable from the sandbox.
assert_eq "$SU_UID
$SU_GID
$(printf '%10s %10s %10s' "$SU_UID" "$SU_UID" 1)
$(printf '%10s %10s %10s' "$SU_GID" "$SU_GID" 1)" "$RUN_OUT" \
  "the command runs as the user; only the user's ids are mapped, to themselves"

run_suid "${BASE[@]}" --proc /proc --unshare-user --uid 0 --gid 0 sh -c 'id -u; id -g; cat /proc/self/uid_map'
assert_eq "0
0
$(printf '%10s %10s %10s' 0 "$SU_UID" 1)" "$RUN_OUT" "--uid 0 --gid 0: root inside is the user outside"

run_suid "${BASE[@]}" --dev /dev sh -c 'echo x >/dev/null && head -c 3 /dev/zero | od -An -tx1 && test -c /dev/ptmx && test -d /dev/pts && id -u'
assert_rc 0 "--dev: works"
assert_eq " 00 00 00
$SU_UID" "$RUN_OUT" "--dev: /dev/null, /dev/zero, ptmx, pts; the command keeps the user's uid"

# devpts needs 0 mapped: bubblewrap's setuid layout maps it to the
# kernel's overflow id, the one host id that gives nothing away.
OVERFLOW_UID=$(cat /proc/sys/kernel/overflowuid)
OVERFLOW_GID=$(cat /proc/sys/kernel/overflowgid)
run_suid "${BASE[@]}" --dev /dev --proc /proc sh -c 'cat /proc/self/uid_map /proc/self/gid_map; script -qc "tty" /dev/null </dev/null | grep -c /dev/pts/'
assert_eq "$(printf '%10s %10s %10s' 0 "$OVERFLOW_UID" 1)
$(printf '%10s %10s %10s' "$SU_UID" "$SU_UID" 1)
$(printf '%10s %10s %10s' 0 "$OVERFLOW_GID" 1)
$(printf '%10s %10s %10s' "$SU_GID" "$SU_GID" 1)
1" "$RUN_OUT" "--dev: 0 maps to the overflow ids, and a pty can be opened"

# (A glob, not ls: no extra process may appear while /proc is read.)
# pid 2 was the privileged peer of the setup (privop.c), gone before the
# command starts (bubblewrap's setuid mode has such a setup process too).
run_suid "${BASE[@]}" --unshare-pid --proc /proc sh -c 'echo $$; echo /proc/[0-9]*'
assert_eq "3
/proc/1 /proc/3" "$RUN_OUT" "--unshare-pid --proc: the command is pid 3 and sees only pid 1 and itself"

run_suid "${BASE[@]}" --unshare-net --proc /proc sh -c 'grep -c : /proc/net/dev'
assert_eq "1" "$RUN_OUT" "--unshare-net: only one interface (lo)"

run_suid "${BASE[@]}" --unshare-uts --hostname sandbox-host --proc /proc cat /proc/sys/kernel/hostname
assert_eq "sandbox-host" "$RUN_OUT" "--unshare-uts --hostname"

run_suid "${BASE[@]}" --bind "$UDIR" /data sh -c 'echo written >/data/new; id -u >/data/owner'
assert_rc 0 "--bind of a user-owned dir: exit 0"
assert_file_content "$UDIR/new" "written" "--bind: the write lands on the host"
assert_eq "$SU_UID" "$(stat -c %u "$UDIR/new")" "--bind: the new file belongs to the user"

run_suid "${BASE[@]}" --ro-bind "$UDIR" /data sh -c 'echo x >/data/ro'
check_not "--ro-bind: writing fails" test "$RUN_RC" = 0
assert_no_file "$UDIR/ro" "--ro-bind: nothing written on the host"

run_suid "${BASE[@]}" --tmpfs /tmp --dir /tmp/d --file 0 /tmp/f --symlink /tmp/f /tmp/l \
  --remount-ro /tmp sh -c 'test -d /tmp/d && test -L /tmp/l && ! touch /tmp/x 2>/dev/null && echo ok'
assert_eq "ok" "$RUN_OUT" "--tmpfs, --dir, --file, --symlink, --remount-ro"

# ------------------------------------------------------------ capabilities

run_suid "${BASE[@]}" --proc /proc sh -c "$CAPS_CMD"
assert_eq "$ZERO_CAPS" "$RUN_OUT" "default: no capability in any set, no_new_privs"

run_suid "${BASE[@]}" --unshare-all --uid 0 --gid 0 --proc /proc sh -c "$CAPS_CMD"
assert_eq "$ZERO_CAPS" "$RUN_OUT" "--unshare-all --uid 0: still no capability"

# uid 0 of the sandbox's (root-owned) namespace must never turn back into
# capabilities there: securebits NOROOT, NO_SETUID_FIXUP, KEEP_CAPS and
# NO_CAP_AMBIENT_RAISE are set as needed and locked (0xeb).
SECUREBITS_CMD='python3 -c "import ctypes; print(hex(ctypes.CDLL(None).prctl(27, 0, 0, 0, 0)))"'
run_suid "${BASE[@]}" --unshare-user --uid 0 --gid 0 sh -c "$SECUREBITS_CMD"
assert_eq "0xeb" "$RUN_OUT" "--uid 0: securebits locked so root inside regains nothing"
RUN_CWD=/ run setpriv --reuid="$SU_UID" --regid="$SU_GID" --init-groups --reset-env \
  "$BWRAP" "${BASE[@]}" --unshare-user --uid 0 --gid 0 sh -c "$SECUREBITS_CMD"
assert_eq "0x0" "$RUN_OUT" "control: without setuid the securebits stay as they are"

run_suid "${BASE[@]}" --cap-drop ALL --proc /proc sh -c "$CAPS_CMD"
assert_eq "$ZERO_CAPS" "$RUN_OUT" "--cap-drop ALL is accepted and changes nothing"

run_suid "${BASE[@]}" --cap-add CAP_NET_RAW --cap-drop CAP_NET_RAW --proc /proc sh -c "$CAPS_CMD"
assert_eq "$ZERO_CAPS" "$RUN_OUT" "--cap-add X --cap-drop X (empty result) is accepted"

run_suid "${BASE[@]}" --unshare-pid --proc /proc \
  sh -c 'grep -E "^Cap(Prm|Eff|Bnd):" /proc/1/status | tr -d "\t"'
assert_eq "CapPrm:0000000000000000
CapEff:0000000000000000
CapBnd:0000000000000000" "$RUN_OUT" "the pid-1 helper holds no capability"

# Outside: the monitor (the process the user started) and its state while
# the command runs.
# (Markers unique to this run: other scripts run as the same user.)
new_marker
run_suid "${BASE[@]}" --unshare-pid sleep "$MARKER" &
launcher=$!
register_pid "$launcher"
wait_for 10 pgrep -u "$SU_UID" -xf "sleep $MARKER" >/dev/null || true
# The oldest bwrap process of the user is the monitor (the sandbox process
# is its child, the helper is gone once the namespace exists).
monitor=$(pgrep -u "$SU_UID" -o -f "^$SBWRAP ")
if [ -n "$monitor" ]; then
  assert_eq "CapPrm:0000000000000000
CapEff:0000000000000000" "$(grep -E '^Cap(Prm|Eff):' "/proc/$monitor/status" | tr -d '\t')" \
    "the monitor outside holds no capability while the command runs"
  assert_eq "Uid:$SU_UID$SU_UID$SU_UID$SU_UID" "$(grep '^Uid:' "/proc/$monitor/status" | tr -d '\t')" \
    "the monitor's real, effective, saved and fs uid are the user's"
  kill -TERM "$monitor"   # forwarded to the command
else
  fail "found the monitor process"
  fail "found the monitor process (uids)"
fi
wait "$launcher" 2>/dev/null
wait_for 5 sh -c "! pgrep -u $SU_UID -f '^$SBWRAP' >/dev/null" || true

# ------------------------------------------------------------ root-owned namespaces

# The sandbox's user namespace belongs to root, not to the user: the
# user's other processes can neither enter it nor inspect the sandbox
# through /proc.  Control: the user CAN enter the namespace of the
# unprivileged (non-setuid) bwrap, which the user owns.
ns_owner ()
{
  python3 -c 'import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
b = bytearray(4)
fcntl.ioctl(fd, 0xb704, b)   # NS_GET_OWNER_UID
print(struct.unpack("I", b)[0])' "$1"
}
for mode in setuid plain; do
  if [ "$mode" = setuid ]; then bw=$SBWRAP; else bw=$(command -v "$BWRAP"); fi
  new_marker
  (cd / && as_user "$bw" "${BASE[@]}" --unshare-user --unshare-pid sleep "$MARKER") &
  launcher=$!
  register_pid "$launcher"
  wait_for 10 pgrep -u "$SU_UID" -xf "sleep $MARKER" >/dev/null || true
  victim=$(pgrep -u "$SU_UID" -n -xf "sleep $MARKER")
  if [ -z "$victim" ]; then
    fail "$mode: found the sandboxed command"
    continue
  fi
  owner=$(ns_owner "/proc/$victim/ns/user")
  if [ "$mode" = setuid ]; then
    assert_eq "0" "$owner" "setuid: the sandbox's user namespace belongs to root"
    check_not "setuid: the user cannot enter the sandbox's user namespace" \
      as_user nsenter --user --preserve-credentials --target "$victim" true
    check_not "setuid: the user cannot enter the sandbox's mount namespace" \
      as_user nsenter --mount --target "$victim" true
    # No process of the sandbox holds a capability by now: the privileged
    # peer is gone before the command starts.  (During setup it is there,
    # with CapPrm 0x200000 + 0x1000: SYS_ADMIN and NET_ADMIN.)
    pidns=$(readlink "/proc/$victim/ns/pid")
    capprocs=0 nprocs=0
    for d in /proc/[0-9]*; do
      [ "$(readlink "$d/ns/pid" 2>/dev/null)" = "$pidns" ] || continue
      nprocs=$((nprocs + 1))
      awk '/^CapPrm:/ { exit ($2 == "0000000000000000") }' "$d/status" 2>/dev/null &&
        capprocs=$((capprocs + 1))
    done
    assert_eq "2 0" "$nprocs $capprocs" \
      "setuid: the sandbox's pid namespace holds pid 1 and the command, neither with a capability"
  else
    assert_eq "$SU_UID" "$owner" "control: the unprivileged bwrap's user namespace belongs to the user"
    check "control: the user can enter the namespace of an unprivileged bwrap" \
      as_user nsenter --user --preserve-credentials --target "$victim" true
  fi
  kill "$victim" 2>/dev/null
  wait "$launcher" 2>/dev/null
done

# A setuid-root program gives no privilege inside: no_new_privs, and root
# is not even mapped.  Control: outside it does give euid 0.
cp "$(command -v id)" "$SUID_DIR/id"
chmod 4755 "$SUID_DIR/id"
assert_eq "0" "$(cd / && as_user "$SUID_DIR/id" -u)" "control: the setuid-root id gives euid 0 outside"
run_suid "${BASE[@]}" --ro-bind "$SUID_DIR" /suid /suid/id -u
assert_eq "$SU_UID" "$RUN_OUT" "a setuid-root program run inside the sandbox gains nothing"

# ------------------------------------------------------------ host paths

run_suid "${BASE[@]}" --ro-bind "$SECRET/file" /s cat /s
assert_error 1 "bwrap: Can't find source path $SECRET/file: Permission denied" \
  "binding a path inside a 0700 root dir fails like the user's own lookup"

run_suid "${BASE[@]}" --ro-bind "$SECRET" /s ls /s
check_not "a bound 0700 root dir stays unreadable inside" test "$RUN_RC" = 0
assert_stderr_has "Permission denied" "listing the 0700 root dir: Permission denied"

if [ -e /etc/shadow ] && ! as_user test -r /etc/shadow; then
  run_suid "${BASE[@]}" --ro-bind /etc/shadow /s cat /s
  assert_stderr_is "cat: /s: Permission denied" "/etc/shadow bound in stays unreadable"
else
  skip "/etc/shadow bound in stays unreadable" "no /etc/shadow unreadable by $SU_USER"
fi

run_suid "${BASE[@]}" --bind "$ROOTFILE" /f sh -c 'echo more >>/f'
check_not "writing a bound root-owned 0644 file fails" test "$RUN_RC" = 0
run_suid "${BASE[@]}" --bind "$ROOTFILE" /f --chmod 0666 /f true
assert_error 1 "bwrap: Can't chmod 0666 /f: Operation not permitted" "--chmod of a root-owned file is refused"
assert_eq "644 root-data" "$(stat -c %a "$ROOTFILE") $(cat "$ROOTFILE")" "the root-owned file is unchanged"

# Destinations resolve inside the new root: a symlink to a host directory
# cannot put a mount or a directory on the host.
mkdir "$UDIR/target"
chown "$SU_UID:$SU_GID" "$UDIR/target"
run_suid "${BASE[@]}" --symlink "$UDIR/target" /link --dir /link/made --tmpfs /link/mnt true
assert_no_file "$UDIR/target/made" "--dir through a symlink to a host dir creates nothing on the host"
assert_no_file "$UDIR/target/mnt" "--tmpfs through a symlink to a host dir creates nothing on the host"
check_not "... and mounts nothing on the host" mountpoint -q "$UDIR/target/mnt"

# ------------------------------------------------------------ refused options

refused ()
{
  local msg=$1
  shift
  run_suid "${BASE[@]}" "$@" true
  assert_error 1 "bwrap: $msg" "refused: $*"
}
refused "The --tmp-overlay option is not permitted in setuid mode" --tmp-overlay /x
refused "The --ro-overlay option is not permitted in setuid mode" --ro-overlay /x
refused "The --overlay option is not permitted in setuid mode" --overlay "$UDIR" "$UDIR" /x
refused "The --overlay-src option is not permitted in setuid mode" --overlay-src /usr --ro-overlay /x
refused "The --size option is not permitted in setuid mode" --size 1000 --tmpfs /x
refused "--userns doesn't work in setuid mode" --userns 0
refused "--userns2 doesn't work in setuid mode" --userns2 0
refused "--pidns doesn't work in setuid mode" --pidns 0
refused "--userns-block-fd doesn't work in setuid mode" --unshare-user --info-fd 2 --userns-block-fd 0
refused "--cap-add in setuid mode can be used only by root" --cap-add CAP_SYS_ADMIN
refused "--cap-add in setuid mode can be used only by root" --cap-add ALL
refused "--cap-add in setuid mode can be used only by root" --cap-drop ALL --cap-add CAP_CHOWN
assert_eq "" "$(ls -A "$UDIR" | grep -v -e '^new$' -e '^owner$' -e '^target$')" \
  "refused runs left nothing in the user's dir"

# ------------------------------------------------------------ the helper

# While bwrap reads --args, its helper waits for the request: root,
# with CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID and CAP_SYS_PTRACE only
# (0x2800c0), and out of the user's reach (non-dumpable: its /proc files
# are root's).  The caller's process holds nothing and, holding the
# socket to the helper, is out of reach of the user's other processes too.
cat >"$TEST_TMP/probe.sh" <<'EOF'
exec 5< <(sleep 3)
"$1" --args 5 true 2>/dev/null &
b=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
  h=$(pgrep -P "$b") && break
  sleep 0.1
done
sleep 0.2
grep -E "^(Uid|CapEff|CapBnd):" /proc/$h/status | tr -d '\t'
cat /proc/$h/environ >/dev/null 2>&1 || echo "helper environ not readable"
readlink /proc/$h/ns/user >/dev/null 2>&1 || echo "helper namespaces not readable"
cat /proc/$b/environ >/dev/null 2>&1 || echo "caller environ not readable"
wait
EOF
chmod 0644 "$TEST_TMP/probe.sh"
RUN_CWD=/ run setpriv --reuid="$SU_UID" --regid="$SU_GID" --init-groups --reset-env \
  bash "$TEST_TMP/probe.sh" "$SBWRAP"
assert_eq "Uid:0000
CapEff:00000000002800c0
CapBnd:00000000002800c0
helper environ not readable
helper namespaces not readable
caller environ not readable" "$RUN_OUT" \
  "while waiting, the helper is root with four capabilities, and neither it nor the caller is inspectable"

run_suid --no-such-option
assert_error 1 "bwrap: Unknown option --no-such-option" "a parse error in setuid mode: one line, exit 1"
# (Only processes of our copy: other tests may use the same user.)
if wait_for 5 sh -c "! pgrep -u $SU_UID -f '^$SBWRAP' >/dev/null"; then
  pass "no helper or other bwrap process of the user is left behind"
else
  fail "no helper or other bwrap process of the user is left behind" "$(ps -o pid,args -u "$SU_UID")"
fi

# ------------------------------------------------------------ root runs it

run "$SBWRAP" "${BASE[@]}" --proc /proc sh -c "id -u; grep -E '^CapEff:' /proc/self/status | tr -d '\t'"
assert_eq "0
$(grep -E '^CapEff:' /proc/self/status | tr -d '\t')" "$RUN_OUT" \
  "root running the setuid copy is plain root (uid 0, its own capabilities)"
run "$SBWRAP" "${BASE[@]}" --size 1000 --tmpfs /x --cap-drop ALL --proc /proc sh -c "$CAPS_CMD"
assert_rc 0 "root may use --size and --cap-drop with the setuid copy"
assert_match "CapEff:0000000000000000" "$(grep CapEff <<<"$RUN_OUT")" "root: --cap-drop ALL applies"

# ------------------------------------------------------------ administrative ban

# The reason to install setuid: a kernel where unprivileged user namespaces
# are switched off (Debian's kernel.unprivileged_userns_clone).  Setuid
# mode works there, and hands the user nothing the ban withholds: the
# namespaces are root's (see above).
# The ban holds for the whole machine: meson runs this script alone where
# the knob exists (tests/integration/meson.build); if it appeared after
# `meson setup`, other tests run beside us and would fail under it.
SYSCTL=/proc/sys/kernel/unprivileged_userns_clone
if [ -w "$SYSCTL" ] && [ "${BWRAP_TESTS_PARALLEL:-0}" = 1 ]; then
  skip_n 4 "other tests run beside this one (the knob appeared after meson setup: reconfigure)" \
    "setuid copy under the unprivileged user namespace ban"
elif [ -w "$SYSCTL" ]; then
  old_sysctl=$(cat "$SYSCTL")
  restore_sysctl () { echo "$old_sysctl" >"$SYSCTL"; }
  trap '_rc=$?; restore_sysctl; (exit $_rc); _lib_cleanup' EXIT
  echo 0 >"$SYSCTL"
  RUN_CWD=/ run setpriv --reuid="$SU_UID" --regid="$SU_GID" --init-groups --reset-env \
    "$BWRAP" "${BASE[@]}" true
  check_not "control: with the ban, the non-setuid bwrap fails for the user" test "$RUN_RC" = 0
  run_suid "${BASE[@]}" --unshare-all --dev /dev --proc /proc sh -c "$CAPS_CMD"
  assert_eq "$ZERO_CAPS" "$RUN_OUT" "with the ban, the setuid copy runs a sandbox without capabilities"
  run_suid "${BASE[@]}" --unshare-all sh -c 'unshare -U true'
  check_not "with the ban, the command cannot make a user namespace of its own" test "$RUN_RC" = 0
  restore_sysctl
  assert_eq "$old_sysctl" "$(cat "$SYSCTL")" "kernel.unprivileged_userns_clone restored"
else
  skip_n 4 "this kernel has no writable kernel.unprivileged_userns_clone" \
    "setuid copy under the unprivileged user namespace ban"
fi

# Earlier versions refused to run under a ban; bwrap no longer reads the
# knobs at all.  Simulated with a private tmpfs over /proc/sys/kernel in a
# mount namespace of our own.
for knob in "unprivileged_userns_clone 0" "apparmor_restrict_unprivileged_userns 1"; do
  read -r name value <<<"$knob"
  RUN_CWD=/ run unshare -m sh -c 'mount -t tmpfs none /proc/sys/kernel && echo "$2" >"/proc/sys/kernel/$1" &&
    exec setpriv --reuid="$3" --regid="$4" --init-groups --reset-env "$5" --ro-bind / / echo ran' \
    sh "$name" "$value" "$SU_UID" "$SU_GID" "$SBWRAP"
  assert_eq "ran" "$RUN_OUT" "simulated $name=$value: the setuid copy runs"
done

done_testing
