/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-preflight.h: checking an overlay op on the host, before any
 * namespace exists.  Runs in the caller's process with the caller's
 * rights. */
#pragma once

#include "plan.h"
#include "utils.h"

/* Resolve and check one overlay op before any namespace exists: canonical
 * paths into op->resolved_layers/_source/_workdir, existence and type
 * (naming the path), the layer limit, overlap of any two of layers, upper
 * and work dirs, WORKDIR empty and on RWSRC's filesystem, RWSRC able to hold
 * an upper layer.  Returns 0 or a negative errno with err filled. */
int overlay_preflight (struct setup_op *op, struct bwrap_error *err);
