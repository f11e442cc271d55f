#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# The whole-system copy-on-write workflow as README's worked example shows
# it (issue 27): the example run verbatim with the changes directory in
# /tmp and in the home directory, writes to existing files next to RWSRC
# landing in RWSRC, no empty directory per entry in RWSRC; RWSRC inside a
# layer without a split (the kernel's ELOOP) and inside a split piece
# (covered); the files of a home directory holding the user's FUSE mount
# still writable, and the copy bound's warning; a FUSE mount of root
# without allow_other answering "Permission denied" as on the host; as
# root, a package removal inside --overlay-src / --tmp-overlay / with the
# options README gives, and the failure README explains for
# --unshare-all.
#
# The home directory is a temporary one inside TEST_TMP (HOME is set for
# bwrap's runs), so nothing of the real one is read or changed.  Runs
# over the host root meet the mounts of other test runs coming and going
# below /tmp: host_root_run (lib.sh) retries them, as
# test-overlay-split.sh does.

. "$(dirname "$0")/lib.sh"

T=$TEST_TMP

if is_setuid; then
  skip_all "setuid mode refuses every overlay option (test-overlay.sh checks the refusal)"
fi
is_root || require have_overlay_userns
require have_squashfuse

# A name no other run uses, for a file of our own directly in /tmp.
name=bwrap-cow-$$-$RANDOM
# _lib_cleanup reads the script's status from $?: hand it on.
trap '_rc=$?; rm -f "/tmp/$name"; (exit $_rc); _lib_cleanup' EXIT
echo mine >"/tmp/$name"

export HOME=$T/home
mkdir -p "$HOME"
printf 'profile\n' >"$HOME/.profile"
printf 'history\n' >"$HOME/.bash_history"
SB=(--proc /proc --dev /dev --unshare-all --die-with-parent)

# no_trouble DESC: the run printed no error and no warning about our own
# paths.  (As root, other test runs' files beside their mounts in /tmp
# are readable, so a warning about one of theirs may come: not ours.  A
# sanitizer build's runtime notes pid 1's own stack: not ours either.)
no_trouble ()
{
  local err
  err=$(grep -v -e '^==[0-9]*==WARNING: ASan is ignoring requested __asan_handle_no_return' \
    -e '^False positive error reports may follow' -e '^For details see https://github.com/google/sanitizers/issues/189' \
    <<<"$RUN_ERR")
  assert_eq "$(grep -v '^bwrap: warning: ' <<<"$err"; grep -F -e "$T" -e "/tmp/$name" <<<"$err")" "" "$1"
}

# our_entries DIR: the names in DIR that belong to the caller (as root, a
# directory of another user's with a mount below it may stay, see above).
our_entries ()
{
  find "$1" -mindepth 1 -maxdepth 1 -user "$HOST_UID" -printf '%f\n' | LC_ALL=C sort
}

# empty_dirs_left RWSRC: the empty directories left in RWSRC whose parent
# belongs to the caller (the monitor removes, with the caller's rights
# only, the piece uppers nobody used; as root, one inside another user's
# directory stays).
empty_dirs_left ()
{
  find "$1" -mindepth 1 -type d -empty 2>/dev/null | while read -r d; do
    [ "$(stat -c %u "$(dirname "$d")")" = "$HOST_UID" ] && echo "$d"
  done
}

# ------------------------------------------------------------ README, changes in /tmp

# README's command, word for word but for the paths (TEST_TMP is in /tmp)
# and two more writes: to an existing file next to RWSRC and to one of
# ours directly in /tmp.
mkdir -p "$T/try"
echo neighbour >"$T/try/neighbour"
README_CMD="echo hello >/tmp/note; echo x >>~/.profile; rm -f ~/.bash_history; mkdir -p ~/new/dir; echo x >>$T/try/neighbour; echo x >>/tmp/$name"
FRESH="$T/try/changes $T/try/work" host_root_run --overlay-src / --overlay "$T/try/changes" "$T/try/work" / \
  "${SB[@]}" sh -c "$README_CMD"
