#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# bwrap-changes (issue 26): status, diff, apply and clean on the upper
# directories of real bwrap overlay runs (and a few made by hand where
# only a hand can make them: the xattr forms of whiteouts and opaque
# directories, symlinks planted in UPPER, a tree 3000 levels deep).
# Every case is one state of the upper directory, with the exact status
# lines expected; apply is checked against what the sandbox saw, patch -p1
# against apply, confinement against a directory outside TARGET.
#
# Modes: as root, owners are compared and applied; as a user they are
# not (every upper entry is the user's).  Setuid mode refuses the
# overlay options (test-overlay.sh checks the refusal): skipped there.
# Under deny-mount-api (suites legacy-*) openat2 is denied, so apply
# confines itself with resolve-walk.c's walk instead: same expectations.

. "$(dirname "$0")/lib.sh"

if is_setuid; then
  skip_all "setuid mode refuses the overlay options (test-overlay.sh checks that)"
fi
is_root || require have_overlay_userns

CH=${BWRAP_CHANGES:-$(dirname "$(command -v "$BWRAP")")/bwrap-changes}
[ -x "$CH" ] || skip_all "no bwrap-changes beside $BWRAP (set BWRAP_CHANGES)"
T=$TEST_TMP

# ------------------------------------------------------------ helpers

# case_dir NAME: $T/NAME with lower/, up/ and wk/; prints its path.
case_dir ()
{
  mkdir -p "$T/$1/lower" "$T/$1/up" "$T/$1/wk"
  echo "$T/$1"
}

# sandbox DIR SCRIPT: run SCRIPT with sh in /t, an overlay of DIR/lower
# whose writes go to DIR/up.
sandbox ()
{
  run_bwrap "${BASE[@]}" --proc /proc --dev /dev \
    --overlay-src "$1/lower" --overlay "$1/up" "$1/wk" /t --chdir /t sh -c "$2"
  [ "$RUN_RC" = 0 ] || diag "sandbox failed ($RUN_RC): $RUN_ERR"
}

# ch ARGS...: run bwrap-changes (RUN_OUT, RUN_ERR, RUN_RC as for run).
ch () { run "$CH" "$@"; }

# What a tree looks like: names, types, modes, sizes, link targets, file
# times (not with TREE_TIMES=0) and checksums (directory times change
# with every entry made).
tree_view ()
{
  local times='|%T@'
  [ "${TREE_TIMES:-1}" = 1 ] || times=
  (
    cd "$1" || exit 1
    find . -mindepth 1 \( -type d -printf '%P|d|%m\n' \) -o -printf "%P|%y|%m|%s|%l$times\\n" |
      LC_ALL=C sort
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
  )
}

# The same as the sandbox sees DIR's overlay (DIR/lower + DIR/up).
merged_view ()
{
  "$BWRAP" "${BASE[@]}" --dev /dev --overlay-src "$1/lower" --overlay "$1/up" "$1/wk" /t \
    bash -c "$(declare -f tree_view); TREE_TIMES=${TREE_TIMES:-1} tree_view /t"
}

# ------------------------------------------------------------ the status letters

d=$(case_dir letters)
(
  cd "$d/lower" || exit 1
  echo keep >keep; echo old >mod; echo x >del; echo m >mode; echo t >touched
  echo c >chmod-same; echo w >rewritten; echo o >opened
  mkdir dir2file; echo a >dir2file/a; echo b >dir2file/b
  echo f >file2dir; ln -s t1 link; echo l >file2link
  mkdir gone gone/sub; echo a >gone/a; echo b >gone/sub/b
  mkdir op; echo a >op/a; echo b >op/b
  mkdir rd rd/sub; echo a >rd/a; echo b >rd/sub/b
  echo back >fdf
)
sandbox "$d" '
  echo new >mod; rm del; chmod 600 mode; touch -d 2001-01-01 touched; chmod 644 chmod-same
  printf "w\n" >rewritten; exec 3>>opened
  rm -r dir2file; echo f >dir2file
  rm file2dir; mkdir file2dir; echo in >file2dir/x
  ln -sfn t2 link; rm file2link; ln -s keep file2link
  echo added >added; : >newempty; mkdir -p newdir/sub; mkfifo fifo
  python3 -c "import socket; socket.socket(socket.AF_UNIX).bind(\"sock\")"
  rm -r gone
  rm -r op; mkdir op; echo a >op/a; echo c >op/c
  mv rd rd2
  rm fdf; mkdir fdf; rmdir fdf; echo back >fdf
  echo h >h1; ln h1 h2
