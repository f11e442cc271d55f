/* SPDX-License-Identifier: LGPL-2.0-or-later
 * setup.c: walk the plan's op list and build the sandbox root.
 * Runs in the sandbox setup process, inside the new mount namespace (and
 * user namespace, if any) with that namespace's capabilities.  Layout
 * while ops run (all on a private "setup" tmpfs that becomes "/"):
 *   /newroot   the future sandbox root (a bind of a directory of the
 *              setup tmpfs, nosuid, nodev, 0755)
 *   /oldroot   the caller's root, source of host paths
 *   /hidden    tmp-overlay uppers, --bind-data files: reachable by neither
 *              host nor sandbox, gone with the namespace */
#include "setup.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bind-mount.h"
#include "files.h"
#include "mount-fs.h"
#include "overlay.h"
#include "overlay-split-mount.h"
#include "privop.h"
#include "resolve.h"

char *
setup_fd_path (const struct setup_ctx *ctx, int fd)
{
  return xasprintf ("%s/%d", ctx->proc_fd_dir, fd);
}

static int
pivot_root (const char *new_root, const char *put_old)
{
  return syscall (SYS_pivot_root, new_root, put_old);
}

static int
hostname_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  int r = privop_client_active () ? privop_hostname (op->source)
          : sethostname (op->source, strlen (op->source)) == 0 ? 0 : -errno;

  if (r < 0)
    return bwrap_error_set (err, -r, "Can't set hostname to %s", op->source);
  return 0;
}

static int
overlay_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  cleanup_fd int dest_fd = resolve_mount_point (ctx->newroot_fd, op->dest, true, err);
  if (dest_fd < 0)
    return dest_fd;
  if (op->split != NULL)
    return overlay_split_mount (op, ctx, dest_fd, err);
  return overlay_mount (op, ctx->oldroot_fd, ctx->hidden_fd, dest_fd, ctx->proc_fd_dir, err);
}

static int
run_op (const struct setup_op *op, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  switch (op->kind)
    {
    case SETUP_OP_BIND:
    case SETUP_OP_RO_BIND:
    case SETUP_OP_DEV_BIND:
      return bind_mount_op (op, ctx, err);
    case SETUP_OP_BIND_FD:
    case SETUP_OP_RO_BIND_FD:
      return bind_fd_op (op, ctx, err);
    case SETUP_OP_REMOUNT_RO:
      return remount_ro_op (op, ctx, err);
    case SETUP_OP_PROC:
      return proc_op (op, ctx, err);
    case SETUP_OP_DEV:
      return dev_op (op, ctx, err);
    case SETUP_OP_TMPFS:
      return tmpfs_op (op, ctx, err);
    case SETUP_OP_MQUEUE:
      return mqueue_op (op, ctx, err);
    case SETUP_OP_DIR:
      return dir_op (op, ctx, err);
    case SETUP_OP_FILE:
      return file_op (op, ctx, err);
    case SETUP_OP_BIND_DATA:
    case SETUP_OP_RO_BIND_DATA:
      return bind_data_op (op, ctx, err);
    case SETUP_OP_SYMLINK:
      return symlink_op (op, ctx, err);
    case SETUP_OP_CHMOD:
      return chmod_op (op, ctx, err);
    case SETUP_OP_OVERLAY:
    case SETUP_OP_TMP_OVERLAY:
    case SETUP_OP_RO_OVERLAY:
      return overlay_op (op, ctx, err);
    case SETUP_OP_SET_HOSTNAME:
      return hostname_op (op, ctx, err);
    default:
      return bwrap_error_set (err, 0, "internal error: unknown setup op %d", (int) op->kind);
    }
}

/* Mount the setup tmpfs on /tmp and make it "/", with the caller's root
 * at /oldroot.  /tmp is only a place to stand: after pivot_root the
 * caller's /tmp is visible again under /oldroot/tmp. */
