#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# What clients of bubblewrap rely on, seen from the outside:
#   - `--version` prints `bubblewrap MAJOR.MINOR.PATCH` (BuildStream splits
#     it and compares the numbers), at least 0.11.1;
#   - every option `--help` lists works in a plausible command line (that
#     each takes exactly the arguments it lists is checked by the parser's
#     unit test, tests/unit/test-options-usage.c);
#   - BuildStream's user namespace probe;
#   - process layout: bwrap -> pid-1 helper -> COMMAND with --unshare-pid
#     (BuildStream kills bwrap's first child and stops its grandchild);
#   - SIGTERM / SIGINT sent to bwrap reach COMMAND, its exit status comes
#     back; SIGKILL of the pid-1 helper ends the sandbox;
#   - teardown: with --unshare-pid no sandbox process is left the moment
#     bwrap returns.

. "$(dirname "$0")/lib.sh"

T=$TEST_TMP
mkdir -p "$T/sig"

# ------------------------------------------------------------ process helpers

# A unique `sleep` duration to find our processes by (lib.sh).
new_mark () { new_marker; MARK=$MARKER; }

# sleep_pids MARK: pids of `sleep MARK` (builtins only: fast and without
# forks, so a check right after bwrap returns really is right after).
sleep_pids ()
{
  local f args
  for f in /proc/[0-9]*/cmdline; do
    mapfile -d '' -t args 2>/dev/null <"$f" || continue
    if [ "${#args[@]}" = 2 ] && [ "${args[0]}" = sleep ] && [ "${args[1]}" = "$1" ]; then
      f=${f#/proc/}
      echo "${f%/cmdline}"
    fi
  done
}

# children_of PID: its children, one per line (the kernel's list: no scan
# of every process, which takes seconds on a busy machine).
children_of ()
{
  local kids=() k
  { read -r -a kids <"/proc/$1/task/$1/children"; } 2>/dev/null
  for k in "${kids[@]}"; do
    echo "$k"
  done
}

# tree_below PID: the chain of descendants, "comm[ns-pid] > ...", where
# [n] is the pid inside a nested pid namespace (omitted when not nested).
# A process with other than exactly one child ends the chain with {n}.
tree_below ()
{
  local pid=$1 kids out= comm nspid
  while :; do
    kids=($(children_of "$pid"))
    if [ "${#kids[@]}" != 1 ]; then
      [ "${#kids[@]}" = 0 ] || out="$out {${#kids[@]} children}"
      break
    fi
    pid=${kids[0]}
    read -r comm <"/proc/$pid/comm" || comm=?
    nspid=$(awk '/^NSpid:/ { if (NF > 2) print "[" $NF "]" }' "/proc/$pid/status" 2>/dev/null)
    out="${out:+$out > }$comm$nspid"
  done
  echo "$out"
}

# ------------------------------------------------------------ --version

run_bwrap --version
assert_rc 0 "--version exits 0"
assert_stderr_empty "--version: nothing on stderr"
assert_match 'bubblewrap [0-9]+\.[0-9]+\.[0-9]+' "$RUN_OUT" "--version: one line 'bubblewrap MAJOR.MINOR.PATCH'"
# As BuildStream 1.6 reads it: second word, three integers.
read -r _ version <<<"$RUN_OUT"
IFS=. read -r v_major v_minor v_patch <<<"$version"
if [[ "$v_major.$v_minor.$v_patch" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] &&
   { [ "$v_major" -gt 0 ] ||
     { [ "$v_minor" -gt 11 ] || { [ "$v_minor" = 11 ] && [ "$v_patch" -ge 1 ]; }; }; }; then
  pass "--version: $version >= 0.11.1"
else
  fail "--version: version >= 0.11.1" "read: '$version'"
fi

# ------------------------------------------------------------ BuildStream's probe

# bst 1.6 runs exactly this and uses user namespaces iff it prints root.
run_bwrap --ro-bind / / --unshare-user --uid 0 --gid 0 whoami
if have_userns; then
  assert_stdout_is "root" "BuildStream's probe: --ro-bind / / --unshare-user --uid 0 --gid 0 whoami"
  assert_rc 0 "BuildStream's probe exits 0"
else
  skip_n 2 "$SKIP_REASON" "BuildStream's probe"
fi

# ------------------------------------------------------------ every --help option

# Fixtures for the options' arguments.  Each run opens fresh fds:
#   5 --args data        6 a file with content   7 a directory
#   8 an output file     9 a seccomp program (one instruction: allow)
#   3, 4, 10  the user namespaces U1, U2 and the pid namespace P below
mkdir -p "$T/src" "$T/lower" "$T/lower2" "$T/upper" "$T/work"
echo lower >"$T/lower/f"
printf -- '--chdir\0/\0' >"$T/fd-args"
printf 'some data\n' >"$T/fd-data"
# struct sock_filter { u16 code = BPF_RET|BPF_K; u8 jt, jf; u32 k = SECCOMP_RET_ALLOW }
printf '\006\000\000\000\000\000\377\177' >"$T/fd-seccomp"
: >"$T/lockfile"

# Namespaces to join: U1 (a user namespace mapping root to us), P (a pid
# namespace owned by U1) and U2 (a user namespace inside U1).
holder=
if have_userns && command -v unshare >/dev/null; then
  unshare --user --map-root-user --pid --fork \
    sh -c 'unshare --user --map-root-user sleep 600 & wait' >/dev/null 2>&1 &
  holder=$!
  register_pid "$holder"
  disown "$holder"  # no "Killed" job report when it is killed at the end
  inner=
  # holder (unshare, in U1) > sh (pid 1 of P) > sleep (in U2, once the
  # inner unshare has run)
  find_inner ()
  {
    local sh
    sh=$(children_of "$holder")
    [ -n "$sh" ] || return 1
    inner=$(children_of "$sh")
    [ -n "$inner" ] &&
      [ "$(readlink "/proc/$inner/ns/user")" != "$(readlink "/proc/$holder/ns/user")" ]
  }
  if wait_for 10 find_inner; then
    register_pid "$inner"
  else
    holder=
  fi
fi

# option_case OPT: sets PRE, OWN (OPT's own arguments), POST, NEED (a probe)
# and ERR (expected one-line error instead of success); 1 if OPT is new.
option_case ()
{
  PRE=() OWN=() POST=() NEED= ERR= RUN=run_case
  case $1 in
    --args) OWN=(5) ;;
    --argv0) OWN=(renamed) ;;
    --level-prefix | --unshare-user-try | --unshare-ipc | --unshare-pid | \
      --unshare-net | --unshare-uts | --unshare-cgroup-try | --clearenv | \
      --new-session | --die-with-parent) ;;
    --unshare-all | --unshare-user | --unshare-cgroup) NEED=have_userns ;;
    --share-net) PRE=(--unshare-all) NEED=have_userns ;;
    --userns) OWN=(3) NEED=have_holder ;;
    --userns2) PRE=(--userns 3) OWN=(4) NEED=have_holder ;;
    --pidns) PRE=(--userns 3) OWN=(10) NEED=have_holder ;;
    --disable-userns) PRE=(--unshare-user) NEED=have_userns ;;
    --assert-userns-disabled) PRE=(--unshare-user --disable-userns) NEED=have_userns ;;
    --uid | --gid) PRE=(--unshare-user) OWN=(1234) NEED=have_userns ;;
    --hostname) PRE=(--unshare-uts) OWN=(clienthost) ;;
    --chdir) OWN=(/usr) ;;
    --setenv) OWN=(CLIENT_VAR value) ;;
    --unsetenv) OWN=(HOME) ;;
    --lock-file) PRE=(--bind "$T/lockfile" /lock) OWN=(/lock) ;;
    --sync-fd) OWN=(8) ;;
    --bind | --dev-bind | --ro-bind | --bind-try | --dev-bind-try | --ro-bind-try)
      OWN=("$T/src" /mnt) ;;
    --bind-fd | --ro-bind-fd) OWN=(7 /mnt) ;;
    --remount-ro) PRE=(--bind "$T/src" /mnt) OWN=(/mnt) ;;
    --overlay-src) OWN=("$T/lower") POST=(--tmp-overlay /mnt) NEED=have_overlay ;;
    --overlay) PRE=(--overlay-src "$T/lower") OWN=("$T/upper" "$T/work" /mnt) NEED=have_overlay ;;
    --tmp-overlay) PRE=(--overlay-src "$T/lower") OWN=(/mnt) NEED=have_overlay ;;
    --ro-overlay) PRE=(--overlay-src "$T/lower" --overlay-src "$T/lower2") OWN=(/mnt) NEED=have_overlay ;;
    --exec-label | --file-label)
      OWN=(system_u:object_r:tmp_t:s0)
      have_selinux || ERR="bwrap: labeling not supported on this system" ;;
    --proc) OWN=(/proc) ;;
    --dev) OWN=(/dev) ;;
    --tmpfs) OWN=(/tmp) ;;
    --mqueue) PRE=(--unshare-ipc) OWN=(/dev/mqueue) ;;
    --dir) OWN=(/d) ;;
    --file | --bind-data | --ro-bind-data) OWN=(6 /f) ;;
    --symlink) OWN=(usr/bin /bin2) ;;
    --seccomp | --add-seccomp-fd) OWN=(9) ;;
    --block-fd) OWN=(6) ;;
    --userns-block-fd)
      # bwrap writes no id maps then: the run needs a helper (below).
      PRE=(--unshare-user --info-fd 8) OWN=(6) NEED=have_userns RUN=userns_block_fd_client ;;
    --info-fd | --json-status-fd) OWN=(8) ;;
    --as-pid-1) PRE=(--unshare-pid) ;;
    --cap-add | --cap-drop) PRE=(--unshare-user) OWN=(CAP_CHOWN) NEED=have_userns ;;
    --perms) OWN=(0700) POST=(--dir /d) ;;
    --size) OWN=(1048576) POST=(--tmpfs /t) ;;
    --chmod) PRE=(--dir /d) OWN=(0700 /d) ;;
    *) return 1 ;;
  esac
  # Setuid mode refuses some options: those are checked to be refused;
  # the overlays that need a refused --overlay-src are skipped.
  if is_setuid; then
    case $1 in
      --overlay-src | --size)
        ERR="bwrap: The $1 option is not permitted in setuid mode" ;;
      --overlay | --tmp-overlay | --ro-overlay)
        NEED=not_setuid SETUID_WHY="setuid mode refuses --overlay-src, which $1 needs" ;;
      --userns | --userns2 | --pidns)
        PRE=() ERR="bwrap: $1 doesn't work in setuid mode" ;;
      --userns-block-fd)
        RUN=run_case ERR="bwrap: $1 doesn't work in setuid mode" ;;
      --cap-add)
        ERR="bwrap: --cap-add in setuid mode can be used only by root" ;;
      --disable-userns | --assert-userns-disabled)
        # Not refused up front (as in bubblewrap), but the setup may not
        # lower the limit in the root-owned user namespace.
        ERR="bwrap: cannot open /proc/sys/user/max_user_namespaces: Permission denied" ;;
    esac
  fi
  return 0
}
not_setuid ()
{
  SKIP_REASON=$SETUID_WHY
  ! is_setuid
}
have_holder ()
{
  [ -n "$holder" ] && return 0
  is_setuid && [ -n "$ERR" ] && return 0  # refused before any namespace is used
  SKIP_REASON="could not create namespaces to join (unshare)"
  return 1
}
have_overlay ()
{
  is_root || have_overlay_userns
}
have_selinux ()
{
  [ -e /sys/fs/selinux/enforce ]
}

