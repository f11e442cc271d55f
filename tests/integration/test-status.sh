#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Status and coordination fds (issue 4): --info-fd and --json-status-fd
# documents (layout, ids against what the sandbox itself sees, exit-code
# and its absence), --block-fd, --userns-block-fd with id maps written by
# the test from outside, which fds COMMAND keeps, and their misuse (what
# the parser alone refuses, invalid fd numbers and the rules between these
# options, is in tests/unit/test-options-errors.c and
# test-options-validate.c).

. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip_all "python3 not installed"

T=$TEST_TMP

# jdump MODE FILE: MODE "one": FILE is one JSON object; "lines": one JSON
# object per newline-terminated line.  Prints "key value" per member, "--"
# between documents; status 1 (and the reason on stderr) if it does not
# parse.  Python's json module is the independent judge of the syntax.
cat >"$T/jdump.py" <<'EOF'
import json, sys
mode, path = sys.argv[1], sys.argv[2]
text = open(path).read()
if mode == "one":
    docs = [json.loads(text)]
else:
    if not text.endswith("\n"):
        sys.exit("no final newline")
    docs = [json.loads(line) for line in text[:-1].split("\n")]
for i, doc in enumerate(docs):
    if not isinstance(doc, dict):
        sys.exit("not an object: %r" % (doc,))
    if i:
        print("--")
    for key, value in doc.items():
        print(key, value)
EOF
jdump () { python3 "$T/jdump.py" "$@"; }
json_get () { jdump one "$1" 2>/dev/null | sed -n "s/^$2 //p" | grep .; }

# The sandbox prints "<ns> <id>" for each namespace it can see.
PRINT_IDS='for ns in cgroup ipc mnt net pid uts user; do
  [ -e /proc/self/ns/$ns ] && readlink /proc/self/ns/$ns | sed "s/^\([a-z]*\):\[\([0-9]*\)\]$/\1 \2/"; done'
# Then waits (at most 60 s) for the file "$1/stop".
WAIT_STOP='i=0; while [ ! -e "$1/stop" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done'

# expected_start IDS-FILE CHILD PRETTY NS...: the start document bwrap must
# write for these namespaces (keys in bubblewrap's fixed order).
expected_start ()
{
  local ids=$1 child=$2 pretty=$3 ns sep
  shift 3
  if [ "$pretty" = 1 ]; then
    printf '{\n    "child-pid": %s' "$child"
    sep=$',\n    '
  else
    printf '{ "child-pid": %s' "$child"
    sep=', '
  fi
  for ns in cgroup ipc mnt net pid uts; do
    [[ " $* " == *" $ns "* ]] || continue
    printf '%s"%s-namespace": %s' "$sep" "$ns" "$(sed -n "s/^$ns //p" "$ids")"
  done
  if [ "$pretty" = 1 ]; then printf '\n}\n'; else printf ' }\n'; fi
}

# assert_same_file EXPECTED-FILE ACTUAL-FILE DESC
assert_same_file ()
{
  if cmp -s "$1" "$2"; then
    pass "$3"
  else
    fail "$3" "expected:" "$(cat "$1")" "got:" "$(cat "$2")"
  fi
}

# Namespaces that exist here and that --unshare-all creates.
ALL_NS="ipc mnt net pid uts"
[ -e /proc/self/ns/cgroup ] && ALL_NS="cgroup $ALL_NS"

# ------------------------------------------------------------ --info-fd

# A running sandbox: its info document against the ids it sees itself.
D=$T/info; mkdir "$D"
"$BWRAP" "${BASE[@]}" --unshare-all --die-with-parent --proc /proc --bind "$D" "$D" --info-fd 3 \
  sh -c "{ $PRINT_IDS; } > \"\$1/ids.tmp\" && mv \"\$1/ids.tmp\" \"\$1/ids\"; $WAIT_STOP" sh "$D" \
  3>"$D/info" </dev/null >"$D/out" 2>"$D/err" &
