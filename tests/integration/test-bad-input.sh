#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Bad-input battery: hostile or broken command lines must end in exit
# status 1 with exactly one `bwrap:` line naming the option or path, no
# signal death or core dump, nothing on stdout, and nothing created,
# removed or changed in a watched host directory or in the caller's cwd.
# Messages are bubblewrap 0.11's, word for word, where it has one; where it
# has none the table pins ours.
#
# Cases the option parser alone decides (arity, unknown words, numbers,
# modifiers, cross-option rules) are the unit tests' business
# (tests/unit/test-options-errors.c, test-options-validate.c,
# test-options-args.c), which run every one of them in microseconds; this
# script keeps one of each kind, to see the real binary's exit status,
# message and untouched host, and every case that needs a real process:
# fds, files, paths, mounts, setuid mode.
#
# Table: one `bad` call per case, one TAP point per case:
#   bad NAME EXPECTED ARGS...
#     NAME      a fixed string the message must contain (the option or path)
#     EXPECTED  the message after "bwrap: ", verbatim, or ~ERE for a pattern
#     ARGS      bwrap's arguments; fd 9 reads $FD9 (default /dev/null),
#               fd 57 is closed
# `bad_root`/`bad_user` add a case only at that privilege level.
# Setuid mode (suite 'setuid') refuses the overlay options and --size as
# soon as it reaches them, so their cases are skipped there, and so are the
# few `nosuid` cases whose own check comes after the refusal of --userns,
# --userns2 or --pidns; "setuid refusals" at the end checks the refusals.

. "$(dirname "$0")/lib.sh"

W=$TEST_TMP/w       # fixtures: the watched host directory
CWD=$TEST_TMP/cwd   # bwrap's cwd, watched too (relative paths, core files)
mkdir -p "$W/d/sub" "$W/lower" "$W/lower2" "$W/upper" "$W/work" "$W/full-work/x" \
  "$W/nest/inner" "$W/locked/inner" "$CWD"
echo data >"$W/f"
echo data >"$W/d/file"
chmod 0 "$W/locked"
printf '12345' >"$W/seccomp-5-bytes"
printf -- '--setenv\0A' >"$W/args-unterminated"
printf -- '--args\0009\0' >"$W/args-nested"

# A directory on another filesystem than $W, for the overlay same-fs rule.
OTHER_FS=$(mktemp -d /dev/shm/bwrap-bad-input.XXXXXX 2>/dev/null) || OTHER_FS=
trap 'rc=$?; [ -n "$OTHER_FS" ] && rmdir "$OTHER_FS"; (exit $rc); _lib_cleanup' EXIT

# 20 components of 250 bytes: longer than PATH_MAX (4096), each name legal.
LONG=$(printf '/%0250d' $(seq 1 20) | tr 0 a)
LONGNAME=$(printf '%0300d' 0 | tr 0 b)   # one component > NAME_MAX
R=("${BASE[@]}")                         # runtime cases need a root with tools

# A crash of bwrap would leave "core" in $CWD (core_pattern permitting).
ulimit -c unlimited 2>/dev/null || ulimit -c "$(ulimit -H -c)" 2>/dev/null
exec 57<&-

# snapshot VAR: type, mode, size, mtime (so even a created-then-removed
# entry shows in its parent's mtime) and link target of everything
# watched, in find's order (the same while nothing changes; sorted only to
# show a difference).  The state after one case is the state before the
# next: one snapshot per case.  (Only `bad` and the final chmod touch the
# fixtures.)
snapshot ()
{
  find "$W" "$CWD" -printf '%p %y %m %s %T@ %l\n' >"$TEST_TMP/.snapshot" 2>/dev/null
  _slurp "$1" "$TEST_TMP/.snapshot"
}
snapshot state

