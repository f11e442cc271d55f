/* SPDX-License-Identifier: LGPL-2.0-or-later
 * resolve.h: resolving sandbox DEST paths inside the new root.
 * Runs in the sandbox process (inside the new user + mount
 * namespace, before the final pivot_root).  Every lookup is done with
 * openat2(RESOLVE_IN_ROOT) relative to the new root's fd, so no DEST, no
 * "..", and no symlink planted in a bind-mounted host directory can make
 * a mount or a file land outside the sandbox root. */
#pragma once

#include <linux/openat2.h>
#include <stdbool.h>
#include <sys/types.h>

#include "utils.h"

/* openat2(root_fd, path, flags | O_CLOEXEC, RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS).  Returns an fd or -errno. */
int resolve_open (int root_fd, const char *path, int flags);

/* Mode for implicitly created parents: 0755 minus group r-x when perms
 * grants the group nothing, minus other r-x when it grants others nothing. */
mode_t resolve_parent_mode (mode_t perms);

/* Create the missing ancestors of dest with resolve_parent_mode(perms).
 * Existing ones are left alone.  0 or -errno with err filled
 * ("Can't mkdir parents for <dest>"). */
int resolve_mkdir_parents (int root_fd, const char *dest, mode_t perms,
                           struct bwrap_error *err);

/* Open the parent directory of dest (O_PATH|O_DIRECTORY) and return the
 * final component in *ret_name (points into dest; "" for the root).
 * Returns the fd or -errno. */
int resolve_parent (int root_fd, const char *dest, const char **ret_name);

/* Make sure dest exists as a directory (created 0755) or, for
 * !is_dir, a non-directory (created as an empty 0444 file), and return an
 * O_PATH fd of it; symlinks are followed (inside the root).  Parents are
 * created first (0700 rules, perms 0).  Returns the fd or -errno with err
 * filled with bubblewrap's message. */
int resolve_mount_point (int root_fd, const char *dest, bool is_dir,
                         struct bwrap_error *err);

/* Like resolve_open, with O_CREAT allowed: mode is used for a new file. */
int resolve_create (int root_fd, const char *path, int flags, mode_t mode);

/* The kernel half of both: openat2 (dir_fd, rel, how), "" meaning
 * dir_fd itself.  Returns the fd or -errno; *ret_walk is set instead when
 * this kernel (or a seccomp policy) has no openat2, and from then on for
 * good (kernel-api.h): the caller then walks by hand (resolve-walk.h).
 * bwrap-changes uses it with RESOLVE_BENEATH. */
int resolve_openat2 (int dir_fd, const char *rel, const struct open_how *how, bool *ret_walk);