sb=$!
register_pid "$sb"
if wait_for 10 test -e "$D/ids" && child=$(json_get "$D/info" child-pid); then
  check "--info-fd: the document parses as JSON" jdump one "$D/info"
  expected_start "$D/ids" "$child" 1 $ALL_NS >"$D/expected"
  assert_same_file "$D/expected" "$D/info" \
    "--info-fd: exact layout, keys in order, ids are the sandbox's own, no user namespace"
  assert_eq "1" "$(awk '/^NSpid:/ { print $NF }' "/proc/$child/status")" \
    "--info-fd: with a pid namespace child-pid is the sandbox's pid 1"
  if is_setuid; then
    # new setuid design: the sandbox's namespaces belong to root, so the
    # user may not look into them from outside (no ptrace access to the
    # sandbox, as in bubblewrap's setuid mode); the exact info above
    # already names its pid namespace.
    check_not "setuid: child-pid's namespaces are out of the user's reach" \
      readlink "/proc/$child/ns/pid"
  else
    assert_eq "pid:[$(sed -n 's/^pid //p' "$D/ids")]" "$(readlink "/proc/$child/ns/pid")" \
      "--info-fd: child-pid is in the sandbox's pid namespace"
  fi
  touch "$D/stop"
  wait "$sb"
  assert_eq 0 "$?" "--info-fd: the sandbox exits 0"
else
  fail "--info-fd: sandbox with --unshare-all started" "$(cat "$D/err")" "info: $(cat "$D/info")"
  skip_n 4 "sandbox did not start" "--info-fd"
fi

# No pid namespace: child-pid is the process that becomes COMMAND.
run_bwrap "${BASE[@]}" --proc /proc --info-fd 3 sh -c "$PRINT_IDS >&2; echo \$\$" 3>"$T/plain.info"
printf '%s\n' "$RUN_ERR" >"$T/plain.ids"
assert_eq "$RUN_OUT" "$(json_get "$T/plain.info" child-pid)" \
  "--info-fd: without a pid namespace child-pid is COMMAND's pid"
expected_start "$T/plain.ids" "$RUN_OUT" 1 mnt >"$T/plain.expected"
assert_same_file "$T/plain.expected" "$T/plain.info" \
  "--info-fd: without other namespaces only mnt-namespace is listed"

# The info fd is closed once written, in the monitor and in the sandbox:
# a reader sees EOF while the sandbox still runs.  The first
# --json-status-fd line also arrives while it runs, the exit-code later.
D=$T/stream; mkdir "$D"
mkfifo "$D/info" "$D/status"
"$BWRAP" "${BASE[@]}" --die-with-parent --unshare-net --bind "$D" "$D" --info-fd 3 --json-status-fd 4 \
  sh -c "$WAIT_STOP; exit 5" sh "$D" 3>"$D/info" 4>"$D/status" </dev/null >"$D/out" 2>"$D/err" &
sb=$!
register_pid "$sb"
exec 6<"$D/info" 7<"$D/status"
if timeout 10 cat <&6 >"$D/info.txt"; then
  pass "--info-fd: EOF while the sandbox runs (fd closed in monitor and sandbox)"
else
  fail "--info-fd: EOF while the sandbox runs (fd closed in monitor and sandbox)"
fi
exec 6<&-
if IFS= read -r -t 10 line <&7; then
  pass "--json-status-fd: first line while the sandbox runs"
  printf '%s\n' "$line" >"$D/first.txt"
else
  fail "--json-status-fd: first line while the sandbox runs"
  : >"$D/first.txt"
fi
assert_eq "$(jdump one "$D/info.txt" 2>&1)" "$(jdump lines "$D/first.txt" 2>&1)" \
  "--json-status-fd: the first line carries the --info-fd members"
