#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Deterministic teardown (issue 9, beyond bubblewrap): with --unshare-pid,
# when bwrap returns no process of the sandbox is left and its mounts are
# gone, so the caller can unmount the FUSE store it used as an overlay lower
# layer right away.  Checked TEARDOWN_ROUNDS (default 100) times in a row,
# with and without the command leaving a background process behind (the
# two series side by side, each with its own FUSE mount).
#
# Why three checks per round: `fusermount3 -u` of the host mount succeeds
# even while a sandbox still holds the overlay (the sandbox's copy of the
# mount is private to it), so on its own it could not fail.  What a
# lingering sandbox does change is (a) its processes still exist and (b) the
# FUSE superblock stays referenced, so the squashfuse daemon keeps running
# after the unmount.  The control at the end shows (a) and (b) fire when
# processes do outlive bwrap (no pid namespace).
#
# (b) has one false alarm: any mount namespace created anywhere on the
# machine while the FUSE mount exists (another test's or benchmark's
# sandbox, `unshare -m`) holds a copy of it, and with it the superblock.
# Such a copy shows the FUSE device in that process's mountinfo, which our
# own sandbox's never does (its old root, where the FUSE mount was, is
# detached; it sees the overlay only).  Rounds hit by that are counted as
# disturbed and reported, not failed.

. "$(dirname "$0")/lib.sh"

# (test-clients.sh checks the teardown of plain --unshare-pid sandboxes in
# every mode; test-overlay.sh that setuid mode refuses the overlay options.)
is_setuid && skip_all "setuid mode refuses the overlay options every round uses"
is_root || require have_overlay_userns
require have_squashfuse
command -v pgrep >/dev/null || skip_all "pgrep not installed (procps)"

T=$TEST_TMP
ROUNDS=${TEARDOWN_ROUNDS:-100}
mkdir -p "$T/tree/d"
echo data >"$T/tree/d/f"
make_squashfs "$T/tree" "$T/tree.sqfs" || skip_all "mksquashfs failed"
MP=$T/mnt
mkdir -p "$MP"
register_mount "$MP" fuse

# mounted_dev: the device (MAJ:MIN) of the mount at $MP, from our
# mountinfo (bash alone: 200 rounds of `mountpoint` calls added up).
mounted_dev ()
{
  local id parent dev root mp rest
  while read -r id parent dev root mp rest; do
    [ "$mp" = "$MP" ] && { echo "$dev"; return 0; }
  done </proc/self/mountinfo
  return 1
}
is_mounted () { mounted_dev >/dev/null; }

# Mount the image with squashfuse in the foreground, as a child of a
# subshell that records the daemon's exit in $T/exit.<round>; the FUSE
# device number goes to $T/dev.<round>.
start_daemon ()
{
  local n=$1
  # (stdout away from the caller's $(...), which would wait for it.)
  (
    squashfuse -f "$T/tree.sqfs" "$MP" 2>"$TEST_TMP/daemon.err" &
    echo "$!" >"$T/pid.$n"
    wait "$!"
    echo "$?" >"$T/exit.$n"
  ) >/dev/null &
  wait_for 10 is_mounted && mounted_dev >"$T/dev.$n"
}
daemon_gone () { [ -e "$T/exit.$1" ]; }

# retry_daemon ROUND: stop what the failed start left and start again;
# DAEMON_EXIT is the failed daemon's exit status (empty if it still ran).
retry_daemon ()
{
  local n=$1
  DAEMON_EXIT=$(cat "$T/exit.$n" 2>/dev/null)
  kill "$(cat "$T/pid.$n")" 2>/dev/null
  wait_for 10 daemon_gone "$n"
  is_mounted && fusermount3 -u "$MP" 2>/dev/null
  rm -f "$T/exit.$n" "$T/pid.$n"
  start_daemon "$n"
}

# Processes (other than in our own mount namespace) with a copy of the
# FUSE mount of round $1.
foreign_copies ()
{
  local dev f p
  dev=$(cat "$T/dev.$1")
  for f in $(grep -l " $dev " /proc/[0-9]*/mountinfo 2>/dev/null); do
    p=${f%/mountinfo}
    [ "$(readlink "$p/ns/mnt")" = "$(readlink /proc/self/ns/mnt)" ] && continue
    echo "${p#/proc/}: $({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | cut -c1-100)"
  done
}

# leftover MARKER: sets LEFTOVER, a command that leaves MARKER running in
# the background, holding the overlay at /m, and prints /m/d/f once it
# has started.
leftover ()
{
  LEFTOVER="cd /m/d && (echo up > /m/d/started; exec $1) </m/d/f >/dev/null 2>&1 &
        while [ ! -s /m/d/started ]; do sleep 0.01; done; cat /m/d/f"
}

