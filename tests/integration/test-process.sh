#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# The sandboxed process: uid/gid and id maps, capabilities, no_new_privs,
# environment, working directory, sessions, --die-with-parent, pid
# namespace layout, --as-pid-1, --lock-file, --sync-fd.

. "$(dirname "$0")/lib.sh"

T=$TEST_TMP
P=(--proc /proc)

caps_of ()
{
  # "Inh Prm Eff Bnd Amb" from a /proc/<pid>/status text on stdin
  awk '/^Cap(Inh|Prm|Eff|Bnd|Amb):/ { v[$1] = $2 }
       END { print v["CapInh:"], v["CapPrm:"], v["CapEff:"], v["CapBnd:"], v["CapAmb:"] }'
}
hex16 () { printf '%016x' "$1"; }
ZERO=0000000000000000
NET_RAW=$(hex16 $((1 << 13)))
last_cap=$(cat /proc/sys/kernel/cap_last_cap)
ALL_CAPS=$(hex16 $(((1 << (last_cap + 1)) - 1)))
outside_caps=$(caps_of </proc/self/status)
read -r out_inh out_prm out_eff out_bnd out_amb <<<"$outside_caps"
# What --cap-add ALL can give: in a user namespace every capability; to
# root without one (BASE has none), only those root holds (a container's
# root may lack some).
if is_root; then
  ALL_HELD=$(hex16 $(((1 << (last_cap + 1)) - 1 & 0x$out_prm)))
else
  ALL_HELD=$ALL_CAPS
fi

# ------------------------------------------------------------ uid / gid

run_bwrap "${BASE[@]}" sh -c 'id -u; id -g'
assert_stdout_is "$HOST_UID
$HOST_GID" "uid and gid are the caller's by default"
# (Where --uid and --gid need --unshare-user, and ids that are no numbers:
# tests/unit/test-options-validate.c and test-options-errors.c.)
if is_root; then
  run_bwrap "${BASE[@]}" --uid 0 --gid 0 id -u
  assert_stdout_is "0" "root: --uid 0 (unchanged) needs no user namespace"
  run_bwrap "${BASE[@]}" "${P[@]}" cat /proc/self/uid_map
  assert_eq "0 0 4294967295" "$(awk '{ print $1, $2, $3 }' <<<"$RUN_OUT")" \
    "root without --unshare-user: no user namespace (initial uid_map)"
elif ! is_setuid; then
  run_bwrap "${BASE[@]}" --uid 1234 --gid 5678 sh -c 'id -u; id -g'
  assert_stdout_is "1234
5678" "unprivileged: --uid/--gid work without --unshare-user (automatic user namespace)"
fi
if ! is_root; then
  run_bwrap "${BASE[@]}" "${P[@]}" sh -c 'cat /proc/self/uid_map /proc/self/gid_map'
  assert_eq "$HOST_UID $HOST_UID 1
$HOST_GID $HOST_GID 1" "$(awk '{ print $1, $2, $3 }' <<<"$RUN_OUT")" \
    "unprivileged: the real ids are mapped to themselves"
  run_bwrap "${BASE[@]}" "${P[@]}" sh -c 'cat /proc/self/setgroups'
  assert_stdout_is "deny" "unprivileged: setgroups is denied"
fi

if have_userns; then
  run_bwrap "${BASE[@]}" --unshare-user --uid 1234 --gid 5678 sh -c 'id -u; id -g'
  assert_stdout_is "1234
5678" "--unshare-user --uid 1234 --gid 5678"
  run_bwrap "${BASE[@]}" "${P[@]}" --unshare-user --uid 1234 --gid 5678 \
    sh -c 'cat /proc/self/uid_map /proc/self/gid_map'
  assert_eq "1234 $HOST_UID 1
5678 $HOST_GID 1" "$(awk '{ print $1, $2, $3 }' <<<"$RUN_OUT")" \
    "--unshare-user: uid and gid maps are '<id> <real id> 1'"
  run_bwrap "${BASE[@]}" "${P[@]}" --dev /dev --unshare-user --uid 1234 --gid 5678 \
    sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map'
  if is_setuid; then
    # new setuid design: no nested namespace; the maps are written from
    # outside, with 0 mapped to the overflow ids for devpts since neither
    # the real nor the sandbox id is 0 (devpts needs uid and gid 0 mapped).
    assert_eq "1234
