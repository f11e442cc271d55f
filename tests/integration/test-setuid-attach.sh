#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# test-setuid-attach.sh: the calling user cannot take over any process of a
# setuid run while the sandbox is set up (the class of CVE-2026-41163, where
# bubblewrap 0.11.1's user could ptrace the unprivileged half of its setuid
# setup and drive the privileged operations through it).
#
# Setuid mode only (suite 'setuid': run-as-user.sh --setuid runs it as
# bwrap-test with BWRAP a setuid-root copy).  Each run is held at one moment
# of the setup by an fd only this script writes to, so the moment is
# reached every time and lasts as long as the probes take:
#   request   before S1: the monitor blocks reading --args; the helper
#             (root) waits for the request
#   release   before S2: the monitor blocks writing --info-fd into a full
#             pipe; the sandbox process waits for S2, the privileged peer
#             for its first request
#   setup     during the setup, between two requests to the peer: the
#             sandbox process blocks reading --file's pipe
#   block     after S3, the peer gone: the sandbox process waits on --block-fd
#   command   after S4: the command runs (the pid-1 helper waits for it)
# Every bwrap process of the run (found by a word unique to the run in its
# argv; none of them execs) is named by its ids and parent, and
# attach-probe tries everything a user may try against it: ptrace attach
# and seize, /proc/PID/mem, fd, root, cwd, environ, pidfd_getfd,
# process_vm_readv, SIGSTOP and SIGCONT; one TAP point per attempt.  Then
# the run is released and must end as if nothing had happened.  The kernel
# lets the user signal a process whose real uid is theirs, so for each such
# process one more run sends it SIGKILL at that moment: the run must fail
# closed (no command run, or the command killed with it; a failing exit
# status; nothing left running), which it does because the remaining
# processes see EOF on their sync pipes or socket and stop.  A control
# process of the user's own shows that each attempt can succeed.
. "$(dirname "$0")/lib.sh"

is_setuid || skip_all "setuid mode only (meson test --suite setuid)"
PROBE=${BWRAP_TESTS_BUILDDIR:-}/attach-probe
[ -x "$PROBE" ] || skip_all "attach-probe not built (BWRAP_TESTS_BUILDDIR)"

# A release written to a pipe whose reader was killed must not kill us.
trap '' PIPE

OUT=$TEST_TMP/out
FIFO=$TEST_TMP/fifo
ME="$HOST_UID $HOST_UID $HOST_UID $HOST_UID"

# What the user may do to a process of theirs that is not dumpable, and to
# one of root's (SIGCONT included: the kernel lets any process of the
# session continue another, which only resumes a stopped process, and the
# user cannot stop this one).  The control is a dumpable process of the
# user's.
DENIED_USER="ptrace-attach EPERM
ptrace-seize EPERM
mem EACCES
fd-dir EACCES
fds EACCES
root EACCES
cwd EACCES
environ EACCES
pidfd-open OK
pidfd-getfd EPERM
vm-readv EPERM
SIGSTOP OK
SIGCONT OK"
DENIED_ROOT=${DENIED_USER/SIGSTOP OK/SIGSTOP EPERM}
ALLOWED="ptrace-attach OK
ptrace-seize OK
mem OK
fd-dir OK
fds OK
root OK
cwd OK
environ OK
pidfd-open OK
pidfd-getfd OK
vm-readv OK
SIGSTOP OK
SIGCONT OK"

