# SPDX-License-Identifier: LGPL-2.0-or-later
# Shared TAP helpers for the docs suite (sourced by the test-*.sh scripts).
# Environment, set by tests/docs/meson.build:
#   BWRAP          the built binary
#   TOP_SRCDIR     source tree root
#   TOP_BUILDDIR   build tree root

set -u

tap_n=0
tap_failed=0

ok ()
{
  tap_n=$((tap_n + 1))
  echo "ok $tap_n - $*"
}

not_ok ()
{
  tap_n=$((tap_n + 1))
  tap_failed=$((tap_failed + 1))
  echo "not ok $tap_n - $*"
}

skip ()
{
  tap_n=$((tap_n + 1))
  echo "ok $tap_n # SKIP $*"
}

# check DESCRIPTION COMMAND...: one TAP line from a command's status.
check ()
{
  local what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}

diag ()
{
  printf '%s\n' "$@" | sed 's/^/# /'
}

tap_done ()
{
  echo "1..$tap_n"
  [ "$tap_failed" -eq 0 ]
}

# Options printed by `bwrap --help`, one per line, sorted (LC_ALL=C).  The
# usage text has one option per line at a 4-space indent; a wrapped
# description continues at a deeper indent and is ignored.
help_options ()
{
  "$BWRAP" --help | sed -n 's/^    \(--[a-z0-9][a-z0-9-]*\).*/\1/p' | LC_ALL=C sort -u
}

# Option-like tokens in a file, one per line, sorted.
file_option_tokens ()
{
  grep -o -e '--[a-z0-9][a-z0-9-]*' "$1" | LC_ALL=C sort -u
}

# Options documented as man page entries (<term><option>--x ...).
man_options ()
{
  sed -n 's/.*<term><option>\(--[a-z0-9][a-z0-9-]*\).*/\1/p' "$1" | LC_ALL=C sort -u
}
