/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-split-copy.h: the files of a directory on the path to a mount
 * below a writable split overlay (a home directory holding the user's
 * FUSE mount, /tmp holding someone's): copied into the skeleton's stub so
 * that they stay writable, with their changes landing in the upper like
 * any other.  Runs in the sandbox process inside the new user +
 * mount namespace; host files are only read, through fds opened below
 * the caller's old root. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "overlay-layers.h"
#include "utils.h"

/* What one overlay op may copy at start, in bytes, all directories
 * together (overlay-split-copy.c says how it was chosen). */
#define SPLIT_COPY_BUDGET (16u << 20)

struct split_copy
{
  uint64_t left;          /* bytes the op may still copy */
  size_t n_kept;          /* this directory: files the caller may write on
                             the host that stay read-only binds */
  char *first_kept;       /* the first of them (malloc'd) */
};

/* Fill the stub file `name` (already created in stub_dir like the host
 * file) with the content and times of the regular host file host_fd (an
 * O_PATH fd, lstat st) when it can be read and fits in what is left.
 * 1: copied, the stub file now stands for it; 0: not copied, the caller
 * binds the host file as before (and, when the caller may write it on the
 * host, it is counted for split_copy_warn); -errno: the stub could not be
 * written. */
int split_copy_file (int stub_dir, const char *name, int host_fd, const struct stat *st,
                     const char *proc_fd_dir, const struct split_owners *owners,
                     struct split_copy *copy);

/* After a directory: one "warning:" line naming host_dir (shown at
 * dest_dir) when some of its files the caller may write stay read-only;
 * resets the per-directory count. */
void split_copy_warn (struct split_copy *copy, const char *host_dir, const char *dest_dir);
