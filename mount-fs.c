/* SPDX-License-Identifier: LGPL-2.0-or-later
 * mount-fs.c: new filesystem instances (--tmpfs, --proc, --mqueue, --dev).
 * Runs in the sandbox process, inside its user + mount namespace,
 * with that namespace's capabilities.  Mounts are created detached with
 * the new mount API and attached on an fd resolved inside the new root,
 * so no path is looked up twice. */
#include "mount-fs.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "mount-error.h"
#include "resolve.h"

static int
mount_on_dir (const char *fstype, const char *const *config, unsigned attrs,
              const struct setup_op *op, const struct setup_ctx *ctx,
              const char *what, struct bwrap_error *err)
{
  cleanup_fd int dest_fd = -1;
  int r;

  dest_fd = resolve_mount_point (ctx->newroot_fd, op->dest, true, err);
  if (dest_fd < 0)
    return dest_fd;
  r = ctx->mnt->new_fs (fstype, config, attrs, dest_fd, NULL);
  if (r < 0)
    return mount_error_newroot (err, -r, NULL, what, op->dest, NULL);
  return 0;
}

int
tmpfs_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  mode_t perms = (op->flags & SETUP_OP_FLAG_HAS_PERMS) ? op->perms : 0755;
  cleanup_free char *mode = xasprintf ("0%o", (unsigned) perms);
  cleanup_free char *size = NULL;
  const char *config[8] = { "mode", mode };
  size_t n = 2;
  cleanup_fd int dest_fd = -1;
  int r;

  if (op->flags & SETUP_OP_FLAG_HAS_SIZE)
    {
      size = xasprintf ("%llu", (unsigned long long) op->size);
      config[n++] = "size";
      config[n++] = size;
    }
  if (ctx->plan->file_label != NULL)
    {
      config[n++] = "context";
      config[n++] = ctx->plan->file_label;
    }
  r = resolve_mkdir_parents (ctx->newroot_fd, op->dest, perms, err);
  if (r < 0)
    return r;
  dest_fd = resolve_mount_point (ctx->newroot_fd, op->dest, true, err);
  if (dest_fd < 0)
    return dest_fd;
  r = ctx->mnt->new_fs ("tmpfs", config, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, dest_fd, NULL);
  if (r < 0)
    return mount_error_newroot (err, -r, NULL, "Can't mount tmpfs", op->dest, NULL);
  return 0;
}

int
mqueue_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  return mount_on_dir ("mqueue", NULL, 0, op, ctx, "Can't mount mqueue", err);
}

/* Cover a writable /proc entry with a read-only bind of itself: the
 * sandbox must not change host-wide kernel settings through it. */
static int
proc_protect (const struct setup_ctx *ctx, int proc_fd, const char *name, const char *dest,
              struct bwrap_error *err)
{
  cleanup_fd int fd = openat (proc_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  int r;

  if (fd < 0)
    {
      if (errno == ENOENT)
        return 0;
      return bwrap_error_set (err, errno, "Can't access %s/%s", dest, name);
    }
  if (faccessat (proc_fd, name, W_OK, AT_SYMLINK_NOFOLLOW) != 0)
    {
      if (errno == EACCES || errno == EROFS || errno == EPERM)
        return 0;   /* already read-only for us: nothing to protect */
      return bwrap_error_set (err, errno, "Can't access %s/%s", dest, name);
    }
  r = ctx->mnt->bind (fd, fd, BIND_READONLY, NULL);
  if (r < 0)
    return bwrap_error_set (err, -r, "Can't remount %s/%s read-only", dest, name);
  return 0;
}

int
proc_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  static const char *const covered[] = { "sys", "sysrq-trigger", "irq", "bus" };
  cleanup_fd int dest_fd = -1;
  cleanup_fd int proc_fd = -1;
  int r;

  dest_fd = resolve_mount_point (ctx->newroot_fd, op->dest, true, err);
  if (dest_fd < 0)
    return dest_fd;
  if (ctx->has_pid_ns)
    r = ctx->mnt->new_fs ("proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                          dest_fd, NULL);
  else
    {
      /* Without our own pid namespace a new procfs would show the same
       * processes; bind the caller's, as bubblewrap does. */
      cleanup_fd int host_proc = resolve_open (ctx->oldroot_fd, "/proc", O_PATH | O_DIRECTORY);
      r = host_proc < 0 ? host_proc : ctx->mnt->bind (host_proc, dest_fd, 0, NULL);
    }
  if (r < 0)
    return mount_error_newroot (err, -r, NULL, "Can't mount proc", op->dest, NULL);

  proc_fd = resolve_open (ctx->newroot_fd, op->dest, O_PATH | O_DIRECTORY);
  if (proc_fd < 0)
    return mount_error_newroot (err, -proc_fd, NULL, "Can't mount proc", op->dest, NULL);
  for (size_t i = 0; i < N_ELEMENTS (covered); i++)
    {
      r = proc_protect (ctx, proc_fd, covered[i], op->dest, err);
      if (r < 0)
        return r;
    }
  return 0;
}

int
mount_private_tmpfs (const struct setup_op *op, const struct setup_ctx *ctx, const char *prefix,
                     unsigned first, struct bwrap_error *err)
{
  const char *config[] = { "mode", "0755", NULL, NULL, NULL };
  const char *kind = setup_op_kind_name (op->kind);
  cleanup_free char *kernel_msg = NULL, *name = NULL, *what = NULL;
  cleanup_fd int fd = -1;
  char size[32];
  unsigned n = first;
  int r;

  do
    {
      free (name);
      name = xasprintf ("%s-%u", prefix, n++);
    }
  while (mkdirat (ctx->hidden_fd, name, 0700) != 0 && errno == EEXIST && n - first < 10000);
  fd = openat (ctx->hidden_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return bwrap_error_set (err, errno, "Can't create hidden directory for %s on %s",
                            kind, op->dest);
  if (op->flags & SETUP_OP_FLAG_HAS_SIZE)
    {
      snprintf (size, sizeof size, "%llu", (unsigned long long) op->size);
      config[2] = "size";
      config[3] = size;
    }
  r = ctx->mnt->new_fs ("tmpfs", config, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, fd, &kernel_msg);
  if (r < 0)
    {
      what = xasprintf ("Can't mount tmpfs for %s", kind);
      return mount_error (err, -r, kernel_msg, what, op->dest, NULL);
    }
  /* Reopen by name: fd still refers to the covered directory. */
  r = openat (ctx->hidden_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (r < 0)
    return bwrap_error_set (err, errno, "Can't open hidden directory for %s on %s",
                            kind, op->dest);
  return r;
}
