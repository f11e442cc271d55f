#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Setuid-root installation (privsep.c): installs a setuid-root copy of
# $BWRAP in a private root-owned directory and runs it as the unprivileged
# user bwrap-test.  Checks that the sandbox works, that the command (and
# every bwrap process) ends without capabilities, that the user reaches no
# path they could not reach without bwrap, that the options refused in
# setuid mode are refused with bubblewrap's messages, that the privileged
# helper cannot be inspected while privileged, and that root running the
# setuid binary is plain root.  Reference: BWRAP-REFERENCE.md section 9.
# Root only (it installs a setuid binary); the 'user' suite skips it.

. "$(dirname "$0")/lib.sh"

is_root || skip_all "installs a setuid-root copy of bwrap: needs root"

SU_USER=bwrap-test
if ! getent passwd "$SU_USER" >/dev/null; then
  useradd --system --user-group --create-home --shell /bin/bash \
    --comment "bwrap integration tests" "$SU_USER" ||
    skip_all "could not create the user $SU_USER"
fi
SU_UID=$(id -u "$SU_USER")
SU_GID=$(id -g "$SU_USER")

# The user must traverse TEST_TMP (mktemp made it 0700) to reach the copy;
# the copy's directory is root-owned so nobody but root can replace it.
chmod 0711 "$TEST_TMP"
SUID_DIR=$TEST_TMP/suid
mkdir -m 0755 "$SUID_DIR"
SBWRAP=$SUID_DIR/bwrap
cp "$(command -v "$BWRAP")" "$SBWRAP"
chown root:root "$SUID_DIR" "$SBWRAP"
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

# (A glob, not ls: no extra process may appear while /proc is read.)
run_suid "${BASE[@]}" --unshare-pid --proc /proc sh -c 'echo $$; echo /proc/[0-9]*'
assert_eq "2
/proc/1 /proc/2" "$RUN_OUT" "--unshare-pid --proc: the command is pid 2 and sees only the sandbox's processes"

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
run_suid "${BASE[@]}" --unshare-pid sleep 37 &
launcher=$!
register_pid "$launcher"
wait_for 10 pgrep -u "$SU_UID" -f '^sleep 37$' >/dev/null || true
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

# While bwrap reads --args, its helper waits for the request.  It made the
# user namespace first thing, so by then it holds no capability over the
# host: whatever it holds counts in that user-owned namespace alone (a
# different one from the host's), and the user may inspect it.  The
# caller's process holds nothing and is inspectable too.
cat >"$TEST_TMP/probe.sh" <<'EOF'
exec 5< <(sleep 3)
"$1" --args 5 true 2>/dev/null &
b=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
  h=$(pgrep -P "$b") && break
  sleep 0.1
done
sleep 0.2
[ "$(readlink /proc/$h/ns/user)" != "$(readlink /proc/self/ns/user)" ] &&
  echo "helper in a user namespace of its own"
grep -q "^Uid:[[:space:]]*$(id -u)[[:space:]]" /proc/$h/status && echo "helper runs as the user"
cat /proc/$b/environ >/dev/null 2>&1 && echo "caller environ readable"
wait
EOF
chmod 0644 "$TEST_TMP/probe.sh"
RUN_CWD=/ run setpriv --reuid="$SU_UID" --regid="$SU_GID" --init-groups --reset-env \
  bash "$TEST_TMP/probe.sh" "$SBWRAP"
assert_eq "helper in a user namespace of its own
helper runs as the user
caller environ readable" "$RUN_OUT" \
  "while waiting, the helper holds nothing over the host (own user namespace, the user's uid)"

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
# are switched off (Debian's kernel.unprivileged_userns_clone).
SYSCTL=/proc/sys/kernel/unprivileged_userns_clone
if [ -w "$SYSCTL" ]; then
  old_sysctl=$(cat "$SYSCTL")
  restore_sysctl () { echo "$old_sysctl" >"$SYSCTL"; }
  trap '_rc=$?; restore_sysctl; (exit $_rc); _lib_cleanup' EXIT
  echo 0 >"$SYSCTL"
  RUN_CWD=/ run setpriv --reuid="$SU_UID" --regid="$SU_GID" --init-groups --reset-env \
    "$BWRAP" "${BASE[@]}" true
  check_not "control: with the ban, the non-setuid bwrap fails for the user" test "$RUN_RC" = 0
  # The namespace setuid mode makes is the user's (privsep.h): under a
  # ban it would hand the user what the ban withholds, so it refuses.
  run_suid "${BASE[@]}" --unshare-all --proc /proc true
  assert_error 1 "bwrap: setuid mode is not supported while unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0 or kernel.apparmor_restrict_unprivileged_userns=1): it would lift that restriction for the user" \
    "with the ban, the setuid copy refuses to run"
  run_suid --version
  assert_rc 1 "with the ban, refused before anything else"
  restore_sysctl
  assert_eq "$old_sysctl" "$(cat "$SYSCTL")" "kernel.unprivileged_userns_clone restored"
else
  skip_n 4 "this kernel has no writable kernel.unprivileged_userns_clone" \
    "setuid copy under the unprivileged user namespace ban"
fi


# The same decision on every kernel, with the knobs simulated: a private
# tmpfs over /proc/sys/kernel in a mount namespace of our own.  The kernel
# keeps allowing namespaces; what is exercised is bwrap reading the knobs.
BAN_MSG="bwrap: setuid mode is not supported while unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0 or kernel.apparmor_restrict_unprivileged_userns=1): it would lift that restriction for the user"
for knob in "unprivileged_userns_clone 0" "apparmor_restrict_unprivileged_userns 1" \
            "unprivileged_userns_clone 1"; do
  read -r name value <<<"$knob"
  RUN_CWD=/ run unshare -m sh -c 'mount -t tmpfs none /proc/sys/kernel && echo "$2" >"/proc/sys/kernel/$1" &&
    exec setpriv --reuid="$3" --regid="$4" --init-groups --reset-env "$5" --ro-bind / / true' \
    sh "$name" "$value" "$SU_UID" "$SU_GID" "$SBWRAP"
  if [ "$knob" = "unprivileged_userns_clone 1" ]; then
    assert_rc 0 "simulated $name=$value (allowed): the setuid copy runs"
  else
    assert_error 1 "$BAN_MSG" "simulated $name=$value (a ban): the setuid copy refuses"
  fi
done

done_testing
