# SPDX-License-Identifier: LGPL-2.0-or-later
# Helper for test-zsh-completion.sh: run an interactive zsh in a pseudo
# terminal, type each line given as an argument followed by TAB, and record
# the candidates completion adds for line N in $OUTDIR/N (one per line).
# Usage: zsh -f zsh-complete.zsh OUTDIR FPATHDIR LINE...
# Exits 77 when the zsh/zpty module is unavailable.

zmodload zsh/zpty 2> /dev/null || exit 77
outdir=$1 fpathdir=$2
shift 2

# Runs inside the interactive zsh: completion system with our function
# first in fpath, and a compadd that logs what it really adds.
cat > $outdir/setup.zsh <<SETUP
fpath=($fpathdir \$fpath)
autoload -Uz compinit && compinit -u -D
zstyle ':completion:*' menu no
compadd ()
{
  # -O, -A and -D only fill arrays for the caller; nothing is added.
  if [[ \${(j: :)@} == *-[OAD]\ * ]]; then
    builtin compadd "\$@"
    return
  fi
  local -a added
  builtin compadd -A added "\$@"
  (( \$#added )) && print -rl -- \$added >> \$ZOUT
  builtin compadd "\$@"
}
SETUP

zpty z zsh -f -i || exit 77
# Prompts are built by concatenation so that the echoed command line never
# contains the marker the reader waits for.
zpty -w z "source $outdir/setup.zsh; ZOUT=$outdir/1; : > \$ZOUT; PS1='<''P1>'"
zpty -r z junk '*<P1>' || exit 1
n=1
for line in "$@"; do
  zpty -n -w z "$line"$'\t'
  next=$((n + 1))
  zpty -w z $'\C-u'"ZOUT=$outdir/$next; : > \$ZOUT; PS1='<''P$next>'"
  zpty -r z junk "*<P$next>" || exit 1
  n=$next
done
zpty -w z $'\C-u'exit
zpty -d z
exit 0
