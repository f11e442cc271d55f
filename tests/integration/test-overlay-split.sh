#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Overlays over host trees that contain mounts (issue 13): a tmpfs, a
# squashfuse FUSE mount two directories deep and a tmpfs over a directory
# with files of its own, below a layer; several layers with different
# mounts; RWSRC and WORKDIR inside a layer; a directory on the path to a
# mount that can be searched but not listed (issue 23); the whole host root.
#
# How the mounts are made: as root they are host mounts.  As the
# unprivileged user the FUSE mounts are real host mounts (squashfuse, made
# by the user), while a tmpfs can only be mounted in a user + mount
# namespace of one's own: `unshare -Urm` makes them there and runs bwrap
# inside with --unshare-user, so bwrap's namespace is less privileged than
# the one that made the mounts and the kernel locks them, as it locks host
# mounts for an unprivileged bwrap.  The host root tests run bwrap
# directly, with the machine's real mount table.  The kernel facts behind
# the splitting (a layer with mounts below it cannot be used in a user
# namespace; overlays stack at most two deep) are in HACKING.md, "Kernel
# facts".

. "$(dirname "$0")/lib.sh"

T=$TEST_TMP

if is_setuid; then
  skip_all "setuid mode refuses every overlay option (test-overlay.sh checks the refusal)"
fi
is_root || require have_overlay_userns
require have_squashfuse

# ------------------------------------------------------------ fixtures

mkdir -p "$T/tree/plain/d" "$T/tree/x/y/sq" "$T/tree/tm" "$T/tree/cover" \
  "$T/sq/sd" "$T/top/plain/d" "$T/top/q" "$T/q"
echo p >"$T/tree/plain/d/f"
echo gone >"$T/tree/plain/d/del"
echo hidden >"$T/tree/cover/hidden"
ln -s plain/d/f "$T/tree/link"
echo s1 >"$T/sq/s1"
echo s2 >"$T/sq/sd/s2"
echo top >"$T/top/plain/d/f"
echo q1 >"$T/q/q1"
squashfs_of "$T/sq" "$T/tree/x/y/sq" || skip_all "cannot mount a squashfs image with squashfuse"
squashfs_of "$T/q" "$T/top/q" || skip_all "cannot mount a squashfs image with squashfuse"

# A search-only directory: tv/trav, mode 0711 of uid 4242 (mapped neither
# in the user's sandbox nor in root's with --unshare-user), holding a file
# reachable by name, a mount directly in it (trav/mnt) and one below a
# directory anyone may write into (trav/sub/mnt2).  An image, because only
# squashfuse gives the user files of another owner; default_permissions,
# so that the kernel enforces their modes.  tv2/trav: the same directory
# in a second layer.
mkdir -p "$T/travsrc/trav/mnt" "$T/travsrc/trav/sub/mnt2" "$T/tv2/trav"
echo k >"$T/travsrc/trav/known"
echo s >"$T/travsrc/trav/sub/sf"
echo t >"$T/tv2/trav/t"
chmod 777 "$T/travsrc/trav/sub"
chmod 711 "$T/travsrc/trav"
make_squashfs "$T/travsrc" "$T/trav.sqfs" -force-uid 4242 -force-gid 4242 &&
  mount_squashfs "$T/trav.sqfs" "$T/tv" -o default_permissions || skip_all "cannot mount a squashfs image with squashfuse"

# The tmpfs mounts: t1 in tree/tm, and c1 in a tmpfs over tree/cover,
# which hides tree/cover/hidden.
# And an overlayfs mount at ovl (lower ol), for the EOVERFLOW diagnosis,
# and one over it at ovl2, two deep: no overlay can be stacked on that.
mkdir -p "$T/ol" "$T/ou" "$T/ow" "$T/ovl" "$T/ou2" "$T/ow2" "$T/ovl2"
echo o >"$T/ol/of"
MOUNTS='mount -t tmpfs -o mode=0755 bwrap-t "$1/tree/tm" && echo t1 >"$1/tree/tm/t1" &&
        mount -t tmpfs -o mode=0755 bwrap-t "$1/tree/cover" && echo c1 >"$1/tree/cover/c1" &&
        mount -t overlay -o "lowerdir=$1/ol,upperdir=$1/ou,workdir=$1/ow,userxattr" bwrap-o "$1/ovl" &&
        mount -t overlay -o "lowerdir=$1/ovl,upperdir=$1/ou2,workdir=$1/ow2,userxattr" bwrap-o "$1/ovl2" &&
        mount -t tmpfs -o mode=0777 bwrap-t "$1/tv/trav/mnt" && echo m >"$1/tv/trav/mnt/m" &&
        mount -t tmpfs -o mode=0777 bwrap-t "$1/tv/trav/sub/mnt2" && echo m2 >"$1/tv/trav/sub/mnt2/m2"'
