/* SPDX-License-Identifier: LGPL-2.0-or-later
 * dev.c: --dev, the minimal /dev bubblewrap makes: a tmpfs with binds of
 * a few host device nodes, the usual symlinks, a private devpts instance
 * and shm.  Runs in the sandbox process inside its user + mount
 * namespace.  Only the listed harmless nodes are bound: the sandbox gets
 * no disks, no /dev/mem, no host ptys. */
#include "mount-fs.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount-error.h"
#include "resolve.h"

static int
dev_bind_node (int dev_fd, const struct setup_ctx *ctx, const char *host_path,
               const char *name, const char *dest, struct bwrap_error *err)
{
  cleanup_fd int src = -1;
  cleanup_fd int target = -1;
  int r;

  src = resolve_open (ctx->oldroot_fd, host_path, O_PATH);
  if (src < 0)
    return bwrap_error_set (err, -src, "Can't bind mount %s on %s/%s", host_path, dest, name);
  if (mknodat (dev_fd, name, S_IFREG | 0444, 0) != 0 && errno != EEXIST)
    return bwrap_error_set (err, errno, "Can't create file %s/%s", dest, name);
  target = openat (dev_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0)
    return bwrap_error_set (err, errno, "Can't create file %s/%s", dest, name);
  /* BIND_DEVICES: the nodes must stay usable; nosuid is still added. */
  r = ctx->mnt->bind (src, target, BIND_DEVICES, NULL);
  if (r < 0)
    return bwrap_error_set (err, -r, "Can't bind mount %s on %s/%s", host_path, dest, name);
  return 0;
}

int
dev_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
  static const char *const links[][2] = {
    { "stdin", "/proc/self/fd/0" },
    { "stdout", "/proc/self/fd/1" },
    { "stderr", "/proc/self/fd/2" },
    { "fd", "/proc/self/fd" },
    { "core", "/proc/kcore" },
  };
  static const char *const devpts_config[] = {
    "newinstance", NULL, "ptmxmode", "0666", "mode", "620", NULL,
  };
  const char *tmpfs_config[] = { "mode", "0755", NULL, NULL, NULL };
  const char *dest = op->dest;
  cleanup_fd int dest_fd = -1;
  cleanup_fd int dev_fd = -1;
  cleanup_fd int pts_fd = -1;
  int r;

  dest_fd = resolve_mount_point (ctx->newroot_fd, dest, true, err);
  if (dest_fd < 0)
    return dest_fd;
  if (ctx->plan->file_label != NULL)
    {
      tmpfs_config[2] = "context";
      tmpfs_config[3] = ctx->plan->file_label;
    }
  r = ctx->mnt->new_fs ("tmpfs", tmpfs_config, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, dest_fd, NULL);
  if (r < 0)
    return mount_error_newroot (err, -r, NULL, "Can't mount tmpfs", dest, NULL);
  /* Re-resolve: dest_fd still names the directory under the new tmpfs. */
  dev_fd = resolve_open (ctx->newroot_fd, dest, O_PATH | O_DIRECTORY);
  if (dev_fd < 0)
    return bwrap_error_set (err, -dev_fd, "Can't open %s", dest);

  for (size_t i = 0; i < N_ELEMENTS (nodes); i++)
    {
      cleanup_free char *host = xasprintf ("/dev/%s", nodes[i]);
      r = dev_bind_node (dev_fd, ctx, host, nodes[i], dest, err);
      if (r < 0)
        return r;
    }
  for (size_t i = 0; i < N_ELEMENTS (links); i++)
    if (symlinkat (links[i][1], dev_fd, links[i][0]) != 0)
      return bwrap_error_set (err, errno, "Can't create symlink %s/%s", dest, links[i][0]);

  if (mkdirat (dev_fd, "shm", 0755) != 0)
    return bwrap_error_set (err, errno, "Can't create %s/shm", dest);
  if (mkdirat (dev_fd, "pts", 0755) != 0)
    return bwrap_error_set (err, errno, "Can't create %s/devpts", dest);
  pts_fd = openat (dev_fd, "pts", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (pts_fd < 0)
    return bwrap_error_set (err, errno, "Can't create %s/devpts", dest);
  /* A private devpts instance: the sandbox sees only ptys it creates. */
  r = ctx->mnt->new_fs ("devpts", devpts_config, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, pts_fd,
                        NULL);
  if (r < 0)
    {
      cleanup_free char *pts = xasprintf ("%s/pts", dest);
      return mount_error_newroot (err, -r, NULL, "Can't mount devpts", pts, NULL);
    }
  if (symlinkat ("pts/ptmx", dev_fd, "ptmx") != 0)
    return bwrap_error_set (err, errno, "Can't make symlink at %s/ptmx", dest);

  /* Only when our stdout is a terminal, as bubblewrap does: give the
   * sandbox that terminal as /dev/console. */
  if (isatty (STDOUT_FILENO))
    {
      /* ttyname() needs /proc at its usual place, which the setup root
       * lacks; read the same link through the old root's procfs. */
      cleanup_free char *link = setup_fd_path (ctx, STDOUT_FILENO);
      char tty[256];
      ssize_t n = readlink (link, tty, sizeof tty - 1);
      if (n > 0)
        {
          tty[n] = '\0';
          r = dev_bind_node (dev_fd, ctx, tty, "console", dest, err);
          if (r < 0)
            return bwrap_error_set (err, err->errnum, "creating %s/console", dest);
        }
    }
  return 0;
}
