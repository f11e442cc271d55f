/* SPDX-License-Identifier: LGPL-2.0-or-later
 * resolve-walk.h: the classic stand-in for openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS), for kernels (Linux < 5.6) or seccomp policies
 * without openat2.  Walks the path one component at a time with
 * openat(O_PATH | O_NOFOLLOW), so every step is a real lookup below a
 * directory fd already known to lie inside the root.  Runs in the sandbox
 * process (and in unit tests); needs no privilege.  bwrap-changes
 * uses the stricter variant, the stand-in for RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS, to write into a tree that may hold symlinks
 * planted anywhere. */
#pragma once

#include <sys/types.h>

#define RESOLVE_WALK_MAX_LINKS 40   /* the kernel's MAXSYMLINKS */

/* Open path (absolute or relative, both taken from root_fd) with flags
 * (O_CLOEXEC is added; O_CREAT uses mode) the way openat2 with
 * RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS does:
 *   - "/" and ".." never leave root_fd ("/.." is "/");
 *   - symlinks, absolute or relative, are resolved inside root_fd;
 *   - procfs magic links (/proc/N/fd/M, /proc/N/root, /proc/N/exe, ...)
 *     are refused with ELOOP where they would be followed, as are more
 *     than RESOLVE_WALK_MAX_LINKS symlinks;
 *   - a final symlink is not followed with O_NOFOLLOW.
 * ".." is taken back along the directories walked (kept as fds), so a
 * directory moved meanwhile cannot lead outside.  Returns an fd or
 * -errno. */
int resolve_walk_open (int root_fd, const char *path, int flags, mode_t mode);

/* The same walk with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)'s
 * rules instead: no symlink is followed anywhere (ELOOP; a final one is
 * returned as itself only with O_PATH | O_NOFOLLOW, refused with
 * O_NOFOLLOW alone by the final open), and an absolute path or a ".."
 * above dir_fd fails with EXDEV.  Returns an fd or -errno. */
int resolve_walk_open_beneath (int dir_fd, const char *path, int flags, mode_t mode);
