/* SPDX-License-Identifier: LGPL-2.0-or-later
 * selinux.h: SELinux labels (--exec-label, --file-label).  Without
 * libselinux (meson -Dselinux=disabled, or the library missing at run
 * time) selinux_labels_supported() is false, so the options are refused
 * at parse time.  Runs in the sandbox process (file label, during setup) and
 * in the command's process (exec label, right before exec). */
#pragma once

#include <stdbool.h>

/* True when libselinux is available and SELinux is enabled.  The first
 * call loads libselinux; only the option parser calls it, and only when it
 * meets a label option (see selinux.c for why). */
bool selinux_labels_supported (void);

/* Check that label is a valid context.  Dies ("invalid label <L>"). */
void selinux_check_label (const char *label);

/* Label files and mounts created during setup (NULL: nothing).  Dies. */
void selinux_set_file_label (const char *label);

/* Exec the command with this label (NULL: nothing).  Dies. */
void selinux_set_exec_label (const char *label, const char *command);