# run_case WORDS...: run with the fixture fds open (fresh for each run).
run_case ()
{
  if [ -n "$holder" ]; then
    run "$@" 3<"/proc/$holder/ns/user" 4<"/proc/$inner/ns/user" 5<"$T/fd-args" 6<"$T/fd-data" \
      7<"$T/src" 8>"$T/fd-out" 9<"$T/fd-seccomp" 10<"/proc/$holder/ns/pid_for_children"
  else
    run "$@" 5<"$T/fd-args" 6<"$T/fd-data" 7<"$T/src" 8>"$T/fd-out" 9<"$T/fd-seccomp"
  fi
}

# userns_block_fd_client BWRAP ARGS... (ending with --info-fd 8
# --userns-block-fd 6 true): play the helper --userns-block-fd is for.
# Read child-pid from the info fd, write identity maps for our uid and gid
# into the sandbox's user namespace, then release the sandbox.  Sets RUN_*.
userns_block_fd_client ()
{
  local bw info_r block_w doc child
  rm -f "$T/info.fifo" "$T/block.fifo"
  mkfifo "$T/info.fifo" "$T/block.fifo"
  # bash opens 8 then 6 in the child; open our ends in the same order.
  timeout -k 5 "$RUN_TIMEOUT" "$@" 8>"$T/info.fifo" 6<"$T/block.fifo" \
    >"$T/.out" 2>"$T/.err" </dev/null &
  bw=$!
  exec {info_r}<"$T/info.fifo" {block_w}>"$T/block.fifo"
  IFS= read -r -t 10 -d '}' doc <&"$info_r"
  child=$(sed -n 's/.*"child-pid": *\([0-9]*\).*/\1/p' <<<"$doc")
  if [ -n "$child" ]; then
    { echo "$HOST_UID $HOST_UID 1" >"/proc/$child/uid_map" &&
      echo deny >"/proc/$child/setgroups" &&
      echo "$HOST_GID $HOST_GID 1" >"/proc/$child/gid_map"; } 2>>"$T/.maperr"
  else
    echo "no child-pid in info: $doc" >>"$T/.maperr"
  fi
  echo x >&"$block_w"
  exec {info_r}<&- {block_w}>&-
  wait "$bw"
  RUN_RC=$?
  RUN_OUT=$(cat "$T/.out")
  RUN_ERR=$(cat "$T/.err" "$T/.maperr" 2>/dev/null)
  return 0
}