if is_root; then
  bash -c "$MOUNTS" sh "$T" || skip_all "cannot mount tmpfs"
  register_mount "$T/ovl"
  register_mount "$T/ovl2"
  register_mount "$T/tree/cover"
  register_mount "$T/tree/tm"
  register_mount "$T/tv/trav/mnt"
  register_mount "$T/tv/trav/sub/mnt2"
  # sbx ARGS...: bwrap ARGS... with the test mounts in place
  sbx () { run_bwrap "$@"; }
else
  sbx ()
  {
    run unshare -Urm bash -c "$MOUNTS"' && shift && exec "$@"' sh "$T" \
      "$BWRAP" --unshare-user --uid "$HOST_UID" --gid "$HOST_GID" "$@"
  }
fi

# Names, types, sizes and times of everything below $T but the fixtures'
# own files (and the overlayfs work directory, which the user's runs mount
# afresh each time): must be identical before and after a --tmp-overlay run.
host_state ()
{
  find "$T" -mindepth 1 -path "$T/.*" -prune -o -path "$T/*.sqfs" -prune -o -path "$T/ow" -prune -o -path "$T/ow2" -prune -o \
    -printf '%P|%y|%m|%s|%T@\n' 2>/dev/null | LC_ALL=C sort
}

SB=("${BASE[@]}" --proc /proc --dev /dev)
READ='cat /o/plain/d/f /o/tm/t1 /o/x/y/sq/s1 /o/x/y/sq/sd/s2 /o/cover/c1 /o/link | tr "\n" " "'
WRITE='set -e
echo n >/o/new; echo n >/o/plain/d/new; echo c >/o/plain/d/f; rm /o/plain/d/del
echo n >/o/tm/new; echo n >/o/x/new; echo n >/o/x/y/sq/new; echo n >/o/x/y/sq/sd/new
echo n >/o/cover/new; rm /o/x/y/sq/s1; mkdir /o/x/y/sq/sd/nd
cat /o/new /o/plain/d/new /o/plain/d/f /o/tm/new /o/x/y/sq/new /o/cover/new | tr "\n" " "
test ! -e /o/x/y/sq/s1 && test ! -e /o/plain/d/del && echo gone'

# ------------------------------------------------------------ reads

sbx "${SB[@]}" --overlay-src "$T/tree" --tmp-overlay /o sh -c "$READ"
assert_rc 0 "tmp-overlay over a tree with mounts: mounts"
assert_stdout_is "p t1 s1 s2 c1 p " "reads through every piece: plain dir, tmpfs, FUSE two deep, mount over a dir, symlink"

sbx "${SB[@]}" --overlay-src "$T/tree" --tmp-overlay /o sh -c 'ls /o/cover; ls /o/x/y'
assert_stdout_is "c1
sq" "a file under a mount point stays hidden"

# ------------------------------------------------------------ --tmp-overlay

before=$(host_state)
sbx "${SB[@]}" --overlay-src "$T/tree" --tmp-overlay /o sh -c "$WRITE"
assert_rc 0 "tmp-overlay: writes, changes and deletions in every piece"
assert_stdout_is "n n c n n n gone" "tmp-overlay: the sandbox sees its writes"
assert_eq "$before" "$(host_state)" "tmp-overlay: nothing changed on the host"
assert_file_content "$T/tree/x/y/sq/s1" s1 "tmp-overlay: the FUSE layer is untouched"

sbx "${SB[@]}" --overlay-src "$T/tree" --size $((1 << 20)) --tmp-overlay /o \
  sh -c 'head -c 700000 /dev/zero >/o/tm/a && head -c 700000 /dev/zero >/o/x/y/sq/b'
assert_rc 1 "tmp-overlay: --size bounds all pieces together (one tmpfs)"

# ------------------------------------------------------------ --overlay

