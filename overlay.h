/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay.h: executing --overlay, --tmp-overlay and --ro-overlay (their
 * --overlay-src layers preflighted by overlay-preflight.h).  Runs in the
 * sandbox process inside the new user + mount namespace. */
#pragma once

#include "plan.h"
#include "setup-ctx.h"
#include "utils.h"

/* The op executor: the overlay on DEST, split into pieces when its layers
 * contain mounts (overlay-split-mount.h).  0 or -errno with err filled
 * (the kernel's own message where it gave one). */
int overlay_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err);

/* One overlay of the op's own layers on dest_fd, never split (for tests:
 * overlay_op decides).  tmp-overlay upper/work dirs go on a private tmpfs
 * below ctx->hidden_fd.  0 or -errno with err filled. */
int overlay_mount_single (const struct setup_op *op, const struct setup_ctx *ctx, int dest_fd,
                          struct bwrap_error *err);
