/* SPDX-License-Identifier: LGPL-2.0-or-later
 * mount-fs.c: new filesystem instances (--tmpfs, --proc, --mqueue, --dev).
 * Runs in the sandbox setup process, inside its user + mount namespace,
 * with that namespace's capabilities.  Mounts are created detached with
 * the new mount API and attached on an fd resolved inside the new root,
 * so no path is looked up twice. */
#include "mount-fs.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "bind-mount.h"
#include "kernel-api.h"
#include "mount-legacy.h"
#include "privop.h"
#include "resolve.h"

static char *
read_fs_log (int fs_fd)
{
  char buf[1024];
  char *msg = NULL;
  ssize_t n;

  /* Each read returns one message ("e overlay: ..."); keep the last error. */
  while ((n = read (fs_fd, buf, sizeof buf - 1)) > 0)
    {
      buf[n] = '\0';
      if (n > 0 && buf[n - 1] == '\n')
        buf[n - 1] = '\0';
      free (msg);
      msg = xstrdup (buf[0] != '\0' && buf[1] == ' ' ? buf + 2 : buf);
    }
  return msg;
}

/* The new mount API.  On failure *ret_sysno names the call; nothing is
 * attached until move_mount succeeds. */
static int
new_fs_new_api (const char *fstype, const char *const *config, unsigned attrs,
                int dest_fd, char **ret_kernel_msg, long *ret_sysno)
{
  cleanup_fd int fs = -1;
  cleanup_fd int mnt = -1;
  int saved;

  *ret_sysno = SYS_fsopen;
  fs = fsopen (fstype, FSOPEN_CLOEXEC);
  if (fs < 0)
    return -errno;
  *ret_sysno = SYS_fsconfig;
  /* The source names the type, as bubblewrap's mount(2) calls do:
   * mountinfo, findmnt and df show it, and would say "none" without. */
  if (fsconfig (fs, FSCONFIG_SET_STRING, "source", fstype, 0) != 0)
    goto fail;
  for (size_t i = 0; config != NULL && config[i] != NULL; i += 2)
    {
      int r = config[i + 1] == NULL
        ? fsconfig (fs, FSCONFIG_SET_FLAG, config[i], NULL, 0)
        : fsconfig (fs, FSCONFIG_SET_STRING, config[i], config[i + 1], 0);
      if (r != 0)
        goto fail;
    }
  if (fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0)
    goto fail;
  *ret_sysno = SYS_fsmount;
  mnt = fsmount (fs, FSMOUNT_CLOEXEC, attrs);
  if (mnt < 0)
    goto fail;
  *ret_sysno = SYS_move_mount;
  if (move_mount (mnt, "", dest_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return -errno;
  return 0;

fail:
  saved = errno;
  if (ret_kernel_msg != NULL)
    *ret_kernel_msg = read_fs_log (fs);
  return -saved;
}

int
mount_new_fs (const char *fstype, const char *const *config, unsigned attrs,
              int dest_fd, char **ret_kernel_msg)
{
  long sysno = 0;
  int r;

  if (ret_kernel_msg != NULL)
    *ret_kernel_msg = NULL;
  if (privop_client_active ())
    return privop_mount_fs (fstype, config, attrs, dest_fd, ret_kernel_msg);
  if (!kernel_api_is_legacy (KERNEL_API_MOUNT))
    {
      r = new_fs_new_api (fstype, config, attrs, dest_fd, ret_kernel_msg, &sysno);
      if (r == 0 || !kernel_api_unavailable (KERNEL_API_MOUNT, sysno, -r))
        return r;
      if (ret_kernel_msg != NULL)
        {
          free (*ret_kernel_msg);
          *ret_kernel_msg = NULL;
        }
    }
  return mount_legacy_new_fs (fstype, config, attrs, dest_fd);
}

/* bubblewrap replaces a mount ENOSPC (mount-max reached) by a hint. */
static int
mount_error (struct bwrap_error *err, int r, const char *what, const char *dest)
{
  if (r == -ENOSPC)
    return bwrap_error_set (err, 0, "Can't mount %s on /newroot/%s: Limit exceeded (ENOSPC). "
                            "(Hint: Check that /proc/sys/fs/mount-max is sufficient, typically 100000)",
                            what, path_skip_slashes (dest));
  return bwrap_error_set (err, -r, "Can't mount %s on /newroot/%s", what,
                          path_skip_slashes (dest));
}

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
  r = mount_new_fs (fstype, config, attrs, dest_fd, NULL);
  if (r < 0)
    return mount_error (err, r, what, op->dest);
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
  r = mount_new_fs ("tmpfs", config, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, dest_fd, NULL);
  if (r < 0)
    return mount_error (err, r, "tmpfs", op->dest);
  return 0;
}

int
mqueue_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  return mount_on_dir ("mqueue", NULL, 0, op, ctx, "mqueue", err);
}

/* Cover a writable /proc entry with a read-only bind of itself: the
 * sandbox must not change host-wide kernel settings through it. */
static int
proc_protect (int proc_fd, const char *name, const char *dest, struct bwrap_error *err)
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
  r = bind_mount_fd (fd, fd, BIND_READONLY);
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
    r = mount_new_fs ("proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                      dest_fd, NULL);
  else
    {
      /* Without our own pid namespace a new procfs would show the same
       * processes; bind the caller's, as bubblewrap does. */
      cleanup_fd int host_proc = resolve_open (ctx->oldroot_fd, "/proc", O_PATH | O_DIRECTORY);
      r = host_proc < 0 ? host_proc : bind_mount_fd (host_proc, dest_fd, 0);
    }
  if (r < 0)
    return mount_error (err, r, "proc", op->dest);

  proc_fd = resolve_open (ctx->newroot_fd, op->dest, O_PATH | O_DIRECTORY);
  if (proc_fd < 0)
    return mount_error (err, proc_fd, "proc", op->dest);
  for (size_t i = 0; i < N_ELEMENTS (covered); i++)
    {
      r = proc_protect (proc_fd, covered[i], op->dest, err);
      if (r < 0)
        return r;
    }
  return 0;
}
