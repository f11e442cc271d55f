/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/walk.c: the side-by-side walk of an upper directory and TARGET
 * (changes/walk.h), one frame at a time: judging a directory's entries,
 * reporting them, entering and leaving directories (walk-run.c drives
 * it from the roots, on one thread or several).  Runs in bwrap-changes' process with the caller's
 * rights.  It only reads, with one exception: as a user, an upper
 * directory of the caller's own that the caller may not read (bwrap
 * gives a split overlay's piece directories only the caller's rights on
 * the host directory, often --x) gets u+rx for as long as the walk is
 * below it, and its mode back afterwards. */
#include "walk.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsops.h"
#include "text.h"
#include "walk-frame.h"

int
walk_error (struct bwrap_error *err, int errnum, const char *path, const char *fmt, ...)
{
  cleanup_free char *q = text_quoted (*path ? path : ".");
  cleanup_free char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    die_oom ();
  va_end (ap);
  return bwrap_error_set (err, errnum, "%s%s%s", q, *msg ? ": " : "", msg);
}

static const char *
cur_path (const struct walk *w)
{
  return sbuf_str (&w->path);
}

/* Open the upper directory name below dir_fd for listing.  As a user,
 * one of the caller's own that answers EACCES gets u+rx first;
 * *ret_restore then holds the mode to give back. */
static int
open_upper_dir (struct walk *w, int dir_fd, const char *name, const struct stat *st,
                mode_t *ret_restore)
{
  const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
  int fd = fsops_open (dir_fd, name, flags, 0);
  int r;

  *ret_restore = (mode_t) -1;
  if (fd != -EACCES || w->euid == 0 || st->st_uid != w->euid)
    return fd;
  r = fsops_chmod (dir_fd, name, (st->st_mode & 07777) | S_IRUSR | S_IXUSR);
  if (r < 0)
    return fd;
  *ret_restore = st->st_mode & 07777;
  fd = fsops_open (dir_fd, name, flags, 0);
  if (fd < 0)
    {
      (void) fsops_chmod (dir_fd, name, *ret_restore);   /* reported below */
      *ret_restore = (mode_t) -1;
    }
  return fd;
}

/* Read the listings a frame in this mode needs. */
static int
read_listings (struct walk *w, struct frame *f)
{
  int r = 0;

  /* A child's upper listing was read when it was judged. */
  if (f->mode != DESCEND_DELETE && !f->upper_read)
    r = listing_read (dirstack_top (&w->up), &f->upper);
  if (r == 0 && (f->mode == DESCEND_OPAQUE || f->mode == DESCEND_DELETE)
      && dirstack_top (&w->tg) >= 0)
    r = listing_read (dirstack_top (&w->tg), &f->lower);
  return r < 0 ? walk_error (w->err, -r, cur_path (w), "%s", "") : 0;
}

/* Push a frame for the directory at the current path.  up_fd and tg_fd
 * are owned from here on (-1: absent). */
int
walk_push_frame (struct walk *w, int up_fd, int tg_fd, enum descend mode, const struct frame *self)
{
  struct frame *f;
  int r;

  r = dirstack_push (&w->up, up_fd);
  if (r == 0)
    r = dirstack_push (&w->tg, tg_fd);
  else if (tg_fd >= 0)
    (void) close (tg_fd);
  if (r < 0)
    return walk_error (w->err, -r, cur_path (w), "%s", "");
  if (w->n == w->cap)
    {
      w->cap = w->cap ? w->cap * 2 : 64;
      w->frames = xrealloc (w->frames, w->cap * sizeof *w->frames);
    }
  f = &w->frames[w->n++];
  *f = *self;
  f->path_len = w->path.len;
  f->mode = mode;
  f->lower = (struct listing) { 0 };
  f->ui = f->li = 0;
  return read_listings (w, f);
}

static void
fill_change (struct change *c, const char *path, const struct verdict *v,
             const struct stat *up, const struct stat *lo)
{
  *c = (struct change) { .path = path, .kind = v->kind, .what = v->what };
  c->st = (v->kind == CHANGE_DELETED || up == NULL) ? *lo : *up;
  c->old_mode = lo != NULL ? lo->st_mode : 0;
}