mkdir -p "$T/rw" "$T/wk"
sbx "${SB[@]}" --overlay-src "$T/tree" --overlay "$T/rw" "$T/wk" /o sh -c "$WRITE"
assert_rc 0 "overlay: writes, changes and deletions in every piece"
assert_stdout_is "n n c n n n gone" "overlay: the sandbox sees its writes"
for f in new plain/d/new tm/new x/new x/y/sq/new x/y/sq/sd/new cover/new; do
  assert_file_content "$T/rw/$f" n "overlay: a write to /o/$f lands at RWSRC/$f"
done
assert_file_content "$T/rw/plain/d/f" c "overlay: a changed file lands at its path in RWSRC"
check "overlay: a deleted file of the FUSE piece is a whiteout at its path" is_whiteout "$T/rw/x/y/sq/s1"
check "overlay: a deleted plain file is a whiteout at its path" is_whiteout "$T/rw/plain/d/del"
check "overlay: a new directory is at its path" test -d "$T/rw/x/y/sq/sd/nd"
assert_file_content "$T/tree/plain/d/f" p "overlay: the layer is untouched"
assert_file_content "$T/tree/x/y/sq/s1" s1 "overlay: the FUSE layer is untouched"

sbx "${SB[@]}" --overlay-src "$T/tree" --overlay "$T/rw" "$T/wk" /o \
  sh -c 'cat /o/x/y/sq/new /o/plain/d/f; test ! -e /o/x/y/sq/s1 && echo gone'
assert_stdout_is "n
c
gone" "overlay: a second run over the same RWSRC and WORKDIR sees the first run's changes"

# ------------------------------------------------------------ --ro-overlay, several layers

sbx "${SB[@]}" --overlay-src "$T/tree" --overlay-src "$T/top" --ro-overlay /o \
  sh -c 'cat /o/plain/d/f /o/q/q1 /o/x/y/sq/s1 /o/tm/t1 /o/cover/c1 | tr "\n" " "; echo x >/o/new || echo ro; echo x >/o/tm/new || echo ro'
assert_stdout_is "top q1 s1 t1 c1 ro
ro" "ro-overlay, two layers with different mounts: the top layer wins, every mount shows, nothing is writable"

sbx "${SB[@]}" --overlay-src "$T/top" --overlay-src "$T/tree" --tmp-overlay /o \
  sh -c 'cat /o/plain/d/f /o/q/q1 /o/x/y/sq/s1 | tr "\n" " "; echo x >/o/q/new && cat /o/q/new'
assert_stdout_is "p q1 s1 x" "tmp-overlay, layers in the other order: a mount of the lower layer shows and takes writes"

# ------------------------------------------------------------ RWSRC, WORKDIR inside a layer

mkdir -p "$T/tree/rw2" "$T/tree/wk2"
echo old >"$T/tree/rw2/leftover"
sbx "${SB[@]}" --overlay-src "$T/tree" --overlay "$T/tree/rw2" "$T/tree/wk2" /o \
  sh -c 'ls -A /o/rw2 /o/wk2 | tr "\n" " "; echo n >/o/new2; cat /o/plain/d/f'
assert_rc 0 "RWSRC and WORKDIR inside the layer: accepted"
assert_stdout_is "/o/rw2:  /o/wk2: p" "RWSRC and WORKDIR inside the layer appear empty"
assert_file_content "$T/tree/rw2/new2" n "RWSRC inside the layer receives the writes"

# ------------------------------------------------------------ search-only directories

# A directory on the path to a mount is recreated from its entries, and
# one the sandbox may search but not list (0711 of an unmapped owner)
# lists none: it is bound as it is instead, read-only, with one warning;
# the pieces below it are still overlays.  As real root every directory
# can be listed: recreated as usual, no warning.
TRAV='cat /o/trav/known /o/trav/mnt/m /o/trav/sub/sf /o/trav/sub/mnt2/m2 | tr "\n" " "
echo n >/o/trav/mnt/new && echo n >/o/trav/sub/mnt2/new && echo n >/o/trav/sub/new && echo written
stat -c %a /o/trav; { echo n >/o/trav/new; } 2>/dev/null && echo trav-writable || echo trav-ro'
trav_warning () { echo "bwrap: warning: $T/$1 can be searched but not listed with the sandbox's ids, so bwrap cannot recreate it around the mounts below it: $2 in /o/trav"; }
before=$(host_state)
if is_root; then
  sbx "${SB[@]}" --overlay-src "$T/tv" --tmp-overlay /o sh -c "$TRAV"
  assert_stdout_is "k m s m2 written
