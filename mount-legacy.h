/* SPDX-License-Identifier: LGPL-2.0-or-later
 * mount-legacy.h: the classic mount(2) implementations behind
 * bind_mount_fd, mount_set_readonly and mount_new_fs, for kernels (or
 * seccomp policies) without the new mount API (see kernel-api.h).
 * Runs where those run: the sandbox setup process, or setuid mode's
 * privileged peer, after the setup root exists (the caller's /proc is
 * then at MOUNT_LEGACY_PROC).  Every target is an fd, reached through
 * its /proc magic link, never a path string a racing writer could bend. */
#pragma once

#include <stdbool.h>

#include "utils.h"

/* Where the caller's procfs is while mounts happen (setup.c's layout). */
#define MOUNT_LEGACY_PROC "/oldroot/proc"

/* mount(2) MS_BIND|MS_REC of src_fd onto dest_fd, then every mount of the
 * new tree remounted with its own flags plus nosuid (+nodev unless
 * BIND_DEVICES, +ro with BIND_READONLY), top first.  A mount of the tree
 * is left as it is only where nothing can reach or use it: covered by
 * another mount of the tree, unmounted meanwhile, or (refused with
 * EACCES) a FUSE mount admitting only another user, or inside one.  0 or -errno; err (may be NULL) names the
 * mount that could not get its flags, in bubblewrap's words, without
 * the "Can't bind mount ..." prefix. */
int mount_legacy_bind (int src_fd, int dest_fd, unsigned flags, struct bwrap_error *err);

/* Remount the mount rooted at fd with its flags plus ro, nosuid, nodev.
 * 0 or -errno. */
int mount_legacy_set_readonly (int fd);

/* mount(2) a new fstype instance on dest_fd.  config as mount_new_fs's
 * (key/value pairs, value NULL for a flag; a "source" key names the
 * source, else the fstype does); attrs are MOUNT_ATTR_* bits.  0 or
 * -errno (no kernel log text on this path). */
int mount_legacy_new_fs (const char *fstype, const char *const *config, unsigned attrs,
                         int dest_fd);

/* The mount root check remount_ro_op needs, for kernels whose statx has
 * no STATX_ATTR_MOUNT_ROOT (Linux < 5.8): fd is the root of its mount
 * when ".." from it lands in another mount.  1, 0 or -errno. */
int mount_legacy_is_mount_root (int fd);
