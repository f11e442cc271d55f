/* SPDX-License-Identifier: LGPL-2.0-or-later
 * selinux.h: SELinux labels (--exec-label, --file-label).  Built as a stub
 * that reports "not supported" without libselinux. */
#pragma once

#include <stdbool.h>

/* True when built with libselinux and SELinux is enabled. */
bool selinux_labels_supported (void);
