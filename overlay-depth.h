/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-depth.h: which layer made an overlay mount fail for the
 * kernel's stacking depth limit (overlay-depth.c).  Used by overlay.c in
 * the sandbox setup process. */
#pragma once

#include <sys/types.h>

#include "overlay.h"

/* After an overlay mount of lowers on dest_fd failed with EINVAL: the
 * index (as lowers counts) of a layer no overlay can be stacked on, or -1
 * when no layer can be shown to be one.  proc_fd_dir names fds as paths
 * ("/oldroot/proc/self/fd"). */
ssize_t overlay_depth_find_too_deep (const struct overlay_lowers *lowers, int dest_fd,
                                     const char *proc_fd_dir);
