#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Building the sandbox filesystem: the empty root, --tmpfs, --dir, --file,
# --bind-data, --ro-bind-data, --symlink, --chmod, --perms/--size, --dev,
# --proc, --mqueue, --hostname.  Misuse the parser alone catches (bad
# --size, --perms and --chmod values, misplaced modifiers, --hostname
# without --unshare-uts) is in tests/unit/test-options-errors.c and
# test-options-validate.c.

. "$(dirname "$0")/lib.sh"

T=$TEST_TMP
P=(--proc /proc)

# ------------------------------------------------------------ the root

run_bwrap "${BASE[@]}" ls -A /
assert_stdout_is "bin
lib
lib64
sbin
usr" "root contains only what the command line created"
run_bwrap "${BASE[@]}" stat -c %a /
assert_stdout_is "755" "root directory is 0755"
if sandbox_mountinfo "${BASE[@]}" "${P[@]}" --unshare-pid; then
  assert_eq tmpfs "$(mount_field / fstype)" "root is a tmpfs"
  # As bubblewrap's: a bind of /newroot in the setup tmpfs, named "tmpfs"
  # (findmnt: tmpfs[/newroot]), without a mode= option.
  assert_eq "tmpfs /newroot" "$(mount_field / source) $(mount_field / root)" \
    "root: source tmpfs, mount root /newroot (as bubblewrap)"
  check_not "root: no mode= option (as bubblewrap)" mount_has_superopt / mode=755
  check "root is nosuid" mount_has_opt / nosuid
  check "root is nodev" mount_has_opt / nodev
  others=$(mount_points | grep -v -e '^/$' -e '^/usr$' -e '^/usr/' -e '^/proc$' -e '^/proc/')
  assert_eq "" "$others" "no host mount besides /usr and /proc is visible"
else
  fail "root: mountinfo readable"
fi
run_bwrap "${BASE[@]}" sh -c "ls -d /oldroot /newroot '$T' /tmp /etc /home 2>/dev/null"
assert_stdout_is "" "old root and host paths are invisible"
run_bwrap --ro-bind / / sh -c "test -d '$T' && echo visible"
assert_stdout_is "visible" "(control) host paths are visible when bound"

# ------------------------------------------------------------ --tmpfs

run_bwrap "${BASE[@]}" --tmpfs /t stat -c %a /t
assert_stdout_is "755" "--tmpfs: mode 0755 by default"
run_bwrap "${BASE[@]}" --perms 01777 --tmpfs /t stat -c %a /t
assert_stdout_is "1777" "--tmpfs: --perms 01777"
run_bwrap "${BASE[@]}" --perms 0700 --tmpfs /a/t stat -c %a /a /a/t
assert_stdout_is "700
700" "--tmpfs: --perms also shapes new parents (0700 -> 0700)"
run_bwrap "${BASE[@]}" --tmpfs /a/t stat -c %a /a
assert_stdout_is "755" "--tmpfs: new parents 0755 by default"
if sandbox_mountinfo "${BASE[@]}" "${P[@]}" --tmpfs /t; then
  assert_eq tmpfs "$(mount_field /t fstype)" "--tmpfs: a tmpfs"
  check "--tmpfs: nosuid" mount_has_opt /t nosuid
  check "--tmpfs: nodev" mount_has_opt /t nodev
  check "--tmpfs: mode=755 option" mount_has_superopt /t mode=755
  assert_eq tmpfs "$(mount_field /t source)" "--tmpfs: source tmpfs (df, findmnt)"
  superopts=$(mount_field /t superopts)
  check_not "--tmpfs: no size= without --size" grep -q 'size=' <<<"$superopts"
else
  fail "--tmpfs: mountinfo readable"
fi
if is_setuid; then
  # Setuid mode refuses --size as soon as it reaches it.
  run_bwrap "${BASE[@]}" --size 1048576 --tmpfs /t true
  assert_error 1 "bwrap: The --size option is not permitted in setuid mode" "setuid: --size is refused"
  skip_n 3 "setuid mode refuses --size" "--size sizes"
