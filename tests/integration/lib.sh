# SPDX-License-Identifier: LGPL-2.0-or-later
# shellcheck shell=bash
#
# lib.sh: shared helpers for the integration tests (TAP, bash).
#
# Source it at the top of every tests/integration/test-<area>.sh:
#
#     . "$(dirname "$0")/lib.sh"
#
# Environment
#   BWRAP         the binary under test (meson passes the built one, or the
#                 one given with -Dintegration_bwrap; default "bwrap" from
#                 PATH).  Point it at Debian's bubblewrap 0.8.0 to check the
#                 test logic.
#   BWRAP_CHANGES bwrap-changes, for test-changes.sh (default: the one
#                 beside $BWRAP).
#   TEST_TMP      (set here) a private `mktemp -d` work directory, removed on
#                 exit.  Tests write only below it, never elsewhere on the host.
#   LC_ALL=C      (set here) so <errno> texts are the C library's English ones.
#
# Privilege level
#   is_root       true when running as uid 0 (real root, no setuid binary)
#   is_setuid     true when $BWRAP is setuid root and we are not root
#   supports_setuid [BINARY]   BINARY (default $BWRAP) was built with
#                 setuid mode (-Dsupport_setuid=true)
#   is_sanitizer_build [BINARY]   BINARY (default $BWRAP) carries a
#                 sanitizer runtime; such a build is never made setuid
#   HOST_UID, HOST_GID   our ids outside the sandbox
#   PIDNS_CMD_PID  COMMAND's pid with --unshare-pid (no --as-pid-1): 2 under
#                  the pid-1 helper; 3 in setuid mode, where pid 2 was the
#                  sandbox process paired with the setuid peer (gone by
#                  the time COMMAND runs), as in bubblewrap's setuid mode
#   The same scripts run as root (suite 'root') and as the unprivileged user
#   `bwrap-test` (suite 'user', via run-as-user.sh); state the differences
#   with `if is_root; then ...; else ...; fi`.
#
# TAP output (stdout; everything else goes to files)
#   pass DESC                     ok N - DESC
#   fail DESC [DIAG...]           not ok N - DESC, followed by '# ' diagnostics
#   skip DESC REASON              ok N - DESC # SKIP REASON
#   skip_n COUNT REASON DESC      COUNT skipped points (a block that can't run)
#   skip_all REASON               prints `1..0 # SKIP REASON` and exits 0
#                                 (only before the first test point)
#   diag TEXT...                  '# TEXT' lines
#   check DESC CMD...             pass if CMD exits 0
#   check_not DESC CMD...         pass if CMD exits non-zero
#   assert_eq EXPECTED ACTUAL DESC
#   assert_match ERE ACTUAL DESC  ACTUAL must match ^(ERE)$
#   done_testing                  prints the plan `1..N`; call it last
#
# Running bwrap
#   BASE                 array: a minimal root with the host's tools:
#                        --ro-bind /usr /usr plus the merged-/usr symlinks
#                        /bin /lib /lib64 /sbin (Debian 12).  Usage:
#                        run_bwrap "${BASE[@]}" --proc /proc cat /etc/x
#   run_bwrap ARGS...    runs "$BWRAP" ARGS... (stdin /dev/null unless
#                        RUN_STDIN is set to a file) and sets
#                        RUN_RC (exit status), RUN_OUT, RUN_ERR (stdout /
#                        stderr, trailing newlines stripped).  The raw files
#                        are $TEST_TMP/.out and $TEST_TMP/.err.
#   run CMD...           the same for any command.
#   RUN_CWD=DIR run...   run the command with DIR as cwd (a subshell `cd`,
#                        so $PWD is the logical path given)
#   assert_rc N DESC                 RUN_RC == N
#   assert_stderr_is LINE DESC       stderr is exactly one line, == LINE
#   assert_stderr_match ERE DESC     stderr is exactly one line matching ^(ERE)$
#   assert_stderr_empty DESC
#   assert_stderr_has TEXT DESC      some stderr line contains TEXT (fixed string)
#   assert_stdout_is TEXT DESC       stdout == TEXT (trailing newlines stripped)
#   assert_error RC LINE DESC        RUN_RC == RC and stderr is exactly LINE
#   assert_file_content PATH TEXT DESC
#   assert_no_file PATH DESC         nothing (not even a dangling link) at PATH
#
# Mount table of a sandbox
#   sandbox_mountinfo ARGS...   runs "$BWRAP" ARGS... cat /proc/self/mountinfo
#                               into $TEST_TMP/mountinfo (ARGS must provide cat
#                               and a /proc, e.g. "${BASE[@]}" --proc /proc);
#                               returns bwrap's exit status.
#   mount_field MP FIELD [FILE] FIELD: opts (per-mount options), superopts,
#                               fstype, source, root.  Topmost mount at MP.
#                               Empty output and status 1 if MP is no mount.
#   mount_has_opt MP OPT        per-mount options of MP contain OPT
#   mount_has_superopt MP OPT   super-block options of MP contain OPT
#   mount_points [FILE]         every mount point, one per line
#
# Probes (return 0 if usable, else 1 with the reason in SKIP_REASON)
#   have_userns          we may create a user namespace (unshare -U)
#   have_overlay_userns  overlayfs mountable inside a user namespace (userxattr)
#   have_fuse            /dev/fuse read-write for us and fusermount3 present
#   have_squashfuse      have_fuse plus squashfuse and mksquashfs
#   have_host_mounts     we may mount on the host (root)
#   have_mount_api       the new mount API and openat2 are not denied: false
#                        under deny-mount-api (suites legacy-*), which sets
#                        BWRAP_TESTS_NO_MOUNT_API=1; for checks of what only
#                        the first-choice path gives (kernel fs-context text)
#   require PROBE...     skip_all with the reason unless every PROBE passes
#
# Fixtures (all cleaned up on exit, even after a failure or SIGTERM)
#   make_squashfs SRCDIR IMAGE [MKSQUASHFS-OPTS...]
#                        builds IMAGE from SRCDIR (ownership and modes kept)
#   mount_squashfs IMAGE MOUNTPOINT [SQUASHFUSE-OPTS...]
#                        mounts IMAGE with squashfuse as the current user
#                        (root-side setup made /dev/fuse 0666); unmounted
#                        with fusermount3 -u at exit.  Check have_squashfuse.
#                        Modes are not enforced unless the options say
#                        -o default_permissions (FUSE leaves them to the
#                        server, and squashfuse checks none).
#   squashfs_of SRCDIR MOUNTPOINT
#                        both steps; the image goes to $TEST_TMP/<name>.sqfs
#   host_mount_tmpfs MOUNTPOINT [OPTIONS]   (root) tmpfs on the host
#   register_mount MOUNTPOINT [fuse]        unmount MOUNTPOINT at exit
#   register_pid PID                        kill -KILL PID at exit
#   wait_for TIMEOUT_S CMD...  polls CMD (every 0.01 s at first, then
#                              every 0.1 s); 0 once it succeeds
#   nap SECONDS                sleeps without starting a process
#   pids_matching STRING       pids whose NUL-joined cmdline (args joined by
#                              spaces) equals STRING exactly
#   is_whiteout PATH           PATH is an overlayfs whiteout
#   host_root_run ARGS...      run_bwrap ARGS... over the host root (an
#                              --overlay-src / run), retried up to 5 times
#                              when it failed on another test run's mount
#                              coming or going; the directories named in
#                              $FRESH are emptied before each attempt
#   new_marker                 sets MARKER to a number no other run uses
#                              (COUNT.PID: this script's pid, and how many
#                              markers it made), for `sleep $MARKER`
#                              processes found by their command line while
#                              other scripts run side by side.  Call it in
#                              the script's own shell, not in $(...).

