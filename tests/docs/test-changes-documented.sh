#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# bwrap-changes is documented: every command and option of its --help has
# an entry in doc/bwrap-changes.xml, and each option is known to the bash
# and zsh completions of exactly the commands --help gives it (lists kept
# in LC_ALL=C order); the man page names every status letter and every
# JSON field and value the program can print (taken from changes/report.c
# and changes/entry.c, so a new one cannot go undocumented).  Optional:
# BWRAP_CHANGES_MAN, the built page, renders without groff warnings.

. "$(dirname "$0")/lib.sh"

man_xml=$TOP_SRCDIR/doc/bwrap-changes.xml
bash_comp=$TOP_SRCDIR/completions/bash/bwrap-changes
zsh_comp=$TOP_SRCDIR/completions/zsh/_bwrap-changes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if "$BWRAP_CHANGES" --help > "$tmp/help" 2> "$tmp/help.err"; then
  ok "bwrap-changes --help exits 0"
else
  not_ok "bwrap-changes --help exits 0"
  diag "$(cat "$tmp/help.err")"
fi
# "    status   ..." under Commands:, "    --json   status, apply: ..." under Options:.
sed -n '/^Commands:/,/^$/s/^    \([a-z][a-z-]*\) .*/\1/p' "$tmp/help" | LC_ALL=C sort > "$tmp/commands"
sed -n '/^Options:/,$s/^    \(--*[a-z][a-z-]*\) .*/\1/p' "$tmp/help" | LC_ALL=C sort > "$tmp/options"
check "--help lists 4 commands" test "$(wc -l < "$tmp/commands")" = 4
check "--help lists options" test -s "$tmp/options"

missing=
while read -r word; do
  grep -q "<term><option>$word</option></term>" "$man_xml" || missing="$missing $word"
done < <(cat "$tmp/commands" "$tmp/options")
if [ -z "$missing" ]; then
  ok "doc/bwrap-changes.xml has an entry for every command and option"
else
  not_ok "doc/bwrap-changes.xml has an entry for every command and option"
  diag "missing:$missing"
fi

# same_sorted WHAT WANT HAVE: HAVE (in file order) is sorted and holds
# what WANT (sorted) holds.
same_sorted ()
{
  if LC_ALL=C sort -c "$3" 2> /dev/null && cmp -s "$2" <(LC_ALL=C sort "$3"); then
    ok "$1"
  else
    not_ok "$1"
    diag "want: $(tr '\n' ' ' < "$2")" "have: $(tr '\n' ' ' < "$3")"
  fi
}

# Per command, the options --help gives it ("status, apply: ...").
for command in $(cat "$tmp/commands"); do
  sed -n "/^Options:/,\$s/^    \(--*[a-z][a-z-]*\)  *\([a-z, ]*\):.*/\1 \2/p" "$tmp/help" |
    awk -v c="$command" '{ for (i = 2; i <= NF; i++) { gsub(",", "", $i); if ($i == c) print $1 } }' |
    LC_ALL=C sort > "$tmp/want.$command"
  # bash: [command]="options" in the changes_opts table.
  sed -n "s/^ *\[$command\]=\"\(.*\)\"/\1/p" "$bash_comp" | tr ' ' '\n' | sed '/^$/d' > "$tmp/bash.$command"
  same_sorted "completions/bash/bwrap-changes: the options of $command, sorted" \
    "$tmp/want.$command" "$tmp/bash.$command"
  # zsh: the option specs between "    command)" and ";;".
  sed -n "/^    $command)/,/;;/p" "$zsh_comp" |
    sed -n "s/^ *'\(([^)]*)\)\{0,1\}\(--*[a-z][a-z-]*\)\[.*/\2/p" > "$tmp/zsh.$command"
  same_sorted "completions/zsh/_bwrap-changes: the options of $command, sorted" \
    "$tmp/want.$command" "$tmp/zsh.$command"
done

# Status letters and the JSON output, from the code that prints them.
missing=
for letter in A M D T; do
  grep -q "<term><literal>$letter</literal></term>" "$man_xml" || missing="$missing $letter"
done
{
  grep -o '\\"[a-z_0-9]*\\":' "$TOP_SRCDIR/changes/report.c" | tr -d '\\":'
  for fn in change_name change_what_name entry_type_name; do
    sed -n "/^$fn (/,/^}/p" "$TOP_SRCDIR/changes/entry.c" | grep -o 'return "[a-z-]*"' | cut -d'"' -f2
  done
} | grep -v -x -e none -e unknown | LC_ALL=C sort -u > "$tmp/json-words"
check "the code prints JSON words (found $(wc -l < "$tmp/json-words"))" test "$(wc -l < "$tmp/json-words")" -gt 20
while read -r word; do
  grep -q "<literal>$word</literal>" "$man_xml" || missing="$missing $word"
done < "$tmp/json-words"
if [ -z "$missing" ]; then
  ok "the man page names every status letter and every JSON field and value"
else
  not_ok "the man page names every status letter and every JSON field and value"
  diag "missing:$missing"
fi

if [ -n "${BWRAP_CHANGES_MAN:-}" ] && [ -f "$BWRAP_CHANGES_MAN" ] && command -v groff > /dev/null; then
  LC_ALL=C.UTF-8 groff -ww -man -Tutf8 "$BWRAP_CHANGES_MAN" > "$tmp/man.txt" 2> "$tmp/groff.err"
  if [ -s "$tmp/man.txt" ] && [ ! -s "$tmp/groff.err" ]; then
    ok "bwrap-changes.1 renders without groff warnings"
  else
    not_ok "bwrap-changes.1 renders without groff warnings"
    diag "$(head -20 "$tmp/groff.err")"
  fi
else
  skip "bwrap-changes.1 not built, or no groff"
fi

tap_done