'
expected='A added
D del
T dir2file
D dir2file/a
D dir2file/b
A fifo
T file2dir
A file2dir/x
T file2link
D gone
D gone/a
D gone/sub
D gone/sub/b
A h1
A h2
M link
M mod
M mode
A newdir
A newdir/sub
A newempty
D op/b
A op/c
D rd
D rd/a
D rd/sub
D rd/sub/b
A rd2
A rd2/a
A rd2/sub
A rd2/sub/b
A sock'
ch status "$d/up" "$d/lower"
assert_rc 0 "status: exit status 0 with changes"
assert_stdout_is "$expected" "status: one sorted line per change, copy-ups and touches left out"
check "the cases are real: a whiteout, an opaque directory, a file over a file-then-directory" \
  python3 -c "
import os, stat, sys
up = sys.argv[1]
assert stat.S_ISCHR(os.lstat(up + '/del').st_mode)
assert os.getxattr(up + '/op', 'user.overlay.opaque') == b'y'
assert stat.S_ISREG(os.lstat(up + '/fdf').st_mode) and os.path.exists(up + '/opened')
" "$d/up"
run env BWRAP_CHANGES_THREADS=4 "$CH" status "$d/up" "$d/lower"
assert_stdout_is "$expected" "status on 4 threads: the same lines"
ch status --times "$d/up" "$d/lower"
assert_eq "$(printf '%s\nM fdf\nM op\nM op/a\nM rewritten\nM touched\n' "$expected" | sort -k2)" \
  "$RUN_OUT" "status --times: a new modification time alone is a change too"
ch status --json "$d/up" "$d/lower" mod mode file2link op/c link del gone/sub fifo sock newdir
assert_stdout_is '{"path":"del","change":"deleted","type":"file","size":2,"mode":"0644"}
{"path":"fifo","change":"added","type":"fifo","mode":"0644"}
{"path":"file2link","change":"type-changed","type":"symlink","old_type":"file","mode":"0777"}
{"path":"gone/sub","change":"deleted","type":"directory","mode":"0755"}
{"path":"gone/sub/b","change":"deleted","type":"file","size":2,"mode":"0644"}
{"path":"link","change":"modified","type":"symlink","mode":"0777","what":["target"]}
{"path":"mod","change":"modified","type":"file","size":4,"mode":"0644","what":["content"]}
{"path":"mode","change":"modified","type":"file","size":2,"mode":"0600","old_mode":"0644","what":["mode"]}
{"path":"newdir","change":"added","type":"directory","mode":"0755"}
{"path":"newdir/sub","change":"added","type":"directory","mode":"0755"}
{"path":"op/c","change":"added","type":"file","size":2,"mode":"0644"}
{"path":"sock","change":"added","type":"socket","mode":"0755"}' \
  "status --json with PATHs: those paths' objects (every type a user can make, each change, what)"
ch status "$d/up" "$d/lower" newdir
assert_stdout_is $'A newdir\nA newdir/sub' "status PATH: that path and everything below"
ch status --exit-code "$d/up" "$d/lower"
assert_rc 1 "status --exit-code: 1 with changes"
ch status --exit-code "$d/up" "$d/lower" keep
assert_rc 0 "status --exit-code: 0 without"
ch status --exit-code "$d/up" "$d/missing"
assert_error 2 "bwrap-changes: $d/missing: No such file or directory" \
  "status --exit-code: 2 and one line on an error"
ch status "$d/up" "$d/lower" ../x
assert_error 1 'bwrap-changes: ../x: a PATH may not contain ".."' "a PATH with .. is refused"

