#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# run-as-user.sh [--setuid] SCRIPT [ARGS...]: run an integration test as the
# unprivileged user `bwrap-test` (meson suite 'user'; with --setuid, suite
# 'setuid').
#
# Only meaningful when the suite runs as root; otherwise it reports the whole
# script as skipped.  As root it
#   - creates the system user `bwrap-test` (with a home directory) if missing;
#   - makes /dev/fuse mode 0666 (Debian's default; some machines have 0600),
#     so the user can mount squashfuse images for the overlay tests; the
#     last of the runs going on side by side puts the old mode back when it
#     ends (machine.sh keeps the count);
#   - checks, without copying anything, that the user can read SCRIPT and
#     lib.sh and execute $BWRAP (the source and build trees must be
#     world-readable: a build below /root is not);
#   - with --setuid: refuses (skips) a sanitizer build: sanitizer runtimes
#     obey ASAN_OPTIONS/UBSAN_OPTIONS even in a setuid process (log_path=
#     makes root write where the user says), so such a binary is never made
#     setuid; so does a build without setuid mode, which refuses to run
#     setuid.  Otherwise copies $BWRAP into a fresh directory that only root
#     and the test user can reach (root:bwrap-test 0710; mktemp -d under
#     $TMPDIR or /tmp, or under BWRAP_TESTS_BUILDDIR when that is mounted
#     nosuid), makes the copy root:root mode 4755, checks with stat that it
#     really is setuid root, points BWRAP at it and removes the directory
#     when the script ends, however it ends.  The script then runs with lib.sh's is_setuid
#     true: the whole suite once more through setuid mode;
#   - runs SCRIPT with that user's uid, gid and groups, no capabilities and a
#     fresh environment, passing on only the variables listed in keep_vars.
set -u

. "$(dirname "$(realpath "$0")")/machine.sh"
user=$TEST_USER
keep_vars=(BWRAP BWRAP_CHANGES BWRAP_TESTS_SRCDIR BWRAP_TESTS_BUILDDIR BWRAP_TESTS_NO_MOUNT_API
           BWRAP_TESTS_PARALLEL RUN_TIMEOUT
           ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS MALLOC_PERTURB_)

# is_sanitizer_build BINARY: BINARY carries a sanitizer runtime (ASan,
# UBSan, ...), whose options come from the environment.
is_sanitizer_build ()
{
  LC_ALL=C grep -qaE '__(asan|ubsan|tsan|msan|lsan|hwasan)_' "$1"
}

setuid=false
if [ "${1:-}" = --setuid ]; then
  setuid=true
  shift
