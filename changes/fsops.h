/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/fsops.h: file-system steps below a directory fd that never
 * follow a symlink: the confined open, the overlay marks of an upper
 * entry, comparing two files or two symlinks, chmod without following.
 * Every open of bwrap-changes below UPPER or TARGET goes through
 * fsops_open: openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or
 * resolve-walk.c's walk with the same rules where openat2 is missing.
 * Runs in bwrap-changes' process with the caller's rights (root's when
 * root runs it). */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/* openat2(dir_fd, path, flags | O_CLOEXEC, RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS): no symlink followed anywhere, nothing above
 * dir_fd; resolve_walk_open_beneath where the kernel has no openat2.
 * For a host tree a sandbox may have filled with symlinks.  Returns an
 * fd or -errno. */
int fsops_open (int dir_fd, const char *path, int flags, mode_t mode);

/* lstat of dir_fd/name; *ret_mount_root: it is a mount point (statx's
 * STATX_ATTR_MOUNT_ROOT, Linux 5.8; false on older kernels).  0 or
 * -errno. */
int fsops_lstat (int dir_fd, const char *name, struct stat *st, bool *ret_mount_root);

/* The overlay marks (entry_marks_of_xattrs) of dir_fd/name, whose lstat
 * is st; fd is an open fd of it, or -1.  *ret_opaque: overlay.opaque says
 * opaque.  0 or -errno. */
int fsops_marks (int dir_fd, const char *name, int fd, unsigned *ret_marks, bool *ret_opaque);

/* 1 when the regular files a_dir/path and b_dir/path (size bytes each
 * by lstat) differ, 0 when their bytes are the same, -errno.  path is
 * opened with fsops_open: it may have several components. */
int fsops_files_differ (int a_dir, int b_dir, const char *path, off_t size);
/* The same for the targets of two symlinks. */
int fsops_links_differ (int a_dir, int b_dir, const char *path);

/* chmod dir_fd/name to mode; a symlink there is refused (-ELOOP), never
 * followed.  0 or -errno. */
int fsops_chmod (int dir_fd, const char *name, mode_t mode);
