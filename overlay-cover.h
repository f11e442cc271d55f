/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-cover.h: keeping an --overlay's own RWSRC and WORKDIR out of
 * reach when they lie inside one of its layers.  Runs in the sandbox
 * setup process, inside the new user + mount namespace, with that
 * namespace's capabilities, right after the overlay op is mounted. */
#pragma once

#include "plan.h"
#include "setup-ctx.h"
#include "utils.h"

/* For an --overlay op whose RWSRC or WORKDIR lies strictly inside one of
 * its layers: look the path up in DEST, inside the new root.  Where the
 * kernel refuses it (ELOOP: overlayfs's own guard, see overlay-cover.c)
 * or nothing is there, nothing is done; where a directory answers (a
 * piece of a split overlay whose lower holds it, or a kernel without the
 * guard), an empty read-only tmpfs is mounted on it, so the command can
 * never write into the overlay's upper or work directory through the
 * overlay.  0 or -errno with err filled.  Any other op: 0. */
int overlay_cover_upper (const struct setup_op *op, const struct setup_ctx *ctx,
                         struct bwrap_error *err);
