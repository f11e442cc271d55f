/* SPDX-License-Identifier: LGPL-2.0-or-later
 * mount-overlay.h: the overlay mount of the mount layer's local backend
 * (mount.h says what the backend's overlay does).  Runs in the sandbox
 * process inside its user + mount namespace. */
#pragma once

#include <sys/types.h>

#include "mount.h"

/* The local backend's overlay (struct mount_backend's overlay). */
int mount_overlay_local (const struct mount_overlay *spec, int dest_fd, ssize_t *too_deep,
                         struct bwrap_error *err);
