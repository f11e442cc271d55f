#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# The zsh completions of bwrap and bwrap-changes: syntax, the #compdef
# tags, the same options as the bash completion (bwrap's; bwrap-changes'
# are compared with --help by test-changes-documented.sh), and real
# completions typed into an interactive zsh running in a pseudo terminal
# (zsh/zpty).

. "$(dirname "$0")/lib.sh"

zsh_comp=$TOP_SRCDIR/completions/zsh/_bwrap
bash_comp=$TOP_SRCDIR/completions/bash/bwrap

if ! command -v zsh > /dev/null; then
  skip "zsh not installed"
  tap_done
  exit
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in _bwrap _bwrap-changes; do
  if zsh -n "$TOP_SRCDIR/completions/zsh/$f" 2> "$tmp/err"; then
    ok "zsh -n $f"
  else
    not_ok "zsh -n $f"
    diag "$(cat "$tmp/err")"
  fi
  check "$f starts with #compdef ${f#_}" \
    test "$(head -n 1 "$TOP_SRCDIR/completions/zsh/$f")" = "#compdef ${f#_}"
done

sed -n "s/^ *'\(([^)]*)\)\{0,1\}\*\{0,1\}\(--[a-z0-9][a-z0-9-]*\)\[.*/\2/p" "$zsh_comp" \
  | LC_ALL=C sort > "$tmp/zsh"
sed -n 's/^ *\[\(--[a-z0-9][a-z0-9-]*\)\]=.*/\1/p' "$bash_comp" | LC_ALL=C sort > "$tmp/bash"
if [ -s "$tmp/zsh" ] && cmp -s "$tmp/zsh" "$tmp/bash"; then
  ok "_bwrap has one spec for each option of the bash completion ($(wc -l < "$tmp/zsh"))"
else
  not_ok "_bwrap has one spec for each option of the bash completion"
  diag "$(diff "$tmp/bash" "$tmp/zsh")"
fi

# Every option spec names as many arguments as the bash table has kinds.
arity_bad=
while read -r opt; do
  bash_n=$(sed -n "s/^ *\[$opt\]=\"\(.*\)\"/\1/p" "$bash_comp" | wc -w)
  spec=$(grep -e "^ *'\(([^)]*)\)\{0,1\}\*\{0,1\}$opt\[" "$zsh_comp")
  # Arguments are ":message:action" pairs after the "]" of the description.
  rest=${spec#*]}
  colons=${rest//[^:]/}
  zsh_n=$(( ${#colons} / 2 ))
  [ "$bash_n" -eq "$zsh_n" ] || arity_bad="$arity_bad $opt(bash $bash_n, zsh $zsh_n)"
done < "$tmp/zsh"
if [ -z "$arity_bad" ]; then
  ok "bash and zsh completions agree on every option's arity"
else
  not_ok "bash and zsh completions agree on every option's arity"
  diag "$arity_bad"
fi

# Interactive completion.
mkdir "$tmp/out" "$tmp/home" "$tmp/tree" "$tmp/tree/subdir"
: > "$tmp/tree/somefile"
lines=(
  "bwrap --ov"
  "bwrap --cap-add CAP_SYS_"
  "bwrap --uid "
  "bwrap --bind /us"
  "bwrap --tmpfs $tmp/tree/"
  "bwrap --ro-bind $tmp/tree/"
  "bwrap --bind --foo --bar --un"
  "bwrap --overlay-src /a --overlay /b /c $tmp/tree/"
  "bwrap --ro-bind / / ech"
  "bwrap --ro-bind / / -- ech"
  "bwrap-changes "
  "bwrap-changes status -"
  "bwrap-changes apply $tmp/tree/"
  "bwrap-changes status $tmp/tree $tmp/tree "
  "bwrap-changes clean $tmp/tree/"
)
HOME=$tmp/home timeout 60 zsh -f "$(dirname "$0")/zsh-complete.zsh" \
  "$tmp/out" "$(dirname "$zsh_comp")" "${lines[@]}" > "$tmp/zpty.log" 2>&1
status=$?
if [ $status -eq 77 ]; then
  skip "zsh/zpty not available: interactive completion not tested"
  tap_done
  exit
elif [ $status -ne 0 ]; then
  not_ok "interactive zsh completion ran (status $status)"
  diag "$(tail -5 "$tmp/zpty.log")"
  tap_done
  exit
fi

# expect N WANT... [-- UNWANTED...]: candidates for lines[N-1].
expect ()
{
  local n=$1 w missing= found= unwanted=false
  shift
  for w in "$@"; do
    if [ "$w" = "--" ]; then unwanted=true; continue; fi
    if $unwanted; then
      grep -qxF -e "$w" "$tmp/out/$n" && found="$found $w"
    else
      grep -qxF -e "$w" "$tmp/out/$n" || missing="$missing $w"
    fi
  done
  if [ -z "$missing$found" ]; then
    ok "zsh: '${lines[n - 1]}' offers $*"
  else
    not_ok "zsh: '${lines[n - 1]}' offers $*"
    diag "missing:$missing" "unwanted:$found" "got: $(LC_ALL=C sort -u "$tmp/out/$n" | tr '\n' ' ')"
  fi
}

expect 1 --overlay --overlay-src -- --bind --tmpfs
expect 2 CAP_SYS_ADMIN CAP_SYS_PTRACE CAP_SYS_TTY_CONFIG -- CAP_CHOWN
if [ ! -s "$tmp/out/3" ]; then
  ok "zsh: '${lines[2]}' offers nothing"
else
  not_ok "zsh: '${lines[2]}' offers nothing"
  diag "got: $(tr '\n' ' ' < "$tmp/out/3")"
fi
expect 4 usr
expect 5 subdir -- somefile
expect 6 subdir somefile
expect 7 --unshare-all --unshare-pid
expect 8 subdir -- somefile
expect 9 echo -- --overlay
expect 10 echo
expect 11 apply clean diff status
expect 12 --exit-code --json --times -z -- --dry-run
expect 13 subdir -- somefile
expect 14 subdir somefile
expect 15 subdir -- somefile

tap_done
