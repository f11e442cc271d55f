/* SPDX-License-Identifier: LGPL-2.0-or-later
 * mount-error.c: the message of a failed mount (see mount-error.h).
 * Runs wherever a mount fails: the sandbox process, the setuid peer. */
#include "mount-error.h"

#include <errno.h>
#include <string.h>

#include "kernel-api.h"

int
mount_error (struct bwrap_error *err, int errnum, const char *kernel_text,
             const char *what, const char *dest, const char *extra)
{
  cleanup_free char *why = NULL;

  if (kernel_text == NULL && errnum == ENOSPC)
    why = xstrdup ("Limit exceeded (ENOSPC). (Hint: Check that /proc/sys/fs/mount-max is "
                   "sufficient, typically 100000)");
  else if (errnum == EPERM && strcmp (what, MOUNT_ERROR_OVERLAY) == 0
           && kernel_older_than (5, 11))
    /* Before 5.11 overlayfs is not mountable in a user namespace at
     * all; only a newer kernel helps, so say which feature is missing. */
    why = xstrdup ("overlayfs in a user namespace needs Linux 5.11 or later");
  else if (errnum == ELOOP)
    why = xasprintf ("%s%sOverlay directories may not overlap",
                     kernel_text ? kernel_text : "", kernel_text ? ": " : "");
  else
    why = xstrdup (kernel_text ? kernel_text : strerror (errnum));
  (void) bwrap_error_set (err, 0, "%s on %s%s: %s", what, dest, extra ? extra : "", why);
  return -errnum;
}

int
mount_error_newroot (struct bwrap_error *err, int errnum, const char *kernel_text,
                     const char *what, const char *dest, const char *extra)
{
  cleanup_free char *shown = xasprintf ("/newroot/%s", path_skip_slashes (dest));
  return mount_error (err, errnum, kernel_text, what, shown, extra);
}
