/* SPDX-License-Identifier: LGPL-2.0-or-later
 * selinux.c: SELinux labels through libselinux, or stubs without it.
 * Setting a label only restricts the sandbox further (the policy decides
 * which transitions are allowed), so no extra privilege is involved. */
#include "config.h"
#include "selinux.h"

#include <errno.h>

#include "utils.h"

#if HAVE_SELINUX
#include <selinux/selinux.h>

bool
selinux_labels_supported (void)
{
  return is_selinux_enabled () > 0;
}

void
selinux_check_label (const char *label)
{
  if (label != NULL && security_check_context (label) < 0)
    die_with_error ("invalid label %s", label);
}

void
selinux_set_file_label (const char *label)
{
  if (label != NULL && setfscreatecon (label) < 0)
    die_with_error ("--file-label setup failed");
}

void
selinux_set_exec_label (const char *label, const char *command)
{
  if (label != NULL && setexeccon (label) < 0)
    die_with_error ("label_exec %s", command);
}

#else

bool
selinux_labels_supported (void)
{
  return false;
}

/* Unreachable in practice: the parser refuses labels when unsupported. */
void
selinux_check_label (const char *label)
{
  if (label != NULL)
    die ("labeling not supported on this system");
}

void
selinux_set_file_label (const char *label)
{
  if (label != NULL)
    die ("labeling not supported on this system");
}

void
selinux_set_exec_label (const char *label, const char *command)
{
  if (label != NULL)
    die ("labeling not supported on this system");
}
#endif
