/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/apply.c: `bwrap-changes apply`: make TARGET match what the
 * sandbox saw, change by change, in the walk's order.  Runs in
 * bwrap-changes' process with the caller's rights, and writes into
 * TARGET, a host directory, from UPPER, which the sandbox filled: every
 * step goes through a TARGET directory fd reached without following a
 * symlink (walk.c, fsops.c), never through a path.
 *
 * Each entry is made beside its final name, under a temporary name in
 * the same directory, with its owner (as root), mode and modification
 * time, and then renamed into place: a path is either fully old or
 * fully new.  A type change swaps the two atomically (RENAME_EXCHANGE)
 * and removes the old one; a deletion removes a directory's entries
 * before the directory.  On the first error the entry at hand is rolled
 * back, one "bwrap-changes: PATH: reason" line is printed and apply
 * exits 1; each line printed before says one change that was made. */
#include "commands.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsops.h"

struct hard_link
{
  dev_t dev;
  ino_t ino;
  char *path;          /* where TARGET has it now */
};

struct apply
{
  const struct changes_args *a;
  int target_root;
  bool is_root;
  struct sbuf line;
  struct hard_link *links;
  size_t n_links, cap_links;
  unsigned temp_counter;
};

/* Set by SIGINT, SIGTERM and SIGHUP: apply stops before the next entry,
 * never in the middle of one. */
static volatile sig_atomic_t stop_requested;

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void
on_stop_signal (int sig)
{
  stop_requested = sig;
}

/* ---- making one entry ------------------------------------------------------ */

/* A fresh name beside the entry, in the same directory (so rename is
 * atomic); *ret_name is a buffer of NAME_MAX + 1. */
static void
temp_name (struct apply *ap, char *buf)
{
  snprintf (buf, NAME_MAX + 1, ".bwrap-changes.%ld.%u", (long) getpid (), ap->temp_counter++);
}

static int
copy_bytes (int from, int to)
{
  /* A reflink where the filesystem shares extents (btrfs, XFS), else the
   * kernel's copy, else read and write. */
  if (ioctl (to, FICLONE, from) == 0)
    return 0;
  for (;;)
    {
      ssize_t n = copy_file_range (from, NULL, to, NULL, 1 << 30, 0);
      if (n == 0)
        return 0;
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)
            return copy_fd_data (from, to);
          return -errno;
        }
    }
}

/* Open the upper file to copy.  As a user, a file of the caller's own
 * they may not read gets u+r for the open and its mode back at once. */
static int
open_upper_file (struct apply *ap, int dir_fd, const char *name, const struct stat *st)
{
  const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
  int fd = fsops_open (dir_fd, name, flags, 0);
  int r;

  if (fd != -EACCES || ap->is_root || st->st_uid != geteuid ())
    return fd;
  r = fsops_chmod (dir_fd, name, (st->st_mode & 07777) | S_IRUSR);
  if (r < 0)
    return fd;
  fd = fsops_open (dir_fd, name, flags, 0);
  r = fsops_chmod (dir_fd, name, st->st_mode & 07777);
  if (fd >= 0 && r < 0)
    {
      (void) close (fd);
      return r;
    }
  return fd;
}

/* A hard link to the TARGET path this upper inode was applied at
 * earlier in this run.  0, or -errno (then a copy is made instead). */
static int
link_earlier (struct apply *ap, const struct stat *st, int dir_fd, const char *tmp)
{
  for (size_t i = 0; i < ap->n_links; i++)
    {
      struct hard_link *l = &ap->links[i];
      cleanup_free char *parent = NULL;
      cleanup_fd int parent_fd = -1;
      const char *slash;

      if (l->dev != st->st_dev || l->ino != st->st_ino)
        continue;
      slash = strrchr (l->path, '/');
      parent = slash ? strndup (l->path, slash - l->path) : xstrdup ("");
      parent_fd = fsops_open (ap->target_root, parent, O_PATH | O_DIRECTORY, 0);
      if (parent_fd < 0)
        return parent_fd;
      if (linkat (parent_fd, slash ? slash + 1 : l->path, dir_fd, tmp, 0) != 0)
        return -errno;
      return 0;
    }
  return -ENOENT;
}

