/* SPDX-License-Identifier: LGPL-2.0-or-later
 * privsep.h: setuid-root installation, with privilege separation.
 *
 * When bwrap runs setuid root for a non-root user, main() calls
 * privsep_start() before looking at argv.  It forks a privileged helper
 * and then drops every privilege of the calling process for good, so the
 * option parsing, all path handling and the whole sandbox setup run with
 * the user's own uid and no capabilities.  The helper performs exactly one
 * operation, on request over a socketpair: create a user namespace OWNED
 * BY THE USER, map the user's own uid/gid (and nothing else) into it, and
 * hand back an fd of it.  Everything else, every mount included, then
 * happens inside that namespace with precisely the rights an unprivileged
 * user namespace gives: setuid bwrap lifts an administrative ban on
 * unprivileged user namespaces, nothing more. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "utils.h"

#define PRIVSEP_MAGIC 0x62777270u   /* "bwrp" */
#define PRIVSEP_OP_CREATE_USERNS 1u

/* The one request the helper understands; fixed size, host byte order
 * (both ends are the same binary). */
struct privsep_request
{
  uint32_t magic;
  uint32_t op;
  uint32_t inside_uid;   /* id the user's uid gets inside */
  uint32_t inside_gid;
};

#define PRIVSEP_REQUEST_SIZE (4 * sizeof (uint32_t))

/* Pure codec, exported for unit tests.  encode returns the number of
 * bytes written (PRIVSEP_REQUEST_SIZE) or -ENOBUFS; decode validates the
 * size, magic, op and ids and returns 0 or -EINVAL with err filled. */
int privsep_encode (const struct privsep_request *req, uint8_t *buf, size_t len);
int privsep_decode (const uint8_t *buf, size_t len, struct privsep_request *ret,
                    struct bwrap_error *err);

/* Whether the administrator has switched off unprivileged user
 * namespaces through a sysctl in sysctl_dir (normally /proc/sys/kernel):
 * Debian's unprivileged_userns_clone=0 or Ubuntu's
 * apparmor_restrict_unprivileged_userns=1.  Setuid mode refuses to run
 * then, because the namespace it makes is owned by the user, who could
 * enter it from outside the sandbox (setns) with every capability in it:
 * that would lift the ban for everything the user runs. */
bool privsep_userns_banned (const char *sysctl_dir);

struct privsep
{
  int sock;        /* our end of the socketpair, -1 when not in setuid mode */
  pid_t helper;
};

/* Setuid mode only (euid 0, real uid != 0).  Forks the helper; returns in
 * the caller's process only, which then has real, effective and saved
 * uid/gid equal to the caller's and no capability.  Dies on error. */
void privsep_start (struct privsep *ps);

/* Ask the helper for a user namespace in which inside_uid/gid map to the
 * caller's ids.  Returns an O_CLOEXEC fd of it; dies on error.  May be
 * called once. */
int privsep_request_userns (struct privsep *ps, uid_t inside_uid, gid_t inside_gid);
