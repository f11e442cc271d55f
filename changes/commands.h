/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/commands.h: bwrap-changes' four commands, each called by main()
 * with the parsed command line and returning the exit status, and what
 * they share: opening UPPER and TARGET, the sorted list of changes,
 * printing an error.  Runs in bwrap-changes' process with the caller's
 * rights. */
#pragma once

#include "args.h"
#include "entry.h"
#include "text.h"
#include "walk.h"

int changes_status (const struct changes_args *a);
int changes_diff (const struct changes_args *a);
int changes_apply (const struct changes_args *a);
int changes_clean (const struct changes_args *a);

/* Print err's line (bwrap-changes: ...) and return status. */
int changes_fail (const struct bwrap_error *err, int status);

/* The walk's options for a command line (flags kept in *o, which points
 * at *sel, filled from the PATHs).  0, or -EINVAL with err filled. */
int changes_walk_options (const struct changes_args *a, struct walk_options *o,
                          struct selection *sel, struct bwrap_error *err);
/* Open a directory given on the command line (symlinks followed: the
 * caller chose it).  fd, or -errno with err naming it. */
int changes_open_arg (const char *arg, struct bwrap_error *err);

/* Every change, sorted by path (strcmp): status' and diff's view. */
struct change_list
{
  struct change *v;   /* paths owned */
  size_t n, cap;
};
int changes_collect (int upper_fd, int target_fd, const struct walk_options *o,
                     struct change_list *out, struct bwrap_error *err);
void change_list_free (struct change_list *l);
/* What status and diff print for one change c: appended to out.  0, or
 * -errno with err filled (or left empty for an error of the output). */
typedef int (*change_printer) (struct sbuf *out, const struct change *c, int upper_fd,
                               int target_fd, const struct changes_args *a,
                               struct bwrap_error *err);
/* status' and diff's whole run: UPPER and TARGET opened, their changes
 * collected and sorted, each printed with print, the output written as
 * it fills.  Returns the exit status: 0; 1 on an error (one line), or
 * with --exit-code 1 when there are changes and 2 on an error. */
int changes_print (const struct changes_args *a, change_printer print);

/* Write b to stdout and empty it.  0 or -errno. */
int changes_flush (struct sbuf *b);
