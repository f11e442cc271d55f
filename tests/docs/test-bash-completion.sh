#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Drive the bash completion functions of bwrap and bwrap-changes the way
# readline does (COMP_WORDS, COMP_CWORD, COMP_LINE, COMP_POINT) with
# Debian's bash-completion loaded, and check the candidates they leave in
# COMPREPLY.

. "$(dirname "$0")/lib.sh"

bash_completion=${BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}
if [ ! -r "$bash_completion" ]; then
  skip "bash-completion not installed ($bash_completion)"
  tap_done
  exit
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/subdir" "$tmp/subdir2"
: > "$tmp/somefile"

# bash_completion expects an interactive-like shell; it must not see our -u.
set +u
# shellcheck disable=SC1090
. "$bash_completion"
# shellcheck disable=SC1091
. "$TOP_SRCDIR/completions/bash/bwrap"
# shellcheck disable=SC1091
. "$TOP_SRCDIR/completions/bash/bwrap-changes"
# compopt only works while readline runs a completion; here it is a no-op.
compopt () { :; }
set -u

if [ "$(complete -p bwrap 2> /dev/null)" = "complete -F _bwrap bwrap" ]; then
  ok "the file registers _bwrap for bwrap"
else
  not_ok "the file registers _bwrap for bwrap"
fi
if [ "$(complete -p bwrap-changes 2> /dev/null)" = "complete -F _bwrap_changes bwrap-changes" ]; then
  ok "the file registers _bwrap_changes for bwrap-changes"
else
  not_ok "the file registers _bwrap_changes for bwrap-changes"
fi

