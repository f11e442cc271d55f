/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/entry.c: judging one upper entry against TARGET, and the PATH
 * selection (changes/entry.h).  Pure; runs in bwrap-changes' process. */
#include "entry.h"

#include <string.h>
#include <sys/sysmacros.h>

#include "text.h"

char
change_letter (enum change_kind kind)
{
  switch (kind)
    {
    case CHANGE_ADDED: return 'A';
    case CHANGE_MODIFIED: return 'M';
    case CHANGE_DELETED: return 'D';
    case CHANGE_TYPE_CHANGED: return 'T';
    case CHANGE_NONE: return ' ';
    default: return '?';
    }
}

const char *
change_name (enum change_kind kind)
{
  switch (kind)
    {
    case CHANGE_ADDED: return "added";
    case CHANGE_MODIFIED: return "modified";
    case CHANGE_DELETED: return "deleted";
    case CHANGE_TYPE_CHANGED: return "type-changed";
    case CHANGE_NONE: return "none";
    default: return "?";
    }
}

const char *
change_what_name (unsigned bit)
{
  switch (bit)
    {
    case WHAT_CONTENT: return "content";
    case WHAT_MODE: return "mode";
    case WHAT_OWNER: return "owner";
    case WHAT_TARGET: return "target";
    case WHAT_TIME: return "time";
    default: return "?";
    }
}

const char *
entry_type_name (mode_t mode)
{
  switch (mode & S_IFMT)
    {
    case S_IFREG: return "file";
    case S_IFDIR: return "directory";
    case S_IFLNK: return "symlink";
    case S_IFIFO: return "fifo";
    case S_IFSOCK: return "socket";
    case S_IFCHR: return "char-device";
    case S_IFBLK: return "block-device";
    default: return "unknown";
    }
}

unsigned
entry_marks_of_xattrs (const char *names, size_t len)
{
  static const struct { const char *suffix; unsigned mark; } known[] = {
    { "opaque", MARK_OPAQUE },
    { "whiteout", MARK_WHITEOUT },
    { "origin", MARK_ORIGIN },
    { "redirect", MARK_REDIRECT },
    { "metacopy", MARK_METACOPY },
  };
  unsigned marks = 0;

  for (size_t i = 0; i < len;)
    {
      const char *name = names + i;
      size_t n = strnlen (name, len - i);
      const char *rest = NULL;

      if (strncmp (name, "user.overlay.", 13) == 0)
        rest = name + 13;
      else if (strncmp (name, "trusted.overlay.", 16) == 0)
        rest = name + 16;
      for (size_t k = 0; rest != NULL && k < N_ELEMENTS (known); k++)
        if (strcmp (rest, known[k].suffix) == 0)
          marks |= known[k].mark;
      i += n + 1;
    }
  return marks;
}

bool
entry_opaque_value (const char *value, size_t len)
{
  return len == 1 && value[0] == 'y';
}

bool
entry_is_whiteout (const struct stat *st, unsigned marks)
{
  if (S_ISCHR (st->st_mode))
    return major (st->st_rdev) == 0 && minor (st->st_rdev) == 0;
  return S_ISREG (st->st_mode) && st->st_size == 0 && (marks & MARK_WHITEOUT);
}

/* Metadata both entries have (same type), as WHAT_ bits. */
static unsigned
metadata_differences (const struct stat *up, const struct stat *lo, unsigned flags)
{
  unsigned what = 0;

  /* A symlink's own mode is always 0777 and never used. */
  if (!S_ISLNK (up->st_mode) && (up->st_mode & 07777) != (lo->st_mode & 07777))
    what |= WHAT_MODE;
  if ((flags & JUDGE_OWNERS) && (up->st_uid != lo->st_uid || up->st_gid != lo->st_gid))
    what |= WHAT_OWNER;
  if ((flags & JUDGE_TIMES) && (up->st_mtim.tv_sec != lo->st_mtim.tv_sec
                                || up->st_mtim.tv_nsec != lo->st_mtim.tv_nsec))
    what |= WHAT_TIME;
  return what;
}

/* The differences of a directory pair that bwrap's split overlay makes
 * itself (see entry.h). */
static unsigned
split_differences (const struct stat *up, const struct stat *lo, bool upper_empty,
                   unsigned flags)
{
  unsigned what = 0;

  if (!(flags & JUDGE_OWNERS) && up->st_uid != lo->st_uid)
    what |= WHAT_MODE;
  if (upper_empty)
    what |= WHAT_TIME;
  return what;
}