run_bwrap --help
options=$(sed -n 's/^    \(--[a-z0-9-]*\).*/\1/p' <<<"$RUN_OUT")
assert_eq 0 "$RUN_RC" "--help exits 0"
check "--help lists options" test "$(wc -l <<<"$options")" -ge 60
RUN_TIMEOUT=20
for opt in $options; do
  case $opt in
    --help | --version)
      run_bwrap "$opt" --ro-bind / / --unknown-later
      if [ "$RUN_RC" = 0 ] && [ -n "$RUN_OUT" ]; then
        pass "listed option $opt exits 0 with output, ignoring later words"
      else
        fail "listed option $opt exits 0 with output" "rc $RUN_RC: $RUN_ERR"
      fi
      continue
      ;;
  esac
  if ! option_case "$opt"; then
    fail "listed option $opt has a case in test-clients.sh" "add it to option_case"
    continue
  fi
  if [ -n "$NEED" ] && ! "$NEED"; then
    skip "listed option $opt" "$SKIP_REASON"
    continue
  fi
  words=("${PRE[@]}" "$opt" "${OWN[@]}" "${POST[@]}")
  # It works: exit 0, no message (or the documented refusal).
  "$RUN" "$BWRAP" "${BASE[@]}" "${words[@]}" true
  if [ -n "$ERR" ]; then
    if [ "$RUN_RC" = 1 ] && [ "$RUN_ERR" = "$ERR" ]; then
      pass "listed option $opt ${OWN[*]}: parsed, then refused as documented ($ERR)"
    else
      fail "listed option $opt: ${words[*]} true" "expected exit 1 and: $ERR" "exit status $RUN_RC" "stderr: $RUN_ERR"
    fi
  elif [ "$RUN_RC" = 0 ] && [ -z "$RUN_ERR" ]; then
    pass "listed option $opt ${OWN[*]}: parsed with its arity and runs"
  else
    fail "listed option $opt: ${words[*]} true" "exit status $RUN_RC" "stderr: $RUN_ERR"
  fi