else
  if sandbox_mountinfo "${BASE[@]}" "${P[@]}" --size 1048576 --perms 0700 --tmpfs /t; then
    check "--size 1048576: size=1024k" mount_has_superopt /t size=1024k
    check "--size with --perms: mode=700" mount_has_superopt /t mode=700
  else
    fail "--size: mountinfo readable"
  fi
  run_bwrap "${BASE[@]}" --dev /dev --size 16384 --tmpfs /t sh -c 'head -c 65536 /dev/zero > /t/big'
  assert_stderr_has "No space left on device" "--size: the limit is enforced"
  run_bwrap "${BASE[@]}" --size 0x100000 --tmpfs /t true
  assert_rc 0 "--size accepts hex"
fi

# ------------------------------------------------------------ --dir, --perms

run_bwrap "${BASE[@]}" --dir /d stat -c '%a %F' /d
assert_stdout_is "755 directory" "--dir: 0755 directory"
run_bwrap "${BASE[@]}" --perms 0700 --dir /d stat -c %a /d
assert_stdout_is "700" "--dir: --perms 0700"
run_bwrap "${BASE[@]}" --perms 0750 --dir /a/b stat -c %a /a /a/b
assert_stdout_is "750
750" "--dir: --perms 0750 gives parents 0750"
run_bwrap "${BASE[@]}" --perms 0604 --dir /a/b stat -c %a /a
assert_stdout_is "705" "--dir: --perms 0604 gives parents 0705"
run_bwrap "${BASE[@]}" --perms 0 --dir /a/b stat -c %a /a /a/b
assert_stdout_is "700
0" "--dir: --perms 0 gives parents 0700"
run_bwrap "${BASE[@]}" --dir /a --perms 0700 --dir /a/b stat -c %a /a
assert_stdout_is "755" "--dir: existing parents unchanged"
run_bwrap "${BASE[@]}" --dir /d --perms 0700 --dir /d stat -c %a /d
assert_stdout_is "755" "--dir: existing directory left as is, --perms ignored"
run_bwrap "${BASE[@]}" --dir /d --perms 0700 --dir /d --perms 0755 true
assert_rc 0 "--perms pending at the end of options is ignored"
run_bwrap "${BASE[@]}" --tmpfs /t --dir /t/sub stat -c %a /t/sub
assert_stdout_is "755" "--dir inside a tmpfs"
run_bwrap "${BASE[@]}" sh -c 'umask'
assert_stdout_is "$(umask)" "the caller's umask is restored for COMMAND"

# ------------------------------------------------------------ --file

printf 'line1\nline2' >"$T/data"
exec {fd}<"$T/data"
run_bwrap "${BASE[@]}" --file "$fd" /etc/f sh -c 'cat /etc/f; echo; stat -c %a /etc/f /etc'
exec {fd}<&-
assert_stdout_is "line1
line2
666
755" "--file: content, mode 0666, parents 0755"
exec {fd}<"$T/data"
run_bwrap "${BASE[@]}" --perms 0640 --file "$fd" /f stat -c %a /f
exec {fd}<&-
assert_stdout_is "640" "--file: --perms 0640"
exec {fd}<"$T/data"
run_bwrap "${BASE[@]}" --file "$fd" /f --proc /proc sh -c "echo more >> /f && test ! -e /proc/self/fd/$fd && cat /f"
exec {fd}<&-
assert_stdout_is "line1
line2more" "--file: writable plain file, fd closed in COMMAND"
exec {fd}<"$T/data"
run_bwrap "${BASE[@]}" --file "$fd" /f1 --file "$fd" /f2 true
exec {fd}<&-
assert_error 1 "bwrap: Can't write data to file /f2: Bad file descriptor" "--file: fd closed after use"
# run_bwrap redirects stdin from RUN_STDIN; feed a file instead.
echo fromstdin >"$T/stdin"
RUN_STDIN=$T/stdin run_bwrap "${BASE[@]}" --file 0 /f cat /f
assert_stdout_is "fromstdin" "--file 0 reads stdin"
mkdir "$T/host"
exec {fd}<"$T/data"
run_bwrap "${BASE[@]}" --bind "$T/host" /h --file "$fd" /h/sub/f true
exec {fd}<&-
assert_file_content "$T/host/sub/f" "$(cat "$T/data")" "--file inside a bound host dir stays on the host"
rm -rf "${T:?}/host/"*