struct verdict
entry_judge (const struct stat *up, unsigned marks, unsigned facts, const struct stat *lo,
             unsigned flags)
{
  struct verdict v = { .kind = CHANGE_NONE };
  bool is_opaque = facts & FACT_OPAQUE;

  if (up != NULL && (marks & (MARK_REDIRECT | MARK_METACOPY)))
    {
      v.unsupported = true;
      return v;
    }
  if (up == NULL || entry_is_whiteout (up, marks))
    {
      if (lo == NULL)
        return v;   /* hides nothing (TARGET changed since, or never had it) */
      v.kind = CHANGE_DELETED;
      if (S_ISDIR (lo->st_mode))
        {
          v.descend = DESCEND_DELETE;
          v.report_after = true;
        }
      return v;
    }
  if (lo == NULL)
    {
      v.kind = CHANGE_ADDED;
      v.lazy = S_ISDIR (up->st_mode) && (marks & MARK_ORIGIN) && !is_opaque;
      v.descend = S_ISDIR (up->st_mode) ? DESCEND_ADD : DESCEND_NONE;
      return v;
    }
  /* The split overlay's stand-in for a file mount point. */
  if ((facts & FACT_MOUNT_ROOT) && !S_ISDIR (lo->st_mode) && S_ISREG (up->st_mode)
      && up->st_size == 0 && marks == 0)
    return v;
  if ((up->st_mode & S_IFMT) != (lo->st_mode & S_IFMT))
    {
      v.kind = CHANGE_TYPE_CHANGED;
      if (S_ISDIR (up->st_mode))
        v.descend = DESCEND_ADD;   /* overlayfs merges only two directories */
      else if (S_ISDIR (lo->st_mode))
        {
          v.descend = DESCEND_DELETE;
          v.report_after = true;
        }
      return v;
    }
  v.what = metadata_differences (up, lo, flags);
  if (S_ISDIR (up->st_mode))
    {
      v.descend = is_opaque ? DESCEND_OPAQUE : DESCEND_MERGE;
      /* The sandbox made an opaque one itself: all its own doing. */
      if (!is_opaque)
        v.what &= ~split_differences (up, lo, facts & FACT_EMPTY_DIR, flags);
    }
  if (S_ISREG (up->st_mode))
    {
      if (up->st_size != lo->st_size)
        v.what |= WHAT_CONTENT;
      else
        v.compare = true;
    }
  else if (S_ISLNK (up->st_mode))
    {
      if (up->st_size != lo->st_size)   /* the targets' lengths */
        v.what |= WHAT_TARGET;
      else
        v.compare = true;
    }
  else if ((S_ISCHR (up->st_mode) || S_ISBLK (up->st_mode)) && up->st_rdev != lo->st_rdev)
    v.what |= WHAT_CONTENT;
  if (v.what != 0)
    v.kind = CHANGE_MODIFIED;
  return v;
}

void
entry_verdict_differs (struct verdict *v, bool differs, const struct stat *up)
{
  v->compare = false;
  if (!differs)
    return;
  v->what |= S_ISLNK (up->st_mode) ? WHAT_TARGET : WHAT_CONTENT;
  v->kind = CHANGE_MODIFIED;
}

/* ---- PATH arguments ----------------------------------------------------- */

/* "a//./b/" -> "a/b"; NULL when a component is "..". */
static char *
normalise (const char *arg)
{
  char *out = xmalloc (strlen (arg) + 1);
  size_t n = 0;
  const char *p = arg;

  while (*p)
    {
      size_t len;
      while (*p == '/')
        p++;
      len = strcspn (p, "/");
      if (len == 0)
        break;
      if (len == 2 && p[0] == '.' && p[1] == '.')
        {
          free (out);
          return NULL;
        }
      if (!(len == 1 && p[0] == '.'))
        {
          if (n > 0)
            out[n++] = '/';
          memcpy (out + n, p, len);
          n += len;
        }
      p += len;
    }
  out[n] = '\0';
  return out;
}

int
selection_init (struct selection *sel, char *const *args, size_t n, struct bwrap_error *err)
{
  *sel = (struct selection) { 0 };
  if (n == 0)
    return 0;
  sel->paths = xcalloc (n + 1, sizeof (char *));
  for (size_t i = 0; i < n; i++)
    {
      char *path = normalise (args[i]);
      if (path == NULL)
        {
          cleanup_free char *q = text_quoted (args[i]);
          selection_free (sel);
          return bwrap_error_set (err, 0, "%s: a PATH may not contain \"..\"", q);
        }
      sel->paths[sel->n++] = path;
    }
  return 0;
}

void
selection_free (struct selection *sel)
{
  strv_free (sel->paths);
  *sel = (struct selection) { 0 };
}

enum selection_match
selection_match (const struct selection *sel, const char *path)
{
  enum selection_match best = SELECT_OUT;
  size_t plen = strlen (path);

  if (sel->n == 0)
    return SELECT_IN;
  for (size_t i = 0; i < sel->n; i++)
    {
      const char *s = sel->paths[i];
      size_t slen = strlen (s);

      if (slen == 0 || (plen >= slen && strncmp (path, s, slen) == 0
                        && (path[slen] == '\0' || path[slen] == '/')))
        return SELECT_IN;
      if (plen == 0 || (slen > plen && strncmp (s, path, plen) == 0 && s[plen] == '/'))
        best = SELECT_ANCESTOR;
    }
  return best;
}