static void
remember_link (struct apply *ap, const struct stat *st, const char *path)
{
  if (ap->n_links == ap->cap_links)
    {
      ap->cap_links = ap->cap_links ? ap->cap_links * 2 : 16;
      ap->links = xrealloc (ap->links, ap->cap_links * sizeof *ap->links);
    }
  ap->links[ap->n_links++] = (struct hard_link) { st->st_dev, st->st_ino, xstrdup (path) };
}

/* Make the regular file tmp in dir_fd from the upper entry, with owner,
 * mode and time.  *ret_linked: it is a hard link to an earlier one. */
static int
make_file (struct apply *ap, const struct walk_entry *e, int dir_fd, const char *tmp,
           bool *ret_linked)
{
  const struct stat *st = e->upper_st;
  struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, st->st_mtim };
  cleanup_fd int from = -1;
  cleanup_fd int to = -1;
  int r;

  *ret_linked = st->st_nlink > 1 && link_earlier (ap, st, dir_fd, tmp) == 0;
  if (*ret_linked)
    return 0;
  from = open_upper_file (ap, e->upper_dir, e->name, st);
  if (from < 0)
    return from;
  to = openat (dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (to < 0)
    return -errno;
  r = copy_bytes (from, to);
  if (r == 0 && ap->is_root && fchown (to, st->st_uid, st->st_gid) != 0)
    r = -errno;
  /* After the owner: chown clears the setuid and setgid bits. */
  if (r == 0 && fchmod (to, st->st_mode & 07777) != 0)
    r = -errno;
  if (r == 0 && futimens (to, times) != 0)
    r = -errno;
  return r;
}

/* Make the entry e's upper entry is as tmp in dir_fd.  A directory gets
 * u+rwx on top of its mode, so that its entries can be made; its final
 * mode and time come in apply_leave. */
static int
make_entry (struct apply *ap, const struct walk_entry *e, int dir_fd, const char *tmp,
            bool *ret_linked)
{
  const struct stat *st = e->upper_st;
  struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, st->st_mtim };
  char target[PATH_MAX];
  ssize_t n;
  int r = 0;

  *ret_linked = false;
  switch (st->st_mode & S_IFMT)
    {
    case S_IFREG:
      return make_file (ap, e, dir_fd, tmp, ret_linked);
    case S_IFDIR:
      if (mkdirat (dir_fd, tmp, 0700) != 0)
        return -errno;
      break;
    case S_IFLNK:
      n = readlinkat (e->upper_dir, e->name, target, sizeof target);
      if (n < 0)
        return -errno;
      if ((size_t) n >= sizeof target)
        return -ENAMETOOLONG;
      target[n] = '\0';
      if (symlinkat (target, dir_fd, tmp) != 0)
        return -errno;
      break;
    default:   /* fifo, socket, device (only with --allow-special) */
      if (mknodat (dir_fd, tmp, st->st_mode & (S_IFMT | 0600), st->st_rdev) != 0)
        return -errno;
      break;
    }
  if (ap->is_root && fchownat (dir_fd, tmp, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) != 0)
    return -errno;
  if (!S_ISLNK (st->st_mode))
    r = fsops_chmod (dir_fd, tmp, (st->st_mode & 07777) | (S_ISDIR (st->st_mode) ? S_IRWXU : 0));
  if (r == 0 && !S_ISDIR (st->st_mode)
      && utimensat (dir_fd, tmp, times, AT_SYMLINK_NOFOLLOW) != 0)
    r = -errno;
  return r;
}

/* Put tmp in place of name: a new name (nothing may be there), a
 * replacement of the same kind, or a swap with what is there (rename
 * cannot replace a directory, nor put one in place of a file), the old
 * entry then removed.  *ret_done: the path is new, whatever the result
 * (only the old entry's removal can fail then). */
static int
put_in_place (const struct walk_entry *e, int dir_fd, const char *tmp, bool *ret_done)
{
  const struct stat *old = e->lower_st;

  *ret_done = false;
  if (e->change->kind == CHANGE_ADDED)
    {
      if (renameat2 (dir_fd, tmp, dir_fd, e->name, RENAME_NOREPLACE) != 0)
        return -errno;
    }
  else if (!S_ISDIR (old->st_mode) && !S_ISDIR (e->upper_st->st_mode))
    {
      if (renameat (dir_fd, tmp, dir_fd, e->name) != 0)
        return -errno;
    }
  else
    {
      if (renameat2 (dir_fd, tmp, dir_fd, e->name, RENAME_EXCHANGE) != 0)
        return -errno;
      *ret_done = true;
      /* What is left at tmp is the old entry (an empty directory: its
       * entries were deleted before). */
      if (unlinkat (dir_fd, tmp, S_ISDIR (old->st_mode) ? AT_REMOVEDIR : 0) != 0)
        return -errno;
    }
  *ret_done = true;
  return 0;
}