fi
if [ $# -lt 1 ]; then
  echo "usage: $0 [--setuid] SCRIPT [ARGS...]" >&2
  exit 2
fi
script=$(realpath "$1")
shift

if [ "$(id -u)" != 0 ]; then
  echo "1..0 # SKIP not running as root"
  exit 0
fi
# test-setuid.sh installs and checks a setuid copy of its own, as root (the
# 'root' suite runs it); run as the user on top of another copy it could
# only skip itself.
if $setuid && [ "$(basename "$script")" = test-setuid.sh ]; then
  echo "1..0 # SKIP test-setuid.sh needs root to install its own setuid copy; the 'root' suite runs it"
  exit 0
fi

bwrap_path=$(command -v "${BWRAP:-bwrap}") || {
  echo "Bail out! BWRAP=${BWRAP:-bwrap} not found"
  exit 1
}
BWRAP=$bwrap_path
export BWRAP
if $setuid && is_sanitizer_build "$BWRAP"; then
  echo "1..0 # SKIP $BWRAP is a sanitizer build: never installed setuid (its runtime obeys ASAN_OPTIONS/UBSAN_OPTIONS)"
  exit 0
fi
# A build without setuid mode refuses to run setuid (test-no-setuid.sh).
if $setuid && LC_ALL=C grep -qa 'This build does not support setuid operation' "$BWRAP"; then
  echo "1..0 # SKIP $BWRAP was built without setuid mode (-Dsupport_setuid=true)"
  exit 0
fi

if ! ensure_test_user; then
  echo "Bail out! could not create user $user"
  exit 1
fi

# Everything this script changes on the machine is undone on every exit
# path: meson's timeout sends SIGTERM, ^C SIGINT.
suid_dir=
restore_machine ()
{
  if [ -n "$suid_dir" ]; then
    rm -rf "$suid_dir"
  fi
  fuse_release
}
trap restore_machine EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

fuse_hold || {
  echo "Bail out! could not make $FUSE_DEVICE mode 0666"
  exit 1
}

uid=$(id -u "$user")
gid=$(id -g "$user")

# nosuid_fs DIR: DIR's filesystem ignores the setuid bit.
nosuid_fs ()
{
  findmnt -n -o OPTIONS -T "$1" | tr ',' '\n' | grep -qx nosuid
}

# The setuid copy lives in a directory only root may write to, so the user
# cannot swap the binary, and only root and the test user may enter
# (0710, group bwrap-test): no other local user can run it.  A private
# directory per run: runs never share (or delete) each other's copy.
if $setuid; then
  for parent in "${TMPDIR:-/tmp}" "${BWRAP_TESTS_BUILDDIR:-}"; do
    [ -n "$parent" ] && [ -d "$parent" ] && ! nosuid_fs "$parent" && break
    parent=
  done
  if [ -z "$parent" ]; then
    echo "1..0 # SKIP ${TMPDIR:-/tmp} and the build directory are both on nosuid filesystems"
    exit 0
  fi
  # A SIGKILL (meson's last resort) leaves a copy behind, out of other
  # users' reach; the next run removes every copy whose run is gone.
  for stale in "$parent"/bwrap-suid.*.*; do
    stale_pid=${stale#"$parent"/bwrap-suid.}
    stale_pid=${stale_pid%%.*}
    if [ -d "$stale" ] && [ -n "$stale_pid" ] && ! kill -0 "$stale_pid" 2>/dev/null; then
      rm -rf "$stale"
    fi
  done
  suid_dir=$(mktemp -d "$parent/bwrap-suid.$$.XXXXXX") || {
    echo "Bail out! mktemp -d in $parent failed"
    exit 1
  }
  chown "root:$gid" "$suid_dir"
  chmod 0710 "$suid_dir"
  cp "$BWRAP" "$suid_dir/bwrap" &&
    chown root:root "$suid_dir/bwrap" &&
    chmod 4755 "$suid_dir/bwrap" || {
    echo "Bail out! could not install a setuid copy of $BWRAP in $suid_dir"
    exit 1
  }
  mode=$(stat -c '%a %u %g' "$suid_dir/bwrap")
  if [ "$mode" != "4755 0 0" ] || nosuid_fs "$suid_dir"; then
    echo "Bail out! $suid_dir/bwrap is not setuid root (mode, uid, gid: $mode)"
    exit 1
  fi
  BWRAP=$suid_dir/bwrap
fi

as_user ()
{
  setpriv --reuid="$uid" --regid="$gid" --init-groups --reset-env "$@"
}

for f in "$script" "$(dirname "$script")/lib.sh"; do
  if ! as_user test -r "$f"; then
    echo "Bail out! user $user cannot read $f (make the source tree world-readable)"
    exit 1
  fi
done
if ! as_user test -x "$BWRAP"; then
  echo "Bail out! user $user cannot execute $BWRAP (make the build tree world-readable)"
  exit 1
fi

env_args=()
for v in "${keep_vars[@]}"; do
  if [ -n "${!v+set}" ]; then
    env_args+=("$v=${!v}")
  fi
done

# A directory the user can enter; tests choose their own cwd anyway.
# No exec: the trap must put the machine back afterwards.
cd /
setpriv --reuid="$uid" --regid="$gid" --init-groups --reset-env \
  env "${env_args[@]}" /bin/bash "$script" "$@"