done
RUN_TIMEOUT=60

# start_sandbox SCRIPT BWRAP-ARGS...: runs `bwrap ARGS --bind $T/sig /sig
# --dev-bind /dev/null /dev/null sh -c SCRIPT` in the background (sh starts
# background jobs with stdin from /dev/null) with default signal dispositions (a
# background job of a script ignores SIGINT), sets BW.  The script sees
# $MARK as $1 and touches /sig/ready.$1 when it is set up.
start_sandbox ()
{
  local script=$1 rc=0
  shift
  rm -f "$T/sig/"*
  env --default-signal "${START_PREFIX[@]}" "$BWRAP" "$@" --bind "$T/sig" /sig \
    --dev-bind /dev/null /dev/null sh -c "$script" sh "$MARK" \
    >"$T/sandbox.out" 2>"$T/sandbox.err" </dev/null &
  BW=$!
  register_pid "$BW"
  wait_for 10 test -e "$T/sig/ready.$MARK" || rc=1
  record_tree
  return "$rc"
}
START_PREFIX=()

# wait_bw: wait (at most 20 s) for bwrap; BW_RC is its exit status or
# "running".  (bash reaps the job when it ends, so tail --pid sees it.)
wait_bw ()
{
  timeout 20 tail -s 0.05 --pid="$BW" -f /dev/null
  if gone "$BW"; then
    wait "$BW"
    BW_RC=$?
  else
    BW_RC=running
  fi
}

