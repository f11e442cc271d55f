#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Seccomp: --seccomp FD and --add-seccomp-fd FD (seccomp.c).  Programs come
# from seccomp-bpf.py (raw struct sock_filter arrays, no library needed).
# Checks that a filter takes effect on the command and the pid-1 helper but
# not on bwrap's own setup, that stacked filters are all applied and in
# command-line order, that malformed programs and bad fds are refused with
# one clear line, and which fds stay open (as in bubblewrap: the program
# fds are closed before COMMAND runs).

. "$(dirname "$0")/lib.sh"

GEN=(python3 "$(dirname "$0")/seccomp-bpf.py")
P=$TEST_TMP/progs
mkdir "$P"

# make NAME ARGS...: $P/NAME.bpf from seccomp-bpf.py ARGS.
make ()
{
  local name=$1 rc
  shift
  "${GEN[@]}" "$@" >"$P/$name.bpf" 2>"$TEST_TMP/.gen"
  rc=$?
  if [ "$rc" = 77 ]; then
    skip_all "$(cat "$TEST_TMP/.gen")"
  elif [ "$rc" != 0 ]; then
    echo "Bail out! seccomp-bpf.py $*: $(cat "$TEST_TMP/.gen")"
    exit 1
  fi
}
make mkdir-eperm deny mkdir:EPERM
make mkdir-eacces deny mkdir:EACCES
make symlink-erofs deny symlink:EROFS
make execve-eacces deny execve:EACCES
make prctl-eperm deny prctl:EPERM
make clone-eperm deny clone:EPERM
make chdir-enoent deny chdir:ENOENT
make empty bytes 0
make twelve bytes 12
make max allow 4096
make toolong allow 4097
make invalid invalid

SB=("${BASE[@]}" --tmpfs /tmp)
MKDIR_EPERM="mkdir: cannot create directory '/tmp/x': Operation not permitted"
MKDIR_EACCES="mkdir: cannot create directory '/tmp/x': Permission denied"

# Without a filter: the control for everything below.
run_bwrap "${SB[@]}" mkdir /tmp/x
assert_rc 0 "control: mkdir works without a filter"

# ------------------------------------------------------------ takes effect

RUN_STDIN=$P/mkdir-eperm.bpf run_bwrap "${SB[@]}" --seccomp 0 mkdir /tmp/x
assert_rc 1 "--seccomp: mkdir fails"
assert_stderr_is "$MKDIR_EPERM" "--seccomp: mkdir fails with the filter's EPERM"

run_bwrap "${SB[@]}" --add-seccomp-fd 5 mkdir /tmp/x 5<"$P/mkdir-eperm.bpf"
assert_stderr_is "$MKDIR_EPERM" "--add-seccomp-fd: mkdir fails with the filter's EPERM"

run_bwrap "${SB[@]}" --add-seccomp-fd 5 sh -c 'echo hello; ln -s a /tmp/l && echo linked' 5<"$P/mkdir-eperm.bpf"
assert_eq "hello
linked" "$RUN_OUT" "the filter denies only what it names"

# Installed after setup: bwrap itself may still create directories.
run_bwrap "${SB[@]}" --dir /tmp/made --add-seccomp-fd 5 sh -c 'test -d /tmp/made && mkdir /tmp/x' \
  5<"$P/mkdir-eperm.bpf"
assert_stderr_is "$MKDIR_EPERM" "the filter is installed after setup (--dir worked, the command's mkdir not)"

# Installed before exec: a filter denying execve stops the command itself.
run_bwrap "${SB[@]}" --add-seccomp-fd 5 true 5<"$P/execve-eacces.bpf"
assert_error 1 "bwrap: execvp true: Permission denied" "the filter is in place at exec"

# Filters this test inherited (deny-mount-api adds one): bwrap's come on top.
inherited=$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' /proc/self/status)
inherited=${inherited:-0}

# ... and in the pid-1 helper too.
run_bwrap "${SB[@]}" --unshare-pid --proc /proc --add-seccomp-fd 5 \
  sh -c 'grep -E "^Seccomp(_filters)?:" /proc/1/status /proc/self/status | tr -d "\t"' 5<"$P/mkdir-eperm.bpf"
assert_eq "/proc/1/status:Seccomp:2
/proc/1/status:Seccomp_filters:$((inherited + 1))
/proc/self/status:Seccomp:2
/proc/self/status:Seccomp_filters:$((inherited + 1))" "$RUN_OUT" "the pid-1 helper and the command each run under the filter"

