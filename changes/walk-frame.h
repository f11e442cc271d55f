/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/walk-frame.h: the walk's own state, shared by walk.c (a frame
 * at a time) and walk-run.c (from the roots, on one thread or several)
 * and by nothing else.  Runs in bwrap-changes' process. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "dirstack.h"
#include "text.h"
#include "walk.h"

struct frame
{
  size_t path_len;         /* this directory's path: w->path[0..path_len) */
  size_t name_off;         /* its name within the path */
  enum descend mode;
  struct listing upper, lower;
  bool upper_read;         /* upper holds the listing already */
  size_t ui, li;
  /* This directory's own entry, for the report after and leave(). */
  bool has_upper, has_lower, emit;
  struct stat upper_st, lower_st;
  struct verdict verdict;
  mode_t restore_mode;     /* (mode_t) -1, or the mode to give back */
  bool pending;            /* a lazy verdict (entry.h) not reported yet */
};

/* The root's entries, shared out among the threads of
 * walk_run_parallel: each takes the next one when it is done with the
 * last. */
struct shared_root
{
  const struct listing *upper;
  atomic_size_t next;
  atomic_bool stop;        /* a thread failed: the others stop too */
};

struct walk
{
  struct shared_root *shared;   /* NULL: the walk has the root to itself */
  const struct walk_options *o;
  const struct walk_callbacks *cb;
  void *ctx;
  struct bwrap_error *err;
  struct dirstack up, tg;
  struct frame *frames;
  size_t n, cap;
  struct sbuf path;
  dev_t upper_dev;
  ino_t upper_ino;
  uid_t euid;
  size_t first_pending;    /* the shallowest pending frame, or 0: none */
};

/* Push a frame for the directory at the current path (up_fd and tg_fd
 * owned from here on, -1: absent), with self's own entry.  0 or -errno
 * with the error filled. */
int walk_push_frame (struct walk *w, int up_fd, int tg_fd, enum descend mode,
                     const struct frame *self);
/* The next entry of frame f: its name, whether the upper has it, whether
 * TARGET may. */
bool walk_next_child (struct frame *f, const char **ret_name, bool *ret_up, bool *ret_lo);
/* Judge, report and maybe enter one entry of the top frame. */
int walk_visit_child (struct walk *w, const char *name, bool from_upper, bool maybe_lower);
/* Leave the top frame: its deferred report, leave(), back to the parent. */
int walk_leave_frame (struct walk *w);
