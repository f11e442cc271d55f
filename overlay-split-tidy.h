/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-split-tidy.h: removing, once the sandbox is gone, the empty
 * upper directories a split --overlay made in RWSRC for its pieces and
 * that the command never used (issue 27: without this, RWSRC got one
 * empty directory per entry of every directory on the path to a mount).
 * Two halves: the setup process records what it made, the monitor
 * removes what is still as it was. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

/* Setup process (new user + mount namespace): the directories of RWSRC
 * this run created for the pieces' uppers.  Only those may be removed: a
 * directory that was there before may hold an earlier run's change (its
 * mode, say) even when empty. */
struct split_tidy
{
  char **rels;      /* relative to RWSRC */
  size_t n;
};

/* Before rel and its parents are created below upper_fd (RWSRC): note
 * those that do not exist yet.  Returns whether rel itself is new. */
bool split_tidy_note_new (struct split_tidy *t, int upper_fd, const char *rel);

/* After a new piece upper rel was prepared: note the directories made
 * inside it (overlay-split-host.c's split_prepare_upper, two levels). */
void split_tidy_note_subtree (struct split_tidy *t, int upper_fd, const char *rel);

/* After every piece is mounted: record in work_fd (WORKDIR/bwrap-split,
 * the caller's directory, out of the command's reach) the change time of
 * each noted directory.  Best effort: without the record nothing is
 * removed.  Frees t's contents. */
void split_tidy_record (struct split_tidy *t, int upper_fd, int work_fd);

/* Monitor (caller's process, the caller's rights), after the sandbox and
 * its mounts are gone (a PID namespace of its own, so nothing of it
 * outlives pid 1): for each split --overlay of the plan, remove every
 * recorded directory that is empty and whose change time is still the
 * recorded one (the command neither wrote into it nor changed its owner
 * or mode), deepest first.  Never follows a symlink in RWSRC; failures
 * leave the directory. */
void overlay_split_tidy (const struct plan *plan);
