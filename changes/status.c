/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/status.c: `bwrap-changes status`, and what every command
 * shares (changes/commands.h).  Runs in bwrap-changes' process with the
 * caller's rights; reads only (but see walk.c on unreadable upper
 * directories of the caller's own). */
#include "commands.h"

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
changes_fail (const struct bwrap_error *err, int status)
{
  if (err->errnum != 0)
    warn_msg ("%s: %s", err->message ? err->message : "error", strerror (err->errnum));
  else
    warn_msg ("%s", err->message ? err->message : "error");
  return status;
}

int
changes_walk_options (const struct changes_args *a, struct walk_options *o,
                      struct selection *sel, struct bwrap_error *err)
{
  int r = selection_init (sel, a->paths, a->n_paths, err);

  *o = (struct walk_options) { .selection = sel };
  if (a->times)
    o->judge_flags |= JUDGE_TIMES;
  /* Only root can give an entry another owner, so only then is an owner
   * different from TARGET's a change the sandbox made on purpose: as a
   * user every upper entry is the user's. */
  if (geteuid () == 0)
    o->judge_flags |= JUDGE_OWNERS;
  return r;
}

int
changes_open_arg (const char *arg, struct bwrap_error *err)
{
  int fd = open (arg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    {
      cleanup_free char *q = text_quoted (arg);
      return bwrap_error_set (err, errno, "%s", q);
    }
  return fd;
}

static int
collect_one (void *ctx, const struct walk_entry *e, struct bwrap_error *err)
{
  struct change_list *l = ctx;

  if (l->n == l->cap)
    {
      l->cap = l->cap ? l->cap * 2 : 256;
      l->v = xrealloc (l->v, l->cap * sizeof *l->v);
    }
  l->v[l->n] = *e->change;
  l->v[l->n++].path = xstrdup (e->change->path);
  return 0;
}

static int
by_path (const void *a, const void *b)
{
  return strcmp (((const struct change *) a)->path, ((const struct change *) b)->path);
}

/* Threads for the walk: one per idle CPU we may run on, up to 8.  The
 * walk is system calls on files in the page cache, which scale with
 * CPUs; but on CPUs that are busy already, more threads only add
 * contention (measured: a 100,000-file status took twice as long with
 * two threads as with one on two CPUs at a load of 9). */
static size_t
walk_threads (void)
{
  const char *forced = getenv ("BWRAP_CHANGES_THREADS");
  cpu_set_t cpus;
  double load[1] = { 0 };
  long n = 1;

  /* For tests and measurements: exactly that many. */
  if (forced != NULL && *forced != '\0')
    {
      n = strtol (forced, NULL, 10);
      return n < 1 ? 1 : n > 8 ? 8 : (size_t) n;
    }
  if (sched_getaffinity (0, sizeof cpus, &cpus) == 0)
    n = CPU_COUNT (&cpus);
  if (getloadavg (load, 1) == 1)
    n -= (long) (load[0] + 0.5);
  return n < 1 ? 1 : n > 8 ? 8 : (size_t) n;
}

int
changes_collect (int upper_fd, int target_fd, const struct walk_options *o,
                 struct change_list *out, struct bwrap_error *err)
{
  static const struct walk_callbacks cb = { .change = collect_one };
  size_t n_threads = walk_threads ();
  struct change_list *lists = xcalloc (n_threads, sizeof *lists);
  void **ctxs = xcalloc (n_threads, sizeof *ctxs);
  int r;

  for (size_t t = 0; t < n_threads; t++)
    ctxs[t] = &lists[t];
  r = walk_run_parallel (upper_fd, target_fd, o, &cb, ctxs, n_threads, err);
  /* One list, then one order: by path. */
  for (size_t t = 0; t < n_threads; t++)
    {
      for (size_t i = 0; i < lists[t].n; i++)
        {
          if (out->n == out->cap)
            {
              out->cap = out->cap ? out->cap * 2 : 256;
              out->v = xrealloc (out->v, out->cap * sizeof *out->v);
            }
          out->v[out->n++] = lists[t].v[i];
        }
      free (lists[t].v);
    }
  free (lists);
  free (ctxs);
  if (r == 0 && out->n > 1)
    qsort (out->v, out->n, sizeof *out->v, by_path);
  return r;
}

void
change_list_free (struct change_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    free ((char *) l->v[i].path);
  free (l->v);
  *l = (struct change_list) { 0 };
}

int
changes_flush (struct sbuf *b)
{
  int r = b->len > 0 ? write_all (STDOUT_FILENO, b->data, b->len) : 0;

  sbuf_reset (b);
  return r;
}

/* UPPER and TARGET opened (*ret_upper, *ret_target, the caller's to
 * close; -1 when not opened) and their changes in *out.  0, or -errno
 * with err filled. */
static int
load (const struct changes_args *a, int *ret_upper, int *ret_target,
      struct change_list *out, struct bwrap_error *err)
{
  struct walk_options o;
  struct selection sel;
  int r = changes_walk_options (a, &o, &sel, err);

  *ret_upper = *ret_target = -1;
  if (r == 0 && (r = changes_open_arg (a->upper, err)) >= 0)
    *ret_upper = r;
  if (r >= 0 && (r = changes_open_arg (a->target, err)) >= 0)
    *ret_target = r;
  if (r >= 0)
    r = changes_collect (*ret_upper, *ret_target, &o, out, err);
  selection_free (&sel);
  return r < 0 ? r : 0;
}

int
changes_print (const struct changes_args *a, change_printer print)
{
  struct bwrap_error err = { 0 };
  struct change_list list = { 0 };
  struct sbuf out = { 0 };
  cleanup_fd int up = -1;
  cleanup_fd int tg = -1;
  /* --exit-code makes 1 mean "changes", so errors need another number. */
  int failed = a->exit_code ? 2 : 1;
  int r = load (a, &up, &tg, &list, &err);

  for (size_t i = 0; i < list.n && r == 0; i++)
    {
      r = print (&out, &list.v[i], up, tg, a, &err);
      if (r == 0 && out.len >= 64 * 1024)
        r = changes_flush (&out);
    }
  if (r == 0)
    r = changes_flush (&out);
  if (r < 0 && err.message == NULL)
    bwrap_error_set (&err, -r, "writing the output");
  r = r < 0 ? changes_fail (&err, failed) : a->exit_code && list.n > 0 ? 1 : 0;
  change_list_free (&list);
  sbuf_free (&out);
  bwrap_error_clear (&err);
  return r;
}

static int
print_status_line (struct sbuf *out, const struct change *c, int upper_fd, int target_fd,
                   const struct changes_args *a, struct bwrap_error *err)
{
  (void) upper_fd;
  (void) target_fd;
  (void) err;
  report_change (out, c, a->format);
  return 0;
}

int
changes_status (const struct changes_args *a)
{
  return changes_print (a, print_status_line);
}