# record_tree: remember bwrap and its descendants (pid and start time) so
# finish_sandbox can remove whatever a failing case leaves behind (without
# a pid namespace, or with a bwrap that does not forward signals, the
# sandbox outlives bwrap).
start_time ()
{
  local line f
  read -r line 2>/dev/null <"/proc/$1/stat" || return 1
  read -r -a f <<<"${line##*) }"
  echo "${f[19]}"  # field 22, starttime
}
record_tree ()
{
  local queue=("$BW") p st
  TREE=()
  while [ "${#queue[@]}" -gt 0 ]; do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    st=$(start_time "$p") || continue
    TREE+=("$p:$st")
    register_pid "$p"
    queue+=($(children_of "$p"))
  done
}
finish_sandbox ()
{
  local e
  # stderr: no "Killed" job reports from bash.
  {
    for e in "${TREE[@]}"; do
      [ "$(start_time "${e%%:*}")" = "${e#*:}" ] && kill -KILL "${e%%:*}"
    done
    wait "$BW"
  } 2>/dev/null
  TREE=()
}

# gone PID...: true if none of the PIDs exists any more (not even a zombie).
gone ()
{
  local p
  for p in "$@"; do
    [ -e "/proc/$p" ] && return 1
  done
  return 0
}

BST_OPTS=(--unshare-pid --die-with-parent --unshare-net --unshare-uts --hostname buildstream
          --unshare-ipc --proc /proc --tmpfs /tmp --dev-bind /dev/null /dev/null)
have_userns && BST_OPTS+=(--unshare-user --uid 0 --gid 0)

# ------------------------------------------------------------ process layout

layout_case ()
{
  local desc=$1 expected=$2 tree
  shift 2
  new_mark
  if ! start_sandbox 'touch /sig/ready.$1; exec sleep "$1"' "${BASE[@]}" "$@"; then
    fail "$desc" "sandbox never became ready: $(cat "$T/sandbox.err")"
    finish_sandbox
    return
  fi
  # `exec sleep` may not have happened yet when ready.* appears.
  wait_for 5 eval '[ "$(tree_below "$BW" | sed "s/.* > //; s/\[.*//")" = sleep ]'
  tree=$(tree_below "$BW")
  assert_eq "$expected" "$tree" "$desc"
  record_tree
  finish_sandbox
}

# (PIDNS_CMD_PID: 3 in setuid mode, lib.sh.)
layout_case "--unshare-pid: bwrap > pid-1 helper (bwrap) > COMMAND (pid $PIDNS_CMD_PID)" \
  "bwrap[1] > sleep[$PIDNS_CMD_PID]" --unshare-pid
layout_case "--unshare-pid --proc --dev: bwrap > pid-1 helper > COMMAND" \
  "bwrap[1] > sleep[$PIDNS_CMD_PID]" --unshare-pid --proc /proc --dev /dev