check "bwrap is still running meanwhile" kill -0 "$sb"
touch "$D/stop"
timeout 10 cat <&7 >"$D/rest.txt"
exec 7<&-
wait "$sb"
assert_eq 5 "$?" "--json-status-fd: bwrap exits with COMMAND's status"
assert_eq '{ "exit-code": 5 }' "$(cat "$D/rest.txt")" "--json-status-fd: then the exit-code, then EOF"

# ------------------------------------------------------------ --json-status-fd

run_bwrap "${BASE[@]}" --unshare-pid --unshare-net --proc /proc --json-status-fd 3 \
  sh -c "$PRINT_IDS; exit 7" 3>"$T/js"
assert_rc 7 "--json-status-fd with a pid namespace: exit status 7"
check "--json-status-fd: lines parse as JSON" jdump lines "$T/js"
printf '%s\n' "$RUN_OUT" >"$T/js.ids"
{
  expected_start "$T/js.ids" "$(sed -n '1s/^{ "child-pid": \([0-9]*\),.*/\1/p' "$T/js")" 0 mnt net pid
  echo '{ "exit-code": 7 }'
} >"$T/js.expected"
assert_same_file "$T/js.expected" "$T/js" "--json-status-fd: exact lines, the sandbox's ids, then exit-code"

# exit-code equals bwrap's status, with and without a pid-1 helper.
for pidns in "" --unshare-pid; do
  for cmd in 'exit 0' 'exit 1' 'kill -9 $$'; do
    run_bwrap "${BASE[@]}" $pidns --json-status-fd 3 sh -c "$cmd" 3>"$T/js"
    code=$(jdump lines "$T/js" 2>/dev/null | sed -n 's/^exit-code //p')
    if [ "$code" = "$RUN_RC" ] && [ "$(grep -c . "$T/js")" = 2 ]; then
      pass "--json-status-fd ${pidns:+$pidns }'$cmd': exit-code $code is bwrap's status"
    else
      fail "--json-status-fd ${pidns:+$pidns }'$cmd': exit-code $code is bwrap's status" "$(cat "$T/js")"
      _run_diag
    fi
  done
done
assert_eq 137 "$RUN_RC" "killed by SIGKILL: status 128 + 9"

# No exit-code when COMMAND never ran.
for pidns in "" --unshare-pid; do
  run_bwrap "${BASE[@]}" $pidns --json-status-fd 3 /nonexistent/command 3>"$T/js"
  assert_error 1 "bwrap: execvp /nonexistent/command: No such file or directory" \
    "exec failure${pidns:+ with $pidns}: exit 1 and one message"
  if [ "$(grep -c . "$T/js")" = 1 ] && ! grep -q exit-code "$T/js" && grep -q '"child-pid"' "$T/js"; then
    pass "exec failure${pidns:+ with $pidns}: start line only, no exit-code"
  else
    fail "exec failure${pidns:+ with $pidns}: start line only, no exit-code" "$(cat "$T/js")"
  fi
done
run_bwrap "${BASE[@]}" --chdir /missing --json-status-fd 3 true 3>"$T/js"
assert_error 1 "bwrap: Can't chdir to /missing: No such file or directory" "setup failure in the sandbox: exit 1"
if [ "$(grep -c . "$T/js")" = 1 ] && ! grep -q exit-code "$T/js" && grep -q '"child-pid"' "$T/js"; then
  pass "setup failure in the sandbox: start line only, no exit-code"
else
  fail "setup failure in the sandbox: start line only, no exit-code" "$(cat "$T/js")"
fi
# Ours (documented in README and bwrap(1)): a missing source is found
# before the sandbox exists, so not even the start line is written
# (bubblewrap writes it first); message and exit status are bubblewrap's.
run_bwrap "${BASE[@]}" --ro-bind "$T/missing" /missing --json-status-fd 3 --info-fd 4 true \
  3>"$T/js" 4>"$T/info-early"
assert_error 1 "bwrap: Can't find source path $T/missing: No such file or directory" \
  "setup failure before the sandbox: bubblewrap's message, exit 1"
