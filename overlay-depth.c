/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-depth.c: name the layer that makes an overlay too deep.
 *
 * The kernel stacks filesystems at most two deep (FILESYSTEM_MAX_STACK_DEPTH):
 * an overlay over a directory of an overlay works, one more level fails
 * with a bare EINVAL, and the reason ("maximum fs stacking depth
 * exceeded") goes only to the kernel log.  That happens to an overlay
 * over a tree that is itself an overlay of an overlay, as inside a
 * container running in a container.  Depth is not visible from user
 * space, so after such a failure each layer on a stacking filesystem is
 * tried alone: a read-only overlay of it (twice, as one lower needs a
 * second), created but never mounted where the new mount API exists, and
 * otherwise mounted on the destination and detached at once.  Run in the
 * setup process, with the rights the failed mount had. */
#include "overlay-depth.h"

#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel-api.h"

#ifndef ECRYPTFS_SUPER_MAGIC
#define ECRYPTFS_SUPER_MAGIC 0xf15f
#endif

/* Filesystems that count a level themselves: only a layer on one of
 * these can be too deep.  (FUSE counts one with passthrough, which cannot
 * be told from outside; it is never deeper than one.) */
static bool
is_stacking_fs (int fd)
{
  struct statfs sfs;

  if (fstatfs (fd, &sfs) != 0)
    return false;
  return sfs.f_type == OVERLAYFS_SUPER_MAGIC || sfs.f_type == ECRYPTFS_SUPER_MAGIC;
}

/* 1: an overlay on the directory at path fails with EINVAL, 0: it does
 * not, -1: this kernel cannot tell us. */
static int
probe_new_api (const char *path)
{
  cleanup_fd int fs = fsopen ("overlay", FSOPEN_CLOEXEC);

  if (fs < 0)
    return -1;
  for (int i = 0; i < 2; i++)
    if (fsconfig (fs, FSCONFIG_SET_STRING, "lowerdir+", path, 0) != 0)
      {
        /* Before Linux 6.8 only the classic, colon-separated form. */
        char both[2 * PATH_MAX + 2];
        if (i != 0 || errno != EINVAL)
          return -1;
        snprintf (both, sizeof both, "%s:%s", path, path);
        if (fsconfig (fs, FSCONFIG_SET_STRING, "lowerdir", both, 0) != 0)
          return -1;
        break;
      }
  if (fsconfig (fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) != 0)
    return -1;
  if (fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
    return 0;
  return errno == EINVAL;
}

static int
probe_legacy (const char *path, const char *target)
{
  char options[2 * PATH_MAX + 32];

  snprintf (options, sizeof options, "lowerdir=%s:%s,userxattr", path, path);
  if (mount ("overlay", target, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, options) == 0)
    {
      /* It worked: take it away again, the real mount goes here. */
      (void) umount2 (target, MNT_DETACH);
      return 0;
    }
  return errno == EINVAL;
}

ssize_t
overlay_depth_find_too_deep (const struct overlay_lowers *lowers, int dest_fd,
                             const char *proc_fd_dir)
{
  char target[PATH_MAX];

  snprintf (target, sizeof target, "%s/%d", proc_fd_dir, dest_fd);
  for (size_t i = 0; i < lowers->n; i++)
    {
      struct bwrap_error ignored = { 0 };
      cleanup_fd int fd = lowers->open_lower (lowers->data, i, &ignored);
      char path[PATH_MAX];
      int r = -1;

      bwrap_error_clear (&ignored);
      if (fd < 0 || !is_stacking_fs (fd))
        continue;
      snprintf (path, sizeof path, "%s/%d", proc_fd_dir, fd);
      if (!kernel_api_is_legacy (KERNEL_API_MOUNT))
        r = probe_new_api (path);
      if (r < 0)
        r = probe_legacy (path, target);
      if (r == 1)
        return (ssize_t) i;
    }
  return -1;
}