711
trav-writable" "search-only directory, as real root: listed and recreated as any other"
  assert_stderr_empty "search-only directory, as real root: no warning"
fi
sbx --unshare-user "${SB[@]}" --overlay-src "$T/tv" --tmp-overlay /o sh -c "$TRAV"
assert_stdout_is "k m s m2 written
711
trav-ro" "search-only directory with mounts, in a user namespace: its file is reachable by name, the mounts below take writes, it keeps its mode and is read-only"
assert_stderr_is "$(trav_warning tv/trav "it is shown as it is, read-only,")" \
  "search-only directory shown as it is: one warning line names it and says why"
assert_eq "$before" "$(host_state)" "search-only directory: nothing changed on the host"

mkdir -p "$T/trw" "$T/twk"
sbx --unshare-user "${SB[@]}" --overlay-src "$T/tv" --overlay "$T/trw" "$T/twk" /o sh -c "$TRAV"
assert_file_content "$T/trw/trav/sub/mnt2/new" n "search-only directory, --overlay: a write to a mount below it lands in RWSRC"
assert_file_content "$T/trw/trav/sub/new" n "search-only directory, --overlay: a write to a directory below it lands in RWSRC"

sbx --unshare-user "${SB[@]}" --overlay-src "$T/tv" --overlay-src "$T/tree/plain" --ro-overlay /o \
  sh -c 'cat /o/trav/known /o/trav/sub/mnt2/m2 | tr "\n" " "; { echo n >/o/trav/sub/mnt2/new; } 2>/dev/null || echo ro'
assert_stdout_is "k m2 ro" "search-only directory, --ro-overlay: reachable by name, nothing writable"

# In two layers, binding one would hide the other: only the entries that
# lead to mounts are shown from the search-only one (documented).
sbx --unshare-user "${SB[@]}" --overlay-src "$T/tv" --overlay-src "$T/tv2" --tmp-overlay /o \
  sh -c 'cat /o/trav/t /o/trav/mnt/m | tr "\n" " "; test -e /o/trav/known && echo known || echo no-known'
assert_stdout_is "t m no-known" "search-only directory in two layers: the other layer's entries and the mounts show"
assert_stderr_is "$(trav_warning tv/trav "other layers have it too, so only its entries that lead to mounts are shown")" \
  "search-only directory in two layers: one warning line says what is not shown"

# ------------------------------------------------------------ diagnosed kernel limits

# A layer on overlayfs, in a user namespace: copy-up fails with EOVERFLOW
# after the command started, so bwrap warns before.
sbx --unshare-user "${SB[@]}" --overlay-src "$T/ovl" --tmp-overlay /o sh -c 'echo n >/o/new && echo new-ok; echo x >>/o/of || true'
assert_stderr_has "bwrap: warning: --overlay-src $T/ovl is on overlayfs: in a user namespace, changing or deleting its existing files fails" \
  "overlayfs lower in a user namespace: warned up front"
assert_stderr_has "Value too large for defined data type" "overlayfs lower: the in-place change fails as the warning says"
sbx --unshare-user "${SB[@]}" --overlay-src "$T/ovl" --overlay-src "$T/tree/plain" --ro-overlay /o true
assert_stderr_empty "overlayfs lower: no warning for --ro-overlay"

# Stacking depth: the kernel allows two levels, says EINVAL and logs the
# reason only; bwrap names the layer.  One level less works (control).
sbx "${SB[@]}" --overlay-src "$T/tree/plain" --overlay-src "$T/ovl2" --ro-overlay /o true
assert_error 1 "bwrap: Can't make overlay mount on /o: the layer $T/ovl2 is on an overlayfs that is already stacked on another, and the kernel stacks filesystems at most two deep (its log says \"maximum fs stacking depth exceeded\"); use a layer on another filesystem, or bind it with --ro-bind instead" \
  "a layer two overlays deep: one line names it and the limit"
sbx "${SB[@]}" --overlay-src "$T/ovl2" --tmp-overlay /o true
assert_stderr_has "the layer $T/ovl2 is on an overlayfs that is already stacked on another" \
  "a layer two overlays deep: named for --tmp-overlay too"