C=$T/try/changes
assert_rc 0 "README example, changes in /tmp: runs"
no_trouble "README example, changes in /tmp: no error, no warning"
assert_file_content "$C/tmp/note" hello "README example: a new file in /tmp lands in RWSRC"
assert_file_content "$C$HOME/.profile" "profile
x" "README example: an existing dotfile is changed, in RWSRC"
check "README example: the deleted dotfile is a whiteout in RWSRC" is_whiteout "$C$HOME/.bash_history"
check "README example: a new directory lands in RWSRC" test -d "$C$HOME/new/dir"
assert_file_content "$C$T/try/neighbour" "neighbour
x" "changes in /tmp: a write to an existing file next to RWSRC lands in RWSRC"
assert_file_content "$C/tmp/$name" "mine
x" "changes in /tmp: a write to an existing file directly in /tmp lands in RWSRC"
assert_file_content "/tmp/$name" mine "changes in /tmp: the host's file is untouched"
assert_file_content "$T/try/neighbour" neighbour "changes in /tmp: the neighbour on the host is untouched"
assert_file_content "$HOME/.bash_history" history "changes in /tmp: the deleted dotfile is still on the host"
assert_eq "$(our_entries "$C/tmp" | grep -vxF -e note -e "$name" -e "$(basename "$T")")" "" \
  "changes in /tmp: RWSRC/tmp holds what was written, no directory per entry of /tmp"
assert_eq "$(empty_dirs_left "$C")" "$C$HOME/new/dir" "changes in /tmp: no empty directory left in RWSRC but the command's own"

# A second run sees the first one's changes.
FRESH= host_root_run --overlay-src / --overlay "$T/try/changes" "$T/try/work" / "${SB[@]}" \
  sh -c "cat /tmp/note ~/.profile; test -e ~/.bash_history || echo deleted"
assert_stdout_is "hello
profile
x
deleted" "README example: a second run over the same changes sees them"

# ------------------------------------------------------------ README, changes in the home directory

rm -rf "$HOME/new"
mkdir -p "$HOME/try"
echo neighbour >"$HOME/try/neighbour"
README_HOME="echo hello >/tmp/note; echo x >>~/.profile; rm -f ~/.bash_history; mkdir -p ~/new/dir; echo x >>~/try/neighbour"
FRESH="$HOME/try/changes $HOME/try/work" host_root_run --overlay-src / \
  --overlay "$HOME/try/changes" "$HOME/try/work" / "${SB[@]}" sh -c "$README_HOME"
C=$HOME/try/changes
assert_rc 0 "README example, changes in the home directory: runs"
no_trouble "README example, changes in the home directory: no error, no warning"
assert_file_content "$C$HOME/.profile" "profile
x" "changes in the home directory: a dotfile next to them is changed, in RWSRC"
check "changes in the home directory: the deleted dotfile is a whiteout" is_whiteout "$C$HOME/.bash_history"
assert_file_content "$C$HOME/try/neighbour" "neighbour
x" "changes in the home directory: a write to an existing file next to RWSRC lands in RWSRC"
assert_file_content "$C/tmp/note" hello "changes in the home directory: a new file in /tmp lands in RWSRC"
assert_eq "$(ls -A "$C$HOME" | LC_ALL=C sort | tr '\n' ' ')" ".bash_history .profile new try " \
  "changes in the home directory: RWSRC has the home's changes only, no directory per entry"
assert_eq "$(empty_dirs_left "$C")" "$C$HOME/new/dir" "changes in the home directory: no empty directory left in RWSRC but the command's own"
assert_file_content "$HOME/.profile" profile "changes in the home directory: the host's dotfile is untouched"

# ------------------------------------------------------------ RWSRC inside a layer

# Without a mount below the layer nothing is split: the kernel refuses
# the upper's and work directory's own paths in the merged view (ELOOP),
# and the files next to them are ordinary overlay files.
mkdir -p "$T/l/rw" "$T/l/wk" "$T/l/d"
echo f >"$T/l/f"
echo g >"$T/l/d/g"
run_bwrap "${BASE[@]}" --overlay-src "$T/l" --overlay "$T/l/rw" "$T/l/wk" /o \
  sh -c 'ls /o | tr "\n" " "; for p in rw wk; do ls /o/$p 2>&1 | sed "s/.*: //"; done; echo x >>/o/f; echo y >/o/d/new; cat /o/f'
