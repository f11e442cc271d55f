/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/walk.h: the walk over an upper directory and TARGET side by
 * side that finds every change, in the order apply makes them: a
 * directory's own change before what lies below it, except where
 * TARGET's directory must first be emptied (a deleted directory, a
 * directory that became something else), which is reported after.
 * status and diff collect and sort what it reports; apply acts on each
 * report as it comes.  No recursion and a bounded number of open fds
 * (dirstack.h), whatever the depth; no symlink is ever followed below
 * the two roots (fsops.h).  Runs in bwrap-changes' process with the
 * caller's rights. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>

#include "entry.h"
#include "utils.h"

struct walk_options
{
  unsigned judge_flags;              /* JUDGE_TIMES, JUDGE_OWNERS */
  const struct selection *selection;
  /* apply: look up TARGET's directory for every upper directory walked,
   * also for those the change callback has only just created. */
  bool open_new_target_dirs;
};

/* One path, as the callbacks see it.  Everything points into the
 * walker's memory and is valid during the call only. */
struct walk_entry
{
  const struct change *change;  /* NULL for leave() of an unchanged directory */
  int upper_dir;                /* the upper directory holding it, -1: none */
  int target_dir;               /* TARGET's directory holding it, -1: none */
  const char *name;             /* its name in both */
  const struct stat *upper_st;  /* the upper entry, NULL: none */
  const struct stat *lower_st;  /* TARGET's entry when judged, NULL: none */
};

struct walk_callbacks
{
  /* Each change.  0 to go on, or -errno with err filled to stop. */
  int (*change) (void *ctx, const struct walk_entry *e, struct bwrap_error *err);
  /* After everything below an upper directory was walked (NULL: not
   * needed).  e->change is the directory's own change, reported
   * earlier, or NULL. */
  int (*leave) (void *ctx, const struct walk_entry *e, struct bwrap_error *err);
};

/* Walk the upper directory upper_root against TARGET's target_root (both
 * open directories, kept by the caller).  0, or -errno with err filled:
 * "PATH: reason" for the first path that could not be read, or whatever
 * a callback said. */
int walk_run (int upper_root, int target_root, const struct walk_options *o,
              const struct walk_callbacks *cb, void *ctx, struct bwrap_error *err);

/* The same on up to n_threads threads (status, diff): the entries of
 * the root are shared out, each walked below by one thread, which calls
 * cb with ctxs[t] (t < n_threads): callbacks run concurrently, each
 * thread with its own ctx; the order across threads is not defined. */
int walk_run_parallel (int upper_root, int target_root, const struct walk_options *o,
                       const struct walk_callbacks *cb, void **ctxs, size_t n_threads,
                       struct bwrap_error *err);

/* bwrap_error_set with the message "PATH: reason" (PATH quoted as status
 * quotes it, "." for TARGET itself). */
int walk_error (struct bwrap_error *err, int errnum, const char *path, const char *fmt, ...)
  BWRAP_PRINTF (4, 5);
