/* SPDX-License-Identifier: LGPL-2.0-or-later
 * bind-mount.c: bind mounts (--bind, --ro-bind, --dev-bind and their -try
 * forms, --bind-fd, --ro-bind-fd) and --remount-ro.
 * bind_preflight runs in the caller's process with the caller's rights;
 * the rest runs in the sandbox process inside its user + mount namespace
 * and mounts through the mount layer (ctx->mnt, mount.h). */
#include "bind-mount.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "resolve.h"

int
bind_preflight (struct setup_op *op, struct bwrap_error *err)
{
  cleanup_free char *fd_path = NULL;
  const char *src = op->source;
  char *resolved;

  if (op->kind == SETUP_OP_BIND_FD || op->kind == SETUP_OP_RO_BIND_FD)
    {
      /* The fd lives in the caller's mount namespace; the sandbox's copy of
       * that namespace can only bind the same object by path, so remember
       * the path now and check identity (st_dev/st_ino) at mount time. */
      fd_path = xasprintf ("/proc/self/fd/%d", op->fd);
      src = fd_path;
    }
  resolved = realpath (src, NULL);
  if (resolved == NULL)
    {
      if (errno == ENOENT && (op->flags & SETUP_OP_FLAG_TRY))
        {
          op->flags |= SETUP_OP_FLAG_SKIP;
          return 0;
        }
      return bwrap_error_set (err, errno, "Can't find source path %s", src);
    }
  free (op->resolved_source);
  op->resolved_source = resolved;
  return 0;
}

static unsigned
bind_flags_for (enum setup_op_kind kind)
{
  switch (kind)
    {
    case SETUP_OP_RO_BIND:
    case SETUP_OP_RO_BIND_FD:
      return BIND_READONLY;
    case SETUP_OP_DEV_BIND:
      return BIND_DEVICES;
    case SETUP_OP_BIND:
    case SETUP_OP_BIND_FD:
      return 0;
    case SETUP_OP_REMOUNT_RO:
    case SETUP_OP_PROC:
    case SETUP_OP_DEV:
    case SETUP_OP_TMPFS:
    case SETUP_OP_MQUEUE:
    case SETUP_OP_DIR:
    case SETUP_OP_FILE:
    case SETUP_OP_BIND_DATA:
    case SETUP_OP_RO_BIND_DATA:
    case SETUP_OP_SYMLINK:
    case SETUP_OP_CHMOD:
    case SETUP_OP_OVERLAY:
    case SETUP_OP_TMP_OVERLAY:
    case SETUP_OP_RO_OVERLAY:
    case SETUP_OP_SET_HOSTNAME:
    default:
      return 0;
    }
}

/* Open the canonical host path of an op inside the caller's root. */
static int
open_source (const struct setup_op *op, const struct setup_ctx *ctx,
             struct stat *ret_st, struct bwrap_error *err)
{
  int fd = resolve_open (ctx->oldroot_fd, op->resolved_source, O_PATH);
  if (fd < 0)
    {
      if (fd == -ENOENT && (op->flags & SETUP_OP_FLAG_TRY))
        return -ENOENT;
      return bwrap_error_set (err, -fd, "Can't get type of source %s", op->source);
    }
  if (fstat (fd, ret_st) != 0)
    {
      int r = bwrap_error_set (err, errno, "Can't get type of source %s", op->source);
      close (fd);
      return r;
    }
  return fd;
}

static int
bind_common (const struct setup_op *op, const struct setup_ctx *ctx, int src_fd,
             const struct stat *st, struct bwrap_error *err)
{
  struct bwrap_error detail = { 0 };
  cleanup_fd int dest_fd = -1;
  int r;

  dest_fd = resolve_mount_point (ctx->newroot_fd, op->dest, S_ISDIR (st->st_mode), err);
  if (dest_fd < 0)
    return dest_fd;
  r = ctx->mnt->bind (src_fd, dest_fd, bind_flags_for (op->kind), &detail);
  if (r < 0 && detail.message != NULL)
    (void) bwrap_error_set (err, detail.errnum, "Can't bind mount /oldroot%s on /newroot/%s: %s",
                            op->resolved_source, path_skip_slashes (op->dest), detail.message);
  else if (r < 0)
    (void) bwrap_error_set (err, -r, "Can't bind mount /oldroot%s on /newroot/%s: "
                            "Unable to mount source on destination",
                            op->resolved_source, path_skip_slashes (op->dest));
  bwrap_error_clear (&detail);
  return r < 0 ? r : 0;
}

int
bind_mount_op (const struct setup_op *op, const struct setup_ctx *ctx,
               struct bwrap_error *err)
{
  struct stat st;
  cleanup_fd int src_fd = -1;

  if (op->flags & SETUP_OP_FLAG_SKIP)
    return 0;
  src_fd = open_source (op, ctx, &st, err);
  if (src_fd == -ENOENT && (op->flags & SETUP_OP_FLAG_TRY))
    return 0;   /* vanished since preflight: a -try op is skipped */
  if (src_fd < 0)
    return src_fd;
  return bind_common (op, ctx, src_fd, &st, err);
}

int
bind_fd_op (const struct setup_op *op, const struct setup_ctx *ctx,
            struct bwrap_error *err)
{
  struct stat st, fd_st;
  cleanup_fd int src_fd = -1;
  int r;

  if (fstat (op->fd, &fd_st) != 0)
    return bwrap_error_set (err, errno, "Can't stat fd %d", op->fd);
  src_fd = open_source (op, ctx, &st, err);
  if (src_fd < 0)
    return src_fd;
  /* The path may have been replaced since the caller opened the fd: bind
   * only if it is still the very object the fd refers to. */
  if (st.st_dev != fd_st.st_dev || st.st_ino != fd_st.st_ino)
    return bwrap_error_set (err, ESTALE, "Race condition binding dirfd");
  r = bind_common (op, ctx, src_fd, &st, err);
  /* The fd is used once, as bubblewrap does; closing it keeps it out of
   * the sandbox. */
  (void) close (op->fd);
  return r;
}

int
remount_ro_op (const struct setup_op *op, const struct setup_ctx *ctx,
               struct bwrap_error *err)
{
  const char *dest = path_skip_slashes (op->dest);
  cleanup_fd int fd = -1;
  int r;

  r = resolve_mkdir_parents (ctx->newroot_fd, op->dest, 0, err);
  if (r < 0)
    return r;
  fd = resolve_open (ctx->newroot_fd, op->dest, O_PATH);
  if (fd < 0)
    return bwrap_error_set (err, -fd, "Can't remount readonly on /newroot/%s: "
                            "realpath(destination)", dest);
  /* Only the mount whose mount point is exactly DEST changes; a path inside
   * some other mount must not make that whole mount read-only. */
  r = mount_is_mount_root (fd);
  if (r < 0)
    return bwrap_error_set (err, -r, "Can't remount readonly on /newroot/%s", dest);
  if (r == 0)
    return bwrap_error_set (err, 0, "Can't remount readonly on /newroot/%s: "
                            "Unable to find \"/newroot/%s\" in mount table", dest, dest);
  r = ctx->mnt->set_readonly (fd);
  if (r < 0)
    return bwrap_error_set (err, -r, "Can't remount readonly on /newroot/%s: "
                            "Unable to remount destination \"/newroot/%s\" with correct flags",
                            dest, dest);
  return 0;
}
