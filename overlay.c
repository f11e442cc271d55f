/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay.c: the executor of --overlay, --tmp-overlay and --ro-overlay
 * (see overlay.h): the upper and work directories, the layers as fds, and
 * the mount through the mount layer; an overlay whose layers contain
 * mounts goes to overlay-split-mount.c.  Runs in the sandbox process
 * inside the new user + mount namespace (capabilities there only); it
 * reaches host directories only through the caller's old root, so it sees
 * nothing the caller could not.  Preflight is overlay-preflight.c, the
 * pure option strings overlay-options.c, the mount itself
 * mount-overlay.c. */
#include "overlay.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "mount-fs.h"
#include "overlay-cover.h"
#include "overlay-layers.h"
#include "overlay-split-mount.h"
#include "resolve.h"

/* Open a canonical host path through the caller's root.  O_PATH: we only
 * hand the directory to the kernel, which checks access itself.  Confined
 * to the caller's root (RESOLVE_IN_ROOT): a symlink swapped into the path
 * after preflight can still only name a host path, never our setup root
 * (/newroot, /hidden) that a plain openat would reach after pivot_root. */
static int
open_host_dir (int oldroot_fd, const char *path, const char *what, struct bwrap_error *err)
{
  int fd = resolve_open (oldroot_fd, path, O_PATH | O_DIRECTORY);
  if (fd < 0)
    return bwrap_error_set (err, -fd, "Can't open %s %s", what, path);
  return fd;
}

/* A --tmp-overlay's upper and work directories, on a private tmpfs of
 * their own (sized by --size). */
static int
make_tmp_upper (const struct setup_op *op, const struct setup_ctx *ctx, int *ret_upper_fd,
                int *ret_work_fd, struct bwrap_error *err)
{
  static const char *const names[] = { "upper", "work" };
  int *ret[] = { ret_upper_fd, ret_work_fd };
  cleanup_fd int root_fd = mount_private_tmpfs (op, ctx, "tmp-overlay", op->overlay_index, err);

  if (root_fd < 0)
    return root_fd;
  for (size_t i = 0; i < N_ELEMENTS (names); i++)
    {
      *ret[i] = open_subdir (root_fd, names[i], 0755);
      if (*ret[i] < 0)
        return bwrap_error_set (err, -*ret[i], "Can't create %s directory for --tmp-overlay on %s",
                                names[i], op->dest);
    }
  return 0;
}

/* The op's own layers: canonical host paths, opened through the caller's
 * root. */
struct host_layers
{
  const struct setup_op *op;
  int oldroot_fd;
};

static int
open_host_layer (const void *data, size_t i, struct bwrap_error *err)
{
  const struct host_layers *h = data;
  return open_host_dir (h->oldroot_fd, h->op->resolved_layers[i], "overlay layer", err);
}

static char *
name_host_layer (const void *data, size_t i)
{
  const struct host_layers *h = data;
  return xstrdup (h->op->resolved_layers[i]);
}

int
overlay_mount_single (const struct setup_op *op, const struct setup_ctx *ctx, int dest_fd,
                      struct bwrap_error *err)
{
  cleanup_fd int upper_fd = -1;
  cleanup_fd int work_fd = -1;
  int r;

  if (!setup_op_is_overlay (op) || op->resolved_layers == NULL || op->n_layers == 0)
    return bwrap_error_set (err, EINVAL, "Overlay on %s was not prepared", op->dest);
  if (op->kind == SETUP_OP_OVERLAY)
    {
      upper_fd = open_host_dir (ctx->oldroot_fd, op->resolved_source, "--overlay RWSRC", err);
      if (upper_fd < 0)
        return upper_fd;
      work_fd = open_host_dir (ctx->oldroot_fd, op->resolved_workdir, "--overlay WORKDIR", err);
      if (work_fd < 0)
        return work_fd;
    }
  else if (op->kind == SETUP_OP_TMP_OVERLAY)
    {
      r = make_tmp_upper (op, ctx, &upper_fd, &work_fd, err);
      if (r < 0)
        return r;
    }

  /* Directories such as /var/tmp must take new entries as on the host. */
  overlay_split_prepare_upper (ctx->oldroot_fd, op->resolved_layers, op->n_layers, "", upper_fd,
                               ctx->proc_fd_dir);
  struct host_layers host = { op, ctx->oldroot_fd };
  struct overlay_lowers lowers = { op->n_layers, open_host_layer, &host, name_host_layer };
  struct mount_overlay spec = { op->dest, &lowers, upper_fd, work_fd, ctx->proc_fd_dir };
  return ctx->mnt->overlay (&spec, dest_fd, NULL, err);
}

int
overlay_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  cleanup_fd int dest_fd = resolve_mount_point (ctx->newroot_fd, op->dest, true, err);
  int r;

  if (dest_fd < 0)
    return dest_fd;
  if (op->split != NULL)
    r = overlay_split_mount (op, ctx, dest_fd, err);
  else
    r = overlay_mount_single (op, ctx, dest_fd, err);
  /* RWSRC or WORKDIR inside a layer: out of the command's reach before
   * anything else is mounted (issue 27; overlay-cover.c). */
  return r < 0 ? r : overlay_cover_upper (op, ctx, err);
}
