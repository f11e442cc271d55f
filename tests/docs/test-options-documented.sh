#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Every option `bwrap --help` prints has a man page entry and is known to
# both shell completions, and none of them knows an option bwrap lacks.
# The completion lists must stay sorted (LC_ALL=C), so that a missing or
# extra option shows in a diff at once.
# Optional: BWRAP_MAN, the built bwrap.1, must render without groff
# warnings and mention every option.

. "$(dirname "$0")/lib.sh"

man_xml=$TOP_SRCDIR/doc/bwrap.xml
bash_comp=$TOP_SRCDIR/completions/bash/bwrap
zsh_comp=$TOP_SRCDIR/completions/zsh/_bwrap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if "$BWRAP" --help > "$tmp/help.txt" 2> "$tmp/help.err"; then
  ok "bwrap --help exits 0"
else
  not_ok "bwrap --help exits 0"
  diag "$(cat "$tmp/help.err")"
fi
help_options > "$tmp/help"
if [ -s "$tmp/help" ]; then
  ok "bwrap --help lists $(wc -l < "$tmp/help") options"
else
  not_ok "bwrap --help lists options"
fi

# compare NAME LISTFILE: LISTFILE (sorted) against the --help options.
compare ()
{
  local name=$1 list=$2 missing extra
  missing=$(LC_ALL=C comm -23 "$tmp/help" "$list")
  extra=$(LC_ALL=C comm -13 "$tmp/help" "$list")
  if [ -z "$missing" ]; then
    ok "$name: has every option of bwrap --help"
  else
    not_ok "$name: has every option of bwrap --help"
    diag "missing:" $missing
  fi
  if [ -z "$extra" ]; then
    ok "$name: has no option that bwrap --help lacks"
  else
    not_ok "$name: has no option that bwrap --help lacks"
    diag "not in bwrap --help:" $extra
  fi
}

# is_sorted NAME FILE: FILE's lines (in order of appearance) are C-sorted.
is_sorted ()
{
  if LC_ALL=C sort -c "$2" 2> "$tmp/sort.err"; then
    ok "$1: options sorted in LC_ALL=C order"
  else
    not_ok "$1: options sorted in LC_ALL=C order"
    diag "$(cat "$tmp/sort.err")"
  fi
}

man_options "$man_xml" > "$tmp/man"
compare "doc/bwrap.xml" "$tmp/man"

# bash: the keys of the bwrap_opts table, in file order.
sed -n 's/^ *\[\(--[a-z0-9][a-z0-9-]*\)\]=.*/\1/p' "$bash_comp" > "$tmp/bash.order"
LC_ALL=C sort -u "$tmp/bash.order" > "$tmp/bash"
compare "completions/bash/bwrap" "$tmp/bash"
is_sorted "completions/bash/bwrap" "$tmp/bash.order"

# zsh: one _arguments spec per option, '(excl)*--name[description]...'.
sed -n "s/^ *'\(([^)]*)\)\{0,1\}\*\{0,1\}\(--[a-z0-9][a-z0-9-]*\)\[.*/\2/p" "$zsh_comp" > "$tmp/zsh.order"
LC_ALL=C sort -u "$tmp/zsh.order" > "$tmp/zsh"
compare "completions/zsh/_bwrap" "$tmp/zsh"
is_sorted "completions/zsh/_bwrap" "$tmp/zsh.order"

if [ -n "${BWRAP_MAN:-}" ] && [ -f "$BWRAP_MAN" ]; then
  if command -v groff > /dev/null; then
    LC_ALL=C.UTF-8 groff -ww -man -Tutf8 "$BWRAP_MAN" 2> "$tmp/groff.err" \
      | sed 's/.\x08//g' > "$tmp/man.txt"
    if [ -s "$tmp/man.txt" ] && [ ! -s "$tmp/groff.err" ]; then
      ok "bwrap.1 renders without groff warnings"
    else
      not_ok "bwrap.1 renders without groff warnings"
      diag "$(head -20 "$tmp/groff.err")"
    fi
    missing=
    while read -r opt; do
      grep -q -e "$opt\$" -e "$opt " "$tmp/man.txt" || missing="$missing $opt"
    done < "$tmp/help"
    if [ -z "$missing" ]; then
      ok "bwrap.1 mentions every option"
    else
      not_ok "bwrap.1 mentions every option"
      diag "missing:$missing"
    fi
  else
    skip "groff not installed"
  fi
else
  skip "man page not built (-Dman, xsltproc, docbook-xsl)"
fi

tap_done
