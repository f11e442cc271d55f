/* SPDX-License-Identifier: LGPL-2.0-or-later
 * setuid-client.h: the mount layer's backend of setuid mode's sandbox
 * process: every mount and privileged step becomes one request to the
 * setuid peer (peer-codec.h), which performs it.  Runs in the sandbox
 * process after it dropped every privilege; in setuid-capable builds
 * only. */
#pragma once

#include <sys/types.h>

#include "mount.h"

/* The backend speaking to the peer (pid peer) over sock.  One per
 * process.  Its finish step closes the connection and waits for the peer
 * to exit (S3): the command must never start while a privileged process
 * of ours is in the sandbox. */
const struct mount_backend *setuid_client_start (int sock, pid_t peer);
