/* SPDX-License-Identifier: LGPL-2.0-or-later
 * resolve-walk.c: confined path walk, the classic path behind
 * resolve_open (see resolve-walk.h).  Runs in the sandbox process
 * with the capabilities of its user namespace, which give no extra
 * reach here: every step is openat() below a directory fd. */
#include "resolve-walk.h"

#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "utils.h"

#define PROC_ROOT_INO 1

/* The directories walked so far, root excluded: ".." pops one. */
struct walk
{
  int root_fd;
  int *fds;
  size_t n, cap;
  bool beneath;   /* RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS rules */
};

static int
walk_cur (const struct walk *w)
{
  return w->n > 0 ? w->fds[w->n - 1] : w->root_fd;
}

static void
walk_push (struct walk *w, int fd)
{
  if (w->n == w->cap)
    {
      w->cap = w->cap ? 2 * w->cap : 16;
      w->fds = xrealloc (w->fds, w->cap * sizeof (int));
    }
  w->fds[w->n++] = fd;
}

static void
walk_pop (struct walk *w)
{
  /* At the root ".." stays at the root, as RESOLVE_IN_ROOT does. */
  if (w->n > 0)
    (void) close (w->fds[--w->n]);
}

static void
walk_reset (struct walk *w)
{
  while (w->n > 0)
    walk_pop (w);
}

/* A magic link jumps to an object, not to a path, so it could name
 * anything (the host root through /proc/N/root).  They all live on
 * procfs below its root directory; the only symlinks in that root
 * (self, thread-self, mounts, net, ...) are ordinary ones. */
static bool
is_magic_link (int dir_fd, int link_fd)
{
  struct statfs sfs;
  struct stat dir_st;

  if (fstatfs (link_fd, &sfs) != 0 || sfs.f_type != PROC_SUPER_MAGIC)
    return false;
  if (fstat (dir_fd, &dir_st) != 0)
    return true;   /* cannot tell: refuse */
  return dir_st.st_ino != PROC_ROOT_INO;
}

/* Replace the text of *rest from comp_end on by target + "/" + remainder.
 * Returns 0 or -ENAMETOOLONG. */
static int
splice_link (char **rest, const char *target, const char *remainder)
{
  size_t tl = strlen (target), rl = strlen (remainder);
  char *s;

  if (tl + rl + 2 > PATH_MAX)
    return -ENAMETOOLONG;
  s = xmalloc (tl + rl + 2);
  memcpy (s, target, tl);
  /* No separator when nothing follows: "link" -> "target", not
   * "target/", which would demand a directory. */
  if (rl > 0)
    s[tl++] = '/';
  memcpy (s + tl, remainder, rl + 1);
  free (*rest);
  *rest = s;
  return 0;
}

/* Open the final object: fd (O_PATH|O_NOFOLLOW, already checked not to
 * be a symlink we must follow) when O_PATH is asked for, else a fresh
 * open by name that still refuses a symlink swapped in meanwhile. */