/* Report the pending directories above the current path, shallowest
 * first: something below them is about to be reported.  Their upper
 * parents' fds may have been closed (-1 in the entry; not needed to
 * make a directory); their TARGET parents' are open, the deepest
 * present level.  apply makes each, and the walk then uses it. */
static int
flush_pending (struct walk *w)
{
  for (size_t i = w->first_pending; i > 0 && i < w->n; i++)
    {
      struct frame *f = &w->frames[i];
      char saved = w->path.data[f->path_len];
      struct change c;
      struct walk_entry e = {
        .change = &c, .upper_dir = dirstack_fd (&w->up, i - 1),
        .target_dir = dirstack_fd (&w->tg, i - 1), .name = w->path.data + f->name_off,
        .upper_st = &f->upper_st, .lower_st = NULL,
      };
      int r;

      f->pending = false;
      w->path.data[f->path_len] = '\0';
      fill_change (&c, w->path.data, &f->verdict, &f->upper_st, NULL);
      r = w->cb->change (w->ctx, &e, w->err);
      if (r == 0 && w->o->open_new_target_dirs && e.target_dir >= 0)
        {
          int fd = fsops_open (e.target_dir, e.name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
          if (fd >= 0)
            r = dirstack_fill (&w->tg, i, fd);
          else if (fd != -ENOENT)   /* ENOENT: apply --dry-run */
            r = walk_error (w->err, -fd, w->path.data, "%s", "");
        }
      w->path.data[f->path_len] = saved;
      if (r < 0)
        return r;
    }
  w->first_pending = 0;
  return 0;
}

static int
report (struct walk *w, const struct verdict *v, const char *name, const struct stat *up,
        const struct stat *lo)
{
  struct change c;
  struct walk_entry e = {
    .change = &c, .name = name, .upper_st = up, .lower_st = lo,
  };
  int r = w->first_pending > 0 ? flush_pending (w) : 0;

  if (r < 0)
    return r;
  /* After the flush: it may have made the TARGET directory. */
  e.upper_dir = dirstack_top (&w->up);
  e.target_dir = dirstack_top (&w->tg);
  fill_change (&c, cur_path (w), v, up, lo);
  return w->cb->change (w->ctx, &e, w->err);
}

/* Leave the top frame: back to its parent, then its deferred report and
 * leave(). */
int
walk_leave_frame (struct walk *w)
{
  struct frame f = w->frames[--w->n];
  const char *name;
  int r;

  if (f.pending)
    {
      /* Nothing below was a change: neither is this directory. */
      f.verdict.kind = CHANGE_NONE;
      if (w->first_pending == w->n)
        w->first_pending = 0;
    }

  listing_free (&f.upper);
  listing_free (&f.lower);
  r = dirstack_pop (&w->up);
  if (r == 0)
    r = dirstack_pop (&w->tg);
  if (r < 0)
    return walk_error (w->err, -r, cur_path (w), "changed while being read");
  name = cur_path (w) + f.name_off;
  if (f.restore_mode != (mode_t) -1)
    {
      r = fsops_chmod (dirstack_top (&w->up), name, f.restore_mode);
      if (r < 0)
        return walk_error (w->err, -r, cur_path (w), "cannot give back mode %04o",
                           (unsigned) f.restore_mode);
    }
  if (f.verdict.report_after && f.emit)
    r = report (w, &f.verdict, name, f.has_upper ? &f.upper_st : NULL,
                f.has_lower ? &f.lower_st : NULL);
  if (r == 0 && f.has_upper && S_ISDIR (f.upper_st.st_mode) && w->cb->leave != NULL)
    {
      struct change c;
      struct walk_entry e = {
        .change = NULL, .upper_dir = dirstack_top (&w->up), .target_dir = dirstack_top (&w->tg),
        .name = name, .upper_st = &f.upper_st, .lower_st = f.has_lower ? &f.lower_st : NULL,
      };
      if (f.verdict.kind != CHANGE_NONE && f.emit)
        {
          fill_change (&c, cur_path (w), &f.verdict, e.upper_st, e.lower_st);
          e.change = &c;
        }
      r = w->cb->leave (w->ctx, &e, w->err);
    }
  /* Back to the parent's path. */
  w->path.len = w->n > 0 ? w->frames[w->n - 1].path_len : 0;
  if (w->path.data != NULL)
    w->path.data[w->path.len] = '\0';
  return r;
}

/* The next child of frame f: its name, and whether each side has it. */
bool
walk_next_child (struct frame *f, const char **ret_name, bool *ret_up, bool *ret_lo)
{
  bool more_up = f->ui < f->upper.n, more_lo = f->li < f->lower.n;
  int c;

  switch (f->mode)
    {
    case DESCEND_MERGE:
    case DESCEND_ADD:
      if (!more_up)
        return false;
      *ret_name = listing_name (&f->upper, f->ui++);
      *ret_up = true;
      *ret_lo = f->mode == DESCEND_MERGE;   /* maybe: looked up */
      return true;
    case DESCEND_DELETE:
      if (!more_lo)
        return false;
      *ret_name = listing_name (&f->lower, f->li++);
      *ret_up = false;
      *ret_lo = true;
      return true;
    case DESCEND_OPAQUE:
      if (!more_up && !more_lo)
        return false;
      c = !more_up ? 1 : !more_lo ? -1
          : strcmp (listing_name (&f->upper, f->ui), listing_name (&f->lower, f->li));
      *ret_up = c <= 0;
      *ret_lo = c >= 0;
      *ret_name = c <= 0 ? listing_name (&f->upper, f->ui) : listing_name (&f->lower, f->li);
      f->ui += c <= 0;
      f->li += c >= 0;
      return true;
    case DESCEND_NONE:
    default:
      return false;
    }
}

/* The TARGET directory to walk below name, or -1. */
static int
open_target_child (struct walk *w, const char *name, const struct verdict *v, bool has_lower)
{
  int tg = dirstack_top (&w->tg);
  /* A listing only where TARGET's entries are walked too. */
  int flags = (v->descend == DESCEND_OPAQUE || v->descend == DESCEND_DELETE)
              ? O_RDONLY | O_DIRECTORY : O_PATH | O_DIRECTORY;
  int fd;

  if (tg < 0)
    return -1;
  if (v->descend == DESCEND_ADD && !w->o->open_new_target_dirs)
    return -1;
  if (v->descend != DESCEND_ADD && !has_lower)
    return -1;
  fd = fsops_open (tg, name, flags | O_NOFOLLOW, 0);
  if (fd >= 0)
    return fd;
  if (v->descend == DESCEND_ADD && (fd == -ENOENT || fd == -ENOTDIR))
    return -1;   /* apply --dry-run: not made */
  return walk_error (w->err, -fd, cur_path (w), "%s", "");
}

/* Look at name on both sides and judge it, filling *self (with the
 * upper directory's listing, and its fd in *up_fd).  *ret_skip: not to
 * be walked at all. */
static int
judge_child (struct walk *w, const char *name, bool from_upper, bool maybe_lower,
             struct frame *self, int *up_fd, bool *ret_skip)
{
  int up = dirstack_top (&w->up), tg = dirstack_top (&w->tg);
  unsigned marks = 0, facts = 0;
  bool opaque = false, mount_root = false;
  int r;

  if (from_upper)
    {
      if (fstatat (up, name, &self->upper_st, AT_SYMLINK_NOFOLLOW) != 0)
        return -errno;
      self->has_upper = true;
      if (S_ISDIR (self->upper_st.st_mode))
        {
          *up_fd = open_upper_dir (w, up, name, &self->upper_st, &self->restore_mode);
          if (*up_fd < 0)
            return *up_fd;
          /* Read now: whether it is empty is part of the verdict. */
          r = listing_read (*up_fd, &self->upper);
          if (r < 0)
            return r;
          self->upper_read = true;
        }
      if (*up_fd >= 0 || (S_ISREG (self->upper_st.st_mode) && self->upper_st.st_size == 0))
        {
          r = fsops_marks (up, name, *up_fd, &marks, &opaque);
          if (r < 0)
            return r;
        }
    }
  if (maybe_lower && tg >= 0)
    {
      r = fsops_lstat (tg, name, &self->lower_st, &mount_root);
      if (r == 0)
        self->has_lower = true;
      else if (r != -ENOENT)
        return r;
    }
  /* The upper directory itself seen in TARGET (RWSRC inside the layer,
   * as with --overlay-src /): never judged, never written to. */
  *ret_skip = self->has_lower && S_ISDIR (self->lower_st.st_mode)
              && self->lower_st.st_dev == w->upper_dev && self->lower_st.st_ino == w->upper_ino;
  if (*ret_skip)
    return 0;

  if (opaque)
    facts |= FACT_OPAQUE;
  if (self->upper_read && self->upper.n == 0)
    facts |= FACT_EMPTY_DIR;
  if (mount_root)
    facts |= FACT_MOUNT_ROOT;
  self->verdict = entry_judge (self->has_upper ? &self->upper_st : NULL, marks, facts,
                               self->has_lower ? &self->lower_st : NULL, w->o->judge_flags);
  if (self->verdict.unsupported)
    return walk_error (w->err, 0, cur_path (w),
                       "written by an overlay with redirect_dir or metacopy, which keeps part "
                       "of it in a lower layer");
  if (self->verdict.compare)
    {
      r = S_ISLNK (self->upper_st.st_mode) ? fsops_links_differ (up, tg, name)
          : fsops_files_differ (up, tg, name, self->upper_st.st_size);
      /* Unreadable (TARGET's /etc/shadow as a user): the same bytes
       * cannot be shown, so it counts as changed. */
      if (r < 0 && r != -EACCES)
        return r;
      entry_verdict_differs (&self->verdict, r != 0, &self->upper_st);
    }
  return 0;
}

int
walk_visit_child (struct walk *w, const char *name, bool from_upper, bool maybe_lower)
{
  struct frame self = { .restore_mode = (mode_t) -1 };
  struct frame *parent = &w->frames[w->n - 1];
  cleanup_fd int up_fd = -1;
  enum selection_match sel;
  bool skip = false;
  int r = 0;

  if (w->path.len > 0)
    sbuf_addc (&w->path, '/');
  self.name_off = w->path.len;
  sbuf_adds (&w->path, name);
  sel = w->o->selection != NULL ? selection_match (w->o->selection, cur_path (w)) : SELECT_IN;
  if (sel == SELECT_OUT)
    goto done;
  r = judge_child (w, name, from_upper, maybe_lower && parent->mode != DESCEND_ADD, &self,
                   &up_fd, &skip);
  if (r < 0 && w->err->message == NULL)
    r = walk_error (w->err, -r, cur_path (w), "%s", "");
  if (r < 0 || skip)
    goto done;
  /* On the way to a selected path, only what must be made to reach it. */
  self.emit = sel == SELECT_IN
              || (self.has_upper && S_ISDIR (self.upper_st.st_mode)
                  && (self.verdict.kind == CHANGE_ADDED
                      || self.verdict.kind == CHANGE_TYPE_CHANGED));
  self.pending = self.verdict.lazy && self.emit;
  if (self.verdict.kind != CHANGE_NONE && self.emit && !self.verdict.report_after
      && !self.pending)
    {
      r = report (w, &self.verdict, name, self.has_upper ? &self.upper_st : NULL,
                  self.has_lower ? &self.lower_st : NULL);
      if (r < 0)
        goto done;
    }
  if (self.verdict.descend != DESCEND_NONE)
    {
      int tg_fd = open_target_child (w, name, &self.verdict, self.has_lower);
      if (tg_fd < -1)
        {
          r = tg_fd;
          goto done;
        }
      if (self.pending && w->first_pending == 0)
        w->first_pending = w->n;   /* the index push_frame gives it */
      /* The frame owns the listing and the restore from here on. */
      return walk_push_frame (w, steal_fd (&up_fd), tg_fd, self.verdict.descend, &self);
    }
done:
  listing_free (&self.upper);
  if (self.restore_mode != (mode_t) -1)
    (void) fsops_chmod (dirstack_top (&w->up), name, self.restore_mode);   /* best effort */
  if (r == 0)
    {
      w->path.len = parent->path_len;
      w->path.data[w->path.len] = '\0';
    }
  return r;
}
