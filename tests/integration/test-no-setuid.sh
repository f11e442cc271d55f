#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# A build without -Dsupport_setuid=true (the default, as bubblewrap 0.11.2
# and every distribution ship it) has no setuid mode: installed setuid or
# setgid by mistake, it must fail closed.  A setuid-root copy and a
# setgid-root copy of $BWRAP, run by the unprivileged user bwrap-test,
# each exit 1 with one "bwrap: " line saying this build does not support
# setuid operation, before parsing anything (--version included) or
# touching any file: the caller's cwd and this test's directory are left
# exactly as they were, and strace sees no clone, namespace, mount or
# file creation.  A plain copy run by the same user works (control).
# Registered only in builds without setuid support; root only (it
# installs setuid copies).

. "$(dirname "$0")/lib.sh"

is_root || skip_all "installs setuid and setgid copies of bwrap: needs root"
is_sanitizer_build &&
  skip_all "a sanitizer build is never installed setuid (its runtime obeys ASAN_OPTIONS/UBSAN_OPTIONS)"
supports_setuid && skip_all "this build has setuid mode (test-setuid.sh checks it)"

. "$(dirname "$0")/machine.sh"
ensure_test_user || skip_all "could not create the user $TEST_USER"
SU_UID=$(id -u "$TEST_USER")
SU_GID=$(id -g "$TEST_USER")

# The copies' directory: root's, entered only by root and the test user.
DIR=$TEST_TMP/copies
root_copies_dir "$DIR"
for name in suid sgid plain; do
  cp "$(command -v "$BWRAP")" "$DIR/$name"
  chown root:root "$DIR/$name"
done
chmod 4755 "$DIR/suid"
chmod 2755 "$DIR/sgid"
chmod 0755 "$DIR/plain"
if findmnt -n -o OPTIONS -T "$DIR" | tr ',' '\n' | grep -qx nosuid; then
  skip_all "$DIR is on a nosuid filesystem"
fi
# The user's cwd: a directory of its own, where a bwrap that ran on would
# leave traces (--bind-data, --file and an overlay's directories below).
CWD=$TEST_TMP/cwd
mkdir "$CWD"
chown "$SU_UID:$SU_GID" "$CWD"

REFUSAL="bwrap: This build does not support setuid operation (it was built without -Dsupport_setuid=true), so it refuses to run setuid or setgid"

# listing: the caller's cwd and the copies' directory, every path with
# its type, mode, owner, size and modification time, for a before/after
# comparison.  (TEST_TMP itself changes: lib.sh's run keeps the output
# there.)
listing ()
{
  find "$CWD" "$DIR" -printf '%p %y %m %u:%g %s %T@\n' | LC_ALL=C sort
}

# as_user COPY ARGS...: COPY run by the user from CWD.
as_user ()
{
  local copy=$1
  shift
  local RUN_CWD=$CWD
  run setpriv --reuid="$SU_UID" --regid="$SU_GID" --init-groups --reset-env "$DIR/$copy" "$@"
}

ARGS=(--ro-bind / / --bind-data 3 "$CWD/data" --file 4 /tmp/f
      --overlay-src /usr --overlay "$CWD/upper" "$CWD/work" /usr true)

for copy in suid sgid; do
  for args in "--version" "${ARGS[*]}"; do
    before=$(listing)
    # shellcheck disable=SC2086 # the words of args, as given
    as_user "$copy" $args 3< /dev/null 4< /dev/null
    assert_error 1 "$REFUSAL" "$copy copy, $args: exit 1 and one line"
    assert_eq "$before" "$(listing)" "$copy copy, $args: nothing created or changed"
  done
done

# What the process did, from outside: strace -u runs the copy as the user
# with its setuid bit honoured (strace's tracer is root).
if command -v strace > /dev/null; then
  for copy in suid sgid; do
    log=$TEST_TMP/strace.$copy
    (cd "$CWD" && strace -f -qq -u "$TEST_USER" -o "$log" \
       -e trace=getuid,geteuid,getgid,getegid,clone,clone3,fork,vfork,unshare,setns,mount,umount2,fsopen,fsmount,open_tree,move_mount,pivot_root,mkdir,mkdirat,openat,open,creat,write \
       "$DIR/$copy" "${ARGS[@]}" 3< /dev/null 4< /dev/null > /dev/null 2>&1)
    rc=$?
    assert_eq 1 "$rc" "$copy copy under strace: exit 1"
    if [ "$copy" = suid ]; then
      assert_match ".*geteuid\(\) += 0\b.*" "$(grep -E 'geteuid\(\)' "$log" | head -1)" \
        "$copy copy under strace: ran with effective uid 0 (the setuid bit was honoured)"
    else
      assert_match ".*getegid\(\) += 0\b.*" "$(grep -E 'getegid\(\)' "$log" | head -1)" \
        "$copy copy under strace: ran with effective gid 0 (the setgid bit was honoured)"
    fi
    acted=$(grep -E '^[0-9]+ +(clone|clone3|fork|vfork|unshare|setns|mount|umount2|fsopen|fsmount|open_tree|move_mount|pivot_root|mkdir|mkdirat|creat)\(' "$log")
    assert_eq "" "$acted" "$copy copy under strace: no process, namespace, mount or directory made"
    # Files opened after the dynamic loader's: none (the ids are checked
    # before anything else runs).
    opened=$(grep -E '^[0-9]+ +(openat|open)\(' "$log" \
               | grep -vE '"(/etc/ld\.so\.cache|/lib[^"]*|/usr/lib[^"]*|/proc/sys/vm/overcommit_memory)"')
    assert_eq "" "$opened" "$copy copy under strace: no file opened but shared libraries"
    written=$(grep -E '^[0-9]+ +write\(' "$log" | grep -v '^[0-9]* *write(2, ')
    assert_eq "" "$written" "$copy copy under strace: writes only its one line to stderr"
  done
else
  skip_n 10 "strace is not installed" "the refusal seen from outside"
fi

# Control: the same binary without the bits runs for the same user, so the
# refusal above is the setuid check and nothing else.
as_user plain --ro-bind / / true
if [ "$RUN_RC" = 0 ]; then
  pass "plain copy: runs for the user"
elif grep -q "No permissions to create a new namespace\|Creating new namespace failed" <<< "$RUN_ERR"; then
  skip "plain copy: runs for the user" "unprivileged user namespaces are not available"
else
  fail "plain copy: runs for the user" "exit status: $RUN_RC" "stderr: $RUN_ERR"
fi

done_testing
