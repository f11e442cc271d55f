/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/fsops.c: confined opens, overlay marks, comparisons and a
 * chmod that follows no symlink (changes/fsops.h).  Runs in
 * bwrap-changes' process with the caller's rights. */
#include "fsops.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "entry.h"
#include "resolve.h"
#include "resolve-walk.h"
#include "utils.h"

/* System calls newer than Debian 12's headers.  Since Linux 5.1 a new
 * system call has the same number on every architecture but alpha. */
#ifndef SYS_fchmodat2
# define SYS_fchmodat2 452       /* Linux 6.6 */
#endif
#ifndef SYS_listxattrat
# define SYS_listxattrat 465     /* Linux 6.13 */
#endif

/* The kernel's RESOLVE_BENEATH where it has openat2 (the same choice as
 * bwrap's resolve_create, through resolve_openat2), the walk otherwise. */
int
fsops_open (int dir_fd, const char *path, int flags, mode_t mode)
{
  struct open_how how = {
    .flags = flags | O_CLOEXEC,
    .mode = (flags & O_CREAT) ? mode : 0,
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
  };
  bool walk;
  int fd = resolve_openat2 (dir_fd, path, &how, &walk);

  if (!walk)
    return fd;
  return resolve_walk_open_beneath (dir_fd, path, flags, how.mode);
}

