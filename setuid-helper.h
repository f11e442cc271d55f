/* SPDX-License-Identifier: LGPL-2.0-or-later
 * setuid-helper.h: setuid-root installation, with privilege separation.
 *
 * When bwrap runs setuid root for a non-root user, main() calls
 * setuid_helper_start() before looking at argv.  It forks a privileged helper
 * and then drops every privilege of the calling process for good, so the
 * option parsing, all path handling and the monitor run with the user's
 * own ids and no capabilities.  The helper waits for one fixed-size
 * request: create the sandbox process.  It clones it into new namespaces
 * OWNED BY ROOT (so the user's other processes can neither enter them
 * nor attach to what runs in them), writes the id maps from outside
 * (the user's own ids only, plus the kernel's overflow id as 0 for
 * devpts), and exits.  The new process (the monitor's child, through
 * CLONE_PARENT) forks the setuid peer of setuid-peer.c, drops every
 * privilege for good (securebits locked: uid 0 never regains
 * capabilities) and re-parses the command line as the user: the sandbox
 * setup then runs unprivileged, asking the peer for each mount. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "status.h"
#include "utils.h"

#define SETUID_HELPER_MAGIC 0x62777270u   /* "bwrp" */
#define SETUID_HELPER_OP_CLONE_SANDBOX 2u
#define SETUID_HELPER_DEV 1u               /* request flag: the plan mounts --dev */

/* The one request the helper understands; fixed size, host byte order
 * (both ends are the same binary).  With it come two fds (exec status,
 * hand-off) or three (+ release), passed through to the new process. */
struct setuid_helper_request
{
  uint32_t magic;
  uint32_t op;
  uint32_t clone_flags;  /* CLONE_NEW* besides NEWUSER|NEWNS, validated */
  uint32_t inside_uid;   /* id the user's uid gets inside */
  uint32_t inside_gid;
  uint32_t flags;        /* SETUID_HELPER_DEV */
};

#define SETUID_HELPER_REQUEST_SIZE (6 * sizeof (uint32_t))

/* Pure codec, exported for unit tests.  encode returns the number of
 * bytes written (SETUID_HELPER_REQUEST_SIZE) or -ENOBUFS; decode validates the
 * size, magic, op, namespace flags, ids and flag bits and returns 0 or
 * -EINVAL with err filled, leaving *ret untouched on error. */
int setuid_helper_encode (const struct setuid_helper_request *req, uint8_t *buf, size_t len);
int setuid_helper_decode (const uint8_t *buf, size_t len, struct setuid_helper_request *ret,
                    struct bwrap_error *err);

/* The uid_map (or gid_map) the helper writes: "<inside> <real> 1", after
 * "0 <overflow> 1" when --dev needs 0 mapped for devpts and neither id
 * is 0 (bubblewrap's setuid layout).  Pure; writes into buf. */
void setuid_helper_format_map (char *buf, size_t len, uint32_t inside, uint32_t real,
                         uint32_t overflow, bool dev);

struct setuid_helper
{
  int sock;        /* our end of the socketpair, -1 when not in setuid mode */
  pid_t helper;
};

/* What the sandbox process starts from (in its new namespaces, already
 * without any privilege). */
struct setuid_helper_sandbox
{
  int exec_status;     /* from the monitor: write end of the exec-status pipe */
  int release;         /* from the monitor: read end of the go pipe, or -1 */
  int handoff;         /* from the monitor: --args data and seccomp programs */
  int clone_flags;     /* the namespaces created, CLONE_NEWUSER included */
  int peer_sock;     /* our end to the setuid peer */
  pid_t peer_pid;
};

typedef void (*setuid_helper_sandbox_fn) (const struct setuid_helper_sandbox *sb);

/* Setuid mode only (euid 0, real uid != 0).  Forks the helper; returns in
 * the caller's process only, which then has real, effective and saved
 * uid/gid equal to the caller's and no capability.  The sandbox process
 * the helper later creates runs fn (which must not return).  Dies on
 * error. */
void setuid_helper_start (struct setuid_helper *ps, setuid_helper_sandbox_fn fn);

/* Monitor: ask the helper for the sandbox process.  Returns its pid (our
 * child) with its namespace ids in ids; dies on error.  Once only. */
pid_t setuid_helper_clone_sandbox (struct setuid_helper *ps, const struct setuid_helper_request *req,
                             int exec_status, int release, int handoff,
                             uint64_t ids[STATUS_NS_COUNT]);