# complete LINE: complete at the end of LINE; candidates, sorted and
# de-duplicated, one per line in $tmp/reply.
complete_line ()
{
  local line=$1
  COMP_LINE=$line
  COMP_POINT=${#line}
  read -r -a COMP_WORDS <<< "$line"
  if [[ $line == *' ' ]]; then
    COMP_WORDS+=("")
  fi
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  set +u
  if [ "${COMP_WORDS[0]}" = bwrap-changes ]; then
    _bwrap_changes bwrap-changes "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  else
    _bwrap bwrap "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  fi
  set -u
  if [ ${#COMPREPLY[@]} -gt 0 ]; then
    printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort -u > "$tmp/reply"
  else
    : > "$tmp/reply"
  fi
}

# offers LINE WORD...: completing LINE offers every WORD.
offers ()
{
  local line=$1 w missing=
  shift
  complete_line "$line"
  for w in "$@"; do
    grep -qxF -e "$w" "$tmp/reply" || missing="$missing $w"
  done
  if [ -z "$missing" ]; then
    ok "'$line' offers $*"
  else
    not_ok "'$line' offers $*"
    diag "missing:$missing" "got: $(tr '\n' ' ' < "$tmp/reply")"
  fi
}

# lacks LINE WORD...: completing LINE offers none of the WORDs.
lacks ()
{
  local line=$1 w found=
  shift
  complete_line "$line"
  for w in "$@"; do
    grep -qxF -e "$w" "$tmp/reply" && found="$found $w"
  done
  if [ -z "$found" ]; then
    ok "'$line' does not offer $*"
  else
    not_ok "'$line' does not offer $*"
    diag "offered:$found"
  fi
}

# offers_nothing LINE
offers_nothing ()
{
  complete_line "$1"
  if [ ! -s "$tmp/reply" ]; then
    ok "'$1' offers nothing"
  else
    not_ok "'$1' offers nothing"
    diag "got: $(tr '\n' ' ' < "$tmp/reply")"
  fi
}

# all_start_with LINE PREFIX COUNT: COUNT candidates (at least one if COUNT
# is empty), each beginning with PREFIX.
all_start_with ()
{
  local line=$1 prefix=$2 count=$3 n bad
  complete_line "$line"
  n=$(wc -l < "$tmp/reply")
  bad=$(while read -r w; do [[ $w == "$prefix"* ]] || echo "$w"; done < "$tmp/reply")
  if [ -z "$bad" ] && [ "$n" -gt 0 ] && { [ -z "$count" ] || [ "$n" -eq "$count" ]; }; then
    ok "'$line' offers ${count:-some} candidates, all starting with $prefix"
  else
    not_ok "'$line' offers ${count:-some} candidates, all starting with $prefix"
    diag "got $n: $(tr '\n' ' ' < "$tmp/reply")"
  fi
}

# Options.
offers "bwrap --ov" --overlay --overlay-src
all_start_with "bwrap --ov" --ov ""
offers "bwrap --unshare-c" --unshare-cgroup --unshare-cgroup-try
offers "bwrap --" --bind --tmp-overlay --ro-overlay --size --cap-add --version
all_start_with "bwrap --" -- ""
offers "bwrap --unshare-all --ro-b" --ro-bind --ro-bind-data --ro-bind-fd --ro-bind-try

# Capabilities.
offers "bwrap --cap-add CAP_SYS_" CAP_SYS_ADMIN CAP_SYS_PTRACE CAP_SYS_CHROOT CAP_SYS_TTY_CONFIG
all_start_with "bwrap --cap-add CAP_SYS_" CAP_SYS_ 11
all_start_with "bwrap --cap-drop CAP_" CAP_ 41
offers "bwrap --cap-drop " ALL CAP_CHOWN CAP_CHECKPOINT_RESTORE CAP_BPF CAP_PERFMON
offers "bwrap --cap-add cap_net_" cap_net_admin cap_net_bind_service cap_net_broadcast cap_net_raw

# Numbers, fds, labels, modes: nothing to offer.
offers_nothing "bwrap --uid "
offers_nothing "bwrap --gid 10"
offers_nothing "bwrap --args "
offers_nothing "bwrap --size "
offers_nothing "bwrap --perms "
offers_nothing "bwrap --chmod "
offers_nothing "bwrap --bind-fd "
offers_nothing "bwrap --info-fd "
offers_nothing "bwrap --setenv FOO "
offers_nothing "bwrap --hostname "

# Paths: files and directories for SRC/DEST, directories only where a
# directory is needed.
offers "bwrap --bind /us" /usr
offers "bwrap --bind /usr /us" /usr
offers "bwrap --ro-bind $tmp/" "$tmp/subdir" "$tmp/subdir2" "$tmp/somefile"
offers "bwrap --bind-fd 3 $tmp/so" "$tmp/somefile"
offers "bwrap --chmod 0755 $tmp/so" "$tmp/somefile"
offers "bwrap --symlink $tmp/s" "$tmp/somefile" "$tmp/subdir"
offers "bwrap --tmpfs $tmp/" "$tmp/subdir" "$tmp/subdir2"
lacks "bwrap --tmpfs $tmp/" "$tmp/somefile"
offers "bwrap --overlay-src $tmp/" "$tmp/subdir"
lacks "bwrap --overlay-src $tmp/" "$tmp/somefile"
offers "bwrap --overlay-src $tmp/subdir --overlay $tmp/subdir2 $tmp/" "$tmp/subdir"
offers "bwrap --overlay-src /a --overlay /b /c $tmp/" "$tmp/subdir"
lacks "bwrap --overlay-src /a --overlay /b /c $tmp/" "$tmp/somefile"
offers "bwrap --size 1048576 --tmp-overlay $tmp/" "$tmp/subdir"

# Environment variable names.
offers "bwrap --unsetenv HOM" HOME
offers "bwrap --setenv PAT" PATH

# Arity: option arguments are skipped, even when they look like options.
offers "bwrap --bind --foo --bar --un" --unshare-all --unshare-pid
offers "bwrap --overlay a b c --tm" --tmp-overlay --tmpfs
offers "bwrap --setenv A B --die" --die-with-parent

# COMMAND, then its own arguments.
offers "bwrap --ro-bind / / ech" echo
offers "bwrap --ro-bind / / --unshare-all e" echo env
offers "bwrap --bind --foo --bar ech" echo
offers "bwrap -- ech" echo
offers "bwrap --ro-bind / / -- ech" echo
lacks "bwrap --ro-bind / / ech" --overlay
offers "bwrap --ro-bind / / ls /us" /usr
offers "bwrap --ro-bind / / cat $tmp/so" "$tmp/somefile"
offers "bwrap --ro-bind / / ls --al" --all --almost-all
lacks "bwrap --ro-bind / / sh --" --overlay --bind

# bwrap-changes: commands, each command's options, directories for UPPER
# and TARGET, then PATHs from inside TARGET.
offers "bwrap-changes " apply clean diff status --help --version
offers "bwrap-changes st" status
offers "bwrap-changes status -" --exit-code --json --times -z --help
lacks "bwrap-changes status -" --dry-run --allow-special
offers "bwrap-changes apply --" --allow-special --dry-run --json --times
lacks "bwrap-changes diff --" --json --dry-run
offers "bwrap-changes status $tmp/" "$tmp/subdir" "$tmp/subdir2"
lacks "bwrap-changes status $tmp/" "$tmp/somefile"
offers "bwrap-changes status --json $tmp/subdir $tmp/" "$tmp/subdir"
offers "bwrap-changes status $tmp/subdir2 $tmp " somefile subdir/ subdir2/
offers "bwrap-changes apply --dry-run $tmp/subdir2 $tmp so" somefile
offers "bwrap-changes diff $tmp/subdir2 $tmp sub" subdir/ subdir2/
offers_nothing "bwrap-changes clean $tmp/subdir $tmp/subdir2 "

tap_done
