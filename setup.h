/* SPDX-License-Identifier: LGPL-2.0-or-later
 * setup.h: building the sandbox root from the plan's ordered op list.
 * Runs in the sandbox process: inside the new user (if any) and
 * mount namespaces, holding the capabilities of that user namespace (or
 * real root's).  Each op kind is executed by one function in the module
 * that owns it (setup-ctx.h is their context); setup.c only walks the
 * list and dispatches. */
#pragma once

#include <stdbool.h>

#include "mount.h"
#include "plan.h"

/* Build the new root and pivot into it, mounting with mnt (mount.h).  Dies with one "bwrap:" line on
 * failure (this is a driver).  On return "/" is the sandbox root, the old
 * root is detached and the cwd is "/". */
void setup_build_root (const struct plan *plan, const struct mount_backend *mnt,
                       bool has_pid_ns);
