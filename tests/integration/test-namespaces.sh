#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Namespaces (issue 4): joining a running sandbox's user and pid namespaces
# (--userns, --userns2, --pidns, fd 0), --disable-userns and
# --assert-userns-disabled, --unshare-net loopback, --unshare-uts with
# --hostname, --unshare-ipc, --unshare-cgroup(-try), and their misuse
# (what the parser alone refuses, invalid fd numbers and the rules between
# these options, is in tests/unit/test-options-errors.c and
# test-options-validate.c).

. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip_all "python3 not installed"

T=$TEST_TMP
IP=/usr/sbin/ip

# ------------------------------------------------------------ helpers

# json_get FILE KEY: prints KEY of the JSON object in FILE (status 1 if
# FILE is not complete JSON or lacks KEY).
json_get ()
{
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2" 2>/dev/null
}

# The command of a background sandbox: $1 (a dir) gets "ready" once the
# script ran, then it waits (at most 60 s) for "$1/stop".
WAIT_STOP='echo ready > "$1/ready"; i=0
  while [ ! -e "$1/stop" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done'

# start_sandbox NAME SCRIPT BWRAP-ARGS...
#   Runs "$BWRAP" --info-fd 3 BWRAP-ARGS... sh -c "SCRIPT; $WAIT_STOP" NAME-sandbox DIR
#   in the background, DIR=$T/NAME being bound at the same path.  Waits for
#   the info document and for "ready"; sets SB_PID (bwrap) and SB_CHILD
#   (child-pid).  The info goes to a plain file, not read to EOF: fd
#   closing is test-status.sh's business.
start_sandbox ()
{
  local name=$1 script=$2 dir=$T/$1
  shift 2
  mkdir -p "$dir"
  "$BWRAP" --info-fd 3 "$@" --bind "$dir" "$dir" \
    sh -c "$script
$WAIT_STOP" "$name-sandbox" "$dir" \
    3>"$dir/info" </dev/null >"$dir/out" 2>"$dir/err" &
  SB_PID=$!
  register_pid "$SB_PID"
  SB_CHILD=
  if ! wait_for 10 test -e "$dir/ready" || ! SB_CHILD=$(json_get "$dir/info" child-pid); then
    diag "sandbox $name did not start" "stderr: $(cat "$dir/err")" "info: $(cat "$dir/info")"
    return 1
  fi
}

# stop_sandbox NAME: lets its command return and waits for bwrap.
stop_sandbox ()
{
  touch "$T/$1/stop"
  wait "$SB_PID"
}

SELF_USERNS=$(readlink /proc/self/ns/user)

# ------------------------------------------------------------ --userns, --pidns

if start_sandbox a 'readlink /proc/self/ns/user > "$1/userns"; readlink /proc/self/ns/pid > "$1/pidns"' \
     "${BASE[@]}" --unshare-user --unshare-pid --proc /proc --die-with-parent; then
  a_child=$SB_CHILD
  a_userns=$(cat "$T/a/userns")
  a_pidns=$(cat "$T/a/pidns")
  pass "first sandbox runs and reports child-pid $a_child"
  if is_setuid; then
    # new setuid design: the sandbox's namespaces belong to root, so the
    # user may not look at /proc/CHILD/ns (no ptrace access to the sandbox
    # from outside, as in bubblewrap's setuid mode); the info's namespace
    # ids name the sandbox.
    assert_eq "$a_pidns" "pid:[$(json_get "$T/a/info" pid-namespace)]" \
      "setuid: the info's pid-namespace is the first sandbox's"
  else
    assert_eq "$a_userns" "$(readlink "/proc/$a_child/ns/user")" \
      "info child-pid is in the first sandbox's user namespace"
  fi
  if [ "$a_userns" != "$SELF_USERNS" ]; then
    pass "first sandbox has its own user namespace"
  else
    fail "first sandbox has its own user namespace" "both $a_userns"
  fi

  if is_setuid; then
    # Setuid mode refuses to join namespaces (--userns and --userns2 as
    # bubblewrap does; --pidns is ours, see options.c), even ones the user
    # may enter (their own).
    run_bwrap "${BASE[@]}" --userns 3 true 3</proc/self/ns/user
    assert_error 1 "bwrap: --userns doesn't work in setuid mode" "setuid: --userns is refused"
    run_bwrap "${BASE[@]}" --pidns 4 true 4</proc/self/ns/pid
    assert_error 1 "bwrap: --pidns doesn't work in setuid mode" "setuid: --pidns is refused"
    skip_n 12 "setuid mode refuses --userns and --pidns" "--userns/--pidns join"
  else
    run_bwrap "${BASE[@]}" --proc /proc --userns 3 readlink /proc/self/ns/user 3<"/proc/$a_child/ns/user"
    assert_rc 0 "--userns FD: second sandbox runs"
    assert_stdout_is "$a_userns" "--userns FD: second sandbox is in the first one's user namespace"

    RUN_STDIN=/proc/$a_child/ns/user
    run_bwrap "${BASE[@]}" --proc /proc --userns 0 readlink /proc/self/ns/user
    RUN_STDIN=/dev/null
    assert_stdout_is "$a_userns" "--userns 0: fd 0 is a valid namespace fd"

    # uid 0 is not mapped in the first sandbox (unless we are root): --uid
    # then asks for an id switch that must fail inside the joined namespace.
    if is_root; then
      run_bwrap "${BASE[@]}" --userns 3 --uid 0 id -u 3<"/proc/$a_child/ns/user"
      assert_stdout_is "0" "--userns with --uid 0 (mapped): runs as 0"
    else
      run_bwrap "${BASE[@]}" --userns 3 --uid 0 id -u 3<"/proc/$a_child/ns/user"
      assert_error 1 "bwrap: unable to switch to uid 0: Invalid argument" \
        "--userns with an unmapped --uid fails"
    fi

    # --pidns: the second sandbox is in the first's pid namespace and sees
    # its processes.  As a user the pid namespace belongs to the first
    # sandbox's user namespace, so that one must be joined too.
    pidns_args=(--pidns 4)
    is_root || pidns_args=(--userns 3 --pidns 4)
    run_bwrap "${BASE[@]}" "${pidns_args[@]}" --proc /proc sh -c \
      'readlink /proc/self/ns/pid; cat /proc/1/comm; grep -l "a-sandbo[x]" /proc/[0-9]*/cmdline | wc -l' \
      3<"/proc/$a_child/ns/user" 4<"/proc/$a_child/ns/pid"
    assert_rc 0 "--pidns FD: second sandbox runs"
    assert_eq "$a_pidns" "$(sed -n 1p <<<"$RUN_OUT")" "--pidns FD: same pid namespace as the first sandbox"
    assert_eq "bwrap" "$(sed -n 2p <<<"$RUN_OUT")" "--pidns FD: pid 1 is the first sandbox's bwrap"
    assert_match "[1-9][0-9]*" "$(sed -n 3p <<<"$RUN_OUT")" "--pidns FD: the first sandbox's command is visible in /proc"

    RUN_STDIN=/proc/$a_child/ns/pid
    run_bwrap "${BASE[@]}" "${pidns_args[@]//4/0}" --proc /proc readlink /proc/self/ns/pid \
      3<"/proc/$a_child/ns/user"
    RUN_STDIN=/dev/null
    assert_stdout_is "$a_pidns" "--pidns 0: fd 0 is a valid namespace fd"

    # A new pid namespace below the joined one must belong to a descendant
    # of the joined one's user namespace, so --userns is needed even as root.
    run_bwrap "${BASE[@]}" --userns 3 --pidns 4 --unshare-pid --proc /proc \
      sh -c 'readlink /proc/self/ns/pid; echo $$; grep -l "a-sandbo[x]" /proc/[0-9]*/cmdline | wc -l' \
      3<"/proc/$a_child/ns/user" 4<"/proc/$a_child/ns/pid"
    assert_rc 0 "--pidns with --unshare-pid: runs"
    if [ "$(sed -n 1p <<<"$RUN_OUT")" != "$a_pidns" ] && [ "$(sed -n 2,3p <<<"$RUN_OUT")" = $'2\n0' ]; then
      pass "--pidns with --unshare-pid: a new child pid namespace (command is pid 2, first sandbox invisible)"
    else
      fail "--pidns with --unshare-pid: a new child pid namespace (command is pid 2, first sandbox invisible)"
      _run_diag
    fi

    # The monitor must wait for the sandbox itself, not the intermediate
    # process that created it: the command's status comes through.
    run_bwrap "${BASE[@]}" --userns 3 --pidns 4 --unshare-pid sh -c 'sleep 0.2; exit 3' \
      3<"/proc/$a_child/ns/user" 4<"/proc/$a_child/ns/pid"
    assert_rc 3 "--pidns with --unshare-pid: bwrap exits with the command's status"

    run_bwrap "${BASE[@]}" --proc /proc --userns 3 --pidns 4 sh -c 'cd /proc/$$/fd && echo *' \
      3<"/proc/$a_child/ns/user" 4<"/proc/$a_child/ns/pid"
    if [[ " $RUN_OUT " == *" 3 "* && " $RUN_OUT " == *" 4 "* ]]; then
      pass "--userns and --pidns fds stay open in COMMAND"
    else
      fail "--userns and --pidns fds stay open in COMMAND" "fds: $RUN_OUT"
    fi

    if is_root; then
      run_bwrap "${BASE[@]}" --pidns 4 --unshare-pid true 4<"/proc/$a_child/ns/pid"
      assert_error 1 "bwrap: unshare pid ns: Invalid argument" \
        "--pidns --unshare-pid with the pid namespace of a foreign user namespace"
    else
      # A user has no privilege over the first sandbox's pid namespace
      # from its own (implicit, sibling) user namespace.
      run_bwrap "${BASE[@]}" --pidns 4 true 4<"/proc/$a_child/ns/pid"
      assert_error 1 "bwrap: Setting pidns failed: Operation not permitted" \
        "--pidns of a foreign user namespace without --userns fails"
    fi
  fi
  stop_sandbox a
  assert_eq 0 "$?" "first sandbox exits 0 after the stop file"
else
  skip_n 18 "first sandbox did not start" "--userns/--pidns join"
fi

# --userns2: a user namespace created inside the first one (by a nested
# `unshare -r` of its command) is entered after setup.  (sh's background
# job needs /dev/null.)
if is_setuid; then
  run_bwrap "${BASE[@]}" --userns2 3 true 3</proc/self/ns/user
  assert_error 1 "bwrap: --userns2 doesn't work in setuid mode" "setuid: --userns2 is refused"
  skip "--userns2 FD: the command ends in the nested user namespace" "setuid mode refuses --userns2"
elif start_sandbox b 'readlink /proc/self/ns/user > "$1/userns"
     unshare -r sh -c "readlink /proc/self/ns/user > \"\$1/userns2\"; echo \$\$ > \"\$1/pid2\"; i=0; while [ ! -e \"\$1/stop\" ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done" b-inner "$1" &
     i=0; while [ ! -s "$1/pid2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done' \
     "${BASE[@]}" --unshare-user --proc /proc --dev-bind /dev/null /dev/null --die-with-parent; then
  b_pid2=$(cat "$T/b/pid2")
  run_bwrap "${BASE[@]}" --proc /proc --userns 3 --userns2 4 readlink /proc/self/ns/user \
    3<"/proc/$SB_CHILD/ns/user" 4<"/proc/$b_pid2/ns/user"
  assert_rc 0 "--userns2 FD: runs"
  if [ -n "$RUN_OUT" ] && [ "$RUN_OUT" = "$(cat "$T/b/userns2")" ] && [ "$RUN_OUT" != "$(cat "$T/b/userns")" ]; then
    pass "--userns2 FD: the command ends in the nested user namespace"
  else
    fail "--userns2 FD: the command ends in the nested user namespace" \
      "got '$RUN_OUT', --userns is $(cat "$T/b/userns"), --userns2 is $(cat "$T/b/userns2")"
  fi
  stop_sandbox b
else
  skip_n 2 "sandbox for --userns2 did not start" "--userns2"
fi

# ------------------------------------------------------------ --userns misuse

if is_setuid; then
  skip_n 2 "setuid mode refuses --userns" "--userns with a bad namespace fd"
else
  run_bwrap "${BASE[@]}" --userns 3 true 3</dev/null
  assert_error 1 "bwrap: Joining the specified user namespace failed, it might not be a descendant of the current user namespace." \
    "--userns with an fd that is no namespace"
  run_bwrap "${BASE[@]}" --userns 3 true 3</proc/self/ns/user
  assert_error 1 "bwrap: Joining the specified user namespace failed, it might not be a descendant of the current user namespace." \
    "--userns with our own user namespace"
fi

exec 9<&-
if is_setuid; then
  skip_n 3 "setuid mode refuses --userns and --pidns" "--userns/--pidns with a closed fd"
else
  run_bwrap "${BASE[@]}" --userns 9 true
  assert_error 1 "bwrap: Joining specified user namespace failed: Bad file descriptor" "--userns with a closed fd"
  run_bwrap "${BASE[@]}" --pidns 9 true
  assert_rc 1 "--pidns with a closed fd: exit 1"
  assert_stderr_has "bwrap: Setting pidns failed: Bad file descriptor" "--pidns with a closed fd: message"
fi

# ------------------------------------------------------------ --disable-userns

run_bwrap "${BASE[@]}" --unshare-user unshare -U true
assert_rc 0 "without --disable-userns a nested user namespace can be created"
run_bwrap "${BASE[@]}" --unshare-user --disable-userns unshare -U true
if is_setuid; then
  # Not refused up front (bubblewrap neither), but the setup holds no
  # privilege to lower the limit in the root-owned user namespace.
  assert_error 1 "bwrap: cannot open /proc/sys/user/max_user_namespaces: Permission denied" \
    "setuid: --disable-userns fails at run time"
  skip_n 5 "setuid mode cannot apply --disable-userns" "--disable-userns sandbox"
else
  if [ "$RUN_RC" != 0 ] && grep -q "No space left on device" "$TEST_TMP/.err"; then
    pass "--disable-userns: nested 'unshare -U' fails with ENOSPC"
  else
    fail "--disable-userns: nested 'unshare -U' fails with ENOSPC"
    _run_diag
  fi
  run_bwrap "${BASE[@]}" --unshare-user --disable-userns --proc /proc cat /proc/sys/user/max_user_namespaces
  assert_rc 0 "--disable-userns: sandbox runs"
  run_bwrap "${BASE[@]}" --unshare-user --disable-userns --assert-userns-disabled true
  assert_rc 0 "--disable-userns with --assert-userns-disabled succeeds"
  assert_stderr_empty "--disable-userns with --assert-userns-disabled: no message"
  # One nested level serves both --dev's id remap and --disable-userns, as
  # in bubblewrap: inside, the ids map to 0 of the level that mounted devpts.
  run_bwrap "${BASE[@]}" --unshare-user --disable-userns --dev /dev --proc /proc --uid 5 --gid 6 \
    sh -c 'cat /proc/self/uid_map /proc/self/gid_map | tr -s " " | sed "s/^ //"; unshare -U true 2>/dev/null || echo refused'
  assert_stdout_is "5 0 1
6 0 1
refused" "--disable-userns --dev --uid 5 --gid 6: maps '5 0 1', '6 0 1' inside (bubblewrap's layout)"
  run_bwrap "${BASE[@]}" --unshare-user --disable-userns --dev /dev --proc /proc \
    sh -c 'cat /proc/self/uid_map | tr -s " " | sed "s/^ //"'
  assert_stdout_is "$HOST_UID 0 1" "--disable-userns --dev: uid_map '$HOST_UID 0 1' inside (bubblewrap's layout)"
fi
run_bwrap "${BASE[@]}" --unshare-user --assert-userns-disabled true
assert_error 1 "bwrap: creation of new user namespaces was not disabled as requested" \
  "--assert-userns-disabled in a fresh user namespace"
run_bwrap "${BASE[@]}" --assert-userns-disabled true
assert_error 1 "bwrap: creation of new user namespaces was not disabled as requested" \
  "--assert-userns-disabled without --unshare-user"

# A pre-restricted namespace joined with --userns passes the assertion.
if is_setuid; then
  skip_n 2 "setuid mode refuses --userns" "--assert-userns-disabled with --userns"
elif start_sandbox c 'true' "${BASE[@]}" --unshare-user --disable-userns --die-with-parent; then
  run_bwrap "${BASE[@]}" --userns 3 --assert-userns-disabled true 3<"/proc/$SB_CHILD/ns/user"
  assert_rc 0 "--assert-userns-disabled in a joined --disable-userns namespace succeeds"
  run_bwrap "${BASE[@]}" --userns 3 unshare -U true 3<"/proc/$SB_CHILD/ns/user"
  assert_rc 1 "a joined --disable-userns namespace still refuses 'unshare -U'"
  stop_sandbox c
else
  skip_n 2 "sandbox with --disable-userns did not start" "--assert-userns-disabled with --userns"
fi

# ------------------------------------------------------------ --unshare-net

run_bwrap "${BASE[@]}" --unshare-net $IP -o link show
assert_rc 0 "--unshare-net: ip link runs"
assert_eq 1 "$(grep -c . <<<"$RUN_OUT")" "--unshare-net: exactly one interface"
assert_match "1: lo: <LOOPBACK,UP,LOWER_UP> .*" "$RUN_OUT" "--unshare-net: it is lo, up"
run_bwrap "${BASE[@]}" --unshare-net $IP -o addr show dev lo
assert_stderr_empty "--unshare-net: ip addr runs"
if grep -q ' inet 127\.0\.0\.1/8 ' <<<"$RUN_OUT"; then
  pass "--unshare-net: lo has 127.0.0.1/8"
else
  fail "--unshare-net: lo has 127.0.0.1/8" "$RUN_OUT"
fi
if grep -q ' inet6 ::1/128 ' <<<"$RUN_OUT"; then
  pass "--unshare-net: lo has ::1/128"
else
  fail "--unshare-net: lo has ::1/128" "$RUN_OUT"
fi

cat >"$T/tcp.py" <<'EOF'
import socket
for family, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    server = socket.socket(family, socket.SOCK_STREAM)
    server.bind((addr, 0))
    server.listen(1)
    client = socket.create_connection((addr, server.getsockname()[1]), timeout=5)
    conn, _ = server.accept()
    client.sendall(b"hello")
    print(addr, conn.recv(5).decode())
EOF
run_bwrap "${BASE[@]}" --unshare-net --ro-bind "$T/tcp.py" /tcp.py python3 /tcp.py
assert_stdout_is $'127.0.0.1 hello\n::1 hello' "--unshare-net: TCP over 127.0.0.1 and ::1 inside the sandbox"

# ICMP needs CAP_NET_RAW, which only root's command keeps.
if is_root && command -v ping >/dev/null; then
  run_bwrap "${BASE[@]}" --unshare-net ping -c1 -W5 127.0.0.1
  assert_rc 0 "--unshare-net: ping -c1 127.0.0.1 is answered"
else
  skip "--unshare-net: ping -c1 127.0.0.1 is answered" "needs root and ping"
fi

run_bwrap "${BASE[@]}" --proc /proc --unshare-net readlink /proc/self/ns/net
if [ "$RUN_RC" = 0 ] && [ "$RUN_OUT" != "$(readlink /proc/self/ns/net)" ]; then
  pass "--unshare-net: new network namespace"
else
  fail "--unshare-net: new network namespace"
  _run_diag
fi
run_bwrap "${BASE[@]}" --proc /proc readlink /proc/self/ns/net
assert_stdout_is "$(readlink /proc/self/ns/net)" "without --unshare-net: the caller's network namespace"
run_bwrap "${BASE[@]}" --proc /proc --unshare-net --share-net readlink /proc/self/ns/net
assert_stdout_is "$(readlink /proc/self/ns/net)" "--share-net after --unshare-net: the caller's network namespace"

# ------------------------------------------------------------ --unshare-uts

host_name=$(uname -n)
run_bwrap "${BASE[@]}" --unshare-uts --hostname bwrap-test-host uname -n
assert_stdout_is "bwrap-test-host" "--unshare-uts --hostname sets the hostname"
assert_eq "$host_name" "$(uname -n)" "--hostname leaves the host's name alone"
run_bwrap "${BASE[@]}" --unshare-uts uname -n
assert_stdout_is "$host_name" "--unshare-uts alone keeps the host's name"
run_bwrap "${BASE[@]}" --unshare-all --hostname other-name uname -n
assert_stdout_is "other-name" "--unshare-all implies --unshare-uts for --hostname"
run_bwrap "${BASE[@]}" --proc /proc --unshare-uts readlink /proc/self/ns/uts
if [ "$RUN_RC" = 0 ] && [ "$RUN_OUT" != "$(readlink /proc/self/ns/uts)" ]; then
  pass "--unshare-uts: new uts namespace"
else
  fail "--unshare-uts: new uts namespace"
  _run_diag
fi

# ------------------------------------------------------------ ipc, cgroup

ns_differs ()
{
  # ns_differs NS OPTION: with OPTION the sandbox has another NS
  # namespace, without it the caller's.
  local ns=$1 opt=$2 host
  host=$(readlink "/proc/self/ns/$ns")
  run_bwrap "${BASE[@]}" --proc /proc "$opt" readlink "/proc/self/ns/$ns"
  if [ "$RUN_RC" = 0 ] && [[ $RUN_OUT == "$ns:["*"]" ]] && [ "$RUN_OUT" != "$host" ]; then
    pass "$opt: new $ns namespace"
  else
    fail "$opt: new $ns namespace" "host: $host"
    _run_diag
  fi
  run_bwrap "${BASE[@]}" --proc /proc readlink "/proc/self/ns/$ns"
  assert_stdout_is "$host" "without $opt: the caller's $ns namespace"
}
ns_differs ipc --unshare-ipc
if [ -e /proc/self/ns/cgroup ]; then
  ns_differs cgroup --unshare-cgroup
  ns_differs cgroup --unshare-cgroup-try
else
  skip_n 4 "kernel without cgroup namespaces" "--unshare-cgroup"
fi

done_testing
