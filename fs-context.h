/* SPDX-License-Identifier: LGPL-2.0-or-later
 * fs-context.h: the new mount API's filesystem contexts (Linux 5.2):
 * fsopen, fsconfig, fsmount, move_mount, and the context's log, written
 * once for every new filesystem bwrap makes (mount.c, mount-overlay.c).
 * No fallback here: the mount layer decides what a failure means.  Runs
 * wherever the mount layer runs. */
#pragma once

/* fsopen (fstype) and set "source" to fstype, as bubblewrap's mount(2)
 * calls do: mountinfo, findmnt and df show it, and would say "none"
 * without.  The context fd, or -errno with *ret_sysno naming the failed
 * call (SYS_fsopen, SYS_fsconfig). */
int fs_context_open (const char *fstype, long *ret_sysno);

/* Apply NULL-terminated key/value pairs (value NULL: a flag) to fs.
 * 0 or -errno. */
int fs_context_configure (int fs, const char *const *config);

/* Create the filesystem, mount it detached with MOUNT_ATTR_* attrs and
 * attach it on dest_fd.  Nothing is attached unless this returns 0.
 * 0 or -errno with *ret_sysno naming the failed call; the log (below)
 * then says what the kernel had to say. */
int fs_context_attach (int fs, unsigned attrs, int dest_fd, long *ret_sysno);

/* The error and warning lines of fs's log ("e ...", "w ..."), joined by
 * "; ", malloc'd; NULL when the log is empty.  Reading empties it.  A
 * message too long for the buffer is dropped by the kernel (EMSGSIZE)
 * and the next one read. */
char *fs_context_log (int fs);