assert_eq "0 0" "$(stat -c %s "$T/js" "$T/info-early" | tr '\n' ' ' | sed 's/ $//')" \
  "setup failure before the sandbox: nothing written to --json-status-fd or --info-fd"

# ------------------------------------------------------------ fds in COMMAND

# 8 is an unrelated fd: it must stay, so the listing itself is proven.
run_bwrap "${BASE[@]}" --proc /proc --info-fd 5 --json-status-fd 6 --block-fd 7 \
  sh -c 'cd /proc/$$/fd && echo *' 5>/dev/null 6>/dev/null 7</dev/null 8</dev/null
fds=" $RUN_OUT "
if [[ $fds == *" 8 "* && $fds != *" 5 "* && $fds != *" 6 "* && $fds != *" 7 "* ]]; then
  pass "--info-fd, --json-status-fd and --block-fd are closed in COMMAND, other fds stay"
else
  fail "--info-fd, --json-status-fd and --block-fd are closed in COMMAND, other fds stay" "fds:$fds"
fi

# ------------------------------------------------------------ --block-fd

D=$T/block; mkdir "$D"
mkfifo "$D/fifo"
"$BWRAP" "${BASE[@]}" --die-with-parent --tmpfs /made-before-block --bind "$D" "$D" \
  --info-fd 4 --block-fd 3 sh -c 'echo ran > "$1/ran"' sh "$D" \
  3<"$D/fifo" 4>"$D/info" </dev/null >"$D/out" 2>"$D/err" &
sb=$!
register_pid "$sb"
exec 8>"$D/fifo"
if wait_for 10 json_get "$D/info" child-pid >/dev/null; then
  child=$(json_get "$D/info" child-pid)
  check "--block-fd: the mounts are made before blocking" \
    wait_for 10 grep -q ' /made-before-block ' "/proc/$child/mountinfo"
  sleep 0.3
  check_not "--block-fd: COMMAND has not run before the write" test -e "$D/ran"
else
  fail "--block-fd: sandbox started" "$(cat "$D/err")"
  skip_n 1 "sandbox did not start" "--block-fd"
fi
echo x >&8
exec 8>&-
wait "$sb"
assert_eq 0 "$?" "--block-fd: exits 0 once written"
check "--block-fd: COMMAND ran after the write" test -e "$D/ran"

# EOF (the writer closes without writing) releases as well.
rm -f "$D/ran"
"$BWRAP" "${BASE[@]}" --die-with-parent --bind "$D" "$D" --block-fd 3 \
  sh -c 'echo ran > "$1/ran"' sh "$D" 3<"$D/fifo" </dev/null >"$D/out" 2>"$D/err" &
sb=$!
register_pid "$sb"
exec 8>"$D/fifo"
exec 8>&-
wait "$sb"
assert_eq 0 "$?" "--block-fd: EOF releases too"
check "--block-fd: COMMAND ran after EOF" test -e "$D/ran"

run_bwrap "${BASE[@]}" --block-fd 9 echo ran 9<&-
assert_stdout_is "ran" "--block-fd with a closed fd: errors are ignored"
if is_setuid; then
  # Ours: the privileged helper writes the id maps before the sandbox
  # exists, so there is nothing for a caller to map (options.c).
  run_bwrap "${BASE[@]}" --unshare-user --info-fd 8 --userns-block-fd 4 true 8>/dev/null 4</dev/null
  assert_error 1 "bwrap: --userns-block-fd doesn't work in setuid mode" "setuid: --userns-block-fd is refused"
else
  # Beyond bubblewrap: nobody could map the ids through a never-valid fd.
  run_bwrap "${BASE[@]}" --unshare-user --info-fd 8 --userns-block-fd 57 true 8>/dev/null 57<&-
  assert_error 1 "bwrap: --userns-block-fd 57: Bad file descriptor" \
    "--userns-block-fd with a closed fd: one line naming it"
