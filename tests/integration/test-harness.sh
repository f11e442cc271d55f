#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# The test harness itself leaves the machine as it found it
# (run-as-user.sh, machine.sh): a sanitizer build is never made setuid, the
# setuid copy sits in a directory only root and the test user can enter and
# is gone after the run however it ends (here: SIGTERM, as meson's timeout
# sends), and /dev/fuse gets its old mode back once the last of the runs
# going on side by side ends.  Root only: it runs run-as-user.sh.
#
# Other scripts run at the same time (meson runs them in parallel) and need
# the real /dev/fuse and the real state: this script points run-as-user.sh
# at a device node, a state directory and a parent for the setuid copies of
# its own (BWRAP_TESTS_FUSE_DEVICE, BWRAP_TESTS_STATE_DIR, TMPDIR), so it
# changes nothing another run sees.

. "$(dirname "$0")/lib.sh"

is_root || skip_all "runs run-as-user.sh, which needs root"
is_sanitizer_build && skip_all "the setuid cases need a build without sanitizers"

RUN_AS_USER=$(dirname "$(realpath "$0")")/run-as-user.sh
# The user must reach the scripts: TEST_TMP is 0700.
chmod 0711 "$TEST_TMP"
H=$TEST_TMP/harness
mkdir -m 0755 "$H" "$H/tmp"
cp "$(dirname "$0")/lib.sh" "$H/lib.sh"
# A stand-in for /dev/fuse (the same device numbers), mode 0600.
FUSE=$H/fuse
mknod -m 0600 "$FUSE" c 10 229 || skip_all "cannot create a device node in $H"
export BWRAP_TESTS_FUSE_DEVICE=$FUSE BWRAP_TESTS_STATE_DIR=$H/state TMPDIR=$H/tmp
# A script that records what it was given (argument 1: where), then with
# `wait` waits for the file WHERE.stop (at most 60 s).
cat >"$H/record.sh" <<EOF
out=\$1
{
  echo "bwrap \$BWRAP"
  stat -c '%a %U %G' "\$(dirname "\$BWRAP")" "\$BWRAP"
  stat -c '%a' $FUSE
} >"\$out.tmp" 2>&1
mv "\$out.tmp" "\$out"
if [ "\${2:-}" = wait ]; then
  i=0
  while [ ! -e "\$out.stop" ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done
fi
exit 0
EOF
chmod 0644 "$H/record.sh"
OUT=$H/out
mkdir -m 0777 "$OUT"
suid_copies () { find "$TMPDIR" -maxdepth 1 -name 'bwrap-suid.*' | sort; }

# ------------------------------------------------------------ sanitizer builds
# Any binary carrying a sanitizer runtime: the real build with the name of
# one of ASan's entry points appended.
FAKE=$H/asan-bwrap
cp "$(command -v "$BWRAP")" "$FAKE"
printf '__asan_init\n' >>"$FAKE"
chmod 0755 "$FAKE"
run env BWRAP="$FAKE" bash "$RUN_AS_USER" --setuid "$H/record.sh" "$OUT/asan"
assert_rc 0 "sanitizer build: run-as-user.sh --setuid exits 0"
assert_match "1\.\.0 # SKIP .*sanitizer build.*" "$RUN_OUT" "sanitizer build: the setuid run is skipped, saying why"
assert_no_file "$OUT/asan" "sanitizer build: the script did not run"
assert_eq "" "$(suid_copies)" "sanitizer build: no setuid copy was made"
run env BWRAP="$FAKE" bash "$(dirname "$0")/test-setuid.sh"
assert_match "1\.\.0 # SKIP .*sanitizer build.*" "$RUN_OUT" "sanitizer build: test-setuid.sh installs no copy either"

# ------------------------------------------------------------ setuid copy
# In a process group of its own, stopped as meson's timeout stops a test:
# SIGTERM to the whole group.
setsid bash "$RUN_AS_USER" --setuid "$H/record.sh" "$OUT/suid" wait >"$H/suid.tap" 2>&1 &
runner=$!
register_pid "$runner"
wait_for 20 test -e "$OUT/suid"
copy=$(sed -n 's/^bwrap //p' "$OUT/suid" 2>/dev/null)
assert_eq "710 root bwrap-test
4755 root root" "$(sed -n 2,3p "$OUT/suid" 2>/dev/null)" \
  "the setuid copy: root's 4755, in a root:bwrap-test 0710 directory"
assert_eq 666 "$(sed -n 4p "$OUT/suid")" "/dev/fuse is 0666 while the script runs"
check "the copy exists while the script runs" test -u "$copy"
kill -TERM -- "-$runner"
{ wait "$runner"; } 2>/dev/null
check_not "SIGTERM: the setuid copy's directory is gone" test -e "$(dirname "$copy")"
assert_eq 600 "$(stat -c '%a' "$FUSE")" "SIGTERM: /dev/fuse has its old mode back"

# SIGKILL cannot be trapped: the copy stays (out of other users' reach)
# until the next run, which removes it; /dev/fuse stays 0666 until the
# next run ends.
setsid bash "$RUN_AS_USER" --setuid "$H/record.sh" "$OUT/killed" wait >"$H/killed.tap" 2>&1 &
runner=$!
register_pid "$runner"
wait_for 20 test -e "$OUT/killed"
copy=$(sed -n 's/^bwrap //p' "$OUT/killed" 2>/dev/null)
kill -KILL -- "-$runner"
{ wait "$runner"; } 2>/dev/null
check "SIGKILL: the setuid copy stays behind" test -u "$copy"
run bash "$RUN_AS_USER" --setuid "$H/record.sh" "$OUT/next"
assert_rc 0 "SIGKILL: the next setuid run succeeds"
check_not "SIGKILL: ... and removes the copy left behind" test -e "$(dirname "$copy")"
check_not "... and its own copy" test -e "$(dirname "$(sed -n 's/^bwrap //p' "$OUT/next")")"
assert_eq 600 "$(stat -c '%a' "$FUSE")" "SIGKILL: ... and puts /dev/fuse's mode back when it ends"

# An ordinary end, without --setuid: the mode comes back too.
run bash "$RUN_AS_USER" "$H/record.sh" "$OUT/user"
assert_rc 0 "run-as-user.sh: the script ran"
assert_eq 666 "$(sed -n 4p "$OUT/user")" "run-as-user.sh: /dev/fuse is 0666 while the script runs"
assert_eq 600 "$(stat -c '%a' "$FUSE")" "run-as-user.sh: /dev/fuse has its old mode back afterwards"

# ------------------------------------------------------------ runs side by side
# The first run to end must not take /dev/fuse away from the other: the
# mode comes back only when the last one ends, whichever it is.
bash "$RUN_AS_USER" "$H/record.sh" "$OUT/a" wait >"$H/a.tap" 2>&1 &
run_a=$!
register_pid "$run_a"
bash "$RUN_AS_USER" "$H/record.sh" "$OUT/b" wait >"$H/b.tap" 2>&1 &
run_b=$!
register_pid "$run_b"
wait_for 20 test -e "$OUT/a" -a -e "$OUT/b"
assert_eq "666 666" "$(sed -n 4p "$OUT/a") $(sed -n 4p "$OUT/b")" "side by side: both runs see /dev/fuse 0666"
touch "$OUT/a.stop"
wait "$run_a"
assert_eq 666 "$(stat -c '%a' "$FUSE")" "side by side: the first run to end leaves /dev/fuse 0666 for the other"
touch "$OUT/b.stop"
wait "$run_b"
assert_eq 600 "$(stat -c '%a' "$FUSE")" "side by side: the last run to end puts the old mode back"
# A mode some other hand set while the runs went on is the one to keep
# next time: nothing remembers a stale one.
chmod 0660 "$FUSE"
run bash "$RUN_AS_USER" "$H/record.sh" "$OUT/later"
assert_eq 660 "$(stat -c '%a' "$FUSE")" "a later run puts back the mode it found (0660)"

done_testing