assert_rc 0 "RWSRC inside a layer without mounts: runs"
assert_stdout_is "d f rw wk Too many levels of symbolic links
Too many levels of symbolic links
f
x" "RWSRC inside a layer without mounts: listed, but their paths answer ELOOP; the files next to them are writable"
assert_file_content "$T/l/rw/f" "f
x" "RWSRC inside a layer without mounts: the change lands in RWSRC"
assert_eq "$(ls -A "$T/l/rw" | tr '\n' ' ')" "d f " "RWSRC inside a layer without mounts: nothing but the changes in RWSRC"

# A piece whose lower holds RWSRC (the layer has a mount elsewhere): the
# path shows an empty read-only directory, bwrap's cover.
mkdir -p "$T/s/a/rw" "$T/s/a/wk" "$T/sqsrc"
echo e >"$T/s/a/e"
echo q >"$T/sqsrc/q"
squashfs_of "$T/sqsrc" "$T/s/m" || skip_all "cannot mount a squashfs image with squashfuse"
run_bwrap "${BASE[@]}" --dev /dev --overlay-src "$T/s" --overlay "$T/s/a/rw" "$T/s/a/wk" /o \
  sh -c 'ls -A /o/a/rw /o/a/wk | tr "\n" " "; { echo n >/o/a/rw/n; } 2>/dev/null || echo ro; echo x >>/o/a/e; cat /o/m/q'
assert_stdout_is "/o/a/rw:  /o/a/wk: ro
q" "RWSRC inside a split piece: covered, empty and read-only; the piece and the mount work"
assert_file_content "$T/s/a/rw/a/e" "e
x" "RWSRC inside a split piece: a change next to it lands in RWSRC"

# ------------------------------------------------------------ a FUSE mount in the home directory

# A home directory of 1,000 dotfiles holding the user's squashfuse mount
# (the common case: sshfs, rclone): the dotfiles stay writable and
# deletable, the mount works, the host is untouched.
H2=$T/home2
mkdir -p "$H2"
for i in $(seq 1000); do echo "$i" >"$H2/.dot$i"; done
squashfs_of "$T/sqsrc" "$H2/mnt" || skip_all "cannot mount a squashfs image with squashfuse"
FUSE_CMD='echo x >>~/.dot1 && rm ~/.dot2 && mv ~/.dot3 ~/.moved && echo n >~/new && cat ~/mnt/q && echo y >~/mnt/y && cat ~/.dot1 ~/.moved ~/mnt/y | tr "\n" " "'
HOME=$H2 host_root_run --overlay-src / --tmp-overlay / "${SB[@]}" sh -c "$FUSE_CMD"
assert_rc 0 "FUSE mount in the home directory: runs"
assert_stdout_is "q
1 x 3 y " "FUSE mount in the home directory: dotfiles changed, deleted and renamed; the mount reads and takes writes"
no_trouble "FUSE mount in the home directory: no warning"
check "FUSE mount in the home directory: the host is untouched" \
  test "$(cat "$H2/.dot1")" = 1 -a -e "$H2/.dot2" -a -e "$H2/.dot3" -a ! -e "$H2/new" -a ! -e "$H2/.moved"

mkdir -p "$T/h2rw" "$T/h2wk"
FRESH="$T/h2rw $T/h2wk" HOME=$H2 host_root_run --overlay-src / --overlay "$T/h2rw" "$T/h2wk" / "${SB[@]}" \
  sh -c "$FUSE_CMD"
assert_file_content "$T/h2rw$H2/.dot1" "1
x" "FUSE mount in the home directory, --overlay: a changed dotfile lands in RWSRC"
check "FUSE mount in the home directory, --overlay: a deleted dotfile is a whiteout" is_whiteout "$T/h2rw$H2/.dot2"
assert_eq "$(ls -A "$T/h2rw$H2" | LC_ALL=C sort | tr '\n' ' ')" ".dot1 .dot2 .dot3 .moved mnt new " \
  "FUSE mount in the home directory, --overlay: only the changed dotfiles are in RWSRC, not the 1,000"