static int
replace_entry (struct apply *ap, const struct walk_entry *e, struct bwrap_error *err)
{
  char tmp[NAME_MAX + 1];
  bool linked, done = false;
  int r;

  do
    {
      temp_name (ap, tmp);
      r = make_entry (ap, e, e->target_dir, tmp, &linked);
    }
  while (r == -EEXIST && faccessat (e->target_dir, tmp, F_OK, AT_SYMLINK_NOFOLLOW) == 0
         && ap->temp_counter < 1000);
  if (r == 0)
    r = put_in_place (e, e->target_dir, tmp, &done);
  if (r < 0 && done)
    return walk_error (err, -r, e->change->path, "made, but the old entry is left at %s", tmp);
  if (r < 0)
    {
      /* Roll back: the path keeps its old entry.  Nothing better to do
       * if that fails too: the reason reported is the first one. */
      (void) unlinkat (e->target_dir, tmp, S_ISDIR (e->upper_st->st_mode) ? AT_REMOVEDIR : 0);
      return walk_error (err, -r, e->change->path, "%s", "");
    }
  if (S_ISREG (e->upper_st->st_mode) && e->upper_st->st_nlink > 1 && !linked)
    remember_link (ap, e->upper_st, e->change->path);
  return 0;
}

/* A metadata change in place: owner, then mode, then time; each step
 * undone again if a later one fails. */
static int
change_metadata (struct apply *ap, const struct walk_entry *e)
{
  const struct stat *up = e->upper_st, *old = e->lower_st;
  struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, up->st_mtim };
  unsigned what = e->change->what;
  int dir_fd = e->target_dir;
  bool owned = false;
  int r = 0;

  if ((what & WHAT_OWNER) && ap->is_root)
    {
      if (fchownat (dir_fd, e->name, up->st_uid, up->st_gid, AT_SYMLINK_NOFOLLOW) != 0)
        return -errno;
      owned = true;
    }
  if (what & WHAT_MODE)
    r = fsops_chmod (dir_fd, e->name, up->st_mode & 07777);
  if (r == 0 && (what & WHAT_TIME) && utimensat (dir_fd, e->name, times, AT_SYMLINK_NOFOLLOW) != 0)
    {
      r = -errno;
      if (what & WHAT_MODE)
        (void) fsops_chmod (dir_fd, e->name, old->st_mode & 07777);   /* undo */
    }
  if (r < 0 && owned)
    (void) fchownat (dir_fd, e->name, old->st_uid, old->st_gid, AT_SYMLINK_NOFOLLOW);   /* undo */
  return r;
}

/* ---- the walk's callbacks ------------------------------------------------ */

static int
refuse_special (const struct apply *ap, const struct change *c, struct bwrap_error *err)
{
  mode_t m = c->st.st_mode;

  if (ap->a->allow_special || c->kind == CHANGE_DELETED)
    return 0;
  if (S_ISCHR (m) || S_ISBLK (m))
    return walk_error (err, 0, c->path, "a device node (--allow-special applies it)");
  /* A new or changed setuid or setgid program would run with its
   * owner's rights: the sandbox must not be able to plant one.  On a
   * directory the setgid bit only passes its group on, so it is kept. */
  if (!S_ISDIR (m) && (m & (S_ISUID | S_ISGID)))
    return walk_error (err, 0, c->path, "setuid or setgid (--allow-special applies it)");
  return 0;
}

static int
print_line (struct apply *ap, const struct change *c, struct bwrap_error *err)
{
  int r;

  sbuf_reset (&ap->line);
  report_change (&ap->line, c, ap->a->format);
  /* One write per line, at once: whatever stops us, what was printed
   * is what was done. */
  r = write_all (STDOUT_FILENO, ap->line.data, ap->line.len);
  return r < 0 ? bwrap_error_set (err, -r, "writing the output") : 0;
}

static int
check_stop (const char *path, struct bwrap_error *err)
{
  if (stop_requested)
    return walk_error (err, 0, path, "interrupted by signal %d before this change",
                       (int) stop_requested);
  return 0;
}

