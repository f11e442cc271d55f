/* SPDX-License-Identifier: LGPL-2.0-or-later
 * setup-ctx.h: the context setup.c hands to each op executor (bind-mount.c,
 * mount-fs.c, dev.c, files.c, overlay-split-mount.c).  Defined here, below
 * both setup.c and the executors, so that an executor needs nothing of
 * setup.c's and the modules do not call each other in a circle.  Used in
 * the sandbox process. */
#pragma once

#include <stdbool.h>

#include "mount.h"
#include "plan.h"
#include "utils.h"

/* What op executors may use.  All fds are O_PATH directory fds. */
struct setup_ctx
{
  const struct plan *plan;
  const struct mount_backend *mnt;   /* how to mount: locally or through
                                        the setuid peer (mount.h) */
  int oldroot_fd;           /* the caller's root, at /oldroot */
  int hidden_fd;            /* private dir on the setup tmpfs: reachable by
                               neither host nor sandbox */
  int newroot_fd;           /* the sandbox root (top mount), reopened per op */
  const char *proc_fd_dir;  /* "/oldroot/proc/self/fd": paths for fds */
  bool has_pid_ns;          /* --proc mounts a new procfs when true */
};

/* Path of an fd for the mount(2)/chmod(2) paths: "<proc_fd_dir>/<fd>".
 * The caller frees it. */
static inline char *
setup_fd_path (const struct setup_ctx *ctx, int fd)
{
  return xasprintf ("%s/%d", ctx->proc_fd_dir, fd);
}
