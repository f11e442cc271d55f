/* SPDX-License-Identifier: LGPL-2.0-or-later
 * bind-mount.h: recursive bind mounts with added flags, --remount-ro.
 * Runs in the sandbox setup process inside its user + mount namespace. */
#pragma once

#include <stdbool.h>

#include "plan.h"
#include "setup-ctx.h"
#include "utils.h"

#define BIND_READONLY (1u << 0)   /* add MOUNT_ATTR_RDONLY */
#define BIND_DEVICES  (1u << 1)   /* do not add nodev */

/* Clone the mount tree at src_fd (recursive), add nosuid (+nodev unless
 * BIND_DEVICES, +ro with BIND_READONLY) to every mount in the clone, and
 * attach it on dest_fd.  Returns 0 or -errno.  In setuid mode's setup
 * process this and mount_set_readonly() go to the privileged peer. */
int bind_mount_fd (int src_fd, int dest_fd, unsigned flags);

/* The same; on failure err (may be NULL) may hold the detail after
 * "Can't bind mount SRC on DEST: " (which mount of the tree could not
 * get its flags, on the classic path), errno text included or not as
 * err->errnum says.  Left empty when there is nothing to add. */
int bind_mount_fd_err (int src_fd, int dest_fd, unsigned flags, struct bwrap_error *err);

/* Make the mount rooted at fd read-only (+nosuid, nodev), that mount
 * only.  0 or -errno. */
int mount_set_readonly (int fd);

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