cp -a "$d/lower" "$d/target"
before=$(tree_view "$d/target")
ch apply --dry-run "$d/up" "$d/target"
dry_out=$RUN_OUT
assert_rc 0 "apply --dry-run: exit status 0"
assert_eq "$before" "$(tree_view "$d/target")" "apply --dry-run changes nothing"
ch apply "$d/up" "$d/target"
assert_rc 0 "apply: exit status 0"
assert_eq "$dry_out" "$RUN_OUT" "apply prints the lines --dry-run printed"
assert_eq "$(sort <<<"$expected")" "$(sort <<<"$RUN_OUT")" "apply makes exactly the changes status lists"
assert_eq "$(TREE_TIMES=0 merged_view "$d")" "$(TREE_TIMES=0 tree_view "$d/target")" \
  "after apply, TARGET is what the sandbox saw (types, modes, sizes, targets, bytes)"
ch status "$d/up" "$d/target"
assert_stdout_is "" "after apply, status lists nothing"
ch apply --times "$d/up" "$d/target"
assert_stdout_is $'M fdf\nM op/a\nM op\nM rewritten\nM touched' \
  "apply --times: the new times alone, a directory's after its entries"
assert_eq "$(merged_view "$d")" "$(tree_view "$d/target")" \
  "after apply --times, file times are the sandbox's too"
assert_eq "$(stat -c %i "$d/target/h1")" "$(stat -c %i "$d/target/h2")" \
  "hard links within the upper stay hard links"
assert_eq "" "$(find "$d/target" -name '.bwrap-changes.*')" "apply leaves no temporary file"

# TARGET changed since the run: status compares with TARGET as it is now.
echo new >"$d/lower/mod"
ch status "$d/up" "$d/lower" mod mode
assert_stdout_is "M mode" "status compares with TARGET as it is now"

# ------------------------------------------------------------ owners

if is_root; then
  d=$(case_dir owners)
  echo o >"$d/lower/o"
  sandbox "$d" 'chown 1:2 o'
  ch status --json "$d/up" "$d/lower"
  assert_stdout_is '{"path":"o","change":"modified","type":"file","size":2,"mode":"0644","what":["owner"]}' \
    "root: a changed owner is a change"
  ch apply "$d/up" "$d/lower"
  assert_eq "1:2" "$(stat -c %u:%g "$d/lower/o")" "root: apply gives the owner"
else
  skip "a changed owner is a change (root)" "owners are compared only as root"
  skip "apply gives the owner (root)" "owners are applied only as root"
fi

# ------------------------------------------------------------ names

d=$(case_dir names)
sandbox "$d" 'printf a >"$(printf "nl\nname")"; printf b >"sp ace"; printf c >"$(printf "\377bad")"
              printf d >"$(printf "tab\there")"'
ch status "$d/up" "$d/lower"
assert_stdout_is 'A "nl\nname"
A "sp ace"
A "tab\there"
A "\377bad"' "status quotes names as git status does, sorted by their bytes"
run sh -c '"$0" status -z "$1" "$2" | od -An -c' "$CH" "$d/up" "$d/lower"
assert_eq "$(printf 'A nl\nname\0A sp ace\0A tab\there\0A \377bad\0' | od -An -c)" \
  "$RUN_OUT" "status -z: NUL-terminated, unquoted"
ch status --json "$d/up" "$d/lower"
assert_eq '{"path":"\ufffdbad","change":"added","type":"file","size":1,"mode":"0644","path_base64":"/2JhZA=="}' \
  "$(grep base64 <<<"$RUN_OUT")" "status --json: a name that is not UTF-8, with its bytes in base64"
check "status --json: every line is JSON (jq)" jq -e . "$T/.out"
ch apply "$d/up" "$d/lower"
assert_file_content "$d/lower/$(printf 'nl\nname')" a "apply: a name with a newline"
assert_file_content "$d/lower/$(printf '\377bad')" c "apply: a name that is not UTF-8"

# ------------------------------------------------------------ xattr forms