# ------------------------------------------------------------ pid 1 is no way around

# The pid-1 helper has the command's uid and stays dumpable (the caller
# joins child-pid's namespaces through it), so the command may ptrace it
# and make it run system calls: it must be under the filters before the
# command exists.  seize-pid1 seizes pid 1 as the first thing it does,
# makes it call mkdir in a directory bound from the host, then reads its
# "Seccomp:" line and opens its mem.  Issue 23: pid 1 installed its
# filters only after the command's exec; before the fix 3 to 9 of 40
# runs here made the directory (pid 1 was seized in every run).  Setuid
# mode: pid 1 is non-dumpable (its ids changed), so out of reach.
SEIZE=${BWRAP_TESTS_BUILDDIR:-}/seize-pid1
if [ -x "$SEIZE" ]; then
  PID1=("${BASE[@]}" --ro-bind "$SEIZE" /seize-pid1 --bind "$TEST_TMP/pid1" /pid1 --unshare-pid --proc /proc)
  if is_setuid; then
    SEIZED="seize EPERM mkdir not-tried seccomp 2 mem EACCES"
  else
    SEIZED="seize OK mkdir EPERM seccomp 2 mem OK"
  fi
  # pid1_runs DESC BWRAP-ARGS...: 40 runs of seize-pid1 under the mkdir
  # filter; each must see $SEIZED, and no directory may appear.
  pid1_runs ()
  {
    local desc=$1 i bad=0 first= seen
    shift
    rm -rf "$TEST_TMP/pid1"
    mkdir "$TEST_TMP/pid1"
    for i in $(seq 40); do
      RUN_STDIN=$P/mkdir-eperm.bpf run_bwrap "${PID1[@]}" "$@" --seccomp 0 /seize-pid1 "/pid1/made-$i"
      seen="$RUN_RC ${RUN_OUT//$'\n'/ }"
      if [ "$seen" != "0 $SEIZED" ]; then
        bad=$((bad + 1))
        first=${first:-$seen $RUN_ERR}
      fi
    done
    if [ "$bad" = 0 ]; then
      pass "$desc: in 40 runs pid 1 was always under the filter ($SEIZED)"
    else
      fail "$desc: in 40 runs pid 1 was always under the filter ($SEIZED)" "$bad runs differed, first: $first"
    fi
    assert_eq "" "$(ls "$TEST_TMP/pid1")" "$desc: pid 1 never made the forbidden directory"
  }
  if is_root; then
    pid1_runs "--unshare-user" --unshare-user
    pid1_runs "real root, no user namespace"
  else
    pid1_runs "pid-1 helper"
  fi
  # Control: the attack works when pid 1 has no filter of ours (those this
  # test inherited, if any, allow mkdir).
  run_bwrap "${PID1[@]}" /seize-pid1 /pid1/control
  if is_setuid; then
    skip "control: without a filter the command makes pid 1 call mkdir" "setuid mode: pid 1 is out of reach"
  else
    mode=0
    [ "$inherited" -gt 0 ] && mode=2
    assert_eq "0 seize OK mkdir OK seccomp $mode mem OK" "$RUN_RC ${RUN_OUT//$'\n'/ }" \
      "control: without a filter the command makes pid 1 call mkdir"
  fi
else
  n=2
  is_root && n=4
  skip_n "$n" "seize-pid1 is not built (BWRAP_TESTS_BUILDDIR)" "pid 1 is under the filter before the command runs"
  skip "control: without a filter the command makes pid 1 call mkdir" "seize-pid1 is not built"
fi

# The filters still come after what the command and pid 1 do before
# them: pid 1 starts the command although clone is denied, and the
# command's own steps (the parent-death signal, ambient capabilities:
# prctl) run before its filters.
RUN_STDIN=$P/clone-eperm.bpf run_bwrap "${SB[@]}" --unshare-pid --seccomp 0 echo ran
assert_eq "0 ran" "$RUN_RC $RUN_OUT" "--unshare-pid, clone denied: pid 1 still starts the command"
RUN_STDIN=$P/prctl-eperm.bpf run_bwrap "${SB[@]}" --unshare-pid --die-with-parent --seccomp 0 echo ran
assert_eq "0 ran" "$RUN_RC $RUN_OUT" "--unshare-pid --die-with-parent, prctl denied: the command runs"

# ------------------------------------------------------------ stacking