# ------------------------------------------------------------ --bind-data

exec {fd}<"$T/data"
run_bwrap "${BASE[@]}" --bind-data "$fd" /a/f sh -c 'cat /a/f; echo; stat -c "%a %h" /a/f; stat -c %a /a'
exec {fd}<&-
assert_stdout_is "line1
line2
600 0
700" "--bind-data: content, mode 0600, link count 0, parents 0700"
exec {fd}<"$T/data"
run_bwrap "${BASE[@]}" --perms 0644 --bind-data "$fd" /f sh -c 'echo x >> /f && stat -c %a /f && cat /f'
exec {fd}<&-
assert_stdout_is "644
line1
line2x" "--bind-data: --perms 0644, writable"
exec {fd}<"$T/data"
run_bwrap "${BASE[@]}" --ro-bind-data "$fd" /f sh -c 'cat /f; echo; echo x >> /f'
exec {fd}<&-
assert_eq "line1
line2" "$RUN_OUT" "--ro-bind-data: content"
assert_stderr_has "Read-only file system" "--ro-bind-data: read-only"
exec {fd}<"$T/data"
if sandbox_mountinfo "${BASE[@]}" "${P[@]}" --ro-bind-data "$fd" /f; then
  check "--ro-bind-data: ro, nosuid, nodev" eval 'mount_has_opt /f ro && mount_has_opt /f nosuid && mount_has_opt /f nodev'
  assert_eq "tmpfs tmpfs" "$(mount_field /f fstype) $(mount_field /f source)" \
    "--ro-bind-data: on a tmpfs named tmpfs"
  check_not "--ro-bind-data: no mode= option (as bubblewrap)" mount_has_superopt /f mode=755
else
  fail "--ro-bind-data: mountinfo readable"
fi
exec {fd}<&-
exec {fd}<"$T/data"
run_bwrap "${BASE[@]}" --bind "$T/host" /h --bind-data "$fd" /h/f true
exec {fd}<&-
assert_eq "444 0" "$(stat -c '%a %s' "$T/host/f" 2>&1)" "--bind-data: mount point is an empty 0444 file"
rm -rf "${T:?}/host/"*

# ------------------------------------------------------------ --symlink

run_bwrap "${BASE[@]}" --symlink ../some/target /a/l readlink /a/l
assert_stdout_is "../some/target" "--symlink: target stored verbatim (dangling is fine)"
run_bwrap "${BASE[@]}" --symlink x /a/l stat -c %a /a
assert_stdout_is "700" "--symlink: new parents 0700"
run_bwrap "${BASE[@]}" --symlink usr/bin /bin readlink /bin
assert_stdout_is "usr/bin" "--symlink: identical existing symlink is accepted"
run_bwrap "${BASE[@]}" --symlink /usr/bin /bin true
assert_error 1 "bwrap: Can't make symlink at /bin: existing destination is usr/bin" \
  "--symlink: different existing symlink"
run_bwrap "${BASE[@]}" --dir /d --symlink x /d true
assert_error 1 "bwrap: Can't make symlink at /d: destination exists and is not a symlink" \
  "--symlink: existing non-symlink"
run_bwrap "${BASE[@]}" --bind "$T/host" /h --symlink target /h/l true
check "--symlink inside a bound host dir stays on the host" test "$(readlink "$T/host/l")" = target
rm -rf "${T:?}/host/"*

# ------------------------------------------------------------ --chmod