# describe ARGS...: sets DESC, the case's words shortened for its TAP line.
describe ()
{
  DESC=$*
  DESC=${DESC//"${BASE[*]}"/\$BASE}
  DESC=${DESC//$TEST_TMP/\$T}
  DESC=${DESC//$'\n'/ }
  [ ${#DESC} -gt 90 ] && DESC="${DESC:0:87}..."
}

# Refused by setuid mode at parse time, when the word is reached.
SETUID_PARSE_REFUSED=(--overlay-src --overlay --tmp-overlay --ro-overlay --size)

n_cases=0
bad ()
{
  local name=$1 expected=$2 before after line problems=() word opt lines
  shift 2
  describe "$@"
  if is_setuid; then
    for word in "$@"; do
      for opt in "${SETUID_PARSE_REFUSED[@]}"; do
        if [ "$word" = "$opt" ]; then
          skip "bad input: $DESC" "setuid mode refuses $opt before this check"
          return
        fi
      done
    done
  fi
  n_cases=$((n_cases + 1))
  before=$state
  RUN_CWD=$CWD run_bwrap "$@" 9<"${FD9:-/dev/null}"
  snapshot after
  state=$after
  line=$RUN_ERR

  [ "$RUN_RC" = 1 ] || problems+=("exit status $RUN_RC, expected 1")
  _stderr_nlines
  [ "$STDERR_NLINES" = 1 ] || problems+=("$STDERR_NLINES stderr lines, expected 1")
  if [ "${expected:0:1}" = "~" ]; then
    [[ $line =~ ^bwrap:\ (${expected:1})$ ]] || problems+=("message does not match: bwrap: ${expected:1}")
  else
    [ "$line" = "bwrap: $expected" ] || problems+=("message differs, expected: bwrap: $expected")
  fi
  [[ $line == *"$name"* ]] || problems+=("message does not name '$name'")
  [ -z "$RUN_OUT" ] || problems+=("unexpected stdout")
  [ "$before" = "$after" ] ||
    problems+=("host changed:" "$(diff <(sort <<<"$before") <(sort <<<"$after") | grep '^[<>]')")

  if [ ${#problems[@]} = 0 ]; then
    pass "bad input: $DESC"
  else
    fail "bad input: $DESC" "${problems[@]}" "stderr: ${RUN_ERR:0:300}"
  fi
}
bad_root () { if is_root; then bad "$@"; fi; }
bad_user () { if ! is_root; then bad "$@"; fi; }
# nosuid OPT NAME EXPECTED ARGS...: a case whose check comes after setuid
# mode's refusal of OPT: skipped in setuid mode.
nosuid ()
{
  local opt=$1
  shift
  if is_setuid; then
    describe "${@:3}"
    skip "bad input: $DESC" "setuid mode refuses $opt before this check"
  else
    bad "$@"
  fi
}

# ------------------------------------------------ the parser's errors, a sample

# One case of each kind the parser decides; the unit tests have them all.
bad --bind "--bind takes two arguments" --bind "$W/d"
bad --setenv "--setenv takes two arguments" --setenv A
bad --overlay "--overlay takes three arguments" --overlay-src "$W/lower" --overlay "$W/upper" "$W/work"
bad --foo "Unknown option --foo" --foo true
bad $'--\x01' $'Unknown option --\x01' $'--\x01' true
bad "Invalid fd" "Invalid fd: x" --info-fd x true
bad "Invalid fd" "Invalid fd: 3x" --bind-fd 3x /dest true
bad "Invalid fd" "Invalid fd: 4294967296" --info-fd 4294967296 true
# bubblewrap holds ids in a C int and would wrap this one to uid 1000.
bad "Invalid uid" "Invalid uid: 4294968296" --uid 4294968296 --unshare-user true
bad --perms "--perms takes an octal argument <= 07777" --perms 8 --dir /x true
bad --chmod "--chmod takes an octal argument <= 07777" "${R[@]}" --chmod 77777 /usr true
bad --size "--size takes a non-zero number of bytes" --size 0 --tmpfs /x true
bad --perms "--perms given twice for the same action" --perms 0755 --perms 0700 --dir /x true
bad --perms "--perms must be followed by an option that creates a file" \
  --perms 0755 --bind "$W/d" /x true
bad --argv0 "--argv0 used multiple times" --argv0 a --argv0 b true
bad setenv "setenv failed" --setenv A=B x true
bad CAP_NOPE "unknown cap: CAP_NOPE" --cap-add CAP_NOPE true
# Whether labels work is the system's (libselinux at run time).
if [ ! -e /sys/fs/selinux/enforce ]; then
  bad labeling "labeling not supported on this system" --exec-label system_u:object_r:tmp_t:s0 true
  bad labeling "labeling not supported on this system" --file-label system_u:object_r:tmp_t:s0 true
fi
bad --userns-block-fd "--userns-block-fd requires --unshare-user" --userns-block-fd 9 true
bad --hostname "Specifying --hostname requires --unshare-uts" --hostname h true
bad_root --uid "Specifying --uid requires --unshare-user or --userns" --uid 5 true
bad --seccomp "--add-seccomp-fd cannot be combined with --seccomp" \
  --seccomp 9 --add-seccomp-fd 9 true
bad --overlay-src "--overlay-src must be followed by another --overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay" \
  --overlay-src "$W/lower" --bind "$W/d" /o true

# ------------------------------------------------ fds

# Well-formed but closed (57): noticed where used.
bad --args "Can't read --args data: Bad file descriptor" --args 57 true
bad /proc/self/fd/57 "Can't find source path /proc/self/fd/57: No such file or directory" \
  "${R[@]}" --bind-fd 57 /x true
bad /proc/self/fd/57 "Can't find source path /proc/self/fd/57: No such file or directory" \
  "${R[@]}" --ro-bind-fd 57 /x true
bad /x "Can't write data to file /x: Bad file descriptor" "${R[@]}" --file 57 /x true
bad /x "Can't write data to file /x: Bad file descriptor" "${R[@]}" --bind-data 57 /x true
bad /x "Can't write data to file /x: Bad file descriptor" "${R[@]}" --ro-bind-data 57 /x true
bad seccomp "Can't read seccomp data: Bad file descriptor" "${R[@]}" --seccomp 57 true
bad seccomp "Can't read seccomp data: Bad file descriptor" "${R[@]}" --add-seccomp-fd 57 true
bad info_fd "Write to info_fd: Bad file descriptor" "${R[@]}" --info-fd 57 true
bad info_fd "Write to info_fd: Bad file descriptor" "${R[@]}" --json-status-fd 57 true
nosuid --userns "user namespace" "Joining specified user namespace failed: Bad file descriptor" \
  "${R[@]}" --userns 57 true
nosuid --pidns pidns "Setting pidns failed: Bad file descriptor" "${R[@]}" --pidns 57 true
FD9=$W/seccomp-5-bytes bad seccomp "Invalid seccomp data, must be multiple of 8" \
  "${R[@]}" --seccomp 9 true

# ------------------------------------------------ --args data, read from a real fd

FD9=$W/args-nested bad --args "--args not supported in arguments file" --args 9 true
FD9=$W/args-unterminated bad --setenv "--setenv takes two arguments" "${R[@]}" --args 9 true
FD9=$W/d bad --args "Can't read --args data: Is a directory" --args 9 true
# Endless data: refused at ours' 16 MiB cap instead of eating memory.
FD9=/dev/zero bad --args "Can't read --args data: Argument list too long" --args 9 true

# ------------------------------------------------ missing, relative and unreachable paths

bad "$W/missing" "Can't find source path $W/missing: No such file or directory" \
  "${R[@]}" --bind "$W/missing" /x true
bad "$W/missing" "Can't find source path $W/missing: No such file or directory" \
  "${R[@]}" --ro-bind "$W/missing" /x true
bad "$W/missing" "Can't find source path $W/missing: No such file or directory" \
  "${R[@]}" --dev-bind "$W/missing" /x true
bad rel-missing "Can't find source path rel-missing: No such file or directory" \
  "${R[@]}" --bind rel-missing /x true
bad "$W/f/.." "Can't find source path $W/f/..: Not a directory" "${R[@]}" --bind "$W/f/.." /x true
bad "source path :" "Can't find source path : No such file or directory" "${R[@]}" --bind "" /x true
bad /nonexistent "Can't chdir to /nonexistent: No such file or directory" \
  "${R[@]}" --chdir /nonexistent true
bad rel-missing "Can't chdir to rel-missing: No such file or directory" \
  "${R[@]}" --chdir rel-missing true
bad /nonexistent "Unable to open lock file /nonexistent: No such file or directory" \
  "${R[@]}" --lock-file /nonexistent true
bad rel-lock "Unable to open lock file rel-lock: No such file or directory" \
  "${R[@]}" --lock-file rel-lock true
bad /nonexistent "Can't remount readonly on /newroot/nonexistent: realpath(destination): No such file or directory" \
  "${R[@]}" --remount-ro /nonexistent true
bad /usr/bin "Can't remount readonly on /newroot/usr/bin: Unable to find \"/newroot/usr/bin\" in mount table" \
  "${R[@]}" --remount-ro /usr/bin true
bad /nonexistent "Can't chmod 0755 /nonexistent: No such file or directory" \
  "${R[@]}" --chmod 0755 /nonexistent true
bad /usr/bin/true "Can't chmod 0755 /usr/bin/true: Read-only file system" \
  "${R[@]}" --chmod 0755 /usr/bin/true true
bad_user "$W/locked/inner" "Can't find source path $W/locked/inner: Permission denied" \
  "${R[@]}" --bind "$W/locked/inner" /x true
bad_user /mq "Can't mount mqueue on /newroot/mq: Operation not permitted" "${R[@]}" --mqueue /mq true
# Sources are all resolved before the first operation: the --dir into the
# bound host directory must not happen.
bad "$W/missing" "Can't find source path $W/missing: No such file or directory" \
  "${R[@]}" --bind "$W/d" /d --dir /d/must-not-exist --bind "$W/missing" /y true

# ------------------------------------------------ files where directories are needed, and back

bad /x "Can't mkdir /x: Not a directory" "${R[@]}" --file 9 /x --dir /x true
bad /x "Can't mkdir /x: Not a directory" "${R[@]}" --file 9 /x --tmpfs /x true
bad /x "Can't mkdir /x: Not a directory" "${R[@]}" --file 9 /x --bind "$W/d" /x true
bad /x "Can't create file at /x: Is a directory" "${R[@]}" --dir /x --bind "$W/f" /x true
bad /x "Can't create file /x: Is a directory" "${R[@]}" --dir /x --file 9 /x true
bad /x/y "Can't mkdir parents for /x/y: Not a directory" "${R[@]}" --bind "$W/f" /x --dir /x/y true
bad /usr/bin/true "Can't chdir to /usr/bin/true: Not a directory" "${R[@]}" --chdir /usr/bin/true true
bad /usr "Can't make symlink at /usr: destination exists and is not a symlink" \
  "${R[@]}" --symlink a /usr true
bad /l "Can't make symlink at /l: existing destination is a" "${R[@]}" --symlink a /l --symlink b /l true
bad /usr/x "Can't create file /usr/x: Read-only file system" "${R[@]}" --file 9 /usr/x true
bad /ro/x "Can't mkdir /ro/x: Read-only file system" "${R[@]}" --ro-bind "$W/d" /ro --dir /ro/x true

# ------------------------------------------------ destinations under /proc and through symlinks

P=(--proc /proc)
bad /proc/foo "Can't mkdir /proc/foo: No such file or directory" "${R[@]}" "${P[@]}" --dir /proc/foo true
bad /proc/x "Can't create file /proc/x: No such file or directory" "${R[@]}" "${P[@]}" --file 9 /proc/x true
bad /proc/y "Can't make symlink at /proc/y: No such file or directory" "${R[@]}" "${P[@]}" --symlink x /proc/y true
bad /proc/sys/kernel/newfile "Can't create file at /proc/sys/kernel/newfile: No such file or directory" \
  "${R[@]}" "${P[@]}" --bind "$W/f" /proc/sys/kernel/newfile true
# Absolute symlink targets: ours resolves them inside the sandbox root
# (README), bubblewrap in its setup root.  Both fail here, and the
# host is untouched.
bad /l/y "~Can't mkdir /l/y: .*" "${R[@]}" --symlink /usr/lib /l --dir /l/y true
bad /l/x "Can't mkdir /l/x: No such file or directory" "${R[@]}" --symlink "$W/d" /l --dir /l/x true
# bubblewrap's setup root has the host's root at /oldroot, so this would
# create $W/d/escaped on the host there; ours must not.
bad /l/escaped "~Can't mkdir (parents for )?/l/escaped: .*" \
  "${R[@]}" --symlink "/oldroot$W/d" /l --dir /l/escaped true
bad /a/loop/x "~Can't mkdir (parents for )?/a/loop/x: Too many levels of symbolic links" \
  "${R[@]}" --dir /a --symlink loop /a/loop --dir /a/loop/x true

# ------------------------------------------------ paths longer than PATH_MAX / NAME_MAX

# (An existing source spelled longer than PATH_MAX works, as in bubblewrap.)
bad "$LONG" "Can't find source path $LONG: No such file or directory" "${R[@]}" --bind "$LONG" /x true
bad "$LONG" "Can't mkdir parents for $LONG: File name too long" "${R[@]}" --bind "$W/d" "$LONG" true
bad "$LONG" "Can't mkdir parents for $LONG: File name too long" "${R[@]}" --dir "$LONG" true
bad "$LONG" "Can't chdir to $LONG: File name too long" "${R[@]}" --chdir "$LONG" true
bad "$LONG" "Unable to open lock file $LONG: File name too long" "${R[@]}" --lock-file "$LONG" true
bad /x "Can't make symlink at /x: File name too long" "${R[@]}" --symlink "$LONG" /x true
bad "$LONGNAME" "Can't mkdir /$LONGNAME: File name too long" "${R[@]}" --dir "/$LONGNAME" true

# ------------------------------------------------ overlay misuse

L=$W/lower
OVL_MSG="overlay directories may not overlap"
bad "$W/missing" "Can't find source path $W/missing: No such file or directory" \
  "${R[@]}" --overlay-src "$W/missing" --tmp-overlay /o true
bad "$W/missing" "Can't find source path $W/missing: No such file or directory" \
  "${R[@]}" --overlay-src "$L" --overlay "$W/missing" "$W/work" /o true
bad "$W/missing" "Can't find source path $W/missing: No such file or directory" \
  "${R[@]}" --overlay-src "$L" --overlay "$W/upper" "$W/missing" /o true
bad "$W/f" "--overlay-src $W/f: not a directory" "${R[@]}" --overlay-src "$W/f" --tmp-overlay /o true
bad "$W/f" "--overlay RWSRC $W/f: not a directory" \
  "${R[@]}" --overlay-src "$L" --overlay "$W/f" "$W/work" /o true
bad "$W/f" "--overlay WORKDIR $W/f: not a directory" \
  "${R[@]}" --overlay-src "$L" --overlay "$W/upper" "$W/f" /o true
bad "$L" "--overlay RWSRC $L overlaps --overlay-src $L: $OVL_MSG" \
  "${R[@]}" --overlay-src "$L" --overlay "$L" "$W/work" /o true
bad "$W/upper" "--overlay WORKDIR $W/upper overlaps --overlay RWSRC $W/upper: $OVL_MSG" \
  "${R[@]}" --overlay-src "$L" --overlay "$W/upper" "$W/upper" /o true
bad "$L" "--overlay WORKDIR $L overlaps --overlay-src $L: $OVL_MSG" \
  "${R[@]}" --overlay-src "$L" --overlay "$W/upper" "$L" /o true
bad "$L" "--overlay-src $L overlaps --overlay-src $L: $OVL_MSG" \
  "${R[@]}" --overlay-src "$L" --overlay-src "$L" --ro-overlay /o true
# RWSRC inside a layer is accepted (the overlay is split so that it is in
# no lower layer; test-overlay-split.sh); a layer inside RWSRC is not:
bad "$W/nest" "--overlay-src $W/nest/inner overlaps --overlay RWSRC $W/nest: $OVL_MSG" \
  "${R[@]}" --overlay-src "$W/nest/inner" --overlay "$W/nest" "$W/work" /o true
bad "$W/full-work" "--overlay: WORKDIR $W/full-work is not an empty directory" \
  "${R[@]}" --overlay-src "$L" --overlay "$W/upper" "$W/full-work" /o true
if [ -n "$OTHER_FS" ]; then
  bad "$OTHER_FS" "--overlay: WORKDIR $OTHER_FS and RWSRC $W/upper must be on the same filesystem" \
    "${R[@]}" --overlay-src "$L" --overlay "$W/upper" "$OTHER_FS" /o true
fi
bad /o "Can't mkdir /o: Not a directory" "${R[@]}" --file 9 /o --overlay-src "$L" --tmp-overlay /o true
bad /proc/o "Can't mkdir /proc/o: No such file or directory" \
  "${R[@]}" "${P[@]}" --overlay-src "$L" --overlay-src "$W/lower2" --ro-overlay /proc/o true
bad "$LONG" "Can't find source path $LONG: No such file or directory" \
  "${R[@]}" --overlay-src "$LONG" --tmp-overlay /o true
bad_user "$W/locked" "Can't access --overlay-src $W/locked: Permission denied" \
  "${R[@]}" --overlay-src "$W/locked" --tmp-overlay /o true

# ------------------------------------------------ setuid refusals

# Each refused option alone (--overlay-src: with a valid overlay after it),
# placed after an otherwise valid command line.
if is_setuid; then
  for refused in "--overlay-src $L --tmp-overlay /o" "--overlay $W/upper $W/work /o" \
    "--tmp-overlay /o" "--ro-overlay /o" "--size 4096 --tmpfs /o"; do
    read -r -a words <<<"$refused"
    bad "${words[0]}" "The ${words[0]} option is not permitted in setuid mode" \
      "${R[@]}" --dir /d "${words[@]}" true
  done
  # The parse-time refusal comes when the word is reached: before an error
  # later on the command line, after one earlier.
  bad --size "The --size option is not permitted in setuid mode" --size 0 --tmpfs /x --foo true
  bad --foo "Unknown option --foo" --foo --size 4096 --tmpfs /x true
  bad --userns "--userns doesn't work in setuid mode" "${R[@]}" --userns 9 true
  bad --userns2 "--userns2 doesn't work in setuid mode" "${R[@]}" --userns2 9 true
  bad --pidns "--pidns doesn't work in setuid mode" "${R[@]}" --pidns 9 true
  bad --userns-block-fd "--userns-block-fd doesn't work in setuid mode" \
    "${R[@]}" --unshare-user --info-fd 9 --userns-block-fd 9 true
  bad --cap-add "--cap-add in setuid mode can be used only by root" "${R[@]}" --cap-add CAP_CHOWN true
  bad --cap-add "--cap-add in setuid mode can be used only by root" "${R[@]}" --cap-add ALL true
  bad --cap-add "--cap-add in setuid mode can be used only by root" \
    "${R[@]}" --cap-drop ALL --cap-add CAP_NET_RAW --cap-drop CAP_CHOWN true
fi

# ------------------------------------------------ summary

chmod 0755 "$W/locked"
diag "$n_cases bad-input cases"
if [ "$n_cases" -ge 60 ]; then
  pass "the battery has at least 60 cases ($n_cases)"
else
  fail "the battery has at least 60 cases" "only $n_cases"
fi
done_testing