run_bwrap "${SB[@]}" --add-seccomp-fd 5 --add-seccomp-fd 6 sh -c 'mkdir /tmp/x; ln -s a /tmp/l' \
  5<"$P/mkdir-eperm.bpf" 6<"$P/symlink-erofs.bpf"
assert_eq "$MKDIR_EPERM
ln: failed to create symbolic link '/tmp/l': Read-only file system" "$RUN_ERR" \
  "two --add-seccomp-fd: both filters apply"

# Same action from two filters: the kernel takes the most recently
# installed one's errno, so the result shows the installation order.
run_bwrap "${SB[@]}" --add-seccomp-fd 5 --add-seccomp-fd 6 mkdir /tmp/x \
  5<"$P/mkdir-eperm.bpf" 6<"$P/mkdir-eacces.bpf"
assert_stderr_is "$MKDIR_EACCES" "installed in command-line order (EPERM, then EACCES: EACCES wins)"
run_bwrap "${SB[@]}" --add-seccomp-fd 6 --add-seccomp-fd 5 mkdir /tmp/x \
  5<"$P/mkdir-eperm.bpf" 6<"$P/mkdir-eacces.bpf"
assert_stderr_is "$MKDIR_EPERM" "installed in command-line order (EACCES, then EPERM: EPERM wins)"

run_bwrap "${SB[@]}" --proc /proc --add-seccomp-fd 5 --add-seccomp-fd 6 --add-seccomp-fd 7 \
  sh -c 'grep "^Seccomp_filters:" /proc/self/status | tr -d "\t"' \
  5<"$P/mkdir-eperm.bpf" 6<"$P/max.bpf" 7<"$P/chdir-enoent.bpf"
assert_eq "Seccomp_filters:$((inherited + 3))" "$RUN_OUT" "three --add-seccomp-fd: three filters"

# A filter that denies prctl() prevents installing any later one.
run_bwrap "${SB[@]}" --add-seccomp-fd 5 --add-seccomp-fd 6 true \
  5<"$P/prctl-eperm.bpf" 6<"$P/mkdir-eperm.bpf"
assert_error 1 "bwrap: prctl(PR_SET_SECCOMP): Operation not permitted" \
  "a filter denying prctl before another one: the second cannot be installed"

# (--seccomp with --add-seccomp-fd, and fd numbers that are no numbers:
# tests/unit/test-options-errors.c.)

# Repeated --seccomp: warning, the last one is used, the first neither
# read nor closed.
run_bwrap "${SB[@]}" --proc /proc --seccomp 5 --seccomp 6 \
  sh -c 'test -e /proc/self/fd/5 && echo fd5-open; test -e /proc/self/fd/6 || echo fd6-closed; mkdir /tmp/x' \
  5<"$P/invalid.bpf" 6<"$P/mkdir-eperm.bpf"
assert_eq "bwrap: Only the last --seccomp option will take effect
$MKDIR_EPERM" "$RUN_ERR" "repeated --seccomp: warning, the last program applies"
assert_eq "fd5-open
fd6-closed" "$RUN_OUT" "repeated --seccomp: the superseded fd stays open, the used one is closed"

run_bwrap "${SB[@]}" --proc /proc --add-seccomp-fd 5 --add-seccomp-fd 6 \
  sh -c 'test -e /proc/self/fd/5 || test -e /proc/self/fd/6 || echo closed' \
  5<"$P/max.bpf" 6<"$P/max.bpf"
assert_eq "closed" "$RUN_OUT" "--add-seccomp-fd fds do not reach the command"

# ------------------------------------------------------------ malformed programs

for opt in --seccomp --add-seccomp-fd; do
  run_bwrap "${SB[@]}" "$opt" 5 true 5<"$P/empty.bpf"
  assert_error 1 "bwrap: Invalid seccomp data, the program is empty" "$opt: empty program"
  run_bwrap "${SB[@]}" "$opt" 5 true 5<"$P/twelve.bpf"
  assert_error 1 "bwrap: Invalid seccomp data, must be multiple of 8" "$opt: 12 bytes"
  run_bwrap "${SB[@]}" "$opt" 5 true 5<"$P/toolong.bpf"
  assert_error 1 "bwrap: Invalid seccomp data, more than 4096 instructions" "$opt: 4097 instructions"
  run_bwrap "${SB[@]}" "$opt" 5 sh -c 'echo ran' 5<"$P/max.bpf"
  assert_eq "0 ran" "$RUN_RC $RUN_OUT" "$opt: 4096 instructions (BPF_MAXINSNS) are accepted"
  run_bwrap "${SB[@]}" "$opt" 5 true 5<"$P/invalid.bpf"
  assert_error 1 "bwrap: Unable to set up system call filtering as requested: prctl(PR_SET_SECCOMP) reported EINVAL. (Hint: this requires a kernel configured with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER.)" \
    "$opt: a program the kernel refuses (unknown opcode)"