layout_case "BuildStream's options: bwrap > pid-1 helper > COMMAND" \
  "bwrap[1] > sleep[$PIDNS_CMD_PID]" "${BST_OPTS[@]}"
layout_case "--unshare-pid --as-pid-1: bwrap > COMMAND (pid 1)" \
  "sleep[1]" --unshare-pid --as-pid-1
layout_case "no pid namespace: bwrap > COMMAND" \
  "sleep"

# ------------------------------------------------------------ signals and exit status

# signal_case DESC SIGNAL EXPECTED-RC SCRIPT-TRAP BWRAP-ARGS...
signal_case ()
{
  local desc=$1 sig=$2 expected=$3 trap=$4
  shift 4
  new_mark
  if ! start_sandbox "$trap"'
      touch /sig/ready.$1
      while :; do sleep 0.05; done' "${BASE[@]}" "$@"; then
    fail "$desc" "sandbox never became ready: $(cat "$T/sandbox.err")"
    finish_sandbox
    return
  fi
  kill -"$sig" "$BW"
  wait_bw
  assert_eq "$expected" "$BW_RC" "$desc"
  finish_sandbox
}

signal_case "--unshare-pid: SIGTERM to bwrap reaches COMMAND (traps it, exits 42)" \
  TERM 42 'trap "exit 42" TERM' --unshare-pid
signal_case "--unshare-pid: SIGINT to bwrap reaches COMMAND (traps it, exits 43)" \
  INT 43 'trap "exit 43" INT' --unshare-pid
signal_case "--unshare-pid: SIGTERM kills a COMMAND without a trap: 128 + 15" \
  TERM 143 ':' --unshare-pid
signal_case "--unshare-pid: SIGINT kills a COMMAND without a trap: 128 + 2" \
  INT 130 ':' --unshare-pid
signal_case "no pid namespace: SIGTERM to bwrap reaches COMMAND (exits 42)" \
  TERM 42 'trap "exit 42" TERM'
signal_case "no pid namespace: SIGINT to bwrap reaches COMMAND (exits 43)" \
  INT 43 'trap "exit 43" INT'
signal_case "--as-pid-1: SIGTERM to bwrap reaches COMMAND as pid 1 (exits 42)" \
  TERM 42 'trap "exit 42" TERM' --unshare-pid --as-pid-1
signal_case "BuildStream's options: SIGTERM reaches COMMAND (exits 42)" \
  TERM 42 'trap "exit 42" TERM' "${BST_OPTS[@]}"

# BuildStream suspends a build (Ctrl-Z) with SIGSTOP to the process group
# of bwrap's grandchild and resumes it with SIGCONT.  It starts bwrap in a
# new session, so that group is bwrap's own; do the same with setsid (a
# background job of a script is no group leader, so setsid does not fork
# and $! stays bwrap's pid).
new_mark
START_PREFIX=(setsid)
grandchild=
# The command lives until /sig/go (at most 20 s), not a fixed second: on a
# loaded machine the /proc scans below can take longer than that.
if start_sandbox 'touch /sig/ready.$1; i=0; while [ ! -e /sig/go ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done; exit 5' \
     "${BASE[@]}" "${BST_OPTS[@]}"; then
  grandchild=$(children_of "$(children_of "$BW")")
  # Never signal group "-0" (our own, which would stop this script): with
  # no single grandchild (a loaded machine), fail instead.
  if ! [[ $grandchild =~ ^[0-9]+$ ]]; then
    fail "the command is in bwrap's process group (what BuildStream stops)" \
      "no single grandchild of bwrap found: '$grandchild'"
    grandchild=
  fi
else
  fail "suspend/resume: sandbox never became ready" "$(cat "$T/sandbox.err")"
