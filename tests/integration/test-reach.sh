#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# The command cannot reach the host through bwrap's own processes: the
# monitor (outside, with the caller's uid, and with --userns inside the
# joined user namespace), the pid-1 helper, and in setuid mode the helper
# and the privileged peer.  For every process whose command line carries
# this run's marker, the command tries to read a host file through
# /proc/PID/root (hidden in the sandbox by a tmpfs), which must fail, and
# the process's environ, cwd and mount namespace, which must fail too
# unless the process lives in the sandbox's own root (the pid-1 helper,
# dumpable so that the caller can join child-pid's namespaces).  Dumpable processes
# with their own marker are the controls (see PROBE): the same probe
# reaches them, so the probe itself works.
# Cases: no pid namespace ($PPID is the monitor), --unshare-pid with the
# host's /proc bound in, --as-pid-1, the pid-1 helper without a pid
# namespace (--sync-fd), --userns FD (issue 14's reproduction, with
# --proc /proc and with --unshare-pid + the host's /proc), --pidns FD.

. "$(dirname "$0")/lib.sh"

require have_userns

MARK=reach-$$-$RANDOM
# The control's marker extends ours, so that it never stands in bwrap's
# own command line (the probe derives it).
CTL=$MARK-ctl
SECRET_DIR=$TEST_TMP/hidden
SECRET=$SECRET_DIR/secret
mkdir -p "$SECRET_DIR"
echo host-secret >"$SECRET"
# The user's runs (and the setuid copy's) must be able to name the path.
chmod 0755 "$TEST_TMP" "$SECRET_DIR"

# The probe, run as the command.  Prints "found N", then one line per
# access that worked: "leak root|environ|cwd|ns PID" for bwrap's processes
# (marked by $BWRAP_REACH_MARK in their command line; "inside" instead of
# "leak" for one whose root is the sandbox's own), and for controls
# (marked "$BWRAP_REACH_MARK-ctl") "ctl PID" when their environ or cwd
# was readable and "ctlroot PID" when the host file was, through their
# root.  The controls: a dumpable child of the probe's own, in the
# command's user namespace (always there), and with --userns the process
# holding the joined namespace (its root is the host's).  They show that
# the probe reaches what is reachable.  It skips itself and its
# subshells: their command lines hold "$BWRAP_REACH_MARK", not its value.
# One grep picks the marked processes (a `tr` for each process on the
# machine took seconds per probe); its pattern [r]each-... does not match
# its own command line.
PROBE='sh -c "sleep 60; exit 0" "$BWRAP_REACH_MARK-ctl-sibling" &
sib=$!
found=0
pat="[${BWRAP_REACH_MARK%"${BWRAP_REACH_MARK#?}"}]${BWRAP_REACH_MARK#?}"
# Until the control has run exec, its command line is still ours: wait
# for it, by its marker ($sib counts in our pid namespace, and /proc may
# be the host one).
i=0
while ! grep -q -a -e "$pat-ctl-sibling" /proc/[0-9]*/cmdline 2>/dev/null && [ $i -lt 500 ]; do
  sleep 0.01
  i=$((i + 1))
done
for d in $(grep -l -a -e "$pat" /proc/[0-9]*/cmdline 2>/dev/null); do
  d=${d%/cmdline}
  p=${d#/proc/}
  cmd=$(tr "\0" " " <"$d/cmdline" 2>/dev/null) || continue
  case $cmd in
    *"$BWRAP_REACH_MARK-ctl"*)
      { cat "$d/environ" || readlink "$d/cwd"; } >/dev/null 2>&1 && echo "ctl $p"
      cat "$d/root$BWRAP_REACH_SECRET" >/dev/null 2>&1 && echo "ctlroot $p"
      continue ;;
    *"$BWRAP_REACH_MARK"*) ;;
    *) continue ;;
  esac
  found=$((found + 1))
  cat "$d/root$BWRAP_REACH_SECRET" >/dev/null 2>&1 && echo "leak root $p"
  # The pid-1 helper lives in the sandbox root, as we do: it is dumpable
  # on purpose (see process.c), and reaching it reaches nothing more.
  kind=leak
  [ "$d/root/" -ef / ] && kind=inside
  cat "$d/environ" >/dev/null 2>&1 && echo "$kind environ $p"
  readlink "$d/cwd" >/dev/null 2>&1 && echo "$kind cwd $p"
  readlink "$d/ns/mnt" >/dev/null 2>&1 && echo "$kind ns $p"
done
kill $sib
echo "found $found"'

PROBE_ENV=(--setenv BWRAP_REACH_MARK "$MARK" --setenv BWRAP_REACH_SECRET "$SECRET")
# Real root without a user namespace keeps its capabilities in the
# command (as bubblewrap): such a command is root on the host, with
# nothing to protect from it.  As root, the probes therefore run it in a
# user namespace (with every capability there) or without capabilities.
AS_ROOT=()
if is_root; then
  AS_ROOT=(--unshare-user)
fi
# The host's whole tree read-only (its /proc included), the secret hidden.
HOST_VIEW=(--ro-bind / / --dev /dev --tmpfs "$SECRET_DIR")

