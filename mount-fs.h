/* SPDX-License-Identifier: LGPL-2.0-or-later
 * mount-fs.h: new filesystem instances: --tmpfs, --proc, --mqueue, --dev.
 * Runs in the sandbox setup process inside its user + mount namespace. */
#pragma once

#include "plan.h"
#include "setup-ctx.h"
#include "utils.h"

/* Create a new instance of fstype configured with NULL-terminated
 * key/value pairs (value NULL: a flag), add mount attributes attrs
 * (MOUNT_ATTR_*) and attach it on dest_fd.  0 or -errno; on failure the
 * kernel's fs-context log, when it said something, goes to
 * *ret_kernel_msg (malloc'd) if ret_kernel_msg is not NULL. */
int mount_new_fs (const char *fstype, const char *const *config,
                  unsigned attrs, int dest_fd, char **ret_kernel_msg);

int tmpfs_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err);
int proc_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err);
int mqueue_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err);
int dev_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err);