int
setup_enter_setup_root (struct bwrap_error *err)
{
  /* Must come first: from now on no mount we make propagates back to the
   * caller's namespace, while host mount events still reach us. */
  if (mount (NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) != 0)
    return bwrap_error_set (err, errno, "Failed to make / slave");
  /* No mode= option: chmod instead, so that mountinfo shows the options
   * bubblewrap's setup tmpfs has, for the root and --bind-data files.
   * The new root is a bind of a directory of this tmpfs, as bubblewrap's
   * (mountinfo: root "/newroot", source "tmpfs"), not a tmpfs of its own. */
  if (mount ("tmpfs", "/tmp", "tmpfs", MS_NODEV | MS_NOSUID, NULL) != 0)
    return bwrap_error_set (err, errno, "Failed to mount tmpfs");
  if (chdir ("/tmp") != 0)
    return bwrap_error_set (err, errno, "chdir /tmp");
  if (chmod (".", 0755) != 0)
    return bwrap_error_set (err, errno, "chmod setup root");
  if (mkdir ("newroot", 0755) != 0 || mkdir ("oldroot", 0755) != 0 || mkdir ("hidden", 0700) != 0)
    return bwrap_error_set (err, errno, "Creating setup directories failed");
  if (mount ("newroot", "newroot", NULL, MS_BIND | MS_REC, NULL) != 0)
    return bwrap_error_set (err, errno, "Failed to make the new root a mount");
  if (pivot_root (".", "oldroot") != 0)
    return bwrap_error_set (err, errno, "pivot_root");
  if (chdir ("/") != 0)
    return bwrap_error_set (err, errno, "chdir / (after pivot_root)");
  return 0;
}

/* Detach the caller's root and make /newroot "/".  In setuid mode the
 * setup process may have changed anything it owns in the setup root, but
 * /oldroot and /newroot are mount points, which it can neither rename nor
 * remove: these paths still name what this function expects. */
int
setup_enter_new_root (struct bwrap_error *err)
{
  /* Lazy detach: the sandbox must not see the host tree, and busy
   * submounts must not keep it reachable. */
  if (umount2 ("/oldroot", MNT_DETACH) != 0)
    return bwrap_error_set (err, errno, "unmount old root");
  if (chdir ("/newroot") != 0)
    return bwrap_error_set (err, errno, "chdir to the new root");
  /* pivot_root(".", ".") stacks the setup root on top of the new root;
   * unmounting "." then removes the setup root (and /hidden with it). */
  if (pivot_root (".", ".") != 0)
    return bwrap_error_set (err, errno, "pivot_root to the new root");
  if (umount2 (".", MNT_DETACH) != 0)
    return bwrap_error_set (err, errno, "unmount setup root");
  if (chdir ("/") != 0)
    return bwrap_error_set (err, errno, "chdir /");
  return 0;
}

/* One of the two root switches, here or (setuid mode) by the privileged
 * peer.  pivot_root moves the root of every process of the namespace
 * that was on the old one, ours too; our cwd we move ourselves. */
static void
switch_root (int (*local) (struct bwrap_error *), enum privop_kind op)
{
  struct bwrap_error err = { 0 };
  int r = privop_client_active () ? privop_simple (op, &err) : local (&err);

  if (r < 0)
    die_error (&err);
  if (chdir ("/") != 0)
    die_with_error ("chdir /");
}

void
setup_build_root (const struct plan *plan, bool has_pid_ns)
{
  struct setup_ctx ctx = {
    .plan = plan,
    .oldroot_fd = -1,
    .hidden_fd = -1,
    .newroot_fd = -1,
    .proc_fd_dir = "/oldroot/proc/self/fd",
    .has_pid_ns = has_pid_ns,
  };
  struct bwrap_error err = { 0 };

  switch_root (setup_enter_setup_root, PRIVOP_SETUP_ROOT);
  ctx.oldroot_fd = open ("/oldroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
  ctx.hidden_fd = open ("/hidden", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (ctx.oldroot_fd < 0 || ctx.hidden_fd < 0)
    die_with_error ("Can't open setup directories");

  for (size_t i = 0; i < plan->n_ops; i++)
    {
      /* Reopen per op: an earlier op may have mounted on top of the root
       * (an overlay or tmpfs on "/"), and later ops must land on top. */
      ctx.newroot_fd = open ("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (ctx.newroot_fd < 0)
        die_with_error ("Can't open the new root");
      if (run_op (&plan->ops[i], &ctx, &err) < 0)
        die_error (&err);
      (void) close (ctx.newroot_fd);
    }
  (void) close (ctx.oldroot_fd);
  (void) close (ctx.hidden_fd);
  switch_root (setup_enter_new_root, PRIVOP_ENTER_NEW_ROOT);
}