5678
0 $(cat /proc/sys/kernel/overflowuid) 1
1234 $HOST_UID 1
0 $(cat /proc/sys/kernel/overflowgid) 1
5678 $HOST_GID 1" "$(awk 'NR <= 2 { print; next } { print $1, $2, $3 }' <<<"$RUN_OUT")" \
      "setuid: --dev with --unshare-user: 0 maps to the overflow ids, <id> to the real id"
  else
    assert_eq "1234
5678
1234 0 1
5678 0 1" "$(awk 'NR <= 2 { print; next } { print $1, $2, $3 }' <<<"$RUN_OUT")" \
      "--dev with --unshare-user: nested namespace maps <id> to 0"
  fi
  run_bwrap "${BASE[@]}" --unshare-user --uid 1 --uid 2 id -u
  assert_eq "2" "$RUN_OUT" "--uid twice: last wins"
  assert_stderr_is "bwrap: Only the last --uid option will take effect" "--uid twice warns"
else
  skip_n 6 "$SKIP_REASON" "--unshare-user uid/gid"
fi

# ------------------------------------------------------------ capabilities

run_bwrap "${BASE[@]}" "${P[@]}" cat /proc/self/status
status_in=$RUN_OUT
if is_root; then
  assert_eq "$outside_caps" "$(caps_of <<<"$status_in")" \
    "root without user namespace: capabilities unchanged (Inh Prm Eff Bnd Amb)"
else
  assert_eq "$ZERO $ZERO $ZERO $ZERO $ZERO" "$(caps_of <<<"$status_in")" \
    "unprivileged: no capabilities, empty bounding set"
fi
assert_eq "1" "$(awk '/^NoNewPrivs:/ { print $2 }' <<<"$status_in")" "NoNewPrivs is set"
run_bwrap "${BASE[@]}" --unshare-pid "${P[@]}" cat /proc/self/status
assert_eq "1" "$(awk '/^NoNewPrivs:/ { print $2 }' <<<"$RUN_OUT")" "NoNewPrivs is set (with --unshare-pid)"
run_bwrap "${BASE[@]}" --unshare-pid "${P[@]}" cat /proc/1/status
assert_eq "$ZERO $ZERO $ZERO" "$(caps_of <<<"$RUN_OUT" | cut -d' ' -f2,3,5)" \
  "the pid-1 helper has no capabilities (Prm Eff Amb)"

run_bwrap "${BASE[@]}" "${P[@]}" --cap-drop ALL cat /proc/self/status
if is_root; then
  assert_eq "$ZERO $ZERO $ZERO $out_bnd $ZERO" "$(caps_of <<<"$RUN_OUT")" \
    "root: --cap-drop ALL empties the sets, bounding set kept (no user namespace)"
else
  assert_eq "$ZERO $ZERO $ZERO $ZERO $ZERO" "$(caps_of <<<"$RUN_OUT")" \
    "unprivileged: --cap-drop ALL: nothing"
fi

run_bwrap "${BASE[@]}" "${P[@]}" --cap-drop ALL --cap-add CAP_NET_RAW cat /proc/self/status
if is_setuid; then
  assert_error 1 "bwrap: --cap-add in setuid mode can be used only by root" \
    "setuid: --cap-drop ALL --cap-add CAP_NET_RAW is refused"
elif is_root; then
  assert_eq "$NET_RAW $NET_RAW $NET_RAW $out_bnd $NET_RAW" "$(caps_of <<<"$RUN_OUT")" \
    "root: --cap-drop ALL --cap-add CAP_NET_RAW: exactly NET_RAW (inh, prm, eff, amb)"
else
  assert_eq "$NET_RAW $NET_RAW $NET_RAW $NET_RAW $NET_RAW" "$(caps_of <<<"$RUN_OUT")" \
    "unprivileged: --cap-add CAP_NET_RAW: exactly NET_RAW, bounding set cut to it"
fi
if is_setuid; then
  skip_n 4 "setuid mode refuses --cap-add" "--cap-add names, numbers, ALL"