int
fsops_lstat (int dir_fd, const char *name, struct stat *st, bool *ret_mount_root)
{
  struct statx stx;

  *ret_mount_root = false;
  if (statx (dir_fd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS, &stx) != 0)
    {
      if (errno != ENOSYS)
        return -errno;
      return fstatat (dir_fd, name, st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;   /* < 4.11 */
    }
  *st = (struct stat) {
    .st_dev = makedev (stx.stx_dev_major, stx.stx_dev_minor),
    .st_ino = stx.stx_ino,
    .st_mode = stx.stx_mode,
    .st_nlink = stx.stx_nlink,
    .st_uid = stx.stx_uid,
    .st_gid = stx.stx_gid,
    .st_rdev = makedev (stx.stx_rdev_major, stx.stx_rdev_minor),
    .st_size = stx.stx_size,
    .st_blksize = stx.stx_blksize,
    .st_blocks = stx.stx_blocks,
    .st_atim = { stx.stx_atime.tv_sec, stx.stx_atime.tv_nsec },
    .st_mtim = { stx.stx_mtime.tv_sec, stx.stx_mtime.tv_nsec },
    .st_ctim = { stx.stx_ctime.tv_sec, stx.stx_ctime.tv_nsec },
  };
  *ret_mount_root = (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
                    && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
  return 0;
}

/* listxattr of dir_fd/name without following a final symlink and without
 * opening it (a mode-000 file cannot be opened by its owner).  The
 * answer's length, or -errno. */
static ssize_t
list_xattrs (int dir_fd, const char *name, char *buf, size_t size)
{
  static bool no_listxattrat;
  char path[64];
  ssize_t n;

  if (!no_listxattrat)
    {
      n = syscall (SYS_listxattrat, dir_fd, name, AT_SYMLINK_NOFOLLOW, buf, size);
      if (n >= 0)
        return n;
      if (errno != ENOSYS && errno != EPERM)
        return -errno;
      no_listxattrat = true;   /* before Linux 6.13, or filtered */
    }
  /* The entry through its directory's fd in /proc; llistxattr does not
   * follow the final name, and /proc/self/fd/N is the directory we
   * hold, not a path someone could change. */
  snprintf (path, sizeof path, "/proc/self/fd/%d/", dir_fd);
  {
    cleanup_free char *full = strconcat (path, name);
    n = llistxattr (full, buf, size);
  }
  return n < 0 ? -errno : n;
}

int
fsops_marks (int dir_fd, const char *name, int fd, unsigned *ret_marks, bool *ret_opaque)
{
  char names[4096];
  char value[8];
  ssize_t n;

  *ret_marks = 0;
  *ret_opaque = false;
  n = fd >= 0 ? flistxattr (fd, names, sizeof names) : list_xattrs (dir_fd, name, names, sizeof names);
  if (fd >= 0 && n < 0)
    n = -errno;
  if (n == -ERANGE)
    return -E2BIG;   /* more attribute names than any overlay entry has */
  if (n == -ENOTSUP)
    return 0;        /* no xattrs on this filesystem: no marks */
  if (n < 0)
    return (int) n;
  *ret_marks = entry_marks_of_xattrs (names, n);
  if (*ret_marks & MARK_OPAQUE)
    {
      static const char *const attrs[] = { "user.overlay.opaque", "trusted.overlay.opaque" };
      for (size_t i = 0; i < N_ELEMENTS (attrs) && !*ret_opaque; i++)
        {
          ssize_t len;
          if (fd >= 0)
            len = fgetxattr (fd, attrs[i], value, sizeof value);
          else
            {
              char path[64];
              snprintf (path, sizeof path, "/proc/self/fd/%d/", dir_fd);
              cleanup_free char *full = strconcat (path, name);
              len = lgetxattr (full, attrs[i], value, sizeof value);
            }
          *ret_opaque = len > 0 && entry_opaque_value (value, len);
        }
    }
  return 0;
}

/* Read exactly n bytes (less only at end of file). */
static ssize_t
read_full (int fd, char *buf, size_t n)
{
  size_t done = 0;

  while (done < n)
    {
      ssize_t r = read (fd, buf + done, n - done);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -errno;
      if (r == 0)
        break;
      done += r;
    }
  return done;
}

int
fsops_files_differ (int a_dir, int b_dir, const char *path, off_t size)
{
  /* O_NONBLOCK: if a fifo was swapped in since the lstat, opening it
   * must not wait for a writer.  O_NOFOLLOW: nor may a symlink lead
   * elsewhere. */
  const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
  /* Per thread: walk-run.c runs the walk, and this, on several. */
  static __thread char a_buf[64 * 1024], b_buf[64 * 1024];
  cleanup_fd int a = fsops_open (a_dir, path, flags, 0);
  cleanup_fd int b = -1;

  if (a < 0)
    return a;
  b = fsops_open (b_dir, path, flags, 0);
  if (b < 0)
    return b;
  /* Exactly the size both lstats gave: a file that changes while we
   * read it changes after we looked, like any other. */
  for (off_t left = size; left > 0;)
    {
      size_t want = left < (off_t) sizeof a_buf ? (size_t) left : sizeof a_buf;
      ssize_t na = read_full (a, a_buf, want);
      ssize_t nb = read_full (b, b_buf, want);
      if (na < 0)
        return (int) na;
      if (nb < 0)
        return (int) nb;
      if (na != nb || memcmp (a_buf, b_buf, na) != 0)
        return 1;
      if ((size_t) na < want)
        return 0;   /* both shorter than their lstat said, alike */
      left -= na;
    }
  return 0;
}

/* The target of the symlink at path below dir_fd.  Length or -errno. */
static ssize_t
read_link (int dir_fd, const char *path, char *buf, size_t size)
{
  cleanup_fd int fd = -1;
  ssize_t n;

  if (strchr (path, '/') == NULL)
    n = readlinkat (dir_fd, path, buf, size);
  else
    {
      /* The link itself, reached without following any other. */
      fd = fsops_open (dir_fd, path, O_PATH | O_NOFOLLOW, 0);
      if (fd < 0)
        return fd;
      n = readlinkat (fd, "", buf, size);
    }
  return n < 0 ? -errno : n;
}

int
fsops_links_differ (int a_dir, int b_dir, const char *path)
{
  char a[PATH_MAX], b[PATH_MAX];
  ssize_t na = read_link (a_dir, path, a, sizeof a);
  ssize_t nb;

  if (na < 0)
    return (int) na;
  nb = read_link (b_dir, path, b, sizeof b);
  if (nb < 0)
    return (int) nb;
  return na != nb || memcmp (a, b, na) != 0;
}

int
fsops_chmod (int dir_fd, const char *name, mode_t mode)
{
  static bool no_fchmodat2;
  cleanup_fd int fd = -1;
  struct stat st;
  char path[64];

  if (!no_fchmodat2)
    {
      if (syscall (SYS_fchmodat2, dir_fd, name, mode, AT_SYMLINK_NOFOLLOW) == 0)
        return 0;
      if (errno == EOPNOTSUPP)
        return -ELOOP;   /* a symlink: its mode is not ours to change */
      if (errno == ENOSYS)
        no_fchmodat2 = true;   /* before Linux 6.6 */
      else if (errno != EPERM)
        return -errno;
      /* EPERM: not ours, or a seccomp filter that does not know the
       * call; the way below gives the true answer either way. */
    }
  /* The object itself through an O_PATH fd: the name cannot be swapped
   * for a symlink between the check and the chmod. */
  fd = openat (dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  if (fstat (fd, &st) != 0)
    return -errno;
  if (S_ISLNK (st.st_mode))
    return -ELOOP;
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  if (chmod (path, mode) == 0)
    return 0;
  return -errno;
}
