/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-split-mount.h: executing the split of an overlay over host trees
 * with mounts (overlay-split.h) and preparing upper directories so that
 * directories the caller may write into on the host take new entries.
 * Runs in the sandbox setup process, inside the new user + mount
 * namespace, with that namespace's capabilities; host paths are reached
 * only through the caller's old root, with RESOLVE_IN_ROOT. */
#pragma once

#include "plan.h"
#include "setup.h"
#include "utils.h"

/* Mount op (an overlay op whose op->split preflight filled) on dest_fd:
 * a skeleton of the directories above the split points on a private
 * tmpfs, as an overlay of its own when writable, then one overlay per
 * subtree without mounts, read-only binds for pseudo filesystems and for
 * non-directories in skeleton directories.  0 or -errno with err filled. */
int overlay_split_mount (const struct setup_op *op, const struct setup_ctx *ctx,
                         int dest_fd, struct bwrap_error *err);

/* Before an overlay with the upper directory upper_fd is mounted over the
 * host directory `rel` of the layers (bottom first): when host files of
 * other owners are not mapped (a user namespace), create in the upper
 * directory the directories within two levels that the caller may write
 * into on the host but whose owner is not mapped (/tmp, /var/tmp), and
 * the caller's own directories below such owners (a home directory), so
 * that overlayfs never needs to copy up a directory it cannot give its
 * owner.  Best effort: failures leave the overlay as it would have been.
 * Returns nothing. */
void overlay_split_prepare_upper (int oldroot_fd, char *const *layers, size_t n_layers,
                                  const char *rel, int upper_fd, const char *proc_fd_dir);