else
  run_bwrap "${BASE[@]}" "${P[@]}" --cap-drop all --cap-add cap_net_raw cat /proc/self/status
  assert_eq "$NET_RAW" "$(caps_of <<<"$RUN_OUT" | cut -d' ' -f3)" "cap names are case-insensitive"
  run_bwrap "${BASE[@]}" "${P[@]}" --cap-drop ALL --cap-add 13 cat /proc/self/status
  assert_eq "$NET_RAW" "$(caps_of <<<"$RUN_OUT" | cut -d' ' -f3)" "cap numbers are accepted"
  run_bwrap "${BASE[@]}" "${P[@]}" --cap-add ALL cat /proc/self/status
  assert_eq "$ALL_HELD" "$(caps_of <<<"$RUN_OUT" | cut -d' ' -f3)" "--cap-add ALL: every capability the kernel knows (and the caller holds)"
  run_bwrap "${BASE[@]}" "${P[@]}" --cap-add ALL --cap-drop CAP_NET_RAW cat /proc/self/status
  assert_eq "$(hex16 $((0x$ALL_HELD & ~(1 << 13))))" "$(caps_of <<<"$RUN_OUT" | cut -d' ' -f3)" \
    "--cap-add ALL --cap-drop CAP_NET_RAW"
fi
if is_setuid; then
  # The empty result of --cap-add and --cap-drop is allowed (bubblewrap
  # refuses only a non-empty --cap-add to a user in setuid mode).
  run_bwrap "${BASE[@]}" "${P[@]}" --cap-add CAP_NET_RAW --cap-drop CAP_NET_RAW --unshare-pid \
    cat /proc/self/status
  assert_eq "$ZERO $ZERO $ZERO $ZERO $ZERO" "$(caps_of <<<"$RUN_OUT")" \
    "setuid: --cap-add X --cap-drop X (empty result) runs without capabilities"
else
  run_bwrap "${BASE[@]}" "${P[@]}" --cap-drop ALL --cap-add CAP_NET_RAW --unshare-pid \
    cat /proc/self/status
  assert_eq "$NET_RAW" "$(caps_of <<<"$RUN_OUT" | cut -d' ' -f3)" "capabilities survive the pid-1 helper"
fi
if is_root && have_userns; then
  run_bwrap "${BASE[@]}" "${P[@]}" --unshare-user cat /proc/self/status
  assert_eq "$out_eff $out_eff $out_eff" "$(caps_of <<<"$RUN_OUT" | cut -d' ' -f2-4)" \
    "root with --unshare-user: caller's effective set, bounding set reduced to it"
else
  skip "root with --unshare-user: caller's effective set" "${SKIP_REASON:-needs root}"
fi

# ------------------------------------------------------------ environment

RUN_CWD=$T
run env -i "$BWRAP" "${BASE[@]}" --setenv FOO bar /usr/bin/env
assert_eq "FOO=bar
PWD=/" "$(sort <<<"$RUN_OUT")" "environment: --setenv adds; PWD set; nothing else added"
run env FOO=1 BAR=2 "$BWRAP" "${BASE[@]}" --unsetenv FOO /usr/bin/env
check "--unsetenv removes the variable" eval '! grep -q "^FOO=" <<<"$RUN_OUT" && grep -qx "BAR=2" <<<"$RUN_OUT"'
run env FOO=1 BAR=2 "$BWRAP" "${BASE[@]}" --clearenv /usr/bin/env
assert_stdout_is "PWD=/" "--clearenv: only PWD remains"
run env FOO=1 "$BWRAP" "${BASE[@]}" --setenv A 1 --clearenv --setenv B 2 /usr/bin/env
assert_eq "B=2
PWD=/" "$(sort <<<"$RUN_OUT")" "--clearenv removes earlier --setenv, later ones apply"
run env -i "$BWRAP" "${BASE[@]}" --setenv PWD /foo --chdir /usr /usr/bin/env
assert_stdout_is "PWD=/usr" "--setenv PWD is ineffective; PWD is the chosen directory"
run env -i PATH=/nowhere "$BWRAP" "${BASE[@]}" --setenv PATH /usr/bin env
check "COMMAND is looked up in the edited PATH" grep -qx "PATH=/usr/bin" "$TEST_TMP/.out"
RUN_CWD=

# ------------------------------------------------------------ cwd