# round VARIANT N: one bwrap run and the checks right after it returns.
# Sets WHY: empty on success, "disturbed: ..." for (b)'s false alarm, or
# the reason of a failure.  (No $(...) around it: 200 forks add up.)
round ()
{
  local variant=$1 n=$2 tag=$1$2 marker left copies
  WHY=
  marker="sleep $((7770000 + n)).$$"   # this run's own (lib.sh's new_marker)
  # Starting squashfuse is the test's setup, not what it checks: on a
  # loaded machine it has failed once in some hundred rounds without a
  # word on stderr, so a failed start is retried once, with its state
  # reported if the second fails too.
  if ! start_daemon "$tag" && ! retry_daemon "$tag"; then
    WHY="squashfuse mount failed twice (exit status ${DAEMON_EXIT:-none: still running}): $(cat "$TEST_TMP/daemon.err")"
    return
  fi
  case $variant in
    plain)
      run_bwrap --unshare-pid "${BASE[@]}" --dev /dev --overlay-src "$MP" --tmp-overlay /m cat /m/d/f ;;
    background)
      # The leftover holds the overlay (cwd and an open file in it); the
      # command returns only once it runs.  --dev: dash opens /dev/null
      # for a background command and skips the command when it cannot.
      leftover "$marker"
      run_bwrap --unshare-pid "${BASE[@]}" --dev /dev --overlay-src "$MP" --tmp-overlay /m \
        sh -c "$LEFTOVER" ;;
  esac
  # Immediately: no sandbox process may be left.  (plain starts nothing
  # that could be: only the daemon's exit below can show a lingering
  # sandbox there.)
  left=
  [ "$variant" = plain ] || left=$(pgrep -x -f "$marker")
  if [ "$RUN_RC" != 0 ] || [ "$RUN_OUT" != data ]; then
    WHY="bwrap failed: status $RUN_RC, stdout '$RUN_OUT', stderr '$RUN_ERR'"
  elif [ -n "$left" ]; then
    WHY="sandbox process '$marker' (pid $left) still alive when bwrap returned"
  elif ! fusermount3 -u "$MP" 2>"$TEST_TMP/fusermount.err"; then
    WHY="fusermount3 -u failed: $(cat "$TEST_TMP/fusermount.err")"
  elif ! wait_for 10 daemon_gone "$tag"; then
    copies=$(foreign_copies "$tag")
    if [ -n "$copies" ]; then
      WHY="disturbed: another mount namespace holds a copy of the FUSE mount: $copies"
      # That copy is stale; stop serving it so nothing of ours lingers.
      kill -TERM "$(cat "$T/pid.$tag")" 2>/dev/null
      wait_for 10 daemon_gone "$tag"
    else
      WHY="squashfuse still serving 10 s after the unmount: its superblock is still in use"
    fi
  fi
  if [ -n "$left" ]; then
    kill -KILL $left 2>/dev/null
  fi
  # Leave no mount for the next round, whatever happened.
  if is_mounted; then
    fusermount3 -u "$MP" 2>/dev/null || fusermount3 -u -z "$MP" 2>/dev/null
  fi
}

# rounds VARIANT: ROUNDS rounds, in a background job: with a mount point
# and a TEST_TMP (run_bwrap's output files) of its own, so that the two
# variants run side by side (the machine has idle time while one waits
# for mounts and processes), results in $T/result.VARIANT.
rounds ()
{
  local variant=$1 n failures=0 disturbed=0 first= first_disturbed=
  TEST_TMP=$T/$variant
  MP=$T/mnt-$variant
  mkdir -p "$TEST_TMP" "$MP"
  mkfifo "$TEST_TMP/.nap"
  for ((n = 0; n < ROUNDS; n++)); do
    round "$variant" "$n"
    case $WHY in
      "") ;;
      disturbed:*)
        disturbed=$((disturbed + 1))
        [ -n "$first_disturbed" ] || first_disturbed="round $n: $WHY" ;;
      *)
        failures=$((failures + 1))
        [ -n "$first" ] || first="round $n: $WHY" ;;
    esac
  done
  declare -p failures disturbed first first_disturbed >"$T/result.$variant"
}

for variant in plain background; do
  register_mount "$T/mnt-$variant" fuse
  rounds "$variant" >"$T/rounds.$variant.out" &
  register_pid $!
done
wait
for variant in plain background; do
  failures=1 disturbed=0 first="the rounds did not finish" first_disturbed=
  [ -e "$T/result.$variant" ] && . "$T/result.$variant"
  [ "$disturbed" = 0 ] || diag "$variant: $disturbed rounds disturbed by other mount namespaces, first: $first_disturbed"
  if [ "$failures" = 0 ]; then
    pass "teardown ($variant): $ROUNDS rounds, each time no sandbox process left, fusermount3 -u succeeded and squashfuse exited"
  else
    fail "teardown ($variant): $failures of $ROUNDS rounds failed" "$first"
  fi
done

# Control: without a pid namespace the background process outlives bwrap
# (as with bubblewrap); both checks notice it.
marker="sleep 7779999.$$"
start_daemon control
leftover "$marker"
run_bwrap "${BASE[@]}" --dev /dev --overlay-src "$MP" --tmp-overlay /m sh -c "$LEFTOVER"
left=$(pgrep -x -f "$marker")
for pid in $left; do register_pid "$pid"; done
check "(control) without --unshare-pid the leftover process is seen" test -n "$left"
fusermount3 -u "$MP"
sleep 2
check_not "(control) ... and keeps squashfuse serving after the unmount" daemon_gone control
[ -n "$left" ] && kill -KILL $left
check "(control) once it is gone, squashfuse exits" wait_for 10 daemon_gone control

done_testing