sbx "${SB[@]}" --overlay-src "$T/ovl" --overlay-src "$T/tree/plain" --ro-overlay /o cat /o/of
assert_stdout_is "o" "one overlay deep: an overlay can still be stacked on it"
# Such a mount below a layer is shown read-only, as a pseudo filesystem is.
sbx "${SB[@]}" --overlay-src "$T" --tmp-overlay /o sh -c 'cat /o/ovl2/of /o/tree/tm/t1; echo x >/o/ovl2/new || echo refused'
assert_stdout_is "o
t1
refused" "a mount two overlays deep below the layer: readable, read-only; the rest still an overlay"
assert_stderr_has "bwrap: warning: $T/ovl2 (below --overlay-src $T) is on an overlayfs already stacked on another; the kernel stacks filesystems at most two deep, so it is shown read-only in /o/ovl2" \
  "a mount two overlays deep below the layer: one warning line says so"

# Files of an owner the sandbox cannot map that the caller may change (an
# image of a root-owned tree with a world-writable file, mounted by the
# user): they can be replaced, but not changed in place.
mkdir -p "$T/rootsrc"
echo a >"$T/rootsrc/f"
chmod 666 "$T/rootsrc/f"
make_squashfs "$T/rootsrc" "$T/root.sqfs" -all-root && mount_squashfs "$T/root.sqfs" "$T/rootimg" ||
  skip_all "cannot mount a squashfs image with squashfuse"
run_bwrap "${SB[@]}" --overlay-src "$T/rootimg" --tmp-overlay /o sh -c 'echo x >>/o/f; echo n >/o/g && echo replaced-ok'
if is_root; then
  assert_stderr_empty "files owned by another uid: no warning as root (every owner is mapped)"
  assert_stdout_is replaced-ok "files owned by another uid, as root: changed in place"
else
  assert_stderr_has "bwrap: warning: --overlay-src $T/rootimg: its file f is owned by uid 0, which the sandbox cannot map" \
    "files owned by an unmapped uid: warned up front"
  assert_stderr_has "cannot create /o/f: Value too large for defined data type" \
    "files owned by an unmapped uid: the in-place change fails as the warning says"
fi
run_bwrap "${SB[@]}" --overlay-src "$T/rootimg" --overlay-src "$T/tree/plain" --ro-overlay /o true
assert_stderr_empty "files owned by another uid: no warning for --ro-overlay"

# The kernel's rule is the uid or the gid: a file of the caller whose
# group is not the caller's primary group (a shared project directory),
# writable by that group, is as stuck as a foreign one (grpimg/g).  And
# the scan looks below the layer's root: a root-owned 0666 file one
# directory down (deepimg/d/f), in a plain overlay without a split.  Each
# warning is checked against what the command then meets.
mkdir -p "$T/grpsrc" "$T/deepsrc/d"
echo g >"$T/grpsrc/g"
echo f >"$T/deepsrc/d/f"
chmod 664 "$T/grpsrc/g"
chmod 666 "$T/deepsrc/d/f"
make_squashfs "$T/grpsrc" "$T/grp.sqfs" -force-uid "$HOST_UID" -force-gid 4242 &&
  mount_squashfs "$T/grp.sqfs" "$T/grpimg" &&
  make_squashfs "$T/deepsrc" "$T/deep.sqfs" -all-root && mount_squashfs "$T/deep.sqfs" "$T/deepimg" || {
  skip_n "$(is_root && echo 7 || echo 5)" "cannot mount a squashfs image with squashfuse" "unmapped group, file one level down"
  done_testing
  exit 0
}
grp_warning="bwrap: warning: --overlay-src $T/grpimg: its file g has group gid 4242, which the sandbox cannot map (it maps only uid $HOST_UID and gid $HOST_GID)"
CHANGE='{ echo x >>"$1"; } 2>&1 | sed "s/.*: //"; cat "$1"'
run_bwrap "${SB[@]}" --overlay-src "$T/grpimg" --tmp-overlay "$T/grpimg" sh -c "$CHANGE" sh "$T/grpimg/g"
if is_root; then
  assert_stderr_empty "a file of an unmapped group, as root: no warning (every owner is mapped)"
  assert_stdout_is "g
x" "a file of an unmapped group, as root: changed in place"
  run_bwrap --unshare-user "${SB[@]}" --overlay-src "$T/grpimg" --tmp-overlay "$T/grpimg" sh -c "$CHANGE" sh "$T/grpimg/g"
