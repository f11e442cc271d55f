# SPDX-License-Identifier: LGPL-2.0-or-later
# shellcheck shell=bash
#
# machine.sh: the machine-wide state the integration runs share, for
# run-as-user.sh and test-setuid.sh (both run as root).  meson runs the
# scripts side by side, so each change to the machine is made under one
# lock, and /dev/fuse's mode is reference-counted: the first run that
# needs it changes it, the last one to end puts it back.
#
#   machine_lock / machine_unlock   take and drop the exclusive lock
#   ensure_test_user                creates the system user `bwrap-test`
#                                   (with a home directory) if missing;
#                                   status 1 if that fails
#   fuse_hold                       makes /dev/fuse mode 0666 for this
#                                   run (Debian's default; some machines
#                                   have 0600) so that the test user can
#                                   mount squashfuse images
#   fuse_release                    this run no longer needs it; the last
#                                   holder puts the old mode back
#
# State lives in BWRAP_TESTS_STATE_DIR (default /run/bwrap-tests, root's,
# 0700, gone at reboot): `lock`, `fuse-mode` (the mode to put back) and
# `fuse-users/PID` (one file per holder, holding the holder's start time,
# so that a holder killed by SIGKILL is recognised as gone by the next
# run, which then does its cleanup).  BWRAP_TESTS_FUSE_DEVICE (default
# /dev/fuse) names the device: test-harness.sh points both at private
# copies to check this logic without touching the real device.

MACHINE_STATE=${BWRAP_TESTS_STATE_DIR:-/run/bwrap-tests}
FUSE_DEVICE=${BWRAP_TESTS_FUSE_DEVICE:-/dev/fuse}
TEST_USER=bwrap-test
_machine_lock_fd=

machine_lock ()
{
  mkdir -p -m 0700 "$MACHINE_STATE/fuse-users" || return 1
  exec {_machine_lock_fd}>"$MACHINE_STATE/lock" || return 1
  flock "$_machine_lock_fd"
}

machine_unlock ()
{
  [ -n "$_machine_lock_fd" ] && exec {_machine_lock_fd}>&-
  _machine_lock_fd=
}

ensure_test_user ()
{
  local rc=0
  getent passwd "$TEST_USER" >/dev/null && return 0
  # Two runs starting together would both call useradd; one would fail.
  machine_lock || return 1
  if ! getent passwd "$TEST_USER" >/dev/null; then
    useradd --system --user-group --create-home --shell /bin/bash \
      --comment "bwrap integration tests" "$TEST_USER" || rc=1
  fi
  machine_unlock
  return "$rc"
}

# _start_time PID: field 22 of /proc/PID/stat (after the parenthesised
# command name, which may hold spaces).
_start_time ()
{
  local line f
  { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
  read -r -a f <<<"${line##*) }"
  echo "${f[19]}"
}

# _fuse_prune: forget holders that are gone (SIGKILLed: no trap ran).
_fuse_prune ()
{
  local f pid
  for f in "$MACHINE_STATE"/fuse-users/*; do
    [ -e "$f" ] || continue
    pid=${f##*/}
    [ "$(_start_time "$pid")" = "$(cat "$f" 2>/dev/null)" ] || rm -f "$f"
  done
}

_fuse_held_by_others ()
{
  local f
  for f in "$MACHINE_STATE"/fuse-users/*; do
    [ -e "$f" ] && [ "${f##*/}" != "$$" ] && return 0
  done
  return 1
}

fuse_hold ()
{
  local mode
  [ -c "$FUSE_DEVICE" ] || return 0
  machine_lock || return 1
  _fuse_prune
  mode=$(stat -c '%a' "$FUSE_DEVICE")
  # fuse-mode exists while some run holds the device (or the last holder
  # was SIGKILLed): the mode in it is the one to put back, not today's.
  if [ ! -e "$MACHINE_STATE/fuse-mode" ] && [ "$mode" != 666 ]; then
    echo "$mode" >"$MACHINE_STATE/fuse-mode"
  fi
  [ "$mode" = 666 ] || chmod 0666 "$FUSE_DEVICE"
  _start_time $$ >"$MACHINE_STATE/fuse-users/$$"
  machine_unlock
}

fuse_release ()
{
  [ -e "$MACHINE_STATE/fuse-users/$$" ] || return 0
  machine_lock || return 1
  rm -f "$MACHINE_STATE/fuse-users/$$"
  _fuse_prune
  if ! _fuse_held_by_others && [ -e "$MACHINE_STATE/fuse-mode" ]; then
    chmod "$(cat "$MACHINE_STATE/fuse-mode")" "$FUSE_DEVICE" &&
      rm -f "$MACHINE_STATE/fuse-mode"
  fi
  machine_unlock
}