export LC_ALL=C
unset LANGUAGE
umask 022

BWRAP=${BWRAP:-bwrap}
HOST_UID=$(id -u)
HOST_GID=$(id -g)
export BWRAP HOST_UID HOST_GID

is_root () { [ "$HOST_UID" = 0 ]; }
is_setuid ()
{
  local path
  path=$(command -v "$BWRAP" 2>/dev/null) || return 1
  ! is_root && [ -u "$path" ] && [ "$(stat -L -c %u "$path")" = 0 ]
}
# Sanitizer runtimes read ASAN_OPTIONS/UBSAN_OPTIONS even in a setuid
# process (log_path= makes root write where the caller says).
is_sanitizer_build ()
{
  local path
  path=$(command -v "${1:-$BWRAP}" 2>/dev/null) || return 1
  LC_ALL=C grep -qaE '__(asan|ubsan|tsan|msan|lsan|hwasan)_' "$path"
}
# supports_setuid [BINARY]: BINARY (default $BWRAP) has setuid mode (built
# with -Dsupport_setuid=true).  A build without it refuses to run setuid,
# and carries the words of that refusal.
supports_setuid ()
{
  local path
  path=$(command -v "${1:-$BWRAP}" 2>/dev/null) || return 1
  ! LC_ALL=C grep -qa 'This build does not support setuid operation' "$path"
}
export -f is_root is_setuid is_sanitizer_build supports_setuid
# new setuid design: the setuid peer is forked inside the pid namespace.
if is_setuid; then PIDNS_CMD_PID=3; else PIDNS_CMD_PID=2; fi

