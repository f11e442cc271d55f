#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# HACKING.md is the map of the source tree: it must name every .c file of
# the repository (git ls-files '*.c') by its path from the top, so a new
# file cannot land without a line saying what it is; every .c or .h path
# it names must exist, so a renamed or removed file cannot leave a stale
# line behind; and README.md must link to it.
# A name counts only as a whole path: "options.c" is not satisfied by
# "test-options.c" or "tests/unit/options.c".
# Outside a git checkout (a release tarball) the .c files are found with
# find, skipping .git and meson build directories.

. "$(dirname "$0")/lib.sh"

hacking=$TOP_SRCDIR/HACKING.md
readme=$TOP_SRCDIR/README.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The repository's .c files, one path a line relative to the top, sorted.
list_c_files ()
{
  if git -C "$TOP_SRCDIR" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    git -C "$TOP_SRCDIR" ls-files -- '*.c'
  else
    (cd "$TOP_SRCDIR" \
       && find . \( -name .git -o -type d -exec test -d '{}/meson-private' \; \) -prune \
            -o -type f -name '*.c' -print \
       | sed 's|^\./||')
  fi | LC_ALL=C sort -u
}

# is_named PATH: HACKING.md has PATH as a whole token (nothing path-like
# glued before it, no name character after it).
is_named ()
{
  grep -qP "(?<![A-Za-z0-9_./-])\\Q$1\\E(?![A-Za-z0-9_])" "$hacking"
}

if [ ! -f "$hacking" ]; then
  not_ok "HACKING.md exists at the top of the repository"
  tap_done
  exit
fi
ok "HACKING.md exists at the top of the repository"

if grep -q '](HACKING\.md\(#[^)]*\)\{0,1\})' "$readme"; then
  ok "README.md links to HACKING.md"
else
  not_ok "README.md links to HACKING.md"
  diag "expected a Markdown link like [HACKING.md](HACKING.md) in README.md"
fi

list_c_files > "$tmp/c-files"
n_files=$(wc -l < "$tmp/c-files")
if [ "$n_files" -gt 0 ]; then
  ok "the repository has $n_files .c files"
else
  not_ok "the repository has .c files"
fi

missing=()
while read -r f; do
  is_named "$f" || missing+=("$f")
done < "$tmp/c-files"
if [ ${#missing[@]} -eq 0 ]; then
  ok "HACKING.md names every .c file"
else
  not_ok "HACKING.md names every .c file (missing: ${missing[*]})"
  diag "HACKING.md does not name these files (write each path as git ls-files" \
       "prints it, in the section \"Where things are\", with what the file owns" \
       "and which process runs it):"
  diag "${missing[@]/#/  }"
fi

# Paths HACKING.md names that end in .c or .h; <sys/foo.h>-style system
# headers are skipped.
grep -oP '(?<![A-Za-z0-9_./<-])[A-Za-z0-9_][A-Za-z0-9_./-]*\.[ch](?![A-Za-z0-9_])' "$hacking" \
  | LC_ALL=C sort -u > "$tmp/named"
stale=()
while read -r f; do
  [ -f "$TOP_SRCDIR/$f" ] || stale+=("$f")
done < "$tmp/named"
if [ ${#stale[@]} -eq 0 ]; then
  ok "every .c and .h file HACKING.md names exists ($(wc -l < "$tmp/named") named)"
else
  not_ok "every .c and .h file HACKING.md names exists (stale: ${stale[*]})"
  diag "HACKING.md names files that are not in the source tree (renamed or" \
       "removed?): update or remove their lines:"
  diag "${stale[@]/#/  }"
fi

tap_done
