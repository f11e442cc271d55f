/* SPDX-License-Identifier: LGPL-2.0-or-later
 * mount-legacy-table.c: mountinfo parsing and the structural questions
 * of the classic recursive remount (see mount-legacy-table.h).  Pure. */
#include "mount-legacy-table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "utils.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256   /* Linux 5.10 */
#endif

void
mount_table_clear (struct mount_table *t)
{
  for (size_t i = 0; i < t->n; i++)
    {
      free (t->entries[i].mount_point);
      free (t->entries[i].options);
      free (t->entries[i].fstype);
      free (t->entries[i].super_options);
    }
  free (t->entries);
  t->entries = NULL;
  t->n = 0;
}

/* mountinfo writes space, tab, newline and backslash as \ooo. */
static char *
unescape (const char *s, size_t len)
{
  char *out = xmalloc (len + 1), *o = out;

  for (size_t i = 0; i < len; i++)
    {
      if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3'
          && s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7')
        {
          *o++ = (char) (((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
          i += 3;
        }
      else
        *o++ = s[i];
    }
  *o = '\0';
  return out;
}

/* The next space-separated field of the line [*p, eol), unescaped, or
 * NULL at the end of the line. */
static char *
next_field (const char **p, const char *eol)
{
  const char *s = *p, *e;

  while (s < eol && *s == ' ')
    s++;
  if (s == eol)
    return NULL;
  for (e = s; e < eol && *e != ' '; e++)
    ;
  *p = e;
  return unescape (s, (size_t) (e - s));
}

/* "ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - FSTYPE
 * SOURCE SUPER-OPTIONS" */
static int
parse_line (const char *line, const char *eol, struct mount_entry *ret)
{
  const char *p = line;
  char *f[6] = { NULL };
  char *tail[3] = { NULL };
  char *sep = NULL, *end = NULL;
  int id, parent, n = 0, r = -EINVAL;

  for (size_t i = 0; i < N_ELEMENTS (f); i++)
    f[i] = next_field (&p, eol);
  /* The optional fields ("shared:1", ...) end at a lone "-". */
  while ((sep = next_field (&p, eol)) != NULL && strcmp (sep, "-") != 0)
    free (sep);
  for (size_t i = 0; sep != NULL && i < N_ELEMENTS (tail); i++)
    tail[i] = next_field (&p, eol);
  if (f[5] != NULL && tail[2] != NULL
      && sscanf (f[0], "%d%n", &id, &n) == 1 && f[0][n] == '\0'
      && sscanf (f[1], "%d%n", &parent, &n) == 1 && f[1][n] == '\0'
      && (end = next_field (&p, eol)) == NULL)
    {
      *ret = (struct mount_entry) {
        id, parent, steal_pointer (&f[4]), steal_pointer (&f[5]),
        steal_pointer (&tail[0]), steal_pointer (&tail[2]),
      };
      r = 0;
    }
  for (size_t i = 0; i < N_ELEMENTS (f); i++)
    free (f[i]);
  for (size_t i = 0; i < N_ELEMENTS (tail); i++)
    free (tail[i]);
  free (sep);
  free (end);
  return r;
}

int
mount_table_parse (const char *text, struct mount_table *ret)
{
  for (const char *line = text; *line != '\0';)
    {
      const char *eol = strchrnul (line, '\n');
      struct mount_entry e;

      if (eol > line)
        {
          if (parse_line (line, eol, &e) < 0)
            return -EINVAL;
          ret->entries = xappend (ret->entries, &ret->n, sizeof e);
          ret->entries[ret->n - 1] = e;
        }
      line = *eol ? eol + 1 : eol;
    }
  return 0;
}

ssize_t
mount_table_find (const struct mount_table *t, int id)
{
  for (size_t i = 0; i < t->n; i++)
    if (t->entries[i].id == id)
      return (ssize_t) i;
  return -1;
}

int
mount_options_to_flags (const char *options, unsigned long *ret_flags, char **ret_unknown)
{
  /* fs/proc_namespace.c: show_mountinfo prints "ro" or "rw", then
   * show_mnt_opts these, then "idmapped" for an idmapped mount, which a
   * MS_BIND | MS_REMOUNT keeps: it never changes a mount's id mapping. */
  static const struct { const char *name; unsigned long flag; } known[] = {
    { "ro", MS_RDONLY }, { "rw", 0 }, { "nosuid", MS_NOSUID }, { "nodev", MS_NODEV },
    { "noexec", MS_NOEXEC }, { "noatime", MS_NOATIME }, { "nodiratime", MS_NODIRATIME },
    { "relatime", MS_RELATIME }, { "nosymfollow", MS_NOSYMFOLLOW }, { "idmapped", 0 },
  };
  unsigned long flags = 0;
  const char *p = options;

  *ret_unknown = NULL;
  while (*p != '\0')
    {
      size_t n = strcspn (p, ",");
      bool found = false;
      for (size_t i = 0; i < N_ELEMENTS (known) && !found; i++)
        if (strlen (known[i].name) == n && strncmp (p, known[i].name, n) == 0)
          {
            flags |= known[i].flag;
            found = true;
          }
      if (!found)
        {
          *ret_unknown = unescape (p, n);
          return -EINVAL;
        }
      p += n + (p[n] == ',');
    }
  *ret_flags = flags;
  return 0;
}

void
mount_table_mark_tree (const struct mount_table *t, int top_id, bool *in_tree)
{
  ssize_t top = mount_table_find (t, top_id);
  bool progress = top >= 0;

  if (top >= 0)
    in_tree[top] = true;
  /* Fixed point: an entry is in the tree when its parent is. */
  while (progress)
    {
      progress = false;
      for (size_t i = 0; i < t->n; i++)
        {
          ssize_t parent;
          if (in_tree[i] || t->entries[i].id == t->entries[i].parent)
            continue;
          parent = mount_table_find (t, t->entries[i].parent);
          if (parent >= 0 && in_tree[parent])
            in_tree[i] = progress = true;
        }
    }
}

ssize_t
mount_table_child_toward (const struct mount_table *t, size_t i, int ancestor_id)
{
  ssize_t cur = (ssize_t) i;

  /* At most t->n steps: a parent cycle (not a real table) ends here too. */
  for (size_t steps = 0; cur >= 0 && steps < t->n; steps++)
    {
      if (t->entries[cur].parent == ancestor_id)
        return cur;
      if (t->entries[cur].parent == t->entries[cur].id)
        return -1;
      cur = mount_table_find (t, t->entries[cur].parent);
    }
  return -1;
}

bool
mount_table_is_ancestor (const struct mount_table *t, int ancestor_id, size_t i)
{
  return mount_table_child_toward (t, i, ancestor_id) >= 0;
}

bool
mount_table_is_stacked (const struct mount_table *t, size_t upper, size_t lower)
{
  size_t cur = upper;

  if (upper == lower)
    return false;
  for (size_t steps = 0; steps < t->n; steps++)
    {
      ssize_t parent = mount_table_find (t, t->entries[cur].parent);
      if (parent < 0 || t->entries[cur].parent == t->entries[cur].id
          || strcmp (t->entries[cur].mount_point, t->entries[parent].mount_point) != 0)
        return false;
      if ((size_t) parent == lower)
        return true;
      cur = (size_t) parent;
    }
  return false;
}

ssize_t
mount_table_unstacked_twin (const struct mount_table *t, const bool *in_tree)
{
  for (size_t i = 0; i < t->n; i++)
    for (size_t j = i + 1; in_tree[i] && j < t->n; j++)
      if (in_tree[j] && strcmp (t->entries[i].mount_point, t->entries[j].mount_point) == 0
          && !mount_table_is_stacked (t, i, j) && !mount_table_is_stacked (t, j, i))
        return (ssize_t) i;
  return -1;
}

/* The value of key=N in a comma-separated option list. */
static bool
option_number (const char *options, const char *key, unsigned *ret)
{
  size_t klen = strlen (key);

  for (const char *p = options; *p != '\0';)
    {
      size_t n = strcspn (p, ",");
      if (n > klen && strncmp (p, key, klen) == 0 && p[klen] == '=')
        {
          char *end;
          unsigned long v = strtoul (p + klen + 1, &end, 10);
          if (end != p + n || end == p + klen + 1 || v > 0xffffffffUL)
            return false;
          *ret = (unsigned) v;
          return true;
        }
      p += n + (p[n] == ',');
    }
  return false;
}

static bool
has_option (const char *options, const char *word)
{
  size_t wlen = strlen (word);

  for (const char *p = options; *p != '\0';)
    {
      size_t n = strcspn (p, ",");
      if (n == wlen && strncmp (p, word, n) == 0)
        return true;
      p += n + (p[n] == ',');
    }
  return false;
}

bool
mount_entry_is_foreign_fuse (const struct mount_entry *e, unsigned uid, unsigned gid)
{
  unsigned owner_uid, owner_gid;
  bool is_fuse = strcmp (e->fstype, "fuse") == 0 || strcmp (e->fstype, "fuseblk") == 0
                 || strncmp (e->fstype, "fuse.", 5) == 0 || strncmp (e->fstype, "fuseblk.", 8) == 0;

  /* Without both ids we cannot tell whose it is: not foreign. */
  if (!is_fuse || has_option (e->super_options, "allow_other")
      || !option_number (e->super_options, "user_id", &owner_uid)
      || !option_number (e->super_options, "group_id", &owner_gid))
    return false;
  return owner_uid != uid || owner_gid != gid;
}

int
mount_id_map_outside (const char *map, unsigned inside, unsigned *ret_outside)
{
  for (const char *line = map; *line != '\0';)
    {
      const char *eol = strchrnul (line, '\n');
      unsigned long in, out, count;
      if (sscanf (line, "%lu %lu %lu", &in, &out, &count) == 3
          && inside >= in && inside - in < count)
        {
          *ret_outside = (unsigned) (out + (inside - in));
          return 0;
        }
      line = *eol ? eol + 1 : eol;
    }
  return -ENOENT;
}