# ---------------------------------------------------------------- TAP

_tap_n=0
_tap_failed=0
_tap_done=0

diag ()
{
  local line
  for line in "$@"; do
    printf '%s\n' "$line" | sed 's/^/# /'
  done
}

pass ()
{
  _tap_n=$((_tap_n + 1))
  printf 'ok %d - %s\n' "$_tap_n" "$1"
}

fail ()
{
  _tap_n=$((_tap_n + 1))
  _tap_failed=$((_tap_failed + 1))
  printf 'not ok %d - %s\n' "$_tap_n" "$1"
  shift
  [ $# -gt 0 ] && diag "$@"
  return 0
}

skip ()
{
  _tap_n=$((_tap_n + 1))
  printf 'ok %d - %s # SKIP %s\n' "$_tap_n" "$1" "$2"
}

skip_n ()
{
  local i count=$1 reason=$2 desc=${3:-skipped}
  for ((i = 0; i < count; i++)); do
    skip "$desc" "$reason"
  done
}

skip_all ()
{
  if [ "$_tap_n" -ne 0 ]; then
    fail "skip_all called after $_tap_n test points" "$1"
    done_testing
    exit 1
  fi
  printf '1..0 # SKIP %s\n' "$1"
  _tap_done=1
  exit 0
}

done_testing ()
{
  printf '1..%d\n' "$_tap_n"
  _tap_done=1
}

check ()
{
  local desc=$1
  shift
  if "$@" >"$TEST_TMP/.check" 2>&1; then
    pass "$desc"
  else
    fail "$desc" "command failed: $*" "$(cat "$TEST_TMP/.check")"
  fi
}

check_not ()
{
  local desc=$1
  shift
  if "$@" >"$TEST_TMP/.check" 2>&1; then
    fail "$desc" "command unexpectedly succeeded: $*" "$(cat "$TEST_TMP/.check")"
  else
    pass "$desc"
  fi
}

assert_eq ()
{
  if [ "$1" = "$2" ]; then
    pass "$3"
  else
    fail "$3" "expected: '$1'" "actual:   '$2'"
  fi
}

assert_match ()
{
  if [[ $2 =~ ^($1)$ ]]; then
    pass "$3"
  else
    fail "$3" "expected to match: $1" "actual: '$2'"
  fi
}

# ---------------------------------------------------------------- running

BASE=(--ro-bind /usr /usr
      --symlink usr/bin /bin
      --symlink usr/lib /lib
      --symlink usr/lib64 /lib64
      --symlink usr/sbin /sbin)

RUN_RC=0
RUN_OUT=
RUN_ERR=
RUN_STDIN=/dev/null
RUN_TIMEOUT=${RUN_TIMEOUT:-60}
RUN_CWD=

# _slurp VAR FILE: VAR=$(cat FILE) - NUL bytes dropped, trailing newlines
# stripped - without starting a process: a fork costs 20 ms or more on a
# busy 2-core machine, and every run of bwrap read two files.
_slurp ()
{
  local -a _parts
  mapfile -d '' -t _parts <"$2"
  printf -v "$1" '%s' "${_parts[@]}"
  while [[ ${!1} == *$'\n' ]]; do
    printf -v "$1" '%s' "${!1%$'\n'}"
  done
}

run ()
{
  # --foreground: stay in our process group and session, so tests of
  # sessions and terminal behaviour see the caller's ones.
  (
    if [ -n "$RUN_CWD" ]; then
      cd "$RUN_CWD" || exit 125
    fi
    exec timeout --foreground -k 5 "$RUN_TIMEOUT" "$@"
  ) <"$RUN_STDIN" >"$TEST_TMP/.out" 2>"$TEST_TMP/.err"
  RUN_RC=$?
  _slurp RUN_OUT "$TEST_TMP/.out"
  _slurp RUN_ERR "$TEST_TMP/.err"
  if [ "$RUN_RC" = 124 ]; then
    diag "timed out after ${RUN_TIMEOUT}s: $*"
  fi
  return 0
}

run_bwrap ()
{
  run "$BWRAP" "$@"
}

_run_diag ()
{
  diag "exit status: $RUN_RC" "stdout: $RUN_OUT" "stderr: $RUN_ERR"
}

assert_rc ()
{
  if [ "$RUN_RC" = "$1" ]; then
    pass "$2"
  else
    fail "$2" "expected exit status $1"
    _run_diag
  fi
}

# _stderr_nlines: sets STDERR_NLINES, the number of lines on stderr (a
# final line without newline counts); _stderr_lines prints it.
_stderr_nlines ()
{
  local lines
  mapfile -t lines <"$TEST_TMP/.err"
  STDERR_NLINES=${#lines[@]}
}
_stderr_lines ()
{
  _stderr_nlines
  echo "$STDERR_NLINES"
}

assert_stderr_is ()
{
  _stderr_nlines
  if [ "$STDERR_NLINES" = 1 ] && [ "$RUN_ERR" = "$1" ]; then
    pass "$2"
  else
    fail "$2" "expected exactly one stderr line: $1"
    _run_diag
  fi
}

assert_stderr_match ()
{
  _stderr_nlines
  if [ "$STDERR_NLINES" = 1 ] && [[ $RUN_ERR =~ ^($1)$ ]]; then
    pass "$2"
  else
    fail "$2" "expected exactly one stderr line matching: $1"
    _run_diag
  fi
}

assert_stderr_empty ()
{
  if [ ! -s "$TEST_TMP/.err" ]; then
    pass "$1"
  else
    fail "$1" "expected no stderr output"
    _run_diag
  fi
}

assert_stderr_has ()
{
  if grep -qF -- "$1" "$TEST_TMP/.err"; then
    pass "$2"
  else
    fail "$2" "expected a stderr line containing: $1"
    _run_diag
  fi
}

assert_stdout_is ()
{
  if [ "$RUN_OUT" = "$1" ]; then
    pass "$2"
  else
    fail "$2" "expected stdout: $1"
    _run_diag
  fi
}

assert_error ()
{
  _stderr_nlines
  if [ "$RUN_RC" = "$1" ] && [ "$STDERR_NLINES" = 1 ] && [ "$RUN_ERR" = "$2" ]; then
    pass "$3"
  else
    fail "$3" "expected exit status $1 and exactly one stderr line: $2"
    _run_diag
  fi
}

assert_file_content ()
{
  if [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; then
    pass "$3"
  elif [ -f "$1" ]; then
    fail "$3" "content of $1: '$(cat "$1")'" "expected: '$2'"
  else
    fail "$3" "no regular file at $1"
  fi
}

assert_no_file ()
{
  if [ -e "$1" ] || [ -L "$1" ]; then
    fail "$2" "unexpected: $(ls -ld "$1")"
  else
    pass "$2"
  fi
}

# ---------------------------------------------------------------- mountinfo

sandbox_mountinfo ()
{
  "$BWRAP" "$@" cat /proc/self/mountinfo >"$TEST_TMP/mountinfo" 2>"$TEST_TMP/.mierr"
  local rc=$?
  [ "$rc" = 0 ] || diag "sandbox_mountinfo failed ($rc): $(cat "$TEST_TMP/.mierr")"
  return "$rc"
}

# Prints fields of the last (topmost) mount whose mount point is $1.
# mountinfo line: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS
mount_field ()
{
  local file=${3:-$TEST_TMP/mountinfo}
  awk -v mp="$1" -v field="$2" '
    function unescape(s) {
      gsub(/\\040/, " ", s); gsub(/\\011/, "\t", s)
      gsub(/\\012/, "\n", s); gsub(/\\134/, "\\", s)
      return s
    }
    {
      if (unescape($5) != mp) next
      for (i = 7; i <= NF && $i != "-"; i++) ;
      found = 1
      if (field == "opts") v = $6
      else if (field == "root") v = unescape($4)
      else if (field == "fstype") v = $(i + 1)
      else if (field == "source") v = unescape($(i + 2))
      else if (field == "superopts") v = $(i + 3)
      else v = ""
    }
    END { if (found) print v; exit !found }
  ' "$file"
}

_has_comma_item ()
{
  case ",$1," in
    *",$2,"*) return 0 ;;
    *) return 1 ;;
  esac
}

mount_has_opt ()
{
  local opts
  opts=$(mount_field "$1" opts "${3:-}") || return 1
  _has_comma_item "$opts" "$2"
}

mount_has_superopt ()
{
  local opts
  opts=$(mount_field "$1" superopts "${3:-}") || return 1
  _has_comma_item "$opts" "$2"
}

mount_points ()
{
  awk '{ s = $5; gsub(/\\040/, " ", s); gsub(/\\134/, "\\", s); print s }' \
    "${1:-$TEST_TMP/mountinfo}"
}

# ---------------------------------------------------------------- probes

SKIP_REASON=

have_mount_api ()
{
  if [ "${BWRAP_TESTS_NO_MOUNT_API:-}" = 1 ]; then
    SKIP_REASON="the new mount API is denied (deny-mount-api)"
    return 1
  fi
  return 0
}

have_userns ()
{
  if unshare --user --map-root-user true 2>/dev/null; then
    return 0
  fi
  SKIP_REASON="user namespaces not allowed for uid $HOST_UID"
  return 1
}

have_overlay_userns ()
{
  local d
  have_userns || return 1
  d=$(mktemp -d "$TEST_TMP/.ovlprobe.XXXXXX")
  mkdir "$d/lower" "$d/upper" "$d/work" "$d/merged"
  if unshare --user --map-root-user --mount sh -c '
       mount -t overlay overlay \
         -o "lowerdir=$1/lower,upperdir=$1/upper,workdir=$1/work,userxattr" \
         "$1/merged"' sh "$d" 2>/dev/null; then
    rm -rf "$d"
    return 0
  fi
  rm -rf "$d"
  SKIP_REASON="overlayfs not mountable in a user namespace (needs Linux >= 5.11)"
  return 1
}

have_fuse ()
{
  if [ ! -c /dev/fuse ]; then
    SKIP_REASON="no /dev/fuse"
    return 1
  fi
  if [ ! -r /dev/fuse ] || [ ! -w /dev/fuse ]; then
    SKIP_REASON="/dev/fuse not read-write for uid $HOST_UID (mode $(stat -c %a /dev/fuse))"
    return 1
  fi
  if ! command -v fusermount3 >/dev/null; then
    SKIP_REASON="fusermount3 not installed (fuse3)"
    return 1
  fi
  return 0
}

have_squashfuse ()
{
  have_fuse || return 1
  if ! command -v squashfuse >/dev/null; then
    SKIP_REASON="squashfuse not installed"
    return 1
  fi
  if ! command -v mksquashfs >/dev/null; then
    SKIP_REASON="mksquashfs not installed (squashfs-tools)"
    return 1
  fi
  return 0
}

have_host_mounts ()
{
  if is_root; then
    return 0
  fi
  SKIP_REASON="mounting on the host needs root"
  return 1
}

require ()
{
  local probe
  for probe in "$@"; do
    "$probe" || skip_all "$SKIP_REASON"
  done
}

# ---------------------------------------------------------------- fixtures

_mounts=()
_pids=()

register_mount ()
{
  _mounts+=("${2:-plain}:$1")
}

register_pid ()
{
  _pids+=("$1")
}

host_mount_tmpfs ()
{
  mkdir -p "$1"
  mount -t tmpfs -o "${2:-mode=0755}" bwrap-test "$1" || return 1
  register_mount "$1"
}

make_squashfs ()
{
  local src=$1 img=$2
  shift 2
  mksquashfs "$src" "$img" -noappend -quiet -no-progress "$@" >/dev/null 2>"$TEST_TMP/.mksquashfs" || {
    diag "mksquashfs failed: $(cat "$TEST_TMP/.mksquashfs")"
    return 1
  }
}

mount_squashfs ()
{
  local img=$1 mp=$2
  shift 2
  mkdir -p "$mp"
  squashfuse "$@" "$img" "$mp" 2>"$TEST_TMP/.squashfuse" || {
    diag "squashfuse failed: $(cat "$TEST_TMP/.squashfuse")"
    return 1
  }
  register_mount "$mp" fuse
  # squashfuse returns once the mount exists; check anyway.
  mountpoint -q "$mp" || { diag "squashfuse: $mp is not a mount point"; return 1; }
}

squashfs_of ()
{
  local img
  img="$TEST_TMP/$(basename "$1").$$.$RANDOM.sqfs"
  make_squashfs "$1" "$img" && mount_squashfs "$img" "$2"
}

# nap SECONDS: sleep without starting a process (a read that times out on
# a FIFO nobody writes to).
nap ()
{
  read -r -t "$1" _ <>"$TEST_TMP/.nap"
  return 0
}

wait_for ()
{
  # Polls often at first (most conditions hold within milliseconds), then
  # every 0.1 s, until TIMEOUT_S seconds have passed.
  local timeout=$1 deadline pause=0.01
  shift
  deadline=$((${EPOCHREALTIME/./} + timeout * 1000000))
  while ((${EPOCHREALTIME/./} < deadline)); do
    "$@" && return 0
    nap "$pause"
    case $pause in
      0.01) pause=0.02 ;;
      0.02) pause=0.05 ;;
      *) pause=0.1 ;;
    esac
  done
  "$@"
}

