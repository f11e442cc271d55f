#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Command line basics: --version, --help, usage, unknown options, arity
# errors, exit status passthrough, `--`, --argv0, --level-prefix, --args.
# What the parser alone decides (each listed option's arity, every unknown
# word) is in tests/unit/test-options-usage.c and test-options-errors.c;
# here a sample goes through the real binary.

. "$(dirname "$0")/lib.sh"

# ------------------------------------------------------------ --version

run_bwrap --version
assert_rc 0 "--version exits 0"
assert_stdout_is "bubblewrap 0.11.2" "--version prints exactly 'bubblewrap 0.11.2'"
assert_stderr_empty "--version prints nothing on stderr"

run_bwrap --version --no-such-option
assert_rc 0 "--version ignores later words"
run_bwrap --no-such-option --version
assert_error 1 "bwrap: Unknown option --no-such-option" "words before --version are validated first"

# ------------------------------------------------------------ --help

run_bwrap --help
assert_rc 0 "--help exits 0"
assert_stderr_empty "--help prints nothing on stderr"
help_text=$RUN_OUT
assert_eq "usage: $BWRAP [OPTIONS...] [--] COMMAND [ARGS...]" "$(sed -n 1p <<<"$help_text")" \
  "--help starts with the usage line naming the program as invoked"
assert_eq "" "$(sed -n 2p <<<"$help_text")" "--help: second line is empty"

# Every option of bubblewrap 0.11 has a line.
all_options=(--help --version --args --argv0 --level-prefix --unshare-all --share-net
  --unshare-user --unshare-user-try --unshare-ipc --unshare-pid --unshare-net
  --unshare-uts --unshare-cgroup --unshare-cgroup-try --userns --userns2
  --disable-userns --assert-userns-disabled --pidns --uid --gid --hostname --chdir
  --clearenv --setenv --unsetenv --lock-file --sync-fd --bind --bind-try --dev-bind
  --dev-bind-try --ro-bind --ro-bind-try --bind-fd --ro-bind-fd --remount-ro
  --overlay-src --overlay --tmp-overlay --ro-overlay --exec-label --file-label --proc
  --dev --tmpfs --mqueue --dir --file --bind-data --ro-bind-data --symlink --seccomp
  --add-seccomp-fd --block-fd --userns-block-fd --info-fd --json-status-fd
  --new-session --die-with-parent --as-pid-1 --cap-add --cap-drop --perms --size
  --chmod)
listed=$(sed -n 's/^    \(--[a-z0-9-]*\).*/\1/p' <<<"$help_text" | sort)
missing=()
for o in "${all_options[@]}"; do
  grep -qxF -- "$o" <<<"$listed" || missing+=("$o")