fi
assert_stderr_has "$grp_warning" "a file of the caller's with an unmapped group, writable by it: warned up front, naming the gid"
assert_stdout_is "Value too large for defined data type
g" "a file of an unmapped group: changing it in place fails with EOVERFLOW, as the warning says"

run_bwrap "${SB[@]}" --overlay-src "$T/deepimg" --tmp-overlay "$T/deepimg" sh -c "$CHANGE" sh "$T/deepimg/d/f"
if is_root; then
  assert_stderr_empty "a root-owned 0666 file one directory down, as root: no warning"
  assert_stdout_is "f
x" "a root-owned 0666 file one directory down, as root: changed in place"
else
  assert_stderr_has "bwrap: warning: --overlay-src $T/deepimg: its file d/f is owned by uid 0, which the sandbox cannot map" \
    "a root-owned 0666 file one directory below the layer's root: warned up front, without a split"
  assert_stdout_is "Value too large for defined data type
f" "a root-owned 0666 file one directory down: changing it in place fails with EOVERFLOW, as the warning says"
fi
# Control: the caller's own files, one directory down, give no warning.
sbx "${SB[@]}" --overlay-src "$T/tree/plain" --tmp-overlay /o true
assert_stderr_empty "the caller's own files: no warning"

# ------------------------------------------------------------ the host root

# host_root_run (lib.sh): retried when another run's mount comes or goes.
FRESH=

# A name no other test uses, in /tmp, /var/tmp and the home directory.
name=bwrap-split-$$-$RANDOM
home=$(getent passwd "$HOST_UID" | cut -d: -f6)
if [ -d "$home" ] && [ -w "$home" ]; then
  hw="echo h >$home/$name && cat $home/$name"
else
  hw="echo h"
  diag "no writable home directory for uid $HOST_UID: not written to"
fi
ROOTW="set -e; echo t >/tmp/$name; echo v >/var/tmp/$name; $hw; cat /tmp/$name /var/tmp/$name; ls /proc/self/fd >/dev/null; test -c /dev/null; echo ok"

host_root_run --overlay-src / --tmp-overlay / --proc /proc --dev /dev sh -c "$ROOTW"
assert_rc 0 "host root, --tmp-overlay /: mounts"
assert_stdout_is "h
t
v
ok" "host root, --tmp-overlay /: writes to /tmp, /var/tmp and the home directory"
check "host root, --tmp-overlay /: nothing left in /tmp, /var/tmp, home" \
  test ! -e "/tmp/$name" -a ! -e "/var/tmp/$name" -a ! -e "$home/$name"

FRESH="$T/hrw $T/hwk" host_root_run --overlay-src / --overlay "$T/hrw" "$T/hwk" / --proc /proc --dev /dev \
  sh -c "$ROOTW; ls -A $T/hrw | wc -l"
assert_rc 0 "host root, --overlay RWSRC WORKDIR / (RWSRC in /tmp): mounts"
assert_stdout_is "h
t
v
ok
0" "host root, --overlay: writes to /tmp, /var/tmp and home; RWSRC appears empty"
assert_file_content "$T/hrw/tmp/$name" t "host root, --overlay: a write to /tmp lands in RWSRC/tmp"
assert_file_content "$T/hrw/var/tmp/$name" v "host root, --overlay: a write to /var/tmp lands in RWSRC/var/tmp"
if [ "$hw" != "echo h" ]; then
  assert_file_content "$T/hrw${home}/$name" h "host root, --overlay: a write to the home directory lands in RWSRC"
else
  skip "host root, --overlay: home directory write" "no writable home directory"
fi
check "host root, --overlay: nothing left in /tmp, /var/tmp, home" \
  test ! -e "/tmp/$name" -a ! -e "/var/tmp/$name" -a ! -e "$home/$name"

host_root_run --overlay-src / --tmp-overlay / --proc /proc --dev /dev sh -c 'cat /etc/hostname >/dev/null && ls / >/dev/null && echo ok'
assert_stdout_is ok "host root: every top-level piece reads"

if ! is_root; then
  host_root_run --overlay-src / --tmp-overlay / sh -c 'echo x >/etc/bwrap-split-test || echo refused'
  assert_stdout_is refused "host root as the user: /etc stays unwritable, as on the host"
else
  skip "host root as the user: /etc stays unwritable" "root may write there"
fi

chmod -R u+rwX "$T" 2>/dev/null
done_testing
