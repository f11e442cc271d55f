/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/walk-run.c: the walk from the two roots (changes/walk.h):
 * opening them, walking every entry of the root, frame by frame
 * (walk.c), and backing up after an error; on one thread, or on several
 * that share the root's entries out (status and diff).  Runs in
 * bwrap-changes' process with the caller's rights. */
#include "walk.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "fsops.h"
#include "walk-frame.h"

/* Set w up at the two roots: its root frame, with the root's upper
 * listing unless the walk shares another's (read_upper false). */
static int
walk_start (struct walk *w, int upper_root, int target_root, bool read_upper)
{
  struct frame root = { .restore_mode = (mode_t) -1, .upper_read = !read_upper };
  unsigned marks = 0;
  bool opaque = false;
  struct stat st;
  int up_fd, tg_fd, r;

  w->euid = geteuid ();
  /* Enough open fds that ordinary trees never reopen a directory, few
   * enough for any fd limit. */
  dirstack_init (&w->up, dirstack_budget (2));
  dirstack_init (&w->tg, dirstack_budget (2));
  sbuf_adds (&w->path, "");
  if (fstat (upper_root, &st) != 0)
    return walk_error (w->err, errno, "", "%s", "");
  w->upper_dev = st.st_dev;
  w->upper_ino = st.st_ino;
  up_fd = fsops_open (upper_root, "", O_RDONLY | O_DIRECTORY, 0);
  if (up_fd < 0)
    return walk_error (w->err, -up_fd, "", "%s", "");
  r = fsops_marks (upper_root, "", up_fd, &marks, &opaque);
  tg_fd = fsops_open (target_root, "", O_RDONLY | O_DIRECTORY, 0);
  if (r < 0 || tg_fd < 0)
    {
      (void) close (up_fd);
      if (tg_fd >= 0)
        (void) close (tg_fd);
      return walk_error (w->err, r < 0 ? -r : -tg_fd, "", "%s", "");
    }
  return walk_push_frame (w, up_fd, tg_fd, opaque ? DESCEND_OPAQUE : DESCEND_MERGE, &root);
}

/* The next entry of the root: the walk's own, or a shared one. */
static bool
next_root_child (struct walk *w, const char **ret_name, bool *ret_up, bool *ret_lo)
{
  size_t i;

  if (w->shared == NULL)
    return walk_next_child (&w->frames[0], ret_name, ret_up, ret_lo);
  if (atomic_load (&w->shared->stop))
    return false;
  i = atomic_fetch_add (&w->shared->next, 1);
  if (i >= w->shared->upper->n)
    return false;
  *ret_name = listing_name (w->shared->upper, i);
  *ret_up = *ret_lo = true;
  return true;
}

/* Walk until the root has no entry left for this walk. */
static int
walk_loop (struct walk *w)
{
  int r = 0;

  while (r == 0 && w->n > 0)
    {
      const char *name;
      bool from_upper, maybe_lower;
      bool more = w->n == 1 ? next_root_child (w, &name, &from_upper, &maybe_lower)
                  : walk_next_child (&w->frames[w->n - 1], &name, &from_upper, &maybe_lower);

      if (!more)
        {
          if (w->n == 1)
            break;   /* TARGET itself is never reported */
          r = walk_leave_frame (w);
          continue;
        }
      r = walk_visit_child (w, name, from_upper, maybe_lower);
    }
  if (r < 0 && w->shared != NULL)
    atomic_store (&w->shared->stop, true);
  return r;
}

/* Back up to the root (after an error, giving the directories made
 * readable their modes back on the way) and free everything. */
static void
walk_finish (struct walk *w)
{
  while (w->n > 0)
    {
      struct frame *f = &w->frames[--w->n];
      listing_free (&f->upper);
      listing_free (&f->lower);
      (void) dirstack_pop (&w->up);   /* nothing better to do on failure */
      (void) dirstack_pop (&w->tg);
      w->path.len = f->path_len;
      w->path.data[w->path.len] = '\0';
      if (f->restore_mode != (mode_t) -1 && dirstack_top (&w->up) >= 0)
        (void) fsops_chmod (dirstack_top (&w->up), sbuf_str (&w->path) + f->name_off,
                            f->restore_mode);
    }
  free (w->frames);
  dirstack_free (&w->up);
  dirstack_free (&w->tg);
  sbuf_free (&w->path);
}

int
walk_run (int upper_root, int target_root, const struct walk_options *o,
          const struct walk_callbacks *cb, void *ctx, struct bwrap_error *err)
{
  struct walk w = { .o = o, .cb = cb, .ctx = ctx, .err = err };
  int r = walk_start (&w, upper_root, target_root, true);

  if (r == 0)
    r = walk_loop (&w);
  walk_finish (&w);
  return r;
}

struct worker
{
  struct walk w;
  struct bwrap_error err;
  int upper_root, target_root;
  int r;
  pthread_t thread;
};

static void *
worker_main (void *data)
{
  struct worker *k = data;

  k->r = walk_start (&k->w, k->upper_root, k->target_root, false);
  if (k->r == 0)
    k->r = walk_loop (&k->w);
  else
    atomic_store (&k->w.shared->stop, true);
  walk_finish (&k->w);
  return NULL;
}

int
walk_run_parallel (int upper_root, int target_root, const struct walk_options *o,
                   const struct walk_callbacks *cb, void **ctxs, size_t n_threads,
                   struct bwrap_error *err)
{
  struct walk w = { .o = o, .cb = cb, .ctx = ctxs[0], .err = err };
  struct shared_root shared = { 0 };
  struct worker *workers;
  size_t started = 0;
  int r = walk_start (&w, upper_root, target_root, true);

  /* One thread: nothing to share.  An opaque root (never seen from
   * bwrap) mixes in TARGET's entries: walked by one thread too. */
  if (r < 0 || n_threads < 2 || w.frames[0].mode != DESCEND_MERGE || w.frames[0].upper.n < 2)
    {
      if (r == 0)
        r = walk_loop (&w);
      walk_finish (&w);
      return r;
    }
  shared.upper = &w.frames[0].upper;
  atomic_init (&shared.next, 0);
  atomic_init (&shared.stop, false);
  w.shared = &shared;
  workers = xcalloc (n_threads - 1, sizeof *workers);
  for (; started < n_threads - 1; started++)
    {
      struct worker *k = &workers[started];
      *k = (struct worker) { .w = { .shared = &shared, .o = o, .cb = cb, .ctx = ctxs[started + 1],
                                    .err = &k->err },
                             .upper_root = upper_root, .target_root = target_root };
      if (pthread_create (&k->thread, NULL, worker_main, k) != 0)
        break;   /* fewer threads: the others take up the work */
    }
  r = walk_loop (&w);
  for (size_t t = 0; t < started; t++)
    {
      (void) pthread_join (workers[t].thread, NULL);   /* ours and joinable */
      if (r == 0 && workers[t].r < 0)
        {
          r = workers[t].r;
          *err = workers[t].err;   /* the message moves over */
          workers[t].err = (struct bwrap_error) { 0 };
        }
      bwrap_error_clear (&workers[t].err);
    }
  free (workers);
  walk_finish (&w);
  return r;
}