pids_matching ()
{
  # Builtins only: a `tr` per process made one call cost hundreds of
  # processes, which on a busy machine turned a 10 s wait_for into minutes.
  local f args
  for f in /proc/[0-9]*/cmdline; do
    { mapfile -d '' -t args <"$f"; } 2>/dev/null || continue
    if [ "${args[*]}" = "$1" ]; then
      f=${f#/proc/}
      echo "${f%/cmdline}"
    fi
  done
}

# host_root_run ARGS...: run_bwrap ARGS... over the host root, whose mount
# table holds the mounts of every other test run on the machine too (meson
# runs the scripts side by side).  A run that fails naming a path of
# another run's directory met one of its mounts coming or going while
# bwrap split the root (the message says so: bwrap cannot help it): it is
# retried, up to 5 times, after emptying the directories in FRESH.
others_mount ()
{
  local p
  for p in $(grep -o "${TMPDIR:-/tmp}/bwrap-it\.[A-Za-z0-9]*" "$TEST_TMP/.err"); do
    [ "$p" = "$TEST_TMP" ] || return 0
  done
  return 1
}
host_root_run ()
{
  local i d
  for i in 1 2 3 4 5; do
    for d in $FRESH; do
      chmod -R u+rwX "$d" 2>/dev/null
      rm -rf "$d" && mkdir -p "$d"
    done
    run_bwrap "$@"
    { [ "$RUN_RC" != 0 ] && others_mount; } || return 0
    diag "attempt $i met another test run's mount: $RUN_ERR"
  done
}

# is_whiteout PATH: an overlayfs whiteout (a character device 0/0, or
# the user.overlay.whiteout xattr of Linux 6.7+).
is_whiteout ()
{
  python3 - "$1" <<'EOF'
import os, stat, sys
st = os.lstat(sys.argv[1])
x = [] if stat.S_ISLNK(st.st_mode) else os.listxattr(sys.argv[1])
sys.exit(0 if (stat.S_ISCHR(st.st_mode) and st.st_rdev == 0) or 'user.overlay.whiteout' in x else 1)
EOF
}

_n_marker=0
new_marker ()
{
  _n_marker=$((_n_marker + 1))
  MARKER=$((1000 + _n_marker)).$$
}

_lib_cleanup ()
{
  local rc=$? i entry kind mp
  trap - EXIT
  for pid in "${_pids[@]}"; do
    kill -KILL "$pid" 2>/dev/null
  done
  for ((i = ${#_mounts[@]} - 1; i >= 0; i--)); do
    entry=${_mounts[i]}
    kind=${entry%%:*}
    mp=${entry#*:}
    if [ "$kind" = fuse ]; then
      fusermount3 -u "$mp" 2>/dev/null || fusermount3 -u -z "$mp" 2>/dev/null ||
        umount -l "$mp" 2>/dev/null
    else
      umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null
    fi
  done
  if [ -n "${TEST_TMP:-}" ] && [ -d "$TEST_TMP" ]; then
    chmod -R u+rwX "$TEST_TMP" 2>/dev/null
    rm -rf --one-file-system "$TEST_TMP" 2>/dev/null ||
      echo "# warning: could not remove $TEST_TMP"
  fi
  if [ "$_tap_done" = 0 ]; then
    # Died half-way (set -e, exit, signal): make the run fail visibly.
    printf 'not ok %d - test script ended early (status %s)\n' $((_tap_n + 1)) "$rc"
    printf '1..%d\n' $((_tap_n + 1))
    exit 1
  fi
  [ "$_tap_failed" = 0 ] || exit 1
  exit "$rc"
}

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bwrap-it.XXXXXX") || {
  echo "Bail out! mktemp -d failed"
  exit 1
}
export TEST_TMP
mkfifo "$TEST_TMP/.nap"
trap _lib_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

if ! command -v "$BWRAP" >/dev/null; then
  echo "Bail out! BWRAP=$BWRAP is not an executable"
  exit 1
fi

# Without root, setuid or user namespaces bwrap cannot work at all.
if ! is_root && ! is_setuid && ! have_userns; then
  skip_all "$SKIP_REASON and $BWRAP is not setuid"
fi