# pids_with_word WORD: processes with WORD as one of their arguments.
pids_with_word ()
{
  local f args a
  for f in /proc/[0-9]*/cmdline; do
    { mapfile -d '' -t args <"$f"; } 2>/dev/null || continue
    for a in "${args[@]}"; do
      if [ "$a" = "$1" ]; then
        f=${f#/proc/}
        echo "${f%/cmdline}"
        break
      fi
    done
  done
}

# status_field PID FIELD: the field's value, tabs as spaces.
status_field ()
{
  local line lines
  { mapfile -t lines <"/proc/$1/status"; } 2>/dev/null || return 1
  for line in "${lines[@]}"; do
    if [[ $line == "$2:"* ]]; then
      line=${line#*:}
      line=${line//$'\t'/ }
      echo "${line# }"
      return 0
    fi
  done
  return 1
}

# find_roles: ROLE[pid] for every process of the run: the monitor (the
# pid we started), the helper (root, the monitor's child), the sandbox
# process (the monitor's other child; pid 1 once the command runs) and
# the peer (the sandbox process's child).  Sets N_PROCS.
declare -A ROLE
find_roles ()
{
  local pid ppid sandbox=
  ROLE=()
  N_PROCS=0
  for pid in $(pids_with_word "$TOKEN"); do
    N_PROCS=$((N_PROCS + 1))
    ppid=$(status_field "$pid" PPid)
    if [ "$pid" = "$BW_PID" ]; then
      ROLE[$pid]=monitor
    elif [ "$ppid" = "$BW_PID" ] && [ "$(status_field "$pid" Uid)" = "0 0 0 0" ]; then
      ROLE[$pid]=helper
    elif [ "$ppid" = "$BW_PID" ]; then
      ROLE[$pid]=sandbox
      sandbox=$pid
    fi
  done
  for pid in $(pids_with_word "$TOKEN"); do
    if [ -z "${ROLE[$pid]:-}" ] && [ -n "$sandbox" ] \
       && [ "$(status_field "$pid" PPid)" = "$sandbox" ]; then
      ROLE[$pid]=peer
    fi
  done
}

# roles_now: "ROLE UIDS" for each process, sorted (what ready_for waits for).
roles_now ()
{
  local pid
  find_roles
  for pid in "${!ROLE[@]}"; do
    echo "${ROLE[$pid]} $(status_field "$pid" Uid)"
  done | sort
  [ "$N_PROCS" = "${#ROLE[@]}" ] || echo "unknown processes: $N_PROCS"
}

# The processes each moment holds, with their real, effective, saved and
# fs uids, once everything before the moment is done.
expected_roles ()
{
  case $1 in
    request) printf '%s\n' "helper 0 0 0 0" "monitor $ME" ;;
    release | setup) printf '%s\n' "monitor $ME" "peer $ME" "sandbox $ME" ;;
    block | command) printf '%s\n' "monitor $ME" "sandbox $ME" ;;
  esac
}

# start_run MOMENT: bwrap in the background, held at MOMENT by the fifo
# (fd 8 here; bwrap gets fd 7).  Sets BW_PID, TOKEN, BW_ERR.
start_run ()
{
  local moment=$1 cmd='echo ran >/out/ran'
  local -a args
  new_marker
  TOKEN=attach-$MARKER
  CMD_TOKEN=attach-cmd-$MARKER
  BW_ERR=$TEST_TMP/err.$MARKER
  rm -rf "$OUT" "$FIFO"
  mkdir "$OUT"
  mkfifo "$FIFO"
  exec 8<>"$FIFO"
  args=("${BASE[@]}" --unshare-pid --die-with-parent --bind "$OUT" /out
        --setenv BWRAP_ATTACH_MARK "$TOKEN")
  case $moment in
    request)
      exec 7<"$FIFO"
      args+=(--args 7) ;;
    release)
      exec 7<>"$FIFO"
      "$PROBE" --fill 8 || fail "filling the --info-fd pipe"
      args+=(--info-fd 7) ;;
    setup)
      exec 7<"$FIFO"
      args+=(--file 7 /from-fd) ;;
    block)
      exec 7<>"$FIFO"
      args+=(--block-fd 7) ;;
    command)
      exec 7<>"$FIFO"
      cmd='echo ran >/out/ran; read -r x <&7' ;;
  esac
  "$BWRAP" "${args[@]}" sh -c "$cmd" "$CMD_TOKEN" </dev/null >/dev/null 2>"$BW_ERR" 8>&- &
  BW_PID=$!
  exec 7<&-
}

# ready_for MOMENT: wait until the run holds exactly the moment's processes.
ready_for ()
{
  local want
  want=$(expected_roles "$1")
  if [ "$1" = command ]; then
    wait_for 20 test -e "$OUT/ran" || return 1
  fi
  wait_for 20 eval '[ "$(roles_now)" = "$want" ]'
}

# release MOMENT: let the run go on past MOMENT.
release ()
{
  case $1 in
    request) printf '%s\0' --dir /from-args >&8 ;;
    release) "$PROBE" --drain 8 ;;
    setup) printf 'data' >&8 ;;
    block) printf 'x' >&8 ;;
    command) echo go >&8 ;;
  esac
  exec 8>&-
}

# finish: wait for bwrap; BW_RC its status (the shell's "Killed" notice
# goes nowhere: the status says it).
finish ()
{
  wait "$BW_PID" 2>/dev/null
  BW_RC=$?
}