# The copy's bound: a file larger than what is left stays read-only, and
# one warning line names its directory before the command runs.
mkdir -p "$T/big"
truncate -s $((17 << 20)) "$T/big/huge"
echo s >"$T/big/small"
squashfs_of "$T/sqsrc" "$T/big/mnt" || skip_all "cannot mount a squashfs image with squashfuse"
run_bwrap "${BASE[@]}" --overlay-src "$T/big" --tmp-overlay /o \
  sh -c 'echo x >>/o/small && cat /o/small | tr "\n" " "; { echo x >>/o/huge; } 2>&1 | sed "s/.*: //"'
assert_stdout_is "s x Read-only file system" "copy bound: small files writable, a file over the bound read-only"
assert_stderr_is "bwrap: warning: $T/big is on the path to a mount, so bwrap copies its files to keep them writable, up to 16 MiB in all; 1 of them (huge) did not fit or could not be read: read-only in /o" \
  "copy bound: one warning line names the directory"

# ------------------------------------------------------------ root's FUSE mount

# A FUSE mount of root without allow_other answers another user
# "Permission denied" (its server refuses even stat); so it must inside
# the overlay, listed in its parent.  Only root can make one: as root the
# unprivileged side runs bwrap as nobody.  As the user, the user's own
# mount above answers as on the host.
if is_root && command -v setpriv >/dev/null; then
  mkdir -p "$T/rf/d"
  squashfs_of "$T/sqsrc" "$T/rf/fuse" || skip_all "cannot mount a squashfs image with squashfuse"
  chmod 755 "$T" "$T/rf"
  FZ='ls /o; ls /o/fuse 2>&1 | sed "s/.*: //"; stat /o/fuse 2>&1 | sed "s/.*: //"'
  run setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$BWRAP" "${BASE[@]}" --overlay-src "$T/rf" --tmp-overlay /o sh -c "$FZ"
  assert_stdout_is "d
fuse
Permission denied
Permission denied" "root's FUSE mount, seen by another user: listed, and Permission denied as on the host"
  run_bwrap "${BASE[@]}" --overlay-src "$T/rf" --tmp-overlay /o sh -c 'ls /o/fuse'
  assert_stdout_is q "root's FUSE mount, seen by root: readable as on the host"
  HOME=/ host_root_run --overlay-src / --tmp-overlay / --proc /proc --dev /dev sh -c "ls $T/rf/fuse"
  assert_stdout_is q "root's FUSE mount in the whole-system overlay, as root: readable"
  chmod 700 "$T"
else
  skip_n 3 "only root can make a FUSE mount of root's; the user's own mount is tested above" "root's FUSE mount"
fi

# ------------------------------------------------------------ root's package manager

# --unshare-all adds a user namespace that maps uid 0 alone: apt's
# sandbox user cannot be switched to (README's worked example says so).
# Without it, as README says, removing a package works and the host
# keeps it.  zsh: .ci/run installs it.
if is_root && dpkg -s zsh 2>/dev/null | grep -q '^Status: install ok installed'; then
  host_root_run --overlay-src / --tmp-overlay / --proc /proc --dev /dev --unshare-all \
    sh -c 'apt-get remove -y zsh >/dev/null 2>&1 || echo failed'
  assert_stdout_is failed "root, --unshare-all: apt-get remove fails in the one-uid user namespace, as README says"
  host_root_run --overlay-src / --tmp-overlay / --proc /proc --dev /dev \
    --unshare-pid --unshare-ipc --unshare-uts --unshare-net \
    sh -c 'dpkg --no-triggers --remove zsh >/dev/null && dpkg -s zsh | grep ^Status; test -e /usr/bin/zsh || echo gone'
  assert_stdout_is "Status: deinstall ok config-files
gone" "root, README's options: the package is removed inside"
  check "root: the host still has the package" sh -c 'dpkg -s zsh | grep -q "^Status: install ok installed" && test -x /usr/bin/zsh'
else
  skip_n 3 "$(is_root && echo "zsh is not installed (.ci/run installs it)" || echo "needs root")" "root's package manager"
fi

done_testing
