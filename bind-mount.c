/* SPDX-License-Identifier: LGPL-2.0-or-later
 * bind-mount.c: bind mounts (--bind, --ro-bind, --dev-bind and their -try
 * forms, --bind-fd, --ro-bind-fd) and --remount-ro.
 * bind_preflight runs in the caller's process with the caller's rights;
 * the rest runs in the sandbox setup process inside its user + mount
 * namespace.  The new mount API makes a recursive read-only bind one
 * atomic step: no window where a submount is still writable, and no
 * mountinfo parsing loop. */
#include "bind-mount.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kernel-api.h"
#include "mount-legacy.h"
#include "privop.h"
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

/* The new mount API's bind.  On failure *ret_sysno names the call. */
static int
bind_new_api (int src_fd, int dest_fd, unsigned flags, long *ret_sysno)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID };
  cleanup_fd int tree = -1;

  if (!(flags & BIND_DEVICES))
    attr.attr_set |= MOUNT_ATTR_NODEV;
  if (flags & BIND_READONLY)
    attr.attr_set |= MOUNT_ATTR_RDONLY;

  /* AT_RECURSIVE on both calls: submounts come along (a user namespace may
   * not reveal what they cover anyway) and every one of them gets the
   * flags before the tree becomes visible anywhere. */
  *ret_sysno = SYS_open_tree;
  tree = open_tree (src_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC
                    | AT_RECURSIVE | AT_EMPTY_PATH);
  if (tree < 0)
    return -errno;
  *ret_sysno = SYS_mount_setattr;
  if (mount_setattr (tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
    return -errno;
  *ret_sysno = SYS_move_mount;
  if (move_mount (tree, "", dest_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return -errno;
  return 0;
}

int
bind_mount_fd_err (int src_fd, int dest_fd, unsigned flags, struct bwrap_error *err)
{
  long sysno = 0;
  int r;

  if (privop_client_active ())
    return privop_bind (src_fd, dest_fd, flags, err);
  /* Until a move_mount succeeds nothing is attached, so a failed first
   * choice leaves nothing behind for the classic path to trip over. */
  if (!kernel_api_is_legacy (KERNEL_API_MOUNT))
    {
      r = bind_new_api (src_fd, dest_fd, flags, &sysno);
      if (r == 0 || !kernel_api_unavailable (KERNEL_API_MOUNT, sysno, -r))
        return r;
    }
  return mount_legacy_bind (src_fd, dest_fd, flags, err);
}

int
bind_mount_fd (int src_fd, int dest_fd, unsigned flags)
{
  return bind_mount_fd_err (src_fd, dest_fd, flags, NULL);
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
  r = bind_mount_fd_err (src_fd, dest_fd, bind_flags_for (op->kind), &detail);
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
mount_set_readonly (int fd)
{
  struct mount_attr attr = {
    .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
  };

  if (privop_client_active ())
    return privop_set_rdonly (fd);
  if (!kernel_api_is_legacy (KERNEL_API_MOUNT))
    {
      int saved;
      if (mount_setattr (fd, "", AT_EMPTY_PATH, &attr, sizeof attr) == 0)
        return 0;
      saved = errno;
      if (!kernel_api_unavailable (KERNEL_API_MOUNT, SYS_mount_setattr, saved))
        return -saved;
    }
  return mount_legacy_set_readonly (fd);
}

/* STATX_ATTR_MOUNT_ROOT (Linux 5.8) when statx knows it, else compare
 * mount ids with "..".  1, 0 or -errno. */
static int
is_mount_root (int fd)
{
  struct statx stx;

  if (statx (fd, "", AT_EMPTY_PATH, 0, &stx) != 0)
    return -errno;
  if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  return mount_legacy_is_mount_root (fd);
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
  r = is_mount_root (fd);
  if (r < 0)
    return bwrap_error_set (err, -r, "Can't remount readonly on /newroot/%s", dest);
  if (r == 0)
    return bwrap_error_set (err, 0, "Can't remount readonly on /newroot/%s: "
                            "Unable to find \"/newroot/%s\" in mount table", dest, dest);
  r = mount_set_readonly (fd);
  if (r < 0)
    return bwrap_error_set (err, -r, "Can't remount readonly on /newroot/%s: "
                            "Unable to remount destination \"/newroot/%s\" with correct flags",
                            dest, dest);
  return 0;
}
