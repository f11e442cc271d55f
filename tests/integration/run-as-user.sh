#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# run-as-user.sh SCRIPT [ARGS...]: run an integration test as the
# unprivileged user `bwrap-test` (meson suite 'user').
#
# Only meaningful when the suite runs as root; otherwise it reports the whole
# script as skipped.  As root it
#   - creates the system user `bwrap-test` (with a home directory) if missing;
#   - makes /dev/fuse mode 0666 (Debian's default; some machines have 0600),
#     so the user can mount squashfuse images for the overlay tests;
#   - checks, without copying anything, that the user can read SCRIPT and
#     lib.sh and execute $BWRAP (the source and build trees must be
#     world-readable: a build below /root is not);
#   - runs SCRIPT with that user's uid, gid and groups, no capabilities and a
#     fresh environment, passing on only the variables listed in keep_vars.
set -u

user=bwrap-test
keep_vars=(BWRAP BWRAP_TESTS_SRCDIR BWRAP_TESTS_BUILDDIR RUN_TIMEOUT
           ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS MALLOC_PERTURB_)

if [ $# -lt 1 ]; then
  echo "usage: $0 SCRIPT [ARGS...]" >&2
  exit 2
fi
script=$(realpath "$1")
shift

if [ "$(id -u)" != 0 ]; then
  echo "1..0 # SKIP not running as root"
  exit 0
fi

if ! getent passwd "$user" >/dev/null; then
  if ! useradd --system --user-group --create-home --shell /bin/bash \
         --comment "bwrap integration tests" "$user"; then
    echo "Bail out! could not create user $user"
    exit 1
  fi
fi

if [ -c /dev/fuse ]; then
  chmod 0666 /dev/fuse
fi

bwrap_path=$(command -v "${BWRAP:-bwrap}") || {
  echo "Bail out! BWRAP=${BWRAP:-bwrap} not found"
  exit 1
}
BWRAP=$bwrap_path
export BWRAP

uid=$(id -u "$user")
gid=$(id -g "$user")

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
cd /
exec setpriv --reuid="$uid" --regid="$gid" --init-groups --reset-env \
  env "${env_args[@]}" /bin/bash "$script" "$@"
