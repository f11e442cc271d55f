#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# `meson install --destdir` puts the programs (bwrap, bwrap-changes),
# their man pages and shell completions where the build configuration
# says, and installs the files from the source tree unchanged.
# Environment (from tests/docs/meson.build): MESON, TOP_BUILDDIR, and the
# absolute install locations INSTALL_BINDIR, INSTALL_MANDIR,
# INSTALL_BASH_COMPLETION_DIR, INSTALL_ZSH_COMPLETION_DIR; HAVE_MAN is 1
# when the man page is built.

. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest

# MESON may hold several words (e.g. "python3 /path/meson.py").
read -r -a meson <<< "${MESON:-meson}"
if "${meson[@]}" install -C "$TOP_BUILDDIR" --destdir "$dest" --no-rebuild \
     > "$tmp/install.log" 2>&1; then
  ok "meson install --destdir succeeds"
else
  not_ok "meson install --destdir succeeds"
  diag "$(tail -20 "$tmp/install.log")"
  tap_done
  exit
fi

for program in bwrap bwrap-changes; do
  bin=$dest$INSTALL_BINDIR/$program
  check "$program installed as $INSTALL_BINDIR/$program" test -f "$bin" -a -x "$bin"

  man=$dest$INSTALL_MANDIR/man1/$program.1
  if [ "${HAVE_MAN:-0}" = 1 ]; then
    check "man page installed as $INSTALL_MANDIR/man1/$program.1" test -s "$man"
    # roff escapes the "-" of the name: .TH "BWRAP\-CHANGES" "1"
    title=${program^^}
    check "man page is roff for $program(1)" grep -qF ".TH \"${title//-/\\-}\" \"1\"" "$man"
  else
    skip "man page not built (-Dman, xsltproc, docbook-xsl)"
    skip "man page not built"
  fi

  bash_file=$dest$INSTALL_BASH_COMPLETION_DIR/$program
  check "bash completion installed as $INSTALL_BASH_COMPLETION_DIR/$program" \
    cmp -s "$bash_file" "$TOP_SRCDIR/completions/bash/$program"
  zsh_file=$dest$INSTALL_ZSH_COMPLETION_DIR/_$program
  check "zsh completion installed as $INSTALL_ZSH_COMPLETION_DIR/_$program" \
    cmp -s "$zsh_file" "$TOP_SRCDIR/completions/zsh/_$program"
done

# The default directories must be ones the shells search, or the files are
# installed but never used.  bash-completion loads completions on demand
# from <dir>/bash-completion/completions for each dir of XDG_DATA_DIRS
# (default /usr/local/share:/usr/share) and from its own completionsdir.
if [ "${BASH_COMPLETION_DIR_SET:-0}" = 1 ]; then
  skip "bash completion directory set by -Dbash_completion_dir"
else
  searched=$(
    IFS=:
    for d in ${XDG_DATA_DIRS:-/usr/local/share:/usr/share}; do
      echo "${d%/}/bash-completion/completions"
    done
    pkg-config --variable=completionsdir bash-completion 2> /dev/null
  )
  if grep -qxF -e "${INSTALL_BASH_COMPLETION_DIR%/}" <<< "$searched"; then
    ok "bash-completion searches $INSTALL_BASH_COMPLETION_DIR"
  else
    not_ok "bash-completion searches $INSTALL_BASH_COMPLETION_DIR"
    diag "searched:" $searched
  fi
fi
if [ "${ZSH_COMPLETION_DIR_SET:-0}" = 1 ]; then
  skip "zsh completion directory set by -Dzsh_completion_dir"
elif ! command -v zsh > /dev/null; then
  skip "zsh not installed"
else
  fpath=$(zsh -fc 'print -rl -- $fpath')
  if grep -qxF -e "${INSTALL_ZSH_COMPLETION_DIR%/}" <<< "$fpath"; then
    ok "zsh's default fpath has $INSTALL_ZSH_COMPLETION_DIR"
  else
    not_ok "zsh's default fpath has $INSTALL_ZSH_COMPLETION_DIR"
    diag "for a distribution package pass -Dzsh_completion_dir=<a dir of \$fpath>" \
      "fpath: $(grep -v /functions/ <<< "$fpath" | tr '\n' ' ')"
  fi
fi

# For the log: everything the install put into DESTDIR.
find "$dest" \( -type f -o -type l \) -printf '%P\n' | LC_ALL=C sort > "$tmp/installed"
diag "installed files:" $(cat "$tmp/installed")

tap_done
