/* SPDX-License-Identifier: LGPL-2.0-or-later
 * kernel-api.c: the fresh-kernel / classic choice (see kernel-api.h).
 * Runs in any of bwrap's processes with whatever rights it has; the
 * probes pass invalid arguments only, so they never act on anything. */
#include "kernel-api.h"

#include <errno.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Process-wide on purpose: the kernel's answer does not change during a
 * run, and each process (sandbox process, setuid peer) learns it for
 * itself.  Indexed by enum kernel_api. */
static bool legacy[2];

bool
kernel_api_is_legacy (enum kernel_api api)
{
  return legacy[api];
}

void
kernel_api_force (enum kernel_api api, bool is_legacy)
{
  legacy[api] = is_legacy;
}

/* sysno with flags no kernel accepts: EINVAL from a kernel that has it,
 * ENOSYS from one that has not, EPERM from a seccomp filter.  open_tree,
 * fsconfig, fsmount, mount_setattr and openat2 check their arguments
 * before any permission; fsopen, fspick and move_mount check
 * CAP_SYS_ADMIN first, so an EPERM there may also mean we lack it, and
 * then mount(2) fails just the same. */
static bool
probe_denied (long sysno)
{
  long r;

  if (sysno == SYS_openat2)
    r = syscall (SYS_openat2, -1, "", NULL, (size_t) 0);
  else if (sysno == SYS_open_tree)
    r = syscall (SYS_open_tree, -1, "", ~0U);
  else if (sysno == SYS_move_mount)
    r = syscall (SYS_move_mount, -1, "", -1, "", ~0U);
  else if (sysno == SYS_fsopen)
    r = syscall (SYS_fsopen, "", ~0U);
  else if (sysno == SYS_fsconfig)
    r = syscall (SYS_fsconfig, -1, ~0U, NULL, NULL, 0);
  else if (sysno == SYS_fsmount)
    r = syscall (SYS_fsmount, -1, ~0U, 0);
  else if (sysno == SYS_fspick)
    r = syscall (SYS_fspick, -1, "", ~0U);
  else if (sysno == SYS_mount_setattr)
    r = syscall (SYS_mount_setattr, -1, "", ~0U, NULL, (size_t) 0);
  else
    return false;
  return r < 0 && (errno == ENOSYS || errno == EPERM);
}

bool
kernel_api_unavailable (enum kernel_api api, long sysno, int errnum)
{
  int saved = errno;

  if (legacy[api])
    return true;
  if (errnum != ENOSYS && errnum != EPERM)
    return false;
  if (errnum == EPERM && !probe_denied (sysno))
    {
      errno = saved;
      return false;
    }
  errno = saved;
  legacy[api] = true;
  return true;
}

bool
kernel_older_than (int major, int minor)
{
  struct utsname u;
  int ma = 0, mi = 0;

  if (uname (&u) != 0 || sscanf (u.release, "%d.%d", &ma, &mi) != 2)
    return false;   /* unknown: claim nothing */
  return ma < major || (ma == major && mi < minor);
}
