#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# The test harness itself leaves the machine as it found it
# (run-as-user.sh): a sanitizer build is never made setuid, the setuid copy
# sits in a directory only root and the test user can enter and is gone
# after the run however it ends (here: SIGTERM, as meson's timeout sends),
# and /dev/fuse gets its old mode back.  Root only: it runs run-as-user.sh.

. "$(dirname "$0")/lib.sh"

is_root || skip_all "runs run-as-user.sh, which needs root"
is_sanitizer_build && skip_all "the setuid cases need a build without sanitizers"

RUN_AS_USER=$(dirname "$(realpath "$0")")/run-as-user.sh
# The user must reach the scripts: TEST_TMP is 0700.
chmod 0711 "$TEST_TMP"
H=$TEST_TMP/harness
mkdir -m 0755 "$H"
cp "$(dirname "$0")/lib.sh" "$H/lib.sh"
# A script that records what it was given, then waits to be stopped.
cat >"$H/record.sh" <<'EOF'
out=$1
{
  echo "bwrap $BWRAP"
  stat -c '%a %U %G' "$(dirname "$BWRAP")" "$BWRAP"
  stat -c '%a' /dev/fuse
} >"$out.tmp" 2>&1
mv "$out.tmp" "$out"
[ "${2:-}" = wait ] && sleep 60
exit 0
EOF
chmod 0644 "$H/record.sh"
OUT=$H/out
mkdir -m 0777 "$OUT"

# ------------------------------------------------------------ sanitizer builds
# Any binary carrying a sanitizer runtime: the real build with the name of
# one of ASan's entry points appended.
FAKE=$H/asan-bwrap
cp "$(command -v "$BWRAP")" "$FAKE"
printf '__asan_init\n' >>"$FAKE"
chmod 0755 "$FAKE"
before=$(find /tmp "${BWRAP_TESTS_BUILDDIR:-/nonexistent}" -maxdepth 1 -name 'bwrap-suid.*' 2>/dev/null | sort)
run env BWRAP="$FAKE" bash "$RUN_AS_USER" --setuid "$H/record.sh" "$OUT/asan"
assert_rc 0 "sanitizer build: run-as-user.sh --setuid exits 0"
assert_match "1\.\.0 # SKIP .*sanitizer build.*" "$RUN_OUT" "sanitizer build: the setuid run is skipped, saying why"
assert_no_file "$OUT/asan" "sanitizer build: the script did not run"
after=$(find /tmp "${BWRAP_TESTS_BUILDDIR:-/nonexistent}" -maxdepth 1 -name 'bwrap-suid.*' 2>/dev/null | sort)
assert_eq "$before" "$after" "sanitizer build: no setuid copy was made"
run env BWRAP="$FAKE" bash "$(dirname "$0")/test-setuid.sh"
assert_match "1\.\.0 # SKIP .*sanitizer build.*" "$RUN_OUT" "sanitizer build: test-setuid.sh installs no copy either"

# ------------------------------------------------------------ setuid copy
fuse_mode=
if [ -c /dev/fuse ]; then
  fuse_mode=$(stat -c '%a' /dev/fuse)
  chmod 0600 /dev/fuse
fi
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
if [ -n "$fuse_mode" ]; then
  assert_eq 666 "$(sed -n 4p "$OUT/suid")" "/dev/fuse is 0666 while the script runs"
else
  skip "/dev/fuse is 0666 while the script runs" "no /dev/fuse"
fi
check "the copy exists while the script runs" test -u "$copy"
kill -TERM -- "-$runner"
{ wait "$runner"; } 2>/dev/null
check_not "SIGTERM: the setuid copy's directory is gone" test -e "$(dirname "$copy")"
if [ -n "$fuse_mode" ]; then
  assert_eq 600 "$(stat -c '%a' /dev/fuse)" "SIGTERM: /dev/fuse has its old mode back"
  chmod "$fuse_mode" /dev/fuse
else
  skip "SIGTERM: /dev/fuse has its old mode back" "no /dev/fuse"
fi

# SIGKILL cannot be trapped: the copy stays (out of other users' reach)
# until the next run, which removes it.
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
[ -n "$fuse_mode" ] && chmod "$fuse_mode" /dev/fuse

# An ordinary end, without --setuid: the mode comes back too.
if [ -n "$fuse_mode" ]; then
  chmod 0600 /dev/fuse
  run bash "$RUN_AS_USER" "$H/record.sh" "$OUT/user"
  assert_rc 0 "run-as-user.sh: the script ran"
  assert_eq 666 "$(sed -n 4p "$OUT/user")" "run-as-user.sh: /dev/fuse is 0666 while the script runs"
  assert_eq 600 "$(stat -c '%a' /dev/fuse)" "run-as-user.sh: /dev/fuse has its old mode back afterwards"
  chmod "$fuse_mode" /dev/fuse
else
  skip_n 3 "no /dev/fuse" "run-as-user.sh restores /dev/fuse's mode"
fi

done_testing
