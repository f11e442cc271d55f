/* SPDX-License-Identifier: LGPL-2.0-or-later
 * network.h: loopback in a new network namespace.  Runs in the sandbox
 * process inside its new net namespace, with CAP_NET_ADMIN there. */
#pragma once

#include "utils.h"

/* Bring "lo" up with 127.0.0.1/8 (::1 follows from the kernel when IPv6
 * is enabled).  0 or -errno with err filled with bubblewrap's
 * "loopback: ..." messages. */
int network_loopback_up (struct bwrap_error *err);
