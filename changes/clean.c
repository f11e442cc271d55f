/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/clean.c: `bwrap-changes clean UPPER [WORKDIR]`: remove an
 * overlay's upper and work directories, which plain `rm -rf` cannot do
 * as a user: the kernel leaves a mode-000 directory in WORKDIR, and a
 * split overlay gives the caller's directories in UPPER only the rights
 * the caller has on the host (often none to write).  Directories of the
 * caller's own get u+rwx before they are emptied; nothing else changes
 * hands.  Like `rm -rf --one-file-system`, it never follows a symlink
 * and never enters another filesystem (an error names the mount point);
 * it walks without recursion and with bounded fds (dirstack.h), so no
 * tree is too deep.  Runs in bwrap-changes' process with the caller's
 * rights. */
#include "commands.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirstack.h"
#include "fsops.h"

struct clean
{
  struct dirstack dirs;
  struct level
  {
    struct listing list;
    size_t next;           /* the next entry of list */
    size_t path_len;       /* the directory's path: path[0..path_len) */
    size_t name_off;       /* its name in path */
  } *levels;               /* from the directory removed down */
  size_t n, cap;
  struct sbuf path;        /* the argument, then "/name" per level */
  dev_t dev;
  uid_t euid;
  struct bwrap_error *err;
};

static int
clean_error (struct clean *cl, int errnum, const char *what)
{
  cleanup_free char *q = text_quoted (sbuf_str (&cl->path));
  return bwrap_error_set (cl->err, errnum, "%s%s%s", q, *what ? ": " : "", what);
}

/* Give a directory of the caller's own u+rwx, so that it can be listed
 * and emptied.  Root needs none of that. */
static void
make_writable (struct clean *cl, int dir_fd, const char *name, const struct stat *st)
{
  if (cl->euid != 0 && st->st_uid == cl->euid && (st->st_mode & S_IRWXU) != S_IRWXU)
    (void) fsops_chmod (dir_fd, name, (st->st_mode & 07777) | S_IRWXU);   /* the open says */
}

/* Enter the directory name below dir_fd. */
static int
enter (struct clean *cl, int dir_fd, const char *name, const struct stat *st)
{
  int fd, r;

  if (st->st_dev != cl->dev)
    return clean_error (cl, 0, "on another filesystem (a mount point?), not removed");
  make_writable (cl, dir_fd, name, st);
  fd = fsops_open (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
  if (fd < 0)
    return clean_error (cl, -fd, "");
  r = dirstack_push (&cl->dirs, fd);
  if (r < 0)
    return clean_error (cl, -r, "");
  if (cl->n == cl->cap)
    {
      cl->cap = cl->cap ? cl->cap * 2 : 64;
      cl->levels = xrealloc (cl->levels, cl->cap * sizeof *cl->levels);
    }
  cl->levels[cl->n] = (struct level) { .path_len = cl->path.len,
                                       .name_off = cl->path.len - strlen (name) };
  r = listing_read (fd, &cl->levels[cl->n++].list);
  return r < 0 ? clean_error (cl, -r, "") : 0;
}

/* Empty and remove the directory at the top, its parent dir_fd holding
 * it as name. */
static int
remove_tree (struct clean *cl)
{
  while (cl->n > 0)
    {
      struct level *l = &cl->levels[cl->n - 1];
      int fd = dirstack_top (&cl->dirs);
      const char *name;
      struct stat st;
      int r;

      cl->path.len = l->path_len;
      cl->path.data[cl->path.len] = '\0';
      if (l->next == l->list.n)
        {
          /* Empty now: leave it, then remove it from its parent. */
          listing_free (&l->list);
          cl->n--;
          r = dirstack_pop (&cl->dirs);
          if (r < 0)
            return clean_error (cl, -r, "changed while being removed");
          name = sbuf_str (&cl->path) + l->name_off;
          if (unlinkat (dirstack_top (&cl->dirs), name, AT_REMOVEDIR) != 0)
            return clean_error (cl, errno, "");
          continue;
        }
      name = listing_name (&l->list, l->next++);
      sbuf_addc (&cl->path, '/');
      sbuf_adds (&cl->path, name);
      if (fstatat (fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return clean_error (cl, errno, "");
      if (S_ISDIR (st.st_mode))
        r = enter (cl, fd, name, &st);
      else
        r = unlinkat (fd, name, 0) == 0 ? 0 : clean_error (cl, errno, "");
      if (r < 0)
        return r;
    }
  return 0;
}

/* Remove arg (UPPER or WORKDIR) and everything below it. */
static int
clean_one (const char *arg, struct bwrap_error *err)
{
  struct clean cl = { .euid = geteuid (), .err = err };
  cleanup_free char *copy = xstrdup (arg);
  cleanup_fd int parent = -1;
  size_t len = strlen (copy);
  char *name, *slash;
  struct stat st;
  int r;

  while (len > 1 && copy[len - 1] == '/')
    copy[--len] = '\0';
  slash = strrchr (copy, '/');
  name = slash ? slash + 1 : copy;
  sbuf_adds (&cl.path, copy);
  if (*name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    {
      r = clean_error (&cl, 0, "not a directory to remove");
      sbuf_free (&cl.path);
      return r;
    }
  /* The directories on the way to it are the caller's choice (symlinks
   * followed); from the name on, nothing is followed. */
  if (slash != NULL)
    *slash = '\0';
  parent = open (slash == NULL ? "." : slash == copy ? "/" : copy, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (parent < 0 || fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    r = clean_error (&cl, errno, "");
  else if (!S_ISDIR (st.st_mode))
    r = clean_error (&cl, ENOTDIR, "");
  else
    {
      dirstack_init (&cl.dirs, dirstack_budget (1));
      r = dirstack_push (&cl.dirs, fcntl (parent, F_DUPFD_CLOEXEC, 0));
      cl.dev = st.st_dev;
      if (r == 0)
        r = enter (&cl, parent, name, &st);
      if (r == 0)
        r = remove_tree (&cl);
      while (cl.n > 0)
        listing_free (&cl.levels[--cl.n].list);
      dirstack_free (&cl.dirs);
    }
  free (cl.levels);
  sbuf_free (&cl.path);
  return r;
}

int
changes_clean (const struct changes_args *a)
{
  struct bwrap_error err = { 0 };
  int r = clean_one (a->upper, &err);

  if (r == 0 && a->target != NULL)
    r = clean_one (a->target, &err);
  r = r < 0 ? changes_fail (&err, 1) : 0;
  bwrap_error_clear (&err);
  return r;
}
