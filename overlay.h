/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay.h: everything overlayfs: --overlay, --tmp-overlay, --ro-overlay
 * and their --overlay-src layers.
 * overlay_preflight runs in the caller's process before any namespace
 * exists, with the caller's rights; overlay_mount runs in the sandbox's
 * setup process inside the new user + mount namespace. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "plan.h"
#include "utils.h"

/* Resolve and check one overlay op before any namespace exists: canonical
 * paths into op->resolved_layers/_source/_workdir, existence and type
 * (naming the path), the layer limit, overlap of any two of layers, upper
 * and work dirs, WORKDIR empty and on RWSRC's filesystem, RWSRC able to hold
 * an upper layer.  Returns 0 or a negative errno with err filled. */
int overlay_preflight (struct setup_op *op, struct bwrap_error *err);

/* Mount the overlay described by op (already preflighted) on dest_fd, an
 * O_PATH fd of the directory inside the new root.  Host paths are opened
 * relative to oldroot_fd (the caller's root).  tmp-overlay upper/work dirs
 * are made in hidden_fd, a directory on the setup tmpfs neither host nor
 * sandbox can reach.  proc_fd_dir is a path like "/oldroot/proc/self/fd"
 * for the mount(2) fallback.  Returns 0 or a negative errno with err
 * filled (the kernel's own message where it gave one). */
int overlay_mount (const struct setup_op *op, int oldroot_fd, int hidden_fd,
                   int dest_fd, const char *proc_fd_dir, struct bwrap_error *err);

/* Which kernel interface overlay_mount_using may take. */
enum overlay_mount_api
{
  OVERLAY_API_AUTO,    /* new mount API, mount(2) where the kernel lacks it */
  OVERLAY_API_LEGACY,  /* mount(2) only: lets tests cover the fallback on a
                          kernel that has the new API */
};

/* overlay_mount with a choice of interface; overlay_mount is AUTO. */
int overlay_mount_using (enum overlay_mount_api api, const struct setup_op *op,
                         int oldroot_fd, int hidden_fd, int dest_fd,
                         const char *proc_fd_dir, struct bwrap_error *err);

/* Lower layers for overlay_mount_lowers: open_lower (data, i, err) opens
 * the i-th layer, counted bottom first as --overlay-src gives them, as an
 * O_PATH directory fd, or returns -errno with err filled.  Each fd is
 * closed as soon as the kernel has it.  name_lower (data, i) gives the
 * layer's host path for messages (the caller frees it). */
struct overlay_lowers
{
  size_t n;
  int (*open_lower) (const void *data, size_t i, struct bwrap_error *err);
  const void *data;
  char *(*name_lower) (const void *data, size_t i);
};

/* Mount one overlay of lowers (+ upper_fd/work_fd, both -1 for a read-only
 * one) on dest_fd.  dest is the sandbox path for messages.  Same process
 * and errors as overlay_mount.  too_deep, unless NULL, gets the index of
 * the layer the kernel's stacking depth refused (the message names it;
 * found only with name_lower), else -1. */
int overlay_mount_lowers (enum overlay_mount_api api, const char *dest,
                          const struct overlay_lowers *lowers, int upper_fd, int work_fd,
                          int dest_fd, const char *proc_fd_dir, ssize_t *too_deep,
                          struct bwrap_error *err);

/* ---- Pure helpers, exported for unit tests ---- */

/* Escape '\\', ',' and ':' with a backslash for a mount(2) option value. */
char *overlay_escape_path (const char *path);

/* Build the classic option string
 * "upperdir=U,workdir=W,lowerdir=L_top:...:L_bottom,userxattr" from
 * layers given bottom first (upper/work NULL for read-only).  Fails with
 * -E2BIG and a message when longer than max_len. */
int overlay_build_options (char *const *layers_bottom_first, size_t n_layers,
                           const char *upper, const char *work, size_t max_len,
                           char **ret_options, struct bwrap_error *err);

/* Refuse any path equal to or below another among n canonical paths;
 * names[i] describes paths[i] in the message (e.g. "--overlay-src /a"). */
int overlay_check_overlap (char *const *paths, char *const *names, size_t n,
                           struct bwrap_error *err);