run_bwrap "${BASE[@]}" --dir /d --chmod 0700 /d stat -c %a /d
assert_stdout_is "700" "--chmod 0700"
run_bwrap "${BASE[@]}" --dir /d --symlink d /l --chmod 1777 /l stat -c %a /d
assert_stdout_is "1777" "--chmod follows symlinks"
run_bwrap "${BASE[@]}" --chmod 0755 /missing true
assert_error 1 "bwrap: Can't chmod 0755 /missing: No such file or directory" "--chmod on a missing path"
run_bwrap "${BASE[@]}" --chmod 1777 /a/b true
assert_error 1 "bwrap: Can't chmod 01777 /a/b: No such file or directory" "--chmod creates no parents; C-octal mode in message"
run_bwrap "${BASE[@]}" --chmod 0 /missing true
assert_error 1 "bwrap: Can't chmod 0 /missing: No such file or directory" "--chmod 0 printed as 0"
run_bwrap "${BASE[@]}" --chmod 0755 /d --dir /d stat -c %a /d 
assert_rc 1 "--chmod applies at its place in the sequence"

# ------------------------------------------------------------ --dev

run_bwrap "${BASE[@]}" --dev /dev sh -c '
  for n in null zero full random urandom tty; do test -c /dev/$n || echo "not char: $n"; done
  echo x > /dev/null || echo "null not writable"
  test "$(head -c 4 /dev/zero | od -An -tx1 | tr -d " ")" = 00000000 || echo "zero broken"
  test "$(head -c 16 /dev/urandom | wc -c)" = 16 || echo "urandom broken"
  echo ok'
assert_stdout_is "ok" "--dev: null zero full random urandom tty are usable char devices"
run_bwrap "${BASE[@]}" --dev /dev sh -c 'head -c 1 /dev/zero > /dev/full'
assert_stderr_has "No space left on device" "--dev: /dev/full gives ENOSPC"
run_bwrap "${BASE[@]}" --dev /dev sh -c 'for n in stdin stdout stderr fd core ptmx; do echo "$n $(readlink /dev/$n)"; done'
assert_stdout_is "stdin /proc/self/fd/0
stdout /proc/self/fd/1
stderr /proc/self/fd/2
fd /proc/self/fd
core /proc/kcore
ptmx pts/ptmx" "--dev: symlinks"
run_bwrap "${BASE[@]}" --dev /dev stat -c '%a %F' /dev /dev/shm /dev/pts
assert_stdout_is "755 directory
755 directory
755 directory" "--dev: /dev, shm and pts are 0755 directories"
run_bwrap "${BASE[@]}" --dev /dev sh -c 'ls -A /dev | sort | tr "\n" " "'
assert_stdout_is "core fd full null ptmx pts random shm stderr stdin stdout tty urandom zero " \
  "--dev: exactly the documented entries (no console: stdout is not a terminal)"
run_bwrap "${BASE[@]}" --dev /dev stat -c %a /dev/pts/ptmx
assert_stdout_is "666" "--dev: pts/ptmx is 0666"
if sandbox_mountinfo "${BASE[@]}" "${P[@]}" --dev /dev; then
  assert_eq tmpfs "$(mount_field /dev fstype)" "--dev: /dev is a tmpfs"
  check "--dev: /dev nosuid, nodev" eval 'mount_has_opt /dev nosuid && mount_has_opt /dev nodev'
  check "--dev: /dev mode=755" mount_has_superopt /dev mode=755
  assert_eq tmpfs "$(mount_field /dev source)" "--dev: /dev source tmpfs"
  assert_eq devpts "$(mount_field /dev/pts source)" "--dev: /dev/pts source devpts"
  assert_eq devpts "$(mount_field /dev/pts fstype)" "--dev: /dev/pts is a devpts"
  check "--dev: /dev/pts nosuid, noexec" eval 'mount_has_opt /dev/pts nosuid && mount_has_opt /dev/pts noexec'
  check "--dev: private devpts instance (ptmxmode=666)" mount_has_superopt /dev/pts ptmxmode=666
  check "--dev: devpts mode=620" mount_has_superopt /dev/pts mode=620
  check_not "--dev: /dev/shm is not a mount" mount_field /dev/shm fstype
  check "--dev: /dev/null is a bind (nosuid)" mount_has_opt /dev/null nosuid
  check_not "--dev: /dev/null is not nodev" mount_has_opt /dev/null nodev
else
  fail "--dev: mountinfo readable"
