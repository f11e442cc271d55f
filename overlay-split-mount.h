/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-split-mount.h: executing the split of an overlay over host trees
 * with mounts (overlay-split.h) and preparing upper directories so that
 * directories the caller may write into on the host take new entries.
 * Runs in the sandbox setup process, inside the new user + mount
 * namespace, with that namespace's capabilities; host paths are reached
 * only through the caller's old root, with RESOLVE_IN_ROOT. */
#pragma once

#include "plan.h"
#include "setup-ctx.h"
#include "utils.h"

/* Mount op (an overlay op whose op->split preflight filled) on dest_fd:
 * a skeleton of the directories above the split points on a private
 * tmpfs, as an overlay of its own when writable, then one overlay per
 * subtree without mounts, read-only binds for pseudo filesystems, for
 * non-directories in skeleton directories and for skeleton directories
 * the caller may search but not list.  0 or -errno with err filled. */
int overlay_split_mount (const struct setup_op *op, const struct setup_ctx *ctx,
                         int dest_fd, struct bwrap_error *err);
