/* SPDX-License-Identifier: LGPL-2.0-or-later
 * mount.h: the mount layer.  The one place that knows how a mount is
 * made: with the new mount API or, where the kernel (or a seccomp policy)
 * lacks it, with mount(2) (kernel-api.h remembers which), and either in
 * this process or, in setuid mode, by the setuid peer on request
 * (setuid-peer.h).  The op executors (bind-mount.c, mount-fs.c, dev.c,
 * files.c, overlay.c, overlay-split-mount.c) and setup.c only call the
 * functions below with the backend their context carries (setup-ctx.h);
 * they never see the fallback or the peer.
 *
 * The backend is chosen once per process: mount_backend_local() here, or
 * in setuid mode the setuid client's (setuid-client.h), which forwards
 * every step to the setuid peer, whose own work is done by the local
 * backend.  Runs in the sandbox process (setuid mode: the setuid peer)
 * inside its user + mount namespace. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "utils.h"

#define BIND_READONLY (1u << 0)   /* add MOUNT_ATTR_RDONLY */
#define BIND_DEVICES  (1u << 1)   /* do not add nodev */

/* The privileged steps of setup that are not a mount of an fd. */
enum mount_step
{
  MOUNT_STEP_SETUP_ROOT,       /* into the setup tmpfs (root-switch.h) */
  MOUNT_STEP_ENTER_NEW_ROOT,   /* into /newroot, the last step */
  MOUNT_STEP_LOOPBACK,         /* bring up lo (network.h) */
};

/* Lower layers of an overlay: open_lower (data, i, err) opens the i-th
 * layer, counted bottom first as --overlay-src gives them, as an O_PATH
 * directory fd, or returns -errno with err filled.  Each fd is closed as
 * soon as the kernel has it.  name_lower (data, i), if not NULL, gives the
 * layer's host path for messages (the caller frees it). */
struct overlay_lowers
{
  size_t n;
  int (*open_lower) (const void *data, size_t i, struct bwrap_error *err);
  const void *data;
  char *(*name_lower) (const void *data, size_t i);
};

/* One overlay mount: lowers, upper_fd and work_fd (both -1 for a
 * read-only overlay), dest the sandbox path for messages, proc_fd_dir a
 * path like "/oldroot/proc/self/fd" naming this process's fds. */
struct mount_overlay
{
  const char *dest;
  const struct overlay_lowers *lowers;
  int upper_fd;
  int work_fd;
  const char *proc_fd_dir;
};

/* A backend.  Every function returns 0 or -errno. */
struct mount_backend
{
  /* Clone the mount tree at src_fd (recursive), add nosuid (+nodev unless
   * BIND_DEVICES, +ro with BIND_READONLY) to every mount of the clone,
   * attach it on dest_fd.  detail (may be NULL) may get the text after
   * "Can't bind mount SRC on DEST: " (which mount of the tree could not
   * get its flags, on the classic path), errno text included or not as
   * detail->errnum says. */
  int (*bind) (int src_fd, int dest_fd, unsigned flags, struct bwrap_error *detail);
  /* A new fstype instance configured with NULL-terminated key/value pairs
   * (value NULL: a flag), with MOUNT_ATTR_* attrs, attached on dest_fd.
   * The kernel's fs-context log, when it said something, goes to
   * *ret_kernel_msg (malloc'd) if that is not NULL. */
  int (*new_fs) (const char *fstype, const char *const *config, unsigned attrs,
                 int dest_fd, char **ret_kernel_msg);
  /* The mount rooted at fd read-only (+nosuid, nodev), that mount only. */
  int (*set_readonly) (int fd);
  /* An overlay (nosuid, nodev, userxattr) on dest_fd.  err gets the whole
   * message; too_deep (may be NULL) the index of the layer the kernel's
   * stacking depth refused, else -1. */
  int (*overlay) (const struct mount_overlay *spec, int dest_fd, ssize_t *too_deep,
                  struct bwrap_error *err);
  int (*hostname) (const char *name);
  /* err gets the message. */
  int (*step) (enum mount_step step, struct bwrap_error *err);
  /* After ENTER_NEW_ROOT, before anything of the sandbox runs: no
   * privileged process of ours may be left (S3 in setuid mode). */
  void (*finish) (void);
};

/* This process does the work itself. */
const struct mount_backend *mount_backend_local (void);

/* Whether fd is the root of its mount: STATX_ATTR_MOUNT_ROOT (Linux 5.8)
 * when statx knows it, else mount ids compared with "..".  1, 0 or
 * -errno.  A query: the same with every backend. */
int mount_is_mount_root (int fd);