RUN_CWD=/usr/share run_bwrap "${BASE[@]}" sh -c 'pwd; echo "$PWD"'
assert_stdout_is "/usr/share
/usr/share" "cwd: the caller's cwd is kept when it exists in the sandbox"
mkdir -p "$T/real/dir"
ln -s real/dir "$T/link"
RUN_CWD=$T/link run_bwrap "${BASE[@]}" --bind "$T" "$T" sh -c 'echo "$PWD"; pwd -P'
assert_stdout_is "$T/link
$(realpath "$T")/real/dir" "cwd: the caller's logical \$PWD is kept"
RUN_CWD=$T run env HOME=/usr/lib "$BWRAP" "${BASE[@]}" sh -c 'pwd; echo "$PWD"'
assert_stdout_is "/usr/lib
/usr/lib" "cwd: caller's cwd missing in the sandbox: \$HOME"
RUN_CWD=$T run env HOME=/usr/lib "$BWRAP" "${BASE[@]}" --setenv HOME /usr/bin pwd
assert_stdout_is "/usr/bin" "cwd: the edited \$HOME is used"
RUN_CWD=$T run env HOME=/nonexistent "$BWRAP" "${BASE[@]}" sh -c 'pwd; echo "$PWD"'
assert_stdout_is "/
/" "cwd: else /"
RUN_CWD=$T run env HOME=/usr "$BWRAP" "${BASE[@]}" --unsetenv HOME pwd
assert_stdout_is "/" "cwd: no \$HOME: /"
RUN_CWD=$T run_bwrap "${BASE[@]}" --chdir /usr/bin sh -c 'pwd; echo "$PWD"'
assert_stdout_is "/usr/bin
/usr/bin" "--chdir"
# Not through sh: a shell replaces a PWD that is not absolute.
RUN_CWD=/usr/share run_bwrap "${BASE[@]}" --chdir usr/lib/../bin pwd -P
assert_stdout_is "/usr/bin" "--chdir is relative to /"
RUN_CWD=/usr/share run_bwrap "${BASE[@]}" --chdir usr/lib/../bin printenv PWD
assert_stdout_is "usr/lib/../bin" "--chdir is copied verbatim into PWD"
run_bwrap "${BASE[@]}" --chdir /missing true
assert_error 1 "bwrap: Can't chdir to /missing: No such file or directory" "--chdir to a missing directory"
run_bwrap "${BASE[@]}" --chdir /usr --chdir /usr/bin pwd
assert_stdout_is "/usr/bin" "--chdir twice: the last wins"
assert_stderr_is "bwrap: Only the last --chdir option will take effect" "--chdir twice warns"
RUN_CWD=

# ------------------------------------------------------------ sessions

outside_sid=$(awk '{ print $6 }' /proc/self/stat)
run_bwrap "${BASE[@]}" "${P[@]}" sh -c 'read -r _ _ _ _ _ sid _ </proc/self/stat; echo "$sid"'
assert_stdout_is "$outside_sid" "without --new-session: the caller's session"
run_bwrap "${BASE[@]}" "${P[@]}" --new-session sh -c 'read -r _ _ _ _ _ sid _ </proc/self/stat; echo "$sid"'
check "--new-session: a new session" eval '[ -n "$RUN_OUT" ] && [ "$RUN_OUT" != "$outside_sid" ] && [ "$RUN_RC" = 0 ]'
run_bwrap "${BASE[@]}" "${P[@]}" --new-session --unshare-pid sh -c 'read -r _ _ _ _ _ sid _ </proc/self/stat; echo "$sid"'
assert_stdout_is "1" "--new-session --unshare-pid: session led by the pid-1 helper"

# ------------------------------------------------------------ process layout

run_bwrap "${BASE[@]}" --unshare-pid "${P[@]}" sh -c 'echo $$; cat /proc/1/comm; echo $PPID'
assert_stdout_is "$PIDNS_CMD_PID
bwrap
1" "--unshare-pid: COMMAND is pid $PIDNS_CMD_PID under a pid-1 bwrap helper"
# libselinux is loaded only for a label option (selinux.c): the pid-1
# helper, a fork of the process that parsed, shows what was loaded.
run_bwrap "${BASE[@]}" --unshare-pid "${P[@]}" cat /proc/1/maps
if grep -q '/libc\.so' <<<"$RUN_OUT"; then
  check "no label option: libselinux and libpcre2 are not loaded" \
    eval '! grep -E "libselinux|libpcre2" <<<"$RUN_OUT"'
else
  skip "no label option: libselinux not loaded (the helper's maps are not readable here)"
fi
run_bwrap "${BASE[@]}" --unshare-pid --as-pid-1 "${P[@]}" sh -c 'echo $$; echo /proc/[0-9]*'
assert_stdout_is "1
/proc/1" "--as-pid-1: COMMAND is pid 1, no helper"

