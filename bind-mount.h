/* SPDX-License-Identifier: LGPL-2.0-or-later
 * bind-mount.h: recursive bind mounts with added flags, --remount-ro.
 * Runs in the sandbox process inside its user + mount namespace. */
#pragma once

#include <stdbool.h>

#include "plan.h"
#include "setup-ctx.h"
#include "utils.h"

/* Op executors: --bind/--ro-bind/--dev-bind (+try), --bind-fd,
 * --ro-bind-fd, --remount-ro.  0 or -errno with err filled. */
int bind_mount_op (const struct setup_op *op, const struct setup_ctx *ctx,
                   struct bwrap_error *err);
int bind_fd_op (const struct setup_op *op, const struct setup_ctx *ctx,
                struct bwrap_error *err);
int remount_ro_op (const struct setup_op *op, const struct setup_ctx *ctx,
                   struct bwrap_error *err);

/* Preflight, in the caller's process before any namespace: canonicalise
 * the source of a bind op (or the path behind a --bind-fd fd) into
 * op->resolved_source; a missing -try source marks the op SKIP.  0 or
 * -errno with err filled ("Can't find source path <SRC>"). */
int bind_preflight (struct setup_op *op, struct bwrap_error *err);