done

# --add-seccomp-fd is read while parsing, as bubblewrap does: its error
# comes before the cross-option rules and before preflight's.
run_bwrap "${SB[@]}" --add-seccomp-fd 5 --hostname h true 5<"$P/twelve.bpf"
assert_error 1 "bwrap: Invalid seccomp data, must be multiple of 8" \
  "--add-seccomp-fd read while parsing: before --hostname's missing --unshare-uts"
run_bwrap "${SB[@]}" --bind "$TEST_TMP/missing" /m --add-seccomp-fd 5 true 5<"$P/twelve.bpf"
assert_error 1 "bwrap: Invalid seccomp data, must be multiple of 8" \
  "--add-seccomp-fd read while parsing: before a missing bind source"
# An empty program is refused when installed, where bubblewrap meets the
# kernel's EINVAL: a missing bind source is reported first.
run_bwrap "${SB[@]}" --bind "$TEST_TMP/missing" /m --add-seccomp-fd 5 true 5<"$P/empty.bpf"
assert_error 1 "bwrap: Can't find source path $TEST_TMP/missing: No such file or directory" \
  "--add-seccomp-fd: an empty program is refused after the setup errors"

# A malformed program after a good one: refused before anything runs.
run_bwrap "${SB[@]}" --add-seccomp-fd 5 --add-seccomp-fd 6 true 5<"$P/mkdir-eperm.bpf" 6<"$P/twelve.bpf"
assert_error 1 "bwrap: Invalid seccomp data, must be multiple of 8" "a bad second program fails the run"

# ------------------------------------------------------------ bad fds

for opt in --seccomp --add-seccomp-fd; do
  run_bwrap "${SB[@]}" "$opt" 99 true
  assert_error 1 "bwrap: Can't read seccomp data: Bad file descriptor" "$opt: fd not open"
  run_bwrap "${SB[@]}" "$opt" 5 true 5>"$TEST_TMP/wronly"
  assert_error 1 "bwrap: Can't read seccomp data: Bad file descriptor" "$opt: fd open write-only"
  run_bwrap "${SB[@]}" "$opt" 5 true 5<"$P"
  assert_error 1 "bwrap: Can't read seccomp data: Is a directory" "$opt: fd of a directory"
done

# A pipe works as well as a file.
run_bwrap "${SB[@]}" --add-seccomp-fd 5 mkdir /tmp/x 5< <(cat "$P/mkdir-eperm.bpf")
assert_stderr_is "$MKDIR_EPERM" "a program read from a pipe"

# When each is read (bubblewrap's order): --seccomp in the sandbox after
# setup, so a caller may write it once the --info-fd document is there;
# --add-seccomp-fd while parsing, before any sandbox exists.  The writer
# waits for the info document and gives up (writing nothing) after 10 s:
# read at startup, the program would be empty.
rm -f "$TEST_TMP/info-late"
RUN_TIMEOUT=20 run_bwrap "${SB[@]}" --info-fd 4 --seccomp 5 mkdir /tmp/x 4>"$TEST_TMP/info-late" \
  5< <(for _ in $(seq 100); do [ -s "$TEST_TMP/info-late" ] && break; sleep 0.1; done
       [ -s "$TEST_TMP/info-late" ] && cat "$P/mkdir-eperm.bpf")
assert_stderr_is "$MKDIR_EPERM" "--seccomp is read after the sandbox started (the program may follow --info-fd)"
rm -f "$TEST_TMP/info-late" "$TEST_TMP/order"
RUN_TIMEOUT=20 run_bwrap "${SB[@]}" --info-fd 4 --add-seccomp-fd 5 true 4>"$TEST_TMP/info-late" \
  5< <(sleep 1; [ -s "$TEST_TMP/info-late" ] && echo "info came first" >"$TEST_TMP/order"
       cat "$P/mkdir-eperm.bpf")
assert_rc 0 "--add-seccomp-fd from a slow pipe: exit 0"
assert_no_file "$TEST_TMP/order" "--add-seccomp-fd is read before the sandbox starts (no info document yet)"

done_testing
