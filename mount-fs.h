/* SPDX-License-Identifier: LGPL-2.0-or-later
 * mount-fs.h: new filesystem instances: --tmpfs, --proc, --mqueue, --dev.
 * Runs in the sandbox process inside its user + mount namespace; mounts
 * through the mount layer (ctx->mnt). */
#pragma once

#include "plan.h"
#include "setup-ctx.h"
#include "utils.h"

int tmpfs_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err);
int proc_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err);
int mqueue_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err);
int dev_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err);

/* A fresh tmpfs (mode 0755, nosuid, nodev, sized by op's --size) on the
 * first free "<prefix>-<n>", n from first, below ctx->hidden_fd: reachable
 * by neither host nor sandbox, gone with the mount namespace.  For the
 * upper and work directories of a --tmp-overlay and a split overlay's
 * skeleton.  An O_PATH fd of its root, or -errno with err filled. */
int mount_private_tmpfs (const struct setup_op *op, const struct setup_ctx *ctx,
                         const char *prefix, unsigned first, struct bwrap_error *err);
