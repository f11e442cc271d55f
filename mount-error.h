/* SPDX-License-Identifier: LGPL-2.0-or-later
 * mount-error.h: the one wording of a failed mount, for the mount layer
 * and the op executors.  Pure but for asking uname which kernel runs. */
#pragma once

#include "utils.h"

/* "<what> on <dest><extra>: <why>" into err, <why> being the kernel's own
 * text when it gave one, else the errno text; ENOSPC without kernel text
 * gets bubblewrap's hint about mount-max, ELOOP says that overlay
 * directories may not overlap, and EPERM of an overlay mount (what is
 * MOUNT_ERROR_OVERLAY) on a kernel before 5.11 says which kernel is
 * needed.  dest as it is to be shown (bubblewrap's messages name
 * "/newroot/DEST"); extra may be NULL.  Returns -errnum. */
int mount_error (struct bwrap_error *err, int errnum, const char *kernel_text,
                 const char *what, const char *dest, const char *extra);

/* The same with dest shown as bubblewrap shows it: "/newroot/DEST". */
int mount_error_newroot (struct bwrap_error *err, int errnum, const char *kernel_text,
                         const char *what, const char *dest, const char *extra);

#define MOUNT_ERROR_OVERLAY "Can't make overlay mount"
