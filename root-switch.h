/* SPDX-License-Identifier: LGPL-2.0-or-later
 * root-switch.h: the setup's two root switches (root-switch.c).  Called
 * by setup.c in the sandbox process, or in setuid mode by the
 * setuid peer (setuid-peer.c) on its request; both hold CAP_SYS_ADMIN in
 * the sandbox's mount namespace. */
#pragma once

#include "utils.h"

/* Make the setup tmpfs "/" with the caller's root at /oldroot, /newroot
 * and /hidden beside it.  0 or -errno with err filled. */
int root_switch_to_setup_root (struct bwrap_error *err);

/* Detach /oldroot and make /newroot "/".  0 or -errno with err filled. */
int root_switch_to_new_root (struct bwrap_error *err);
