/* SPDX-License-Identifier: LGPL-2.0-or-later
 * files.c: --dir, --file, --bind-data, --ro-bind-data, --symlink, --chmod.
 * Runs in the sandbox process inside its user + mount namespace
 * (umask 0, so modes are exact).  Every DEST is resolved inside the new
 * root (resolve.c), so a symlink planted in a bound host directory cannot
 * redirect a created file outside the sandbox. */
#include "files.h"

#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolve.h"

static mode_t
op_perms (const struct setup_op *op, mode_t fallback)
{
  return (op->flags & SETUP_OP_FLAG_HAS_PERMS) ? op->perms : fallback;
}

int
dir_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  mode_t perms = op_perms (op, 0755);
  const char *name = NULL;
  cleanup_fd int parent = -1;
  cleanup_fd int fd = -1;
  int r;

  r = resolve_mkdir_parents (ctx->newroot_fd, op->dest, perms, err);
  if (r < 0)
    return r;
  parent = resolve_parent (ctx->newroot_fd, op->dest, &name);
  if (parent < 0)
    return bwrap_error_set (err, -parent, "Can't mkdir %s", op->dest);
  if (*name == '\0' || mkdirat (parent, name, perms) == 0)
    return 0;
  if (errno != EEXIST)
    return bwrap_error_set (err, errno, "Can't mkdir %s", op->dest);
  /* An existing directory (or symlink to one) is fine and left as is. */
  fd = resolve_open (ctx->newroot_fd, op->dest, O_PATH | O_DIRECTORY);
  if (fd < 0)
    return bwrap_error_set (err, ENOTDIR, "Can't mkdir %s", op->dest);
  return 0;
}

int
file_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  mode_t perms = op_perms (op, 0666);
  cleanup_fd int out = -1;
  int r;

  r = resolve_mkdir_parents (ctx->newroot_fd, op->dest, perms, err);
  if (r < 0)
    return r;
  out = resolve_create (ctx->newroot_fd, op->dest, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY, perms);
  if (out < 0)
    return bwrap_error_set (err, -out, "Can't create file %s", op->dest);
  r = copy_fd_data (op->fd, out);
  (void) close (op->fd);   /* used once; must not leak into the sandbox */
  if (r < 0)
    return bwrap_error_set (err, -r, "Can't write data to file %s", op->dest);
  return 0;
}

int
bind_data_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  mode_t perms = op_perms (op, 0600);
  cleanup_free char *name = xasprintf ("bind-data-%zu", (size_t) (op - ctx->plan->ops));
  cleanup_fd int tmp = -1;
  cleanup_fd int src = -1;
  cleanup_fd int dest_fd = -1;
  int r;

  r = resolve_mkdir_parents (ctx->newroot_fd, op->dest, perms, err);
  if (r < 0)
    return r;
  /* The data file lives in the hidden setup directory, never visible by
   * path to the host or the sandbox; it is unlinked once bound, so inside
   * the sandbox it has no name anywhere else. */
  tmp = openat (ctx->hidden_fd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (tmp < 0)
    return bwrap_error_set (err, errno, "Can't create tmpfile for %s", op->dest);
  if (fchmod (tmp, perms) != 0)
    return bwrap_error_set (err, errno, "Can't set mode %#o on file to be used for %s",
                            (unsigned) perms, op->dest);
  r = copy_fd_data (op->fd, tmp);
  (void) close (op->fd);
  if (r < 0)
    return bwrap_error_set (err, -r, "Can't write data to file %s", op->dest);
  src = openat (ctx->hidden_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (src < 0)
    return bwrap_error_set (err, errno, "Can't create tmpfile for %s", op->dest);
  dest_fd = resolve_mount_point (ctx->newroot_fd, op->dest, false, err);
  if (dest_fd < 0)
    return dest_fd;
  r = ctx->mnt->bind (src, dest_fd, op->kind == SETUP_OP_RO_BIND_DATA ? BIND_READONLY : 0, NULL);
  (void) unlinkat (ctx->hidden_fd, name, 0);  /* the mount keeps the inode */
  if (r < 0)
    return bwrap_error_set (err, -r, "Can't bind mount data on %s", op->dest);
  return 0;
}

int
symlink_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  const char *name = NULL;
  cleanup_fd int parent = -1;
  char old[PATH_MAX + 1];
  ssize_t n;
  int r;

  r = resolve_mkdir_parents (ctx->newroot_fd, op->dest, 0, err);
  if (r < 0)
    return r;
  parent = resolve_parent (ctx->newroot_fd, op->dest, &name);
  if (parent < 0)
    return bwrap_error_set (err, -parent, "Can't make symlink at %s", op->dest);
  if (symlinkat (op->source, parent, name) == 0)
    return 0;
  if (errno != EEXIST)
    return bwrap_error_set (err, errno, "Can't make symlink at %s", op->dest);
  /* An identical existing link is fine (bubblewrap >= 0.9). */
  n = readlinkat (parent, name, old, sizeof old - 1);
  if (n < 0 && errno == EINVAL)
    return bwrap_error_set (err, 0, "Can't make symlink at %s: destination exists and is not a symlink",
                            op->dest);
  if (n < 0)
    return bwrap_error_set (err, errno, "Can't make symlink at %s: destination exists, "
                            "and cannot read symlink target", op->dest);
  old[n] = '\0';
  if (strcmp (old, op->source) != 0)
    return bwrap_error_set (err, 0, "Can't make symlink at %s: existing destination is %s",
                            op->dest, old);
  return 0;
}

int
chmod_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  cleanup_fd int fd = resolve_open (ctx->newroot_fd, op->dest, O_PATH);
  cleanup_free char *path = NULL;

  if (fd < 0)
    return bwrap_error_set (err, -fd, "Can't chmod %#o %s", (unsigned) op->perms, op->dest);
  /* chmod through the fd's /proc path: the object was resolved inside the
   * new root, and O_PATH fds cannot be fchmod()ed. */
  path = setup_fd_path (ctx, fd);
  if (chmod (path, op->perms) != 0)
    return bwrap_error_set (err, errno, "Can't chmod %#o %s", (unsigned) op->perms, op->dest);
  return 0;
}