# probe DESC MIN_FOUND HOST_CONTROL(yes|no) BWRAP-ARGS...: runs the probe
# and checks that it found at least MIN_FOUND processes of bwrap's,
# reached none of them, reached its own control, and read the host file
# through the outside control's root when HOST_CONTROL is yes.
probe ()
{
  local desc=$1 min=$2 ctl=$3 found
  shift 3
  run_bwrap "${PROBE_ENV[@]}" "$@" sh -c "$PROBE"
  assert_rc 0 "$desc: the probe runs"
  found=$(sed -n 's/^found //p' <<<"$RUN_OUT")
  if [ -n "$found" ] && [ "$found" -ge "$min" ]; then
    pass "$desc: the probe sees $found of bwrap's processes (at least $min)"
  else
    fail "$desc: the probe sees at least $min of bwrap's processes" "found: '$found'" "$RUN_OUT"
  fi
  if grep -q '^leak' <<<"$RUN_OUT"; then
    fail "$desc: no process of bwrap's is reachable" "$(grep '^leak' <<<"$RUN_OUT")"
  else
    pass "$desc: no process of bwrap's is reachable"
  fi
  check "$desc: control: a dumpable process beside the command is reachable" \
    grep -q '^ctl ' <<<"$RUN_OUT"
  if [ "$ctl" = yes ]; then
    check "$desc: control: the host file is readable through the namespace holder's root" \
      grep -q '^ctlroot ' <<<"$RUN_OUT"
  fi
}

# The secret is really hidden inside: only a process's root could show it.
run_bwrap "${HOST_VIEW[@]}" cat "$SECRET"
assert_rc 1 "the host file is hidden in the sandbox"
check "the host file exists" test -r "$SECRET"

probe "no pid namespace" 1 no "${AS_ROOT[@]}" "${HOST_VIEW[@]}"
probe "--unshare-pid, host /proc bound in" 2 no "${AS_ROOT[@]}" --unshare-pid "${HOST_VIEW[@]}"
if is_setuid; then
  skip "--unshare-pid: the pid-1 helper is reachable, and its root is the sandbox's" \
    "setuid mode: the pid-1 helper is non-dumpable from the start"
else
  check "--unshare-pid: the pid-1 helper is reachable, and its root is the sandbox's" \
    grep -q '^inside ' <<<"$RUN_OUT"
fi
probe "--unshare-pid --as-pid-1, host /proc bound in" 1 no "${AS_ROOT[@]}" --unshare-pid --as-pid-1 "${HOST_VIEW[@]}"
# --sync-fd keeps a pid-1 helper even without a pid namespace.
probe "pid-1 helper without a pid namespace (--sync-fd)" 2 no "${AS_ROOT[@]}" "${HOST_VIEW[@]}" --sync-fd 5 5>/dev/null
if is_root; then
  # The control holds capabilities the command lacks: out of its reach.
  probe "real root, no user namespace, --cap-drop ALL" 1 no --cap-drop ALL --sync-fd 5 \
    "${HOST_VIEW[@]}" 5>/dev/null
else
  skip_n 4 "real root only" "real root, no user namespace, --cap-drop ALL"
fi
probe "--unshare-all --share-net, --proc /proc" 1 no "${AS_ROOT[@]}" \
  --unshare-all --share-net "${HOST_VIEW[@]}" --proc /proc

# The monitor, seen from outside: non-dumpable, so its /proc files are
# root's, not the caller's (as root they are root's anyway).  The
# /proc/PID directory itself always shows the process's euid.
if is_root; then
  skip_n 2 "every process of root's has root's /proc files" "the running monitor is non-dumpable"
else
  "$BWRAP" "${BASE[@]}" sleep 30 </dev/null >/dev/null 2>&1 &
  mon=$!
  register_pid "$mon"
  wait_for 5 test "$(stat -c %u "/proc/$mon/environ" 2>/dev/null)" = 0
  assert_eq 0 "$(stat -c %u "/proc/$mon/environ" 2>/dev/null)" \
    "the running monitor is non-dumpable (its /proc files are root's)"
  check_not "... the caller cannot read its environment" cat "/proc/$mon/environ"
  kill "$mon" 2>/dev/null
  wait "$mon" 2>/dev/null
fi

# ---------------------------------------------------------------- --userns
if is_setuid; then
  skip_n 10 "setuid mode refuses --userns and --pidns" "--userns/--pidns probes"
else
  unshare -U --map-current-user bash -c 'sleep 120; exit 0' "$MARK-ctl" </dev/null >/dev/null 2>&1 &
  ns_holder=$!
  register_pid "$ns_holder"
  wait_for 5 test "$(readlink "/proc/$ns_holder/ns/user")" != "$(readlink /proc/self/ns/user)"

  # Issue 14's reproduction: $PPID is the monitor, inside the joined user
  # namespace with the caller's uid.
  run_bwrap --userns 5 "${BASE[@]}" --proc /proc --dev /dev \
    sh -c 'cat /proc/$PPID/root'"$SECRET" 5<"/proc/$ns_holder/ns/user"
  assert_rc 1 "--userns FD: the host file is not readable through \$PPID's root"
  assert_stderr_match "cat: /proc/[0-9]+/root$SECRET: Permission denied" \
    "--userns FD: ... refused by the kernel (Permission denied)"
  probe "--userns FD --unshare-pid, host /proc bound in" 2 yes \
    --userns 5 --unshare-pid "${HOST_VIEW[@]}" 5<"/proc/$ns_holder/ns/user"

  # --pidns: join the pid namespace of a holder whose pid 1 is `sleep`.
  unshare -U -p -f --map-current-user bash -c 'sleep 120; exit 0' "$MARK-ctl" </dev/null >/dev/null 2>&1 &
  pid_holder_parent=$!
  register_pid "$pid_holder_parent"
  wait_for 5 pgrep -P "$pid_holder_parent" >/dev/null
  pid_holder=$(pgrep -P "$pid_holder_parent")
  register_pid "$pid_holder"
  probe "--userns FD --pidns FD, host /proc bound in" 1 yes \
    --userns 5 --pidns 6 "${HOST_VIEW[@]}" \
    5<"/proc/$pid_holder/ns/user" 6<"/proc/$pid_holder/ns/pid"
fi

done_testing
