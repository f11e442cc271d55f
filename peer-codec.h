/* SPDX-License-Identifier: LGPL-2.0-or-later
 * peer-codec.h: the requests setuid mode's sandbox process sends to its
 * setuid peer, and the peer's replies: their wire format and the
 * whitelist a request must pass before the peer acts on it.
 *
 * In setuid mode the sandbox's namespaces belong to root
 * (setuid-helper.c), so the unprivileged sandbox process (the user's ids,
 * no capability) cannot mount.  Its few privileged steps go, one request
 * each, over a socketpair to the setuid peer inside the same namespaces,
 * which validates every request and performs it (setuid-peer.c):
 *   SETUP_ROOT       the fixed setup-root dance (root-switch.c)
 *   BIND             clone the mount tree at fd A onto fd B (+ro, +dev)
 *   MOUNT_FS         a new tmpfs, proc, mqueue or devpts instance on fd B
 *   SET_RDONLY       make the mount rooted at fd B read-only
 *   HOSTNAME         sethostname in the new UTS namespace
 *   LOOPBACK         bring up lo in the new network namespace
 *   ENTER_NEW_ROOT   the final pivot; the peer exits after it
 * Paths never cross: every file the peer acts on comes as an fd the
 * unprivileged process opened with the user's own rights.  Every mount
 * gets nosuid, and nodev unless it is a device bind or devpts.
 * Pure: no system call; in setuid-capable builds only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "utils.h"

#define PEER_MAGIC 0x7076706fu      /* "opvp" */
#define PEER_PAYLOAD_MAX 4096u       /* strings of one request or reply */
#define PEER_MAX_FDS 2
#define PEER_MAX_STRINGS (2 + 2 * 4)
#define PEER_REQUEST_MAX (4 * sizeof (uint32_t) + PEER_PAYLOAD_MAX)
#define PEER_REPLY_MAX (2 * sizeof (uint32_t) + PEER_PAYLOAD_MAX)

enum peer_op
{
  PEER_SETUP_ROOT = 1,
  PEER_BIND,
  PEER_MOUNT_FS,
  PEER_SET_RDONLY,
  PEER_HOSTNAME,
  PEER_LOOPBACK,
  PEER_ENTER_NEW_ROOT,
};

/* A decoded request.  strings point into the caller's buffer. */
struct peer_request
{
  uint32_t op;
  uint32_t flags;        /* BIND: BIND_*; MOUNT_FS: MOUNT_ATTR_* */
  size_t n_fds;
  const char *strings[PEER_MAX_STRINGS];   /* MOUNT_FS: fstype, then "key" or "key=value" */
  size_t n_strings;
};

/* encode writes header + strings (none NULL) into buf and returns the
 * length or -ENOBUFS.  decode checks the size, magic, operation, flag
 * bits, fd count (n_fds received with the message) and every string
 * against the operation's whitelist; 0, or -EINVAL with err filled and
 * *ret untouched. */
ssize_t peer_encode (uint32_t op, uint32_t flags, const char *const *strings,
                     size_t n_strings, uint8_t *buf, size_t len);
int peer_decode (uint8_t *buf, size_t len, size_t n_fds,
                 struct peer_request *ret, struct bwrap_error *err);

/* A reply into buf (room for PEER_REPLY_MAX): errnum 0 for done, message
 * (may be NULL) cut to fit.  Returns its length. */
size_t peer_encode_reply (int errnum, const char *message, uint8_t *buf);

/* A reply of len bytes in buf (room for len + 1: the message gets its
 * NUL there).  0 with the errno (0: done) and the message or NULL
 * (pointing into buf), or -EINVAL for a malformed reply. */
int peer_decode_reply (uint8_t *buf, size_t len, int *ret_errnum, const char **ret_message);