fi
run_bwrap "${BASE[@]}" --dev /dev --proc /proc python3 -c '
import os
m, s = os.openpty()
print(os.ttyname(s))'
assert_match "/dev/pts/[0-9]+" "$RUN_OUT" "--dev: ptys can be allocated"
run_bwrap "${BASE[@]}" --dev /dev/x stat -c %a /dev
assert_stdout_is "700" "--dev: new parents 0700"

# ------------------------------------------------------------ --proc

if sandbox_mountinfo "${BASE[@]}" --unshare-pid --proc /proc; then
  assert_eq proc "$(mount_field /proc fstype)" "--proc with --unshare-pid: a procfs"
  assert_eq proc "$(mount_field /proc source)" "--proc with --unshare-pid: source proc"
  check "--proc with --unshare-pid: nosuid, nodev, noexec" \
    eval 'mount_has_opt /proc nosuid && mount_has_opt /proc nodev && mount_has_opt /proc noexec'
  for x in sys sysrq-trigger irq bus; do
    if [ -e "/proc/$x" ] && [ -w "/proc/$x" ]; then
      check "--proc: /proc/$x writable for us: covered read-only" mount_has_opt "/proc/$x" ro
    elif mount_field "/proc/$x" opts >/dev/null; then
      check "--proc: /proc/$x not writable for us: any cover is read-only" mount_has_opt "/proc/$x" ro
    else
      pass "--proc: /proc/$x not writable for us: not covered"
    fi
  done
else
  fail "--proc: mountinfo readable"
fi
run_bwrap "${BASE[@]}" --unshare-pid --proc /proc sh -c 'ls /proc | grep -c "^[0-9]"'
if [[ $RUN_OUT =~ ^[0-9]+$ ]] && [ "$RUN_OUT" -le 6 ]; then
  pass "--proc with --unshare-pid: only the sandbox's processes ($RUN_OUT)"
else
  fail "--proc with --unshare-pid: only the sandbox's processes" "count: $RUN_OUT" "$RUN_ERR"
fi
run_bwrap "${BASE[@]}" --proc /proc cat /proc/1/stat
assert_eq "$(cut -d' ' -f1-4 /proc/1/stat)" "$(cut -d' ' -f1-4 <<<"$RUN_OUT")" \
  "--proc without --unshare-pid: the caller's pid namespace (same pid 1)"
run_bwrap "${BASE[@]}" --proc /a/proc stat -c %a /a
assert_stdout_is "700" "--proc: new parents 0700"

# ------------------------------------------------------------ --mqueue

if sandbox_mountinfo "${BASE[@]}" "${P[@]}" --unshare-ipc --mqueue /dev/mqueue; then
  assert_eq mqueue "$(mount_field /dev/mqueue fstype)" "--mqueue with --unshare-ipc: an mqueue fs"
  assert_eq mqueue "$(mount_field /dev/mqueue source)" "--mqueue: source mqueue"
else
  fail "--mqueue with --unshare-ipc works"
fi
run_bwrap "${BASE[@]}" --mqueue /mq true
if is_root; then
  assert_rc 0 "--mqueue without --unshare-ipc works for real root"
else
  assert_error 1 "bwrap: Can't mount mqueue on /newroot/mq: Operation not permitted" \
    "--mqueue without --unshare-ipc refused for unprivileged callers"
fi

# ------------------------------------------------------------ --hostname

run_bwrap "${BASE[@]}" --unshare-all --hostname sandbox-host sh -c 'uname -n; hostname'
assert_stdout_is "sandbox-host
sandbox-host" "--unshare-all --hostname sets the hostname"
run_bwrap "${BASE[@]}" --unshare-uts uname -n
assert_stdout_is "$(uname -n)" "--unshare-uts alone keeps the host name"
run_bwrap "${BASE[@]}" --unshare-uts --hostname a --hostname b uname -n
assert_eq "b" "$RUN_OUT" "--hostname twice: the last one wins"
assert_stderr_is "bwrap: Only the last --hostname option will take effect" "--hostname twice warns"
check "host hostname unchanged" test "$(uname -n)" != sandbox-host

done_testing