# Without a pid namespace the monitor (the bwrap we started) is COMMAND's
# parent; --sync-fd and --lock-file insert a pid-1 helper.
"$BWRAP" "${BASE[@]}" sh -c 'echo $PPID' >"$T/ppid" 2>&1 &
bw=$!
wait "$bw"
assert_file_content "$T/ppid" "$bw" "default: COMMAND is a direct child of bwrap (no helper)"
"$BWRAP" "${BASE[@]}" --lock-file /usr "${P[@]}" sh -c 'echo $PPID; cut -d" " -f4 /proc/$PPID/stat; cat /proc/$PPID/comm' \
  >"$T/ppid" 2>&1 &
bw=$!
wait "$bw"
{ read -r helper; read -r helper_parent; read -r helper_comm; } <"$T/ppid"
check "--lock-file: a bwrap helper sits between bwrap and COMMAND" \
  eval '[ "$helper" != "$bw" ] && [ "$helper_parent" = "$bw" ] && [ "$helper_comm" = bwrap ]'

# ------------------------------------------------------------ long argument lists

# The pid-1 helper starts the command on a stack of its own (spawn.c).
# glibc's execvp copies the whole argument vector onto it when the
# command is a script without "#!" (ENOEXEC, retried with /bin/sh): a
# fixed 64 KiB stack overflowed into pid 1 from about 8,200 arguments
# (exit 139, issue 23).  The most arguments bwrap takes are 9000 words in
# all (bubblewrap's limit), far fewer than the kernel would: short ones
# give the longest vector, long ones bring bwrap's own exec near
# ARG_MAX.  Each script prints its argument count and last argument.
printf 'eval "last=\\${$#}"; echo "$# $last"\n' >"$T/noshebang"
printf '#!/bin/sh\neval "last=\\${$#}"; echo "$# $last"\n' >"$T/shebang"
chmod 0755 "$T/noshebang" "$T/shebang"
# many_args DESC SCRIPT WORD-LENGTH BWRAP-ARGS...: run SCRIPT with as
# many arguments as fit in bwrap's 9000 words, each WORD-LENGTH
# characters long or more (zero-padded numbers; 0: 1, 2, 3 ...).
many_args ()
{
  local desc=$1 script=$2 len=$3 n words
  shift 3
  local args=("${BASE[@]}" --ro-bind "$T/$script" "/$script" "$@" "/$script")
  n=$((9000 - ${#args[@]}))
  # Through a file: mapfile reads a pipe one byte at a time.
  if [ "$len" = 0 ]; then
    seq "$n" >"$T/words"
  else
    seq -f "%0${len}g" "$n" >"$T/words"
  fi
  mapfile -t words <"$T/words"
  run_bwrap "${args[@]}" "${words[@]}"
  assert_eq "0 $n ${words[n - 1]}" "$RUN_RC $RUN_OUT" "$desc: all $n arguments arrive (exit 0)"
}
many_args "no #!, --unshare-pid" noshebang 0 --unshare-pid
many_args "#!, --unshare-pid" shebang 0 --unshare-pid
many_args "no #!, --sync-fd without a pid namespace" noshebang 0 --sync-fd 5 5>/dev/null
many_args "#!, --sync-fd without a pid namespace" shebang 0 --sync-fd 5 5>/dev/null
# Word length for ARG_MAX: strings, their NULs and one pointer each count
# (the environment too: leave 64 KiB for it).  The kernel never allows
# more than 6 MiB, whatever the stack limit says.
arg_max=$(getconf ARG_MAX)
[ "$arg_max" -gt $((6 << 20)) ] && arg_max=$((6 << 20))
many_args "no #!, --unshare-pid, ~$(((arg_max - 65536) / 1024)) KiB of arguments" noshebang \
  $(((arg_max - 65536) / 9000 - 9)) --unshare-pid

# ------------------------------------------------------------ exit / signals

run_bwrap "${BASE[@]}" --unshare-pid sh -c 'sleep 30 & exit 5'
assert_rc 5 "--unshare-pid: bwrap returns when COMMAND exits (stray children do not block)"

# ------------------------------------------------------------ --die-with-parent

# dwp MARKER BWRAP-ARGS...: start "bash -c 'bwrap ... & wait'", wait for the
# sandboxed `sleep MARKER`, SIGKILL the bash and report whether that sleep
# is gone within 5 s ("gone" / "alive").  With DWP_WINDOW=1 (the control):
# whether it is still alive 1 s later (--die-with-parent kills at once).
dwp ()
{
  local marker=$1 parent pids window=${DWP_WINDOW:-5}
  shift
  bash -c '"$@" & wait' bash "$BWRAP" "$@" >/dev/null 2>&1 &
  parent=$!
  register_pid "$parent"
  if ! wait_for 10 eval '[ -n "$(pids_matching "sleep $marker")" ]'; then
    echo "never-started"
    return
  fi
  kill -KILL "$parent"
  wait "$parent" 2>/dev/null
  # (The control: wait the window out, then look once.)
  [ "$window" = 5 ] || { sleep "$window"; window=0; }
  if wait_for "$window" eval '[ -z "$(pids_matching "sleep $marker")" ]'; then
    echo gone
  else
    echo alive
    pids=$(pids_matching "sleep $marker")
    for p in $pids; do
      register_pid "$p"
      kill -KILL "$p"
    done
  fi
}
new_marker
m=$MARKER
assert_eq alive "$(DWP_WINDOW=1 dwp "$m" "${BASE[@]}" sleep "$m")" \
  "(control) without --die-with-parent COMMAND outlives the killed parent"
new_marker
m=$MARKER
assert_eq gone "$(dwp "$m" --die-with-parent "${BASE[@]}" sleep "$m")" \
  "--die-with-parent: COMMAND dies with bwrap's parent"
new_marker
m=$MARKER
assert_eq gone "$(dwp "$m" --die-with-parent --unshare-pid "${BASE[@]}" sleep "$m")" \
  "--die-with-parent --unshare-pid: COMMAND dies with bwrap's parent"
new_marker
m=$MARKER
assert_eq gone "$(dwp "$m" --die-with-parent --unshare-pid --dev /dev "${BASE[@]}" sh -c "sleep $m & wait")" \
  "--die-with-parent --unshare-pid: COMMAND's descendants die too"

# ------------------------------------------------------------ --lock-file

lock_state ()
{
  # "locked" if another process holds a lock conflicting with a write lock
  python3 - "$1" <<'EOF'
import errno, fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("free")
except OSError as e:
    print("locked" if e.errno in (errno.EAGAIN, errno.EACCES) else "error: %s" % e)
EOF
}
: >"$T/lockfile"
mkdir "$T/sig"
assert_eq free "$(lock_state "$T/lockfile")" "(control) lock file free before the sandbox"
"$BWRAP" "${BASE[@]}" --bind "$T/lockfile" /lock --bind "$T/sig" /sig --lock-file /lock \
  sh -c 'touch /sig/started; i=0; while [ ! -e /sig/stop ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done' \
  >"$T/lock.out" 2>&1 &
bw=$!
register_pid "$bw"
if wait_for 10 test -e "$T/sig/started"; then
  if wait_for 5 eval '[ "$(lock_state "$T/lockfile")" = locked ]'; then
    pass "--lock-file: the file is locked while the sandbox runs"
  else
    fail "--lock-file: the file is locked while the sandbox runs" "state: $(lock_state "$T/lockfile")"
  fi
else
  fail "--lock-file: the file is locked while the sandbox runs" "sandbox never started: $(cat "$T/lock.out")"
fi
touch "$T/sig/stop"
wait "$bw"
assert_eq "0" "$?" "--lock-file: sandbox exits normally"
assert_eq free "$(lock_state "$T/lockfile")" "--lock-file: the lock is released when the sandbox ends"
run_bwrap "${BASE[@]}" --lock-file /missing true
assert_error 1 "bwrap: Unable to open lock file /missing: No such file or directory" "--lock-file: missing file"

# ------------------------------------------------------------ --sync-fd

mkfifo "$T/fifo"
rm -f "$T/sig/"*
(cat "$T/fifo" >/dev/null; touch "$T/eof") &
reader=$!
register_pid "$reader"
"$BWRAP" "${BASE[@]}" --bind "$T/sig" /sig --sync-fd 3 "${P[@]}" \
  sh -c 'test -e /proc/self/fd/3 && echo fd3-open; touch /sig/started; i=0; while [ ! -e /sig/stop ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done' \
  3>"$T/fifo" >"$T/sync.out" 2>&1 &
bw=$!
register_pid "$bw"
if wait_for 10 test -e "$T/sig/started"; then
  sleep 0.5
  assert_no_file "$T/eof" "--sync-fd: peer sees no EOF while the sandbox runs"
else
  fail "--sync-fd: peer sees no EOF while the sandbox runs" "sandbox never started: $(cat "$T/sync.out")"
fi
touch "$T/sig/stop"
wait "$bw"
check "--sync-fd: peer sees EOF when the sandbox ends" wait_for 5 test -e "$T/eof"
check_not "--sync-fd: fd closed in COMMAND" grep -q fd3-open "$T/sync.out"

done_testing
