/* SPDX-License-Identifier: LGPL-2.0-or-later
 * process.h: bwrap's process layout and lifetime.
 *   monitor (the process the caller started; outside every new namespace,
 *   no capabilities once the sandbox exists) -> sandbox process (builds
 *   the root; pid 1 of a new pid namespace, where it then stays as a
 *   reaper) -> command.
 * The monitor forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT, reports status, and
 * returns the command's exit status once the whole sandbox is gone. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "caps.h"
#include "config.h"
#if SUPPORT_SETUID
#include "setuid-helper.h"
#endif
#include "plan.h"
#include "seccomp.h"

struct runtime
{
  struct plan *plan;
  bool is_root;              /* real uid 0 (not setuid) */
  bool is_setuid;            /* setuid root, run by a non-root user */
#if SUPPORT_SETUID
  struct setuid_helper helper;     /* setuid mode: the helper making the sandbox */
#endif
  uid_t real_uid;
  gid_t real_gid;
  struct caps_state caps;
  struct seccomp_set seccomp;
  char *cwd;                 /* caller's cwd to try inside (logical if valid) */
  int handoff_fd;            /* setuid monitor: for the sandbox process, else -1 */
};

/* Create the sandbox and run the command; returns bwrap's exit status.
 * Runs in the caller's process, which becomes the monitor. */
int process_run (struct runtime *rt);

#if SUPPORT_SETUID
/* Setuid mode, in the sandbox process the helper created (setuid-helper.h),
 * already unprivileged, with rt prepared from the command line again:
 * build the sandbox through the setuid peer and run the command. */
BWRAP_NORETURN void process_run_setuid_sandbox (struct runtime *rt,
                                                const struct setuid_helper_sandbox *sb);
#endif
