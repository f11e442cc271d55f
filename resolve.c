/* SPDX-License-Identifier: LGPL-2.0-or-later
 * resolve.c: DEST path resolution confined to the new root.
 * Runs in the sandbox process with the capabilities it holds in its
 * own user namespace. */
#include "resolve.h"

#include "kernel-api.h"
#include "resolve-walk.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

int
resolve_open (int root_fd, const char *path, int flags)
{
  return resolve_create (root_fd, path, flags, 0);
}

int
resolve_create (int root_fd, const char *path, int flags, mode_t mode)
{
  /* RESOLVE_IN_ROOT makes "/" and ".." stop at root_fd, and symlinks
   * (absolute or relative) resolve against it, the way the sandboxed
   * process will see them later.  Magic links (/proc/X/root, /proc/X/fd)
   * could point anywhere, so they are refused. */
  struct open_how how = {
    .flags = flags | O_CLOEXEC,
    .mode = (flags & O_CREAT) ? mode : 0,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  const char *rel = path_skip_slashes (path);
  bool walk;
  int fd;

  /* One function, two implementations: the kernel's confinement when it
   * has openat2, the same rules walked by hand (resolve-walk.c) when it
   * has not. */
  fd = resolve_openat2 (root_fd, rel, &how, &walk);
  if (!walk)
    return fd;
  return resolve_walk_open (root_fd, rel, flags, how.mode);
}

int
resolve_openat2 (int dir_fd, const char *rel, const struct open_how *how, bool *ret_walk)
{
  int fd, saved;

  *ret_walk = kernel_api_is_legacy (KERNEL_API_OPENAT2);
  if (*ret_walk)
    return -ENOSYS;
  fd = syscall (SYS_openat2, dir_fd, *rel ? rel : ".", how, sizeof *how);
  if (fd >= 0)
    return fd;
  saved = errno;
  /* ENOSYS (before 5.6, or a seccomp policy): the walk from now on. */
  *ret_walk = kernel_api_unavailable (KERNEL_API_OPENAT2, SYS_openat2, saved);
  return -saved;
}

mode_t
resolve_parent_mode (mode_t perms)
{
  mode_t mode = 0755;
  if ((perms & 070) == 0)
    mode &= ~050;
  if ((perms & 07) == 0)
    mode &= ~05;
  return mode;
}

int
resolve_parent (int root_fd, const char *dest, const char **ret_name)
{
  const char *rel = path_skip_slashes (dest);
  cleanup_free char *copy = xstrdup (rel);
  size_t len = strlen (copy);
  char *slash;

  /* Trailing slashes do not name a different file. */
  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';
  slash = strrchr (copy, '/');
  if (slash == NULL)
    {
      *ret_name = rel;
      return resolve_open (root_fd, "", O_PATH | O_DIRECTORY);
    }
  *slash = '\0';
  *ret_name = rel + (slash + 1 - copy);
  return resolve_open (root_fd, copy, O_PATH | O_DIRECTORY);
}

int
resolve_mkdir_parents (int root_fd, const char *dest, mode_t perms,
                       struct bwrap_error *err)
{
  cleanup_free char *copy = xstrdup (path_skip_slashes (dest));
  mode_t mode = resolve_parent_mode (perms);
  char *p = copy;

  /* Walk each proper prefix; every lookup starts again from the root so
   * symlinks met on the way stay confined (RESOLVE_IN_ROOT). */
  for (;;)
    {
      char *slash = strchr (p, '/');
      cleanup_fd int fd = -1;
      if (slash == NULL)
        break;
      *slash = '\0';
      if (*p != '\0')
        {
          fd = resolve_open (root_fd, copy, O_PATH | O_DIRECTORY);
          if (fd == -ENOENT)
            {
              const char *name = NULL;
              cleanup_fd int parent = resolve_parent (root_fd, copy, &name);
              if (parent < 0)
                return bwrap_error_set (err, -parent, "Can't mkdir parents for %s", dest);
              /* O_PATH fds are fine as mkdirat's dirfd. */
              if (mkdirat (parent, name, mode) != 0 && errno != EEXIST)
                return bwrap_error_set (err, errno, "Can't mkdir parents for %s", dest);
            }
          else if (fd < 0)
            return bwrap_error_set (err, -fd, "Can't mkdir parents for %s", dest);
        }
      *slash = '/';
      p = slash + 1;
    }
  return 0;
}

int
resolve_mount_point (int root_fd, const char *dest, bool is_dir,
                     struct bwrap_error *err)
{
  int r, fd;
  const char *name = NULL;
  cleanup_fd int parent = -1;

  r = resolve_mkdir_parents (root_fd, dest, 0, err);
  if (r < 0)
    return r;

  fd = resolve_open (root_fd, dest, O_PATH);
  if (fd >= 0)
    {
      struct stat st;
      if (fstat (fd, &st) != 0)
        {
          r = bwrap_error_set (err, errno, "Can't stat %s", dest);
          close (fd);
          return r;
        }
      if (is_dir && !S_ISDIR (st.st_mode))
        {
          close (fd);
          return bwrap_error_set (err, ENOTDIR, "Can't mkdir %s", dest);
        }
      if (!is_dir && S_ISDIR (st.st_mode))
        {
          close (fd);
          return bwrap_error_set (err, EISDIR, "Can't create file at %s", dest);
        }
      return fd;
    }
  if (fd != -ENOENT)
    return bwrap_error_set (err, -fd, is_dir ? "Can't mkdir %s" : "Can't create file at %s", dest);

  parent = resolve_parent (root_fd, dest, &name);
  if (parent < 0)
    return bwrap_error_set (err, -parent, is_dir ? "Can't mkdir %s" : "Can't create file at %s", dest);
  if (is_dir)
    {
      if (mkdirat (parent, name, 0755) != 0 && errno != EEXIST)
        return bwrap_error_set (err, errno, "Can't mkdir %s", dest);
    }
  else
    {
      /* mknodat accepts an O_PATH dirfd, unlike openat(O_CREAT) on some
       * paths; S_IFREG with mode 0444 makes the empty mount-point file. */
      if (mknodat (parent, name, S_IFREG | 0444, 0) != 0 && errno != EEXIST)
        return bwrap_error_set (err, errno, "Can't create file at %s", dest);
    }
  /* Open what we just made through its parent, never following a final
   * symlink: a concurrent writer in a bound host directory could have
   * replaced the new entry by one meanwhile. */
  fd = openat (parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return bwrap_error_set (err, errno, is_dir ? "Can't mkdir %s" : "Can't create file at %s", dest);
  {
    struct stat st;
    if (fstat (fd, &st) != 0 || (is_dir ? !S_ISDIR (st.st_mode) : !S_ISREG (st.st_mode)))
      {
        close (fd);
        return bwrap_error_set (err, is_dir ? ENOTDIR : EEXIST,
                                is_dir ? "Can't mkdir %s" : "Can't create file at %s", dest);
      }
  }
  return fd;
}