static int
open_final (int dir_fd, const char *name, int fd, const struct stat *st, int flags,
            mode_t mode, bool must_be_dir)
{
  int r;

  if ((must_be_dir || (flags & O_DIRECTORY)) && !S_ISDIR (st->st_mode)
      && !S_ISLNK (st->st_mode))
    return -ENOTDIR;
  if (flags & O_PATH)
    {
      r = fcntl (fd, F_DUPFD_CLOEXEC, 0);
      return r < 0 ? -errno : r;
    }
  r = openat (dir_fd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
  return r < 0 ? -errno : r;
}

static int
walk (struct walk *w, const char *path, int flags, mode_t mode)
{
  cleanup_free char *rest = xstrdup (path);
  char target[PATH_MAX];
  unsigned links = 0;
  char *p = rest;

  for (;;)
    {
      cleanup_fd int fd = -1;
      struct stat st;
      char *end, *next;
      bool is_last, trailing_slash;
      ssize_t n;
      int r;

      if (w->beneath && *p == '/' && p == rest)
        return -EXDEV;   /* an absolute path starts above root_fd */
      while (*p == '/')
        p++;
      if (*p == '\0')
        {
          /* The path ends at a directory ("", ".", "..", "a/"). */
          r = openat (walk_cur (w), ".", flags | O_CLOEXEC, mode);
          return r < 0 ? -errno : r;
        }
      end = p + strcspn (p, "/");
      next = end;
      while (*next == '/')
        next++;
      is_last = *next == '\0';
      trailing_slash = is_last && end != next;
      *end = '\0';

      if (strcmp (p, ".") == 0 || strcmp (p, "..") == 0)
        {
          if (p[1] == '.' && w->beneath && w->n == 0)
            return -EXDEV;   /* would leave root_fd */
          if (p[1] == '.')
            walk_pop (w);
          p = next;   /* at the end: the loop opens the current directory */
          continue;
        }
      fd = openat (walk_cur (w), p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      /* A final component not to be followed needs no stat: the stat
       * could fail where the open did not (another user's FUSE mount
       * root answers EACCES), and a link is returned as itself anyway. */
      if (fd >= 0 && is_last && (flags & O_NOFOLLOW) && !trailing_slash
          && !(flags & O_DIRECTORY))
        {
          if (flags & O_PATH)
            return steal_fd (&fd);
          r = openat (walk_cur (w), p, flags | O_CLOEXEC, mode);
          return r < 0 ? -errno : r;
        }
      if (fd < 0)
        {
          int saved = errno;
          if (saved == ENOENT && is_last && (flags & O_CREAT))
            {
              if (trailing_slash)
                return -EISDIR;
              r = openat (walk_cur (w), p, flags | O_NOFOLLOW | O_CLOEXEC, mode);
              return r < 0 ? -errno : r;
            }
          return -saved;
        }
      if (fstat (fd, &st) != 0)
        return -errno;
      if (S_ISLNK (st.st_mode) && (!is_last || trailing_slash || !(flags & O_NOFOLLOW)))
        {
          if (w->beneath)
            return -ELOOP;
          if (is_magic_link (walk_cur (w), fd))
            return -ELOOP;
          if (++links > RESOLVE_WALK_MAX_LINKS)
            return -ELOOP;
          n = readlinkat (fd, "", target, sizeof target);
          if (n < 0)
            return -errno;
          if ((size_t) n >= sizeof target)
            return -ENAMETOOLONG;
          target[n] = '\0';
          if (target[0] == '/')
            walk_reset (w);   /* absolute: from the root we were given */
          /* A trailing slash of the link's name applies to its target. */
          r = splice_link (&rest, target, trailing_slash ? "/" : next);
          if (r < 0)
            return r;
          p = rest;
          continue;
        }
      if (is_last)
        return open_final (walk_cur (w), p, fd, &st, flags, mode, trailing_slash);
      if (!S_ISDIR (st.st_mode))
        return -ENOTDIR;
      walk_push (w, steal_fd (&fd));
      p = next;
    }
}

static int
walk_open (int root_fd, const char *path, int flags, mode_t mode, bool beneath)
{
  struct walk w = { .root_fd = root_fd, .beneath = beneath };
  int r;

  /* The kernel refuses such a path string before any lookup. */
  if (strlen (path) >= PATH_MAX)
    return -ENAMETOOLONG;
  r = walk (&w, path, flags, mode);

  walk_reset (&w);
  free (w.fds);
  return r;
}

int
resolve_walk_open (int root_fd, const char *path, int flags, mode_t mode)
{
  return walk_open (root_fd, path, flags, mode, false);
}

int
resolve_walk_open_beneath (int dir_fd, const char *path, int flags, mode_t mode)
{
  return walk_open (dir_fd, path, flags, mode, true);
}
