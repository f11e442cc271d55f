/* SPDX-License-Identifier: LGPL-2.0-or-later
 * namespaces.h: which namespaces a plan needs, creating them, and the
 * uid/gid maps of new user namespaces.  ns_clone_flags runs in the
 * caller's process; ns_write_id_maps and ns_nest_user run in the sandbox
 * process inside the namespace whose map they write. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "plan.h"

/* CLONE_NEW* flags for the sandbox process (always CLONE_NEWNS);
 * resolves --unshare-user-try / --unshare-cgroup-try against what the
 * system supports.  Dies on --unshare-cgroup without kernel support. */
int ns_clone_flags (const struct plan *plan);

/* Fork-like clone(2) into new namespaces.  Returns the pid (0 in the child)
 * or dies with bubblewrap's messages (3.7). */
pid_t ns_clone (int flags);

/* ns_clone for --pidns, after ns_join_before_clone: the sandbox is born in
 * the joined pid namespace (with CLONE_NEWPID, in a new one below it) by
 * an intermediate child, so our own pid namespace for children never
 * changes.  Returns the sandbox's pid (our child) or 0 in the sandbox;
 * dies (exit 1, message from the intermediate) on failure. */
pid_t ns_clone_in_pidns (int pidns_fd, int flags);

/* Write setgroups=deny, then "<inside_uid> <outside_uid> 1" and the gid
 * twin into the current process's own user namespace, through proc_fd (an
 * O_PATH fd of a procfs in which "self" is this process).  Dies on error. */
void ns_write_id_maps (int proc_fd, uid_t inside_uid, uid_t outside_uid,
                       gid_t inside_gid, gid_t outside_gid);

/* --userns: join before the sandbox process is created.  Dies with bubblewrap's
 * messages.  Runs in the caller's process. */
void ns_join_before_clone (const struct plan *plan);

/* After the root is built, in the sandbox process: --userns2, then
 * --disable-userns (limit 1 in the current user namespace), then one
 * nested user namespace mapping the requested ids if nest (the --dev
 * remap) or --disable-userns asks for it (so no further namespace can be
 * made), and the assertion that user namespaces are disabled. */
void ns_finish_user (const struct plan *plan, int proc_fd, bool nest);

/* With --userns, take the requested ids inside the joined namespace,
 * keeping capabilities for caps_apply_final().  Dies on error. */
void ns_switch_ids (uid_t uid, gid_t gid);
