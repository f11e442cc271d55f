/* SPDX-License-Identifier: LGPL-2.0-or-later
 * setup.h: building the sandbox root from the plan's ordered op list.
 * Runs in the sandbox setup process: inside the new user (if any) and
 * mount namespaces, holding the capabilities of that user namespace (or
 * real root's).  Each op kind is executed by one function in the module
 * that owns it; setup.c only walks the list and dispatches. */
#pragma once

#include <stdbool.h>

#include "plan.h"
#include "utils.h"

/* What op executors may use.  All fds are O_PATH directory fds. */
struct setup_ctx
{
  const struct plan *plan;
  int oldroot_fd;           /* the caller's root, at /oldroot */
  int hidden_fd;            /* private dir on the setup tmpfs: reachable by
                               neither host nor sandbox */
  int newroot_fd;           /* the sandbox root (top mount), reopened per op */
  const char *proc_fd_dir;  /* "/oldroot/proc/self/fd": paths for fds */
  bool has_pid_ns;          /* --proc mounts a new procfs when true */
};

/* Build the new root and pivot into it.  Dies with one "bwrap:" line on
 * failure (this is a driver).  On return "/" is the sandbox root, the old
 * root is detached and the cwd is "/". */
void setup_build_root (const struct plan *plan, bool has_pid_ns);

/* The two root switches, for the setuid privileged peer (privop.c):
 * make the setup tmpfs "/" with the caller's root at /oldroot, and at
 * the end make /newroot "/".  0 or -errno with err filled. */
int setup_enter_setup_root (struct bwrap_error *err);
int setup_enter_new_root (struct bwrap_error *err);

/* Path of an fd for the mount(2)/chmod(2) paths: "<proc_fd_dir>/<fd>". */
char *setup_fd_path (const struct setup_ctx *ctx, int fd);
