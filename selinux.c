/* SPDX-License-Identifier: LGPL-2.0-or-later
 * selinux.c: SELinux label support detection.  Runs in the caller's
 * process; changes nothing. */
#include "config.h"
#include "selinux.h"

#if HAVE_SELINUX
#include <selinux/selinux.h>
#endif

bool
selinux_labels_supported (void)
{
#if HAVE_SELINUX
  return is_selinux_enabled () > 0;
#else
  return false;
#endif
}