d=$(case_dir xattrs)
mkdir "$d/lower/o" "$d/up/o"
echo w >"$d/lower/w"; echo a >"$d/lower/o/a"; echo b >"$d/lower/o/b"
: >"$d/up/w"
echo b2 >"$d/up/o/b"
setfattrs="import os, sys
os.setxattr(sys.argv[1] + '/w', sys.argv[2] + '.overlay.whiteout', b'')
os.setxattr(sys.argv[1] + '/o', sys.argv[2] + '.overlay.opaque', b'y')"
python3 -c "$setfattrs" "$d/up" user
# Looked up, not listed: readdir may still show the name of an xattr
# whiteout whose directory is not marked for them (Linux 6.18).
run "$BWRAP" "${BASE[@]}" --overlay-src "$d/lower" --overlay "$d/up" "$d/wk" /t \
  sh -c 'cd /t && test ! -e w && test ! -e o/a && cat o/b'
assert_stdout_is b2 "the kernel hides what the user.overlay xattrs mark (whiteout, opaque)"
ch status "$d/up" "$d/lower"
assert_stdout_is $'D o/a\nM o/b\nD w' \
  "status: an empty file with user.overlay.whiteout is a whiteout; user.overlay.opaque hides TARGET's entries"
if is_root; then
  d=$(case_dir trusted)
  mkdir "$d/lower/o" "$d/up/o"
  echo w >"$d/lower/w"; echo a >"$d/lower/o/a"; : >"$d/up/w"
  python3 -c "$setfattrs" "$d/up" trusted
  ch status "$d/up" "$d/lower"
  assert_stdout_is $'D o/a\nD w' "root: the trusted.overlay forms too"
else
  skip "the trusted.overlay forms (root)" "trusted.* xattrs are root's"
fi

# ------------------------------------------------------------ diff and patch -p1

d=$(case_dir diff)
(
  cd "$d/lower" || exit 1
  printf 'one\ntwo\nthree\n' >text; printf 'bye\n' >gone; : >empty-gone; echo x >exec
  printf 'sp\n' >"sp ace"; printf 'b\0in\n' >bin; mkdir sub; printf 'deep\n' >sub/f
)
sandbox "$d" '
  printf "one\n2\nthree\nfour\n" >text; rm gone empty-gone; chmod 755 exec
  printf "new\n" >added; : >empty-new; ln -s text link; printf "sp2\n" >"sp ace"
  printf "deeper\n" >sub/f; printf "b\0out\n" >bin'
ch diff "$d/up" "$d/lower"
assert_rc 0 "diff: exit status 0"
cp "$T/.out" "$d/diff.out"
check "diff: git-style headers and a/ b/ names" grep -qx 'diff --git a/text b/text' "$d/diff.out"
check "diff: binary content as diffutils says it" \
  grep -qx 'Binary files a/bin and b/bin differ' "$d/diff.out"
check "diff: a new empty file has its header" grep -qx 'new file mode 100644' "$d/diff.out"
check "diff: a mode change" grep -qx 'new mode 100755' "$d/diff.out"
cp -a "$d/lower" "$d/patched"
cp -a "$d/lower" "$d/applied"
# patch cannot carry the binary file: leave it out of both.
ch diff "$d/up" "$d/lower" text gone empty-gone exec added empty-new link "sp ace" sub
cp "$T/.out" "$d/text.diff"
RUN_STDIN=$d/text.diff run sh -c "cd '$d/patched' && patch -p1 --quiet --force"
assert_rc 0 "patch -p1 applies diff's output in a copy of TARGET"
ch apply "$d/up" "$d/applied" text gone empty-gone exec added empty-new link "sp ace" sub
assert_eq "$(TREE_TIMES=0 tree_view "$d/applied")" "$(TREE_TIMES=0 tree_view "$d/patched")" \
  "patch -p1 makes what apply makes (times aside)"
ch diff --exit-code "$d/up" "$d/lower" text
assert_rc 1 "diff --exit-code: 1 with changes"

# ------------------------------------------------------------ split overlays

d=$(case_dir split)
mkdir "$d/lower/m" "$d/lower/plain"
split_mount=
if is_root; then
  host_mount_tmpfs "$d/lower/m" && split_mount=tmpfs
