/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-split-tidy.c: empty piece uppers of a split --overlay, recorded
 * at setup and removed after the run (overlay-split-tidy.h).
 *
 * Why: overlayfs needs each piece's upper directory to exist when the
 * piece is mounted, so a split --overlay creates RWSRC/<piece> for every
 * piece, most of which the command never touches.  Those directories
 * say nothing (the host has them) but look like changes.  Which ones
 * may go is decided by their change time (ctime): the setup process
 * records it once every piece is mounted, and any later write into the
 * directory, or chmod, chown or xattr change (an opaque directory) moves
 * it.  So a directory still empty with the recorded ctime is exactly one
 * nobody used.  The record is a file in WORKDIR/bwrap-split, which the
 * command cannot reach (overlay-cover.c).
 *
 * Record format: for each directory, its path relative to RWSRC, a NUL,
 * "<seconds> <nanoseconds>", a NUL.
 *
 * split_tidy_record runs in the sandbox process (its namespace's
 * capabilities, writing only WORKDIR/bwrap-split/tidy);
 * overlay_split_tidy runs in the monitor with the caller's rights only
 * (real root's capabilities are dropped by then), so it removes only
 * what the caller could remove by hand. */
#include "overlay-split-tidy.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "overlay-layers.h"

#define TIDY_NAME "tidy"
/* A record larger than this is not ours to trust: nothing is removed. */
#define TIDY_MAX (16u << 20)

static void
record_one (int upper_fd, const char *rel, FILE *out)
{
  struct stat st;

  if (fstatat (upper_fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode))
    {
      fputs (rel, out);
      fputc ('\0', out);
      fprintf (out, "%lld %ld", (long long) st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
      fputc ('\0', out);
    }
}

static void
note (struct split_tidy *t, const char *rel)
{
  t->rels = xappend (t->rels, &t->n, sizeof (char *));
  t->rels[t->n - 1] = xstrdup (rel);
}

bool
split_tidy_note_new (struct split_tidy *t, int upper_fd, const char *rel)
{
  cleanup_free char *path = xstrdup (rel);
  struct stat st;
  bool is_new = false;

  for (bool first = true;; first = false)
    {
      char *slash;
      if (fstatat (upper_fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
        break;   /* it and its parents exist */
      note (t, path);
      is_new |= first;
      slash = strrchr (path, '/');
      if (slash == NULL)
        break;
      *slash = '\0';
    }
  return is_new;
}

static void
note_below (struct split_tidy *t, int dir_fd, const char *rel, int depth)
{
  DIR *dir = fdopendir (dir_fd);
  struct dirent *de;

  if (dir == NULL)
    {
      (void) close (dir_fd);
      return;
    }
  while ((de = readdir (dir)) != NULL)
    {
      if (de->d_type != DT_DIR || strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      cleanup_free char *child = split_join (rel, de->d_name);
      note (t, child);
      if (depth > 1)
        {
          int fd = openat (dirfd (dir), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (fd >= 0)
            note_below (t, fd, child, depth - 1);
        }
    }
  closedir (dir);
}

void
split_tidy_note_subtree (struct split_tidy *t, int upper_fd, const char *rel)
{
  int fd = openat (upper_fd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  /* Two levels: as deep as split_prepare_upper creates. */
  if (fd >= 0)
    note_below (t, fd, rel, 2);
}

void
split_tidy_record (struct split_tidy *t, int upper_fd, int work_fd)
{
  int fd = t->n == 0 ? -1 : openat (work_fd, TIDY_NAME, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW
                                    | O_CLOEXEC, 0600);
  FILE *out = fd < 0 ? NULL : fdopen (fd, "w");

  if (out == NULL && fd >= 0)
    (void) close (fd);
  for (size_t i = 0; out != NULL && i < t->n; i++)
    record_one (upper_fd, t->rels[i], out);
  /* Ignored: a record cut short only means fewer removals (best effort). */
  if (out != NULL)
    (void) fclose (out);
  for (size_t i = 0; i < t->n; i++)
    free (t->rels[i]);
  free (t->rels);
  *t = (struct split_tidy) { 0 };
}

/* Open the parent of rel below root_fd, no symlink followed (the command
 * wrote RWSRC: a symlink there may point anywhere).  *ret_name points
 * into rel. */
static int
open_parent_nofollow (int root_fd, char *rel, const char **ret_name)
{
  char *slash = strrchr (rel, '/');
  int fd = openat (root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

  *ret_name = slash ? slash + 1 : rel;
  if (slash == NULL)
    return fd;
  *slash = '\0';
  for (char *p = rel, *next; fd >= 0 && p != NULL; p = next)
    {
      next = strchr (p, '/');
      if (next)
        *next++ = '\0';
      int child = openat (fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      (void) close (fd);
      fd = child;
      if (next)
        next[-1] = '/';
    }
  *slash = '/';
  return fd;
}

/* The parent of an upper made for a host directory of an owner the user
 * namespace does not map has the caller's rights on the host as its mode
 * (split_copy_attrs: r-x for /var): the caller owns it, so its write bit
 * is lent for the removal and taken back. */
static void
allow_removal (int parent, const char *name)
{
  cleanup_free char *path = xasprintf ("/proc/self/fd/%d", parent);
  struct stat st;

  if (fstat (parent, &st) != 0 || st.st_uid != geteuid () || (st.st_mode & S_IWUSR))
    return;
  if (chmod (path, (st.st_mode & 07777) | S_IWUSR) != 0)
    return;
  (void) unlinkat (parent, name, AT_REMOVEDIR);
  (void) chmod (path, st.st_mode & 07777);   /* as it was; ignored on failure */
}

struct candidate
{
  char *rel;
};

static int
deepest_first (const void *a, const void *b)
{
  /* Reverse byte order puts "a/b" before "a". */
  return -strcmp (((const struct candidate *) a)->rel, ((const struct candidate *) b)->rel);
}

static void
tidy_op (const struct setup_op *op)
{
  cleanup_fd int work = open (op->resolved_workdir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_fd int split = work < 0 ? -1 : openat (work, "bwrap-split", O_PATH | O_DIRECTORY
                                                 | O_NOFOLLOW | O_CLOEXEC);
  cleanup_fd int rec = split < 0 ? -1 : openat (split, TIDY_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_fd int upper = -1;
  cleanup_free char *text = NULL;
  struct candidate *cands = NULL;
  size_t len = 0, n = 0;

  if (rec < 0 || read_fd_all (rec, TIDY_MAX, &text, &len) < 0)
    return;
  (void) unlinkat (split, TIDY_NAME, 0);   /* used once; ignored on failure */
  upper = open (op->resolved_source, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (upper < 0)
    return;
  /* Decide on every directory before removing any: a removal changes
   * its parent's ctime. */
  for (size_t off = 0; off < len;)
    {
      char *rel = text + off, *when;
      size_t rel_len = strnlen (rel, len - off), when_len;
      long long sec;
      long nsec;
      const char *name;
      struct stat st;
      if (off + rel_len >= len)
        break;
      when = rel + rel_len + 1;
      when_len = strnlen (when, len - off - rel_len - 1);
      if (off + rel_len + 1 + when_len >= len)
        break;
      off += rel_len + 1 + when_len + 1;
      if (*rel == '\0' || *rel == '/' || sscanf (when, "%lld %ld", &sec, &nsec) != 2)
        continue;
      cleanup_fd int parent = open_parent_nofollow (upper, rel, &name);
      if (parent >= 0 && fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0
          && S_ISDIR (st.st_mode) && st.st_ctim.tv_sec == sec && st.st_ctim.tv_nsec == nsec)
        {
          cands = xappend (cands, &n, sizeof *cands);
          cands[n - 1].rel = xstrdup (rel);
        }
    }
  qsort (cands, n, sizeof *cands, deepest_first);
  for (size_t i = 0; i < n; i++)
    {
      const char *name;
      cleanup_fd int parent = open_parent_nofollow (upper, cands[i].rel, &name);
      /* Fails (ignored) unless empty: a used directory stays. */
      if (parent >= 0 && unlinkat (parent, name, AT_REMOVEDIR) != 0 && errno == EACCES)
        allow_removal (parent, name);
      free (cands[i].rel);
    }
  free (cands);
}

void
overlay_split_tidy (const struct plan *plan)
{
  for (size_t i = 0; i < plan->n_ops; i++)
    if (plan->ops[i].kind == SETUP_OP_OVERLAY && plan->ops[i].split != NULL
        && plan->ops[i].resolved_source != NULL && plan->ops[i].resolved_workdir != NULL)
      tidy_op (&plan->ops[i]);
}