# gone: no process of the run (bwrap's or the command) is left.
gone ()
{
  [ -z "$(pids_with_word "$TOKEN")" ] && [ -z "$(pids_with_word "$CMD_TOKEN")" ]
}

# probe_all MOMENT: every attempt against every process, one TAP point each.
probe_all ()
{
  local moment=$1 pid role expected attempt result uids
  local -A got
  find_roles
  for pid in $(printf '%s\n' "${!ROLE[@]}" | sort -n); do
    role=${ROLE[$pid]}
    if [ "$role" = helper ]; then
      expected="$DENIED_ROOT
SIGKILL EPERM"
    else
      expected=$DENIED_USER
    fi
    uids=$(status_field "$pid" Uid)
    { "$PROBE" "$pid"; [ "$role" != helper ] || "$PROBE" --kill "$pid"; } >"$TEST_TMP/probe" 2>&1
    got=()
    while read -r attempt result; do
      got[$attempt]=$result
    done <"$TEST_TMP/probe"
    while read -r attempt result; do
      assert_eq "$result" "${got[$attempt]:-missing}" "$moment: $role (uids $uids): $attempt -> $result"
    done <<<"$expected"
  done
}

# ------------------------------------------------------------------ control

sleep 1000 </dev/null >/dev/null 2>&1 7<&- 8>&- &
register_pid $!
"$PROBE" $! >"$TEST_TMP/probe" 2>&1
assert_eq "$ALLOWED" "$(cat "$TEST_TMP/probe")" \
  "control: every attempt works against a dumpable process of the user's"
kill -KILL $! 2>/dev/null
wait $! 2>/dev/null

# --------------------------------------------------------------- the moments

for moment in request release setup block command; do
  # Nothing killed: every attempt fails but the signals, which change nothing.
  start_run $moment
  if ! ready_for $moment; then
    fail "$moment: the run holds the expected processes" "want: $(expected_roles $moment)" "have: $(roles_now)"
    release $moment
    finish
    continue
  fi
  pass "$moment: the run holds exactly: $(expected_roles $moment | cut -d' ' -f1 | tr '\n' ' ')"
  probe_all $moment
  release $moment
  finish
  assert_eq "0 ran " "$BW_RC $(cat "$OUT/ran" 2>/dev/null) $(cat "$BW_ERR")" \
    "$moment: after all that the run ends as usual (status 0, the command ran, nothing on stderr)"

  # One SIGKILL per process the user may signal at this moment.
  for role in $(expected_roles $moment | cut -d' ' -f1); do
    [ "$role" != helper ] || continue
    start_run $moment
    if ! ready_for $moment; then
      fail "$moment: SIGKILL to the $role: the run holds the expected processes" "have: $(roles_now)"
      release $moment
      finish
      continue
    fi
    find_roles
    for pid in "${!ROLE[@]}"; do
      [ "${ROLE[$pid]}" = "$role" ] && break
    done
    assert_eq "SIGKILL OK" "$("$PROBE" --kill "$pid")" "$moment: the user may SIGKILL the $role"
    release $moment 2>/dev/null
    finish
    if [ "$moment" = command ]; then
      ran=
    else
      ran=$(cat "$OUT/ran" 2>/dev/null)
    fi
    diag "$moment, $role killed: exit status $BW_RC, stderr: $(cat "$BW_ERR")"
    if [ "$role" = peer ]; then
      # The sandbox process's next request finds the socket closed.
      err=$(cat "$BW_ERR")
      assert_match "1 bwrap: privop: [^"$'\n'"]*" "$BW_RC $err" \
        "$moment: with the peer killed the setup stops at its next request: exit 1, one bwrap: line"
    fi
    if [ "$BW_RC" != 0 ] && [ -z "$ran" ] && wait_for 10 gone \
       && [ "$(ls -A "$OUT")" = "$([ "$moment" = command ] && echo ran)" ]; then
      pass "$moment: SIGKILL to the $role fails the run closed (status $BW_RC, no command run or left, nothing new on the host)"
    else
      fail "$moment: SIGKILL to the $role fails the run closed" "status $BW_RC" "out: $(ls -A "$OUT")" \
        "left: $(pids_with_word "$TOKEN") $(pids_with_word "$CMD_TOKEN")"
    fi
  done
done

done_testing