fi

# ------------------------------------------------------------ --userns-block-fd

if is_setuid; then
  skip_n 6 "setuid mode refuses --userns-block-fd" "--userns-block-fd"
else
  # bwrap writes no id maps; the test, as the namespace's owner outside,
  # maps child-pid to ids bwrap would never choose, then releases it.
  D=$T/ublock; mkdir "$D"
  mkfifo "$D/fifo"
  "$BWRAP" "${BASE[@]}" --die-with-parent --unshare-user --proc /proc --info-fd 3 --userns-block-fd 4 \
    sh -c 'id -u; id -g; cd /proc/$$/fd && echo *' \
    3>"$D/info" 4<"$D/fifo" </dev/null >"$D/out" 2>"$D/err" &
  sb=$!
  register_pid "$sb"
  exec 8>"$D/fifo"
  if wait_for 10 json_get "$D/info" child-pid >/dev/null; then
    child=$(json_get "$D/info" child-pid)
    sleep 0.3
    assert_eq "" "$(cat "/proc/$child/uid_map")" "--userns-block-fd: bwrap wrote no uid map"
    check_not "--userns-block-fd: COMMAND has not run before the release" test -s "$D/out"
    if echo deny >"/proc/$child/setgroups" && echo "1234 $HOST_UID 1" >"/proc/$child/uid_map" &&
      echo "5678 $HOST_GID 1" >"/proc/$child/gid_map"; then
      pass "--userns-block-fd: the caller maps child-pid's ids"
    else
      fail "--userns-block-fd: the caller maps child-pid's ids"
    fi
  else
    fail "--userns-block-fd: sandbox started" "$(cat "$D/err")"
    skip_n 3 "sandbox did not start" "--userns-block-fd"
  fi
  echo x >&8
  exec 8>&-
  wait "$sb"
  assert_eq 0 "$?" "--userns-block-fd: exits 0 once released"
  assert_eq "1234 5678" "$(sed -n 1,2p "$D/out" | tr '\n' ' ' | sed 's/ $//')" \
    "--userns-block-fd: COMMAND runs with the caller's maps"
  if [[ " $(sed -n 3p "$D/out") " == *" 4 "* ]]; then
    pass "--userns-block-fd: its fd stays open in COMMAND"
  else
    fail "--userns-block-fd: its fd stays open in COMMAND" "$(cat "$D/out")"
  fi
fi

# ------------------------------------------------------------ misuse

# A failed first write is fatal, and COMMAND must not run behind it.
mkdir "$T/wr"
for opt in --info-fd --json-status-fd; do
  run_bwrap "${BASE[@]}" --bind "$T/wr" /wr $opt 9 touch /wr/ran 9<&-
  assert_error 1 "bwrap: Write to info_fd: Bad file descriptor" "$opt with a closed fd"
  run_bwrap "${BASE[@]}" --bind "$T/wr" /wr $opt 3 touch /wr/ran 3</dev/null
  assert_error 1 "bwrap: Write to info_fd: Bad file descriptor" "$opt with a read-only fd"
done
sleep 0.5
assert_no_file "$T/wr/ran" "after a failed status write COMMAND never runs"

# The later --info-fd wins; the earlier fd is neither written nor closed.
run_bwrap "${BASE[@]}" --proc /proc --info-fd 3 --info-fd 4 sh -c 'cd /proc/$$/fd && echo *' \
  3>"$T/first" 4>"$T/second"
assert_stderr_is "bwrap: Only the last --info-fd option will take effect" "two --info-fd: warning"
if [ ! -s "$T/first" ] && json_get "$T/second" child-pid >/dev/null && [[ " $RUN_OUT " == *" 3 "* ]]; then
  pass "two --info-fd: only the last is written, the first stays open"
else
  fail "two --info-fd: only the last is written, the first stays open" "fds: $RUN_OUT"
fi

done_testing