elif have_squashfuse; then
  mkdir "$T/sqsrc" && echo s >"$T/sqsrc/s"
  squashfs_of "$T/sqsrc" "$d/lower/m" && split_mount=squashfuse
fi
if [ -n "$split_mount" ]; then
  sandbox "$d" 'echo x >m/x; echo y >plain/y'
  ch status "$d/up" "$d/lower"
  assert_stdout_is $'A m/x\nA plain/y' \
    "a split overlay (a $split_mount mount in the layer): the pieces' directories are no change"
else
  skip "a split overlay: the pieces' directories are no change" "no mount to put in a layer: ${SKIP_REASON:-}"
fi

# ------------------------------------------------------------ the whole system

d=$(case_dir whole)
rel=${d#/}
mkdir "$d/w"; echo old >"$d/w/f"; echo g >"$d/w/g"
run "$BWRAP" --overlay-src / --overlay "$d/up" "$d/wk" / --proc /proc --dev /dev \
  --unshare-pid --die-with-parent \
  sh -c "echo new >$d/w/f; rm $d/w/g; echo n >$d/w/n; mkdir $d/w/nd"
assert_rc 0 "--overlay-src / --overlay UP WK / runs"
ch status "$d/up" /
# Other scripts' directories in /tmp may come and go meanwhile: TARGET
# changing after the run is a change for status too.
mine=$(grep -F " $rel/" <<<"$RUN_OUT")
assert_eq "M $rel/w/f
D $rel/w/g
A $rel/w/n
A $rel/w/nd" "$mine" "whole system: exactly the command's writes"
assert_eq "" "$(grep -v -e "^. $rel/" -e '^. "\{0,1\}tmp/' -e '^. "\{0,1\}var/tmp/' <<<"$RUN_OUT")" \
  "whole system: no piece of the split overlay (nothing outside what other tests change)"
run env BWRAP_CHANGES_THREADS=4 "$CH" status "$d/up" /
assert_eq "$mine" "$(grep -F " $rel/" <<<"$RUN_OUT")" \
  "whole system on 4 threads, sharing the entries of /: the same lines"
ch diff "$d/up" / "$d/w/f"
check "whole system: diff of a path" grep -qx '+new' "$T/.out"
ch apply "$d/up" / "$d/w/f" "$d/w/n"
assert_stdout_is "M $rel/w/f
A $rel/w/n" "whole system: apply of chosen paths"
assert_file_content "$d/w/f" new "whole system: the chosen file changed on the host"
check "whole system: what was not chosen stays" test -e "$d/w/g" -a ! -e "$d/w/nd"
if ! is_root; then
  check "the kernel left a mode-000 directory in WORKDIR" \
    test -n "$(find "$d/wk" -type d -perm 0000 -print -quit)"
fi
ch clean "$d/up" "$d/wk"
assert_rc 0 "clean UPPER WORKDIR: exit status 0"
check "clean removed both, the unreadable parts too" test ! -e "$d/up" -a ! -e "$d/wk"

# ------------------------------------------------------------ confinement

d=$(case_dir confine)
mkdir "$d/outside" "$d/lower/real"
ln -s "$d/outside" "$d/lower/esc"
sandbox "$d" 'rm esc; mkdir esc; echo pwn >esc/file; echo r >real/new'
ch status "$d/up" "$d/lower"
assert_stdout_is $'T esc\nA esc/file\nA real/new' "a symlink in TARGET replaced by a directory"
# Meanwhile TARGET's real/ becomes a symlink out of TARGET.
mv "$d/lower/real" "$d/real.moved"
ln -s "$d/outside" "$d/lower/real"
ch apply "$d/up" "$d/lower"
assert_rc 0 "apply over symlinks planted in TARGET"
check "nothing was written outside TARGET" test -z "$(ls -A "$d/outside")"
check "the symlinks were replaced, not followed" test -d "$d/lower/esc" -a ! -L "$d/lower/esc" \
  -a -f "$d/lower/real/new" -a ! -L "$d/lower/real"

d=$(case_dir confine-upper)
mkdir "$d/outside" "$d/lower/dir"
echo keep >"$d/lower/dir/keep"
ln -s "$d/outside" "$d/up/link"
ln -s "$d/outside" "$d/up/dir"
ch apply "$d/up" "$d/lower"
assert_stdout_is $'D dir/keep\nT dir\nA link' "symlinks planted in UPPER are applied as symlinks"
check "nothing was written outside TARGET through them" test -z "$(ls -A "$d/outside")"
check "TARGET holds the symlinks themselves" test -L "$d/lower/dir" -a -L "$d/lower/link"

# A tree deeper than a recursive walker's stack with PATH_MAX per level,
# with paths longer than PATH_MAX, walked with 40 fds at most; in a tmpfs
# of a sandbox, where it is quick to make and remove.  (/proc in it: a
# sanitizer build's leak check reads /proc/PID/task at exit.)
deep='
ulimit -n 40
python3 -c "
import os
fd = os.open(\"/w/up\", os.O_RDONLY)
for i in range(3000):
    os.mkdir(\"d\", dir_fd=fd); n = os.open(\"d\", os.O_RDONLY, dir_fd=fd); os.close(fd); fd = n
os.close(os.open(\"leaf\", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
" || exit 10
/ch status /w/up /w/t >/w/status || exit 11
echo status $(wc -l </w/status) $(tail -c 9 /w/status | tr "\n" " ")
/ch apply /w/up /w/t | tail -1 | wc -c
python3 -c "
import os
fd = os.open(\"/w/t\", os.O_RDONLY)
for i in range(3000):
    n = os.open(\"d\", os.O_RDONLY, dir_fd=fd); os.close(fd); fd = n
print(\"leaf\", os.path.isfile(\"leaf\", dir_fd=fd) if False else os.access(\"leaf\", os.F_OK, dir_fd=fd))
"
/ch clean /w/up && /ch clean /w/t && ls -A /w | tr "\n" " "'
run "$BWRAP" "${BASE[@]}" --unshare-pid --proc /proc --tmpfs /w --dir /w/up --dir /w/t \
  --ro-bind "$CH" /ch sh -c "$deep"
assert_stdout_is "status 3001 d/d/leaf
6007
leaf True
status " "a tree 3000 deep, paths of 6000 bytes: status, apply and clean with 40 fds"

# ------------------------------------------------------------ atomicity and errors

d=$(case_dir atomic)
echo old >"$d/lower/f"
sandbox "$d" 'echo new >f'
exec 3<"$d/lower/f"
ino=$(stat -c %i "$d/lower/f")
ch apply "$d/up" "$d/lower"
assert_eq "old new" "$(cat <&3) $(cat "$d/lower/f")" \
  "apply replaces a file by rename: an open reader keeps the old bytes, the path has the new"
exec 3<&-
check "the file is a new inode" test "$(stat -c %i "$d/lower/f")" != "$ino"

d=$(case_dir errors)
sandbox "$d" 'echo a >a.txt; echo b >b-setuid; chmod 4755 b-setuid; echo c >c.txt'
ch apply --dry-run "$d/up" "$d/lower"
assert_stdout_is "A a.txt" "apply --dry-run stops where apply would"
assert_error 1 "bwrap-changes: b-setuid: setuid or setgid (--allow-special applies it)" \
  "apply --dry-run: the same error line"
ch apply "$d/up" "$d/lower"
assert_stdout_is "A a.txt" "apply: the lines printed are the changes made"
assert_error 1 "bwrap-changes: b-setuid: setuid or setgid (--allow-special applies it)" \
  "apply: one line naming the path and the reason, exit status 1"
check "apply stopped there: nothing of it or after it" test -f "$d/lower/a.txt" \
  -a ! -e "$d/lower/b-setuid" -a ! -e "$d/lower/c.txt"
ch apply --allow-special "$d/up" "$d/lower"
assert_stdout_is $'A b-setuid\nA c.txt' "apply --allow-special makes the rest"
assert_eq 4755 "$(stat -c %a "$d/lower/b-setuid")" "apply keeps the mode"
assert_eq "$(stat -c %Y "$d/up/c.txt")" "$(stat -c %Y "$d/lower/c.txt")" \
  "apply keeps the modification time"
if is_root; then
  # A sandbox of root's could make a device node; its upper by hand.
  d=$(case_dir device)
  mknod "$d/up/null" c 1 3
  ch status --json "$d/up" "$d/lower"
  assert_stdout_is '{"path":"null","change":"added","type":"char-device","mode":"0644"}' \
    "root: status --json names a device node's type"
  ch apply "$d/up" "$d/lower"
  assert_error 1 "bwrap-changes: null: a device node (--allow-special applies it)" \
    "root: apply refuses a device node"
  check "and makes none" test ! -e "$d/lower/null"
  ch apply --allow-special "$d/up" "$d/lower"
  check "root: apply --allow-special makes it" test -c "$d/lower/null"
else
  skip "status --json names a device node's type (root)" "a user cannot make device nodes"
  skip "apply refuses a device node (root)" "a user cannot make device nodes"
  skip "and makes none" "a user cannot make device nodes"
  skip "apply --allow-special makes it (root)" "a user cannot make device nodes"
fi

# A signal stops apply between two entries: everything printed was made,
# the entry named in the error line was not.  apply's output is a pipe
# nobody reads until the signal is sent, so it cannot be done by then.
d=$(case_dir interrupt)
python3 -c "
import os, sys
for i in range(3000):
    open(os.path.join(sys.argv[1], 'file-%04d-' % i + 'x' * 100), 'w').write('%d\n' % i)
" "$d/up"
mkfifo "$d/fifo"
"$CH" apply "$d/up" "$d/lower" >"$d/fifo" 2>"$d/err" &
pid=$!
exec 4<"$d/fifo"
wait_for 10 grep -q pipe_write "/proc/$pid/wchan"
kill -TERM "$pid"
cat <&4 >"$d/out"
exec 4<&-
wait "$pid"
assert_eq 1 "$?" "apply stopped by SIGTERM: exit status 1"
next=$(sed -n 's/^bwrap-changes: \(file-[0-9]*-x*\): interrupted by signal 15 before this change$/\1/p' "$d/err")
check "one line naming the entry it did not start" test -n "$next" -a ! -e "$d/lower/$next" \
  -a "$(wc -l <"$d/err")" = 1
assert_eq "$(sed 's/^A //' "$d/out")" "$(ls "$d/lower")" \
  "apply stopped by a signal: the lines printed are exactly the files made"
check "each of them whole" test "$(cat "$d/lower"/* | wc -l)" = "$(wc -l <"$d/out")"

if ! is_root; then
  d=$(case_dir denied)
  mkdir "$d/lower/ro"
  sandbox "$d" 'echo 1 >first; echo x >ro/x; echo z >zz'
  chmod 555 "$d/lower/ro"
  ch apply "$d/up" "$d/lower"
  assert_stdout_is "A first" "a failing change: the lines before it were made"
  assert_error 1 "bwrap-changes: ro/x: Permission denied" "a failing change: its line and exit status 1"
  check "and nothing after it" test ! -e "$d/lower/zz" -a ! -e "$d/lower/ro/x"
  check "nor a temporary file" test -z "$(find "$d/lower" -name '.bwrap-changes.*')"
  # The same kind of error in status, on one thread and on several.
  mkdir "$d/lower/locked" "$d/up/locked" "$d/up/a" "$d/up/z"
  echo x >"$d/up/locked/x"
  chmod 0 "$d/lower/locked"
  for threads in 1 4; do
    run env BWRAP_CHANGES_THREADS=$threads "$CH" status "$d/up" "$d/lower"
    assert_error 1 "bwrap-changes: locked/x: Permission denied" \
      "status on $threads thread(s): a path it cannot read is one error line"
  done
  chmod 755 "$d/lower/locked"
else
  skip "a failing change: the lines before it were made" "root may write anywhere"
  skip "a failing change: its line and exit status 1" "root may write anywhere"
  skip "and nothing after it" "root may write anywhere"
  skip "nor a temporary file" "root may write anywhere"
  for threads in 1 4; do
    skip "status on $threads thread(s): a path it cannot read is one error line" "root may read anywhere"
  done
fi

done_testing