static int
apply_change (void *ctx, const struct walk_entry *e, struct bwrap_error *err)
{
  struct apply *ap = ctx;
  const struct change *c = e->change;
  int r;

  r = check_stop (c->path, err);
  if (r == 0)
    r = refuse_special (ap, c, err);
  if (r < 0)
    return r;
  /* A directory's metadata change is made and reported when its
   * entries are done (apply_leave). */
  if (c->kind == CHANGE_MODIFIED && S_ISDIR (c->st.st_mode))
    return 0;
  if (!ap->a->dry_run)
    {
      if (e->target_dir < 0)
        return walk_error (err, ENOENT, c->path, "its directory in TARGET");
      if (c->kind == CHANGE_DELETED)
        r = unlinkat (e->target_dir, e->name, S_ISDIR (c->st.st_mode) ? AT_REMOVEDIR : 0) == 0
            ? 0 : -errno;
      else if (c->kind == CHANGE_MODIFIED && !(c->what & (WHAT_CONTENT | WHAT_TARGET)))
        r = change_metadata (ap, e);
      else
        return replace_entry (ap, e, err) < 0 ? -1 : print_line (ap, c, err);
      if (r < 0)
        return walk_error (err, -r, c->path, "%s", "");
    }
  return print_line (ap, c, err);
}

/* After a directory's entries: the final mode and time of one apply
 * made (it had u+rwx until now), or a directory's metadata change, made
 * and reported only now so that a new time is not undone by the
 * entries made below. */
static int
apply_leave (void *ctx, const struct walk_entry *e, struct bwrap_error *err)
{
  struct apply *ap = ctx;
  const struct change *c = e->change;
  struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, e->upper_st->st_mtim };
  bool is_modified = c != NULL && c->kind == CHANGE_MODIFIED;
  int r = 0;

  if (c == NULL || c->kind == CHANGE_DELETED)
    return 0;
  /* A new directory is the entry at hand until it is finished; a
   * metadata change is a new one. */
  if (is_modified && (r = check_stop (c->path, err)) < 0)
    return r;
  if (!ap->a->dry_run)
    {
      if (e->target_dir < 0)
        return walk_error (err, ENOENT, c->path, "its directory in TARGET");
      if (is_modified)
        r = change_metadata (ap, e);
      else
        {
          r = fsops_chmod (e->target_dir, e->name, e->upper_st->st_mode & 07777);
          if (r == 0 && utimensat (e->target_dir, e->name, times, AT_SYMLINK_NOFOLLOW) != 0)
            r = -errno;
        }
      if (r < 0)
        return walk_error (err, -r, c->path, "%s", "");
    }
  return is_modified ? print_line (ap, c, err) : 0;
}

int
changes_apply (const struct changes_args *a)
{
  static const struct walk_callbacks cb = { .change = apply_change, .leave = apply_leave };
  struct bwrap_error err = { 0 };
  struct apply ap = { .a = a, .target_root = -1, .is_root = geteuid () == 0 };
  struct sigaction sa = { .sa_handler = on_stop_signal, .sa_flags = SA_RESTART };
  struct walk_options o;
  struct selection sel;
  cleanup_fd int up = -1;
  int r;

  if (changes_walk_options (a, &o, &sel, &err) < 0)
    return changes_fail (&err, 1);
  o.open_new_target_dirs = true;
  sigemptyset (&sa.sa_mask);
  for (size_t i = 0; i < N_ELEMENTS (stop_signals); i++)
    {
      struct sigaction old;
      /* A signal the caller ignores (nohup, a shell's background job)
       * stays ignored. */
      if (sigaction (stop_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
        (void) sigaction (stop_signals[i], &sa, NULL);   /* cannot fail: valid arguments */
    }
  up = changes_open_arg (a->upper, &err);
  if (up >= 0)
    ap.target_root = changes_open_arg (a->target, &err);
  r = up < 0 || ap.target_root < 0 ? -1 : walk_run (up, ap.target_root, &o, &cb, &ap, &err);
  r = r < 0 ? changes_fail (&err, 1) : 0;
  if (ap.target_root >= 0)
    (void) close (ap.target_root);
  for (size_t i = 0; i < ap.n_links; i++)
    free (ap.links[i].path);
  free (ap.links);
  sbuf_free (&ap.line);
  selection_free (&sel);
  bwrap_error_clear (&err);
  return r;
}
