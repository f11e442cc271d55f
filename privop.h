/* SPDX-License-Identifier: LGPL-2.0-or-later
 * privop.h: setuid mode's privileged operations during setup.
 *
 * In setuid mode the sandbox's namespaces belong to root (privsep.c), so
 * the unprivileged setup process (the user's ids, no capability) cannot
 * mount.  Its few privileged steps go, one request each, over a
 * socketpair to a privileged peer inside the same namespaces, which
 * validates every request and performs it:
 *   SETUP_ROOT       the fixed setup-root dance (setup.c)
 *   BIND             clone the mount tree at fd A onto fd B (+ro, +dev)
 *   MOUNT_FS         a new tmpfs, proc, mqueue or devpts instance on fd B
 *   SET_RDONLY       make the mount rooted at fd B read-only
 *   HOSTNAME         sethostname in the new UTS namespace
 *   LOOPBACK         bring up lo in the new network namespace
 *   ENTER_NEW_ROOT   the final pivot; the peer exits after it
 * Paths never cross: every file the peer acts on comes as an fd the
 * unprivileged process opened with the user's own rights.  Every mount
 * gets nosuid, and nodev unless it is a device bind or devpts. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "utils.h"

#define PRIVOP_MAGIC 0x7076706fu      /* "opvp" */
#define PRIVOP_PAYLOAD_MAX 4096u       /* strings of one request or reply */
#define PRIVOP_MAX_FDS 2

enum privop_kind
{
  PRIVOP_SETUP_ROOT = 1,
  PRIVOP_BIND,
  PRIVOP_MOUNT_FS,
  PRIVOP_SET_RDONLY,
  PRIVOP_HOSTNAME,
  PRIVOP_LOOPBACK,
  PRIVOP_ENTER_NEW_ROOT,
};

/* A decoded request.  strings point into the caller's buffer. */
struct privop_request
{
  uint32_t op;
  uint32_t flags;        /* BIND: BIND_*; MOUNT_FS: MOUNT_ATTR_* */
  size_t n_fds;
  const char *strings[2 + 2 * 4];   /* MOUNT_FS: fstype, then "key" or "key=value" */
  size_t n_strings;
};

/* Pure codec, exported for unit tests.  encode writes header + strings
 * (none NULL) into buf and returns the length or -ENOBUFS.  decode checks
 * the size, magic, operation, flag bits, fd count (n_fds received with
 * the message) and every string against the operation's whitelist; 0, or
 * -EINVAL with err filled and *ret untouched. */
ssize_t privop_encode (uint32_t op, uint32_t flags, const char *const *strings,
                       size_t n_strings, uint8_t *buf, size_t len);
int privop_decode (uint8_t *buf, size_t len, size_t n_fds,
                   struct privop_request *ret, struct bwrap_error *err);

/* The privileged peer: serve requests on sock until ENTER_NEW_ROOT or
 * EOF, then _exit.  clone_flags are the namespaces the sandbox got (a
 * hostname needs CLONE_NEWUTS, loopback CLONE_NEWNET).  Runs with every
 * capability of the sandbox's root-owned user namespace; keeps only
 * CAP_SYS_ADMIN and CAP_NET_ADMIN, and takes the user's ids (inside ids
 * fs_uid/fs_gid) so new filesystems belong to the user and the user's
 * FUSE mounts admit it. */
BWRAP_NORETURN void privop_serve (int sock, int clone_flags, uid_t fs_uid, gid_t fs_gid);

/* The unprivileged side.  After privop_client_start(), the functions
 * below send their request instead of acting locally (bind_mount_fd,
 * mount_new_fs, ... call them when privop_client_active()). */
void privop_client_start (int sock, pid_t peer);
bool privop_client_active (void);
/* Close the connection and wait for the peer to exit: the command must
 * never start while a privileged process of ours is in the sandbox. */
void privop_client_finish (void);

/* 0 or -errno; err (may be NULL) gets the peer's detail, if it sent one. */
int privop_bind (int src_fd, int dest_fd, unsigned flags, struct bwrap_error *err);
int privop_mount_fs (const char *fstype, const char *const *config, unsigned attrs,
                     int dest_fd, char **ret_kernel_msg);                  /* 0 or -errno */
int privop_set_rdonly (int fd);                                           /* 0 or -errno */
int privop_hostname (const char *name);                                   /* 0 or -errno */
/* SETUP_ROOT, LOOPBACK, ENTER_NEW_ROOT: 0 or -errno with err filled with
 * the peer's message. */
int privop_simple (enum privop_kind op, struct bwrap_error *err);