fi
if [ -n "$grandchild" ]; then
  read -r line <"/proc/$grandchild/stat"
  line=${line##*) }
  read -r _ _ pgid _ <<<"$line"
  assert_eq "$BW" "$pgid" "the command is in bwrap's process group (what BuildStream stops)"
  kill -STOP -- "-$pgid"
  wait_for 5 eval '[ "$(cut -d" " -f3 "/proc/$grandchild/stat" 2>/dev/null)" = T ]'
  assert_eq T "$(read -r l <"/proc/$grandchild/stat"; l=${l##*) }; echo "${l%% *}")" \
    "SIGSTOP to the group stops the command"
  sleep 0.3
  kill -CONT -- "-$pgid"
  touch "$T/sig/go"
  wait_bw
  assert_eq 5 "$BW_RC" "after SIGCONT the command finishes and its exit status comes back"
fi
finish_sandbox
START_PREFIX=()


# ------------------------------------------------------------ teardown

# teardown_case DESC EXPECT(gone|alive) HOW BWRAP-ARGS...: COMMAND starts
# `sleep MARK` in the background and waits for /sig/go; HOW ends it:
#   exit     COMMAND exits 7 (bwrap must exit 7)
#   term     SIGTERM to bwrap (COMMAND has no trap: 143)
#   kill-pid1  SIGKILL to bwrap's child, as BuildStream terminates (137)
# The background sleep must be gone the moment bwrap returns (no polling).
teardown_case ()
{
  local desc=$1 expect=$2 how=$3 bg expected_rc state
  shift 3
  new_mark
  if ! start_sandbox 'sleep "$1" &
      touch /sig/ready.$1
      while [ ! -e /sig/go ]; do sleep 0.05; done
      exit 7' "${BASE[@]}" "$@"; then
    fail "$desc" "sandbox never became ready: $(cat "$T/sandbox.err")"
    finish_sandbox
    return
  fi
  wait_for 5 eval '[ -n "$(sleep_pids "$MARK")" ]'
  bg=$(sleep_pids "$MARK")
  if [ -z "$bg" ]; then
    fail "$desc" "the background sleep never started: $(cat "$T/sandbox.err")"
    finish_sandbox
    return
  fi
  record_tree
  case $how in
    exit) expected_rc=7; touch "$T/sig/go" ;;
    term) expected_rc=143; kill -TERM "$BW" ;;
    kill-pid1) expected_rc=137; kill -KILL $(children_of "$BW") ;;
  esac
  wait_bw
  # Checked right away: anything still there now is what a caller sees.
  if gone $bg; then state=gone; else state="alive: $bg"; fi
  [ "$BW_RC" = "$expected_rc" ] || state="$state, bwrap exit status $BW_RC (expected $expected_rc)"
  if [ "$expect" = gone ]; then
    assert_eq "gone" "$state" "$desc"
  else
    assert_eq "alive: $bg" "$state" "$desc"
  fi
  finish_sandbox
}

teardown_case "(control) no pid namespace: the background sleep outlives bwrap" \
  alive exit
teardown_case "--unshare-pid: COMMAND exits, no sandbox process left when bwrap returns" \
  gone exit --unshare-pid
teardown_case "--unshare-pid: SIGTERM to bwrap, no sandbox process left when it returns" \
  gone term --unshare-pid
teardown_case "--unshare-pid: SIGKILL to the pid-1 helper (BuildStream's terminate), nothing left" \
  gone kill-pid1 --unshare-pid
teardown_case "--unshare-pid --as-pid-1: COMMAND exits, nothing left" \
  gone exit --unshare-pid --as-pid-1
teardown_case "BuildStream's options: COMMAND exits, nothing left" \
  gone exit "${BST_OPTS[@]}"

# The same, repeated: a race would show up as an occasional survivor.
left=0
for i in $(seq 20); do
  new_mark
  start_sandbox 'sleep "$1" & sleep "$1" & touch /sig/ready.$1; exit 0' \
    "${BASE[@]}" --unshare-pid || { left=$((left + 100)); finish_sandbox; break; }
  wait_bw
  bg=$(sleep_pids "$MARK")
  if [ -n "$bg" ] || [ "$BW_RC" != 0 ]; then
    left=$((left + 1))
    diag "run $i: bwrap exit status $BW_RC, left: ${bg:-none}"
    kill -KILL $bg 2>/dev/null
  fi
  finish_sandbox
done
assert_eq 0 "$left" "--unshare-pid: 20 runs, no background sleep ever survives bwrap"

[ -n "$holder" ] && kill -KILL "$holder" "$inner" 2>/dev/null
done_testing
