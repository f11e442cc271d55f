/* SPDX-License-Identifier: LGPL-2.0-or-later
 * preflight.h: resolve and check the plan's host paths before any
 * namespace exists, so that most bad input fails with nothing created.
 * Runs in the caller's process with the caller's rights. */
#pragma once

#include "plan.h"
#include "utils.h"

/* Canonicalise sources of binds and overlays (and the path behind
 * --bind-fd fds); mark missing -try sources to be skipped; run the overlay
 * checks.  0 or -errno with err filled. */
int preflight_plan (struct plan *plan, struct bwrap_error *err);
