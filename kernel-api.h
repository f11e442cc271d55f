/* SPDX-License-Identifier: LGPL-2.0-or-later
 * kernel-api.h: which kernel interfaces this run uses, remembered in one
 * place.  The first choice is the new mount API (open_tree, move_mount,
 * fsopen, fsconfig, fsmount, fspick, mount_setattr: Linux 5.2-5.12) and
 * openat2 (Linux 5.6).  When one of them answers ENOSYS (an older kernel)
 * or, confirmed by a probe, EPERM from a seccomp policy that does not know
 * it, the run switches to the classic interfaces (mount(2), a confined
 * path walk) for good.  Each process remembers its own choice: the setup
 * process and setuid mode's setuid peer decide independently and
 * the same way.  Runs in any of bwrap's processes; no privilege needed. */
#pragma once

#include <stdbool.h>

enum kernel_api
{
  KERNEL_API_MOUNT,     /* the new mount API as a whole */
  KERNEL_API_OPENAT2,   /* openat2 with RESOLVE_IN_ROOT */
};

/* True once this process fell back to the classic interface for api. */
bool kernel_api_is_legacy (enum kernel_api api);

/* Called with the errno of a failed call sysno (SYS_open_tree, ...)
 * belonging to api.  Returns true (and remembers the fallback) when the
 * failure means the call is not available: ENOSYS, or EPERM that a probe
 * of sysno with invalid flags confirms (the kernel itself answers EINVAL
 * there).  Any other errno, or a real EPERM, returns false: the caller
 * reports it as it would on any kernel. */
bool kernel_api_unavailable (enum kernel_api api, long sysno, int errnum);

/* True when the running kernel (uname) is older than major.minor: for
 * messages naming a feature only a newer kernel has. */
bool kernel_older_than (int major, int minor);

/* For tests: forget what was learnt (legacy = false) or force the
 * classic path (legacy = true). */
void kernel_api_force (enum kernel_api api, bool legacy);
