/* SPDX-License-Identifier: LGPL-2.0-or-later
 * setuid-peer.h: setuid mode's setuid peer, the one privileged process
 * inside the sandbox while it is set up (peer-codec.h lists what it may
 * be asked).  In setuid-capable builds only. */
#pragma once

#include <sys/types.h>

#include "utils.h"

/* Serve requests on sock until ENTER_NEW_ROOT or EOF, then _exit.
 * clone_flags are the namespaces the sandbox got (a hostname needs
 * CLONE_NEWUTS, loopback CLONE_NEWNET).  Runs with every capability of
 * the sandbox's root-owned user namespace; keeps only CAP_SYS_ADMIN and
 * CAP_NET_ADMIN, and takes the user's ids (inside ids fs_uid/fs_gid) so
 * new filesystems belong to the user and the user's FUSE mounts admit
 * it. */
BWRAP_NORETURN void setuid_peer_serve (int sock, int clone_flags, uid_t fs_uid, gid_t fs_gid);
