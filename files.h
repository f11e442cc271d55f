/* SPDX-License-Identifier: LGPL-2.0-or-later
 * files.h: plain objects in the new root: --dir, --file, --bind-data,
 * --ro-bind-data, --symlink, --chmod.  Runs in the sandbox process. */
#pragma once

#include "plan.h"
#include "setup-ctx.h"
#include "utils.h"

int dir_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err);
int file_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err);
int bind_data_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err);
int symlink_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err);
int chmod_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err);
