/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/dirstack.c: sorted directory listings and the bounded-fd
 * directory stack (changes/dirstack.h).  Runs in bwrap-changes' process
 * with the caller's rights; reads only. */
#include "dirstack.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "utils.h"

static int
entry_compare (const void *a, const void *b, void *names)
{
  const struct listing_entry *x = a, *y = b;
  return strcmp ((const char *) names + x->offset, (const char *) names + y->offset);
}

int
listing_read (int dir_fd, struct listing *ret)
{
  /* getdents64 directly: one system call per 64 KiB of entries, and no
   * DIR stream to allocate per directory. */
  static __thread char buf[64 * 1024];   /* per thread: status walks on several */
  size_t names_len = 0, names_cap = 0, entries_cap = 0;
  struct listing l = { 0 };

  for (;;)
    {
      ssize_t n = getdents64 (dir_fd, buf, sizeof buf);
      if (n < 0)
        {
          int saved = errno;
          listing_free (&l);
          return -saved;
        }
      if (n == 0)
        break;
      for (ssize_t pos = 0; pos < n;)
        {
          struct dirent64 *de = (struct dirent64 *) (buf + pos);
          size_t len = strlen (de->d_name);
          pos += de->d_reclen;
          if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
            continue;
          if (names_len + len + 1 > names_cap)
            {
              names_cap = names_cap ? names_cap * 2 : 4096;
              while (names_len + len + 1 > names_cap)
                names_cap *= 2;
              l.names = xrealloc (l.names, names_cap);
            }
          if (l.n == entries_cap)
            {
              entries_cap = entries_cap ? entries_cap * 2 : 64;
              l.entries = xrealloc (l.entries, entries_cap * sizeof *l.entries);
            }
          memcpy (l.names + names_len, de->d_name, len + 1);
          l.entries[l.n++] = (struct listing_entry) { names_len, de->d_type };
          names_len += len + 1;
        }
    }
  if (l.n > 1)
    qsort_r (l.entries, l.n, sizeof *l.entries, entry_compare, l.names);
  *ret = l;
  return 0;
}

void
listing_free (struct listing *l)
{
  free (l->names);
  free (l->entries);
  *l = (struct listing) { 0 };
}

long
listing_find (const struct listing *l, const char *name)
{
  size_t lo = 0, hi = l->n;

  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      int c = strcmp (name, listing_name (l, mid));
      if (c == 0)
        return (long) mid;
      if (c < 0)
        hi = mid;
      else
        lo = mid + 1;
    }
  return -1;
}

size_t
dirstack_budget (unsigned n_trees)
{
  /* Files opened besides the stacks: stdio, two roots, a compare's two
   * files, apply's temporary file and its hard-link parent. */
  const rlim_t reserved = 16;
  struct rlimit rl;
  rlim_t per_tree = 128;

  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    per_tree = rl.rlim_cur > reserved ? (rl.rlim_cur - reserved) / n_trees : 0;
  return per_tree > 128 ? 128 : per_tree < 2 ? 2 : per_tree;
}

void
dirstack_init (struct dirstack *s, size_t max_open)
{
  *s = (struct dirstack) { .max_open = max_open ? max_open : 1, .lowest_open = 1 };
}

/* Close the shallowest open fd but the root's and keep's (the deepest
 * present level, which must stay open). */
static void
evict_one (struct dirstack *s, size_t keep)
{
  for (size_t i = s->lowest_open; i < keep; i++)
    if (s->levels[i].fd >= 0)
      {
        (void) close (s->levels[i].fd);   /* read-only directory fd */
        s->levels[i].fd = -1;
        s->n_open--;
        s->lowest_open = i + 1;
        return;
      }
}

/* Make level i (already on the stack) hold fd. */
static int
set_level (struct dirstack *s, size_t i, int fd)
{
  struct dirstack_level *level = &s->levels[i];
  struct stat st;

  *level = (struct dirstack_level) { .fd = fd, .present = fd >= 0 };
  if (fd < 0)
    return 0;
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;
      (void) close (fd);
      *level = (struct dirstack_level) { .fd = -1 };
      return -saved;
    }
  level->dev = st.st_dev;
  level->ino = st.st_ino;
  if (i > 0 && ++s->n_open > s->max_open)
    evict_one (s, i);
  return 0;
}

int
dirstack_push (struct dirstack *s, int fd)
{
  if (s->n == s->cap)
    {
      s->cap = s->cap ? s->cap * 2 : 64;
      s->levels = xrealloc (s->levels, s->cap * sizeof *s->levels);
    }
  s->n++;
  return set_level (s, s->n - 1, fd);
}

int
dirstack_fill (struct dirstack *s, size_t i, int fd)
{
  return set_level (s, i, fd);
}

int
dirstack_fd (const struct dirstack *s, size_t i)
{
  return i < s->n ? s->levels[i].fd : -1;
}

int
dirstack_top (const struct dirstack *s)
{
  return s->n > 0 ? s->levels[s->n - 1].fd : -1;
}

int
dirstack_pop (struct dirstack *s)
{
  struct dirstack_level top;
  struct dirstack_level *parent;
  int r = 0;

  if (s->n == 0)
    return 0;
  top = s->levels[--s->n];
  parent = s->n > 0 ? &s->levels[s->n - 1] : NULL;
  if (parent != NULL && parent->present && parent->fd < 0)
    {
      /* Only the deepest present level is sure to be open, and a closed
       * parent means the top was present (a present level's parent is
       * present), so ".." leads from it.  The check matters: the upper
       * directory may be changed by someone else while we read it. */
      struct stat st;
      int fd = top.fd >= 0 ? openat (top.fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
      if (fd < 0)
        r = top.fd >= 0 ? -errno : -ESTALE;
      else if (fstat (fd, &st) != 0 || st.st_dev != parent->dev || st.st_ino != parent->ino)
        {
          (void) close (fd);
          r = -ESTALE;
        }
      else
        {
          parent->fd = fd;
          s->n_open++;
          if (s->n - 1 < s->lowest_open)
            s->lowest_open = s->n - 1;
        }
    }
  if (top.fd >= 0)
    {
      (void) close (top.fd);
      if (s->n > 0)
        s->n_open--;
    }
  return r;
}

void
dirstack_free (struct dirstack *s)
{
  while (s->n > 0)
    {
      struct dirstack_level *l = &s->levels[--s->n];
      if (l->fd >= 0)
        (void) close (l->fd);
    }
  free (s->levels);
  *s = (struct dirstack) { 0 };
}
