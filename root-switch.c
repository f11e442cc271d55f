/* SPDX-License-Identifier: LGPL-2.0-or-later
 * root-switch.c: the two root switches of the setup: into the private
 * setup tmpfs (caller's root at /oldroot), and at the end into /newroot.
 * Run by the sandbox process, inside its new mount namespace with
 * that namespace's capabilities, or in setuid mode by the setuid peer
 * (setuid-peer.c) on the sandbox process's request.  A leaf: it calls nothing of
 * setup.c's, so the peer and setup.c both use it without a circle. */
#include "root-switch.h"

#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int
pivot_root (const char *new_root, const char *put_old)
{
  return syscall (SYS_pivot_root, new_root, put_old);
}

/* Mount the setup tmpfs on /tmp and make it "/", with the caller's root
 * at /oldroot.  /tmp is only a place to stand: after pivot_root the
 * caller's /tmp is visible again under /oldroot/tmp. */
int
root_switch_to_setup_root (struct bwrap_error *err)
{
  /* Must come first: from now on no mount we make propagates back to the
   * caller's namespace, while host mount events still reach us. */
  if (mount (NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) != 0)
    return bwrap_error_set (err, errno, "Failed to make / slave");
  /* No mode= option: chmod instead, so that mountinfo shows the options
   * bubblewrap's setup tmpfs has, for the root and --bind-data files.
   * The new root is a bind of a directory of this tmpfs, as bubblewrap's
   * (mountinfo: root "/newroot", source "tmpfs"), not a tmpfs of its own. */
  if (mount ("tmpfs", "/tmp", "tmpfs", MS_NODEV | MS_NOSUID, NULL) != 0)
    return bwrap_error_set (err, errno, "Failed to mount tmpfs");
  if (chdir ("/tmp") != 0)
    return bwrap_error_set (err, errno, "chdir /tmp");
  if (chmod (".", 0755) != 0)
    return bwrap_error_set (err, errno, "chmod setup root");
  if (mkdir ("newroot", 0755) != 0 || mkdir ("oldroot", 0755) != 0 || mkdir ("hidden", 0700) != 0)
    return bwrap_error_set (err, errno, "Creating setup directories failed");
  if (mount ("newroot", "newroot", NULL, MS_BIND | MS_REC, NULL) != 0)
    return bwrap_error_set (err, errno, "Failed to make the new root a mount");
  if (pivot_root (".", "oldroot") != 0)
    return bwrap_error_set (err, errno, "pivot_root");
  if (chdir ("/") != 0)
    return bwrap_error_set (err, errno, "chdir / (after pivot_root)");
  return 0;
}

/* Detach the caller's root and make /newroot "/".  In setuid mode the
 * sandbox process may have changed anything it owns in the setup root, but
 * /oldroot and /newroot are mount points, which it can neither rename nor
 * remove: these paths still name what this function expects. */
int
root_switch_to_new_root (struct bwrap_error *err)
{
  /* Lazy detach: the sandbox must not see the host tree, and busy
   * submounts must not keep it reachable. */
  if (umount2 ("/oldroot", MNT_DETACH) != 0)
    return bwrap_error_set (err, errno, "unmount old root");
  if (chdir ("/newroot") != 0)
    return bwrap_error_set (err, errno, "chdir to the new root");
  /* pivot_root(".", ".") stacks the setup root on top of the new root;
   * unmounting "." then removes the setup root (and /hidden with it). */
  if (pivot_root (".", ".") != 0)
    return bwrap_error_set (err, errno, "pivot_root to the new root");
  if (umount2 (".", MNT_DETACH) != 0)
    return bwrap_error_set (err, errno, "unmount setup root");
  if (chdir ("/") != 0)
    return bwrap_error_set (err, errno, "chdir /");
  return 0;
}