done
if [ ${#missing[@]} = 0 ]; then
  pass "--help lists all ${#all_options[@]} options"
else
  fail "--help lists all ${#all_options[@]} options" "missing: ${missing[*]}"
fi
assert_eq "" "$(sort <<<"$listed" | uniq -d)" "--help lists no option twice"

# Name and metavariables padded to a 33-character column.
badpad=$(grep '^    --' <<<"$help_text" | awk 'substr($0, 33, 1) != " " || substr($0, 34, 1) == " "')
assert_eq "" "$badpad" "--help descriptions start at column 34"

# ------------------------------------------------------------ usage, unknown

run_bwrap
assert_rc 1 "no arguments: exit 1"
assert_eq "" "$RUN_OUT" "no arguments: nothing on stdout"
assert_match "usage: $BWRAP \\[OPTIONS\\.\\.\\.\\] \\[--\\] COMMAND \\[ARGS\\.\\.\\.\\]" \
  "$(head -n1 "$TEST_TMP/.err")" "no arguments: usage text on stderr"
assert_eq "$help_text" "$RUN_ERR" "no arguments: stderr is the --help text"

run_bwrap --ro-bind / /
assert_rc 1 "options but no COMMAND: exit 1"
assert_eq "usage: $BWRAP [OPTIONS...] [--] COMMAND [ARGS...]" "$(head -n1 "$TEST_TMP/.err")" \
  "options but no COMMAND: usage on stderr"

run_bwrap --ro-bind / / --
assert_rc 1 "'--' but no COMMAND: exit 1"

for word in --foo -h; do
  run_bwrap "$word" --ro-bind / / true
  assert_error 1 "bwrap: Unknown option $word" "unknown option '$word'"
done

# ------------------------------------------------------------ arity

arity ()
{
  local msg=$1
  shift
  run_bwrap "$@"
  assert_error 1 "$msg" "arity: $*"
}
arity "bwrap: --chdir takes one argument" --chdir
arity "bwrap: --bind takes two arguments" --bind /
arity "bwrap: --bind-fd takes two arguments" --ro-bind-fd 0
arity "bwrap: --tmpfs takes an argument" --tmpfs
# An option's arguments are the next words, whatever they look like.
run_bwrap --ro-bind / / --setenv --chdir --proc printenv -- --chdir
assert_stdout_is "--proc" "option arguments may start with '--'"

# ------------------------------------------------------------ exit status

run_bwrap "${BASE[@]}" sh -c 'exit 3'
assert_rc 3 "exit status 3 is passed through"
run_bwrap "${BASE[@]}" true
assert_rc 0 "exit status 0 is passed through"
run_bwrap "${BASE[@]}" sh -c 'exit 255'
assert_rc 255 "exit status 255 is passed through"
run_bwrap "${BASE[@]}" --unshare-pid sh -c 'exit 3'
assert_rc 3 "exit status passed through the pid-1 helper"
run_bwrap "${BASE[@]}" sh -c 'kill -TERM $$'
assert_rc 143 "COMMAND killed by SIGTERM: 128+15"
run_bwrap "${BASE[@]}" sh -c 'kill -KILL $$'
assert_rc 137 "COMMAND killed by SIGKILL: 128+9"
run_bwrap "${BASE[@]}" --unshare-pid sh -c 'kill -TERM $$'
assert_rc 143 "COMMAND (pid 2 under the helper) killed by SIGTERM: 143"
run_bwrap "${BASE[@]}" /no/such/command
assert_error 1 "bwrap: execvp /no/such/command: No such file or directory" "exec failure: exit 1 and message"
run_bwrap "${BASE[@]}" no-such-command-in-path
assert_error 1 "bwrap: execvp no-such-command-in-path: No such file or directory" "PATH lookup failure message"

# ------------------------------------------------------------ --

run_bwrap "${BASE[@]}" -- echo a b
assert_stdout_is "a b" "'--' ends the options"
run_bwrap "${BASE[@]}" -- --bind
assert_error 1 "bwrap: execvp --bind: No such file or directory" "the word after '--' is COMMAND even if it starts with '-'"
run_bwrap "${BASE[@]}" echo --bind a b --
assert_stdout_is "--bind a b --" "words after COMMAND go to COMMAND"
run_bwrap "${BASE[@]}" -- echo -- x
assert_stdout_is "-- x" "only the first '--' is consumed"

# ------------------------------------------------------------ --argv0

run_bwrap "${BASE[@]}" --proc /proc --argv0 my-name sh -c 'tr "\0" "\n" < /proc/$$/cmdline | head -n1'
assert_stdout_is "my-name" "--argv0 sets argv[0]"
run_bwrap "${BASE[@]}" --proc /proc sh -c 'tr "\0" "\n" < /proc/$$/cmdline | head -n1'
assert_stdout_is "sh" "without --argv0 argv[0] is COMMAND"
run_bwrap "${BASE[@]}" --proc /proc --argv0 "" sh -c 'tr "\0" "\n" < /proc/$$/cmdline | head -n1 | wc -c'
assert_stdout_is "1" "--argv0 '' gives an empty argv[0]"
run_bwrap --argv0 a --argv0 b "${BASE[@]}" true
assert_error 1 "bwrap: --argv0 used multiple times" "--argv0 twice is fatal"

# ------------------------------------------------------------ --level-prefix

run_bwrap --level-prefix --chdir / --chdir / "${BASE[@]}" true
assert_rc 0 "--level-prefix: a warning is not fatal"
assert_stderr_is "<4>bwrap: Only the last --chdir option will take effect" "--level-prefix: warning gets <4>"
run_bwrap --chdir / --chdir / --level-prefix "${BASE[@]}" true
assert_stderr_is "bwrap: Only the last --chdir option will take effect" "--level-prefix: messages before it are not prefixed"
run_bwrap --level-prefix --foo
assert_error 1 "<3>bwrap: Unknown option --foo" "--level-prefix: parse error gets <3>"
run_bwrap --level-prefix "${BASE[@]}" --bind "$TEST_TMP/missing" /x true
assert_error 1 "<3>bwrap: Can't find source path $TEST_TMP/missing: No such file or directory" \
  "--level-prefix: setup error gets <3>"
run_bwrap --level-prefix "${BASE[@]}" /no/such/command
assert_error 1 "<3>bwrap: execvp /no/such/command: No such file or directory" \
  "--level-prefix: exec error in the sandbox gets <3>"
run_bwrap --level-prefix
assert_eq "usage: $BWRAP [OPTIONS...] [--] COMMAND [ARGS...]" "$(head -n1 "$TEST_TMP/.err")" \
  "--level-prefix: usage text not prefixed"

# ------------------------------------------------------------ --args

args_run ()
{
  # args_run FILE-CONTENT(printf format) BWRAP-ARGS...; the fd number is $fd
  printf -- "$1" >"$TEST_TMP/args"
  shift
  exec {fd}<"$TEST_TMP/args"
  run_bwrap "${@//@FD@/$fd}"
  exec {fd}<&-
}
args_run '--setenv\0A\0one\0--setenv\0B\0two' --args @FD@ "${BASE[@]}" sh -c 'echo "$A $B"'
assert_stdout_is "one two" "--args: NUL-separated words without trailing NUL"
args_run '--setenv\0A\0one\0--setenv\0B\0two\0' --args @FD@ "${BASE[@]}" sh -c 'echo "$A $B"'
assert_stdout_is "one two" "--args: trailing NUL is optional"
args_run '--setenv\0A\0\0--setenv\0B\0two' --args @FD@ "${BASE[@]}" sh -c 'echo "${A-unset}|$B"'
assert_stdout_is "|two" "--args: an empty word is a word"
args_run '' --args @FD@ "${BASE[@]}" echo ok
assert_stdout_is "ok" "--args: empty content contributes nothing"
args_run '--setenv\0A\0one\0echo\0--setenv\0B\0two' --args @FD@ "${BASE[@]}" sh -c 'echo "$A ${B-unset}"'
assert_stdout_is "one unset" "--args: parsing stops at the first non-option word, the rest is dropped"
args_run '--setenv\0A\0one' --setenv A zero --args @FD@ --setenv B "\$A" "${BASE[@]}" sh -c 'echo "$A $B"'
assert_stdout_is "one \$A" "--args: words are parsed at the position of --args"
args_run '--args\0009' --args @FD@ "${BASE[@]}" true
assert_error 1 "bwrap: --args not supported in arguments file" "--args: nested --args refused"
args_run '--setenv\0A\0one' --args @FD@ --args @FD@ "${BASE[@]}" true
assert_error 1 "bwrap: Can't read --args data: Bad file descriptor" "--args: the fd is closed after reading (second use fails)"
args_run '--setenv\0A\0one' --args @FD@ "${BASE[@]}" --proc /proc sh -c 'test -e /proc/self/fd/@FD@ && echo open || echo closed'
assert_stdout_is "closed" "--args: the fd is closed in COMMAND"
args_run '--chdir' --args @FD@ "${BASE[@]}" true
assert_error 1 "bwrap: --chdir takes one argument" "--args: arity counts words of the file only"

done_testing
