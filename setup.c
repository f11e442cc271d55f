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
#include <sys/stat.h>
#include <unistd.h>

#include "bind-mount.h"
#include "files.h"
#include "mount-fs.h"
#include "overlay.h"
#include "overlay-cover.h"
#include "overlay-split-mount.h"
#include "privop.h"
#include "resolve.h"
#include "root-switch.h"
#include "setup-ctx.h"

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
  int r;

  if (dest_fd < 0)
    return dest_fd;
  if (op->split != NULL)
    r = overlay_split_mount (op, ctx, dest_fd, err);
  else
    r = overlay_mount (op, ctx->oldroot_fd, ctx->hidden_fd, dest_fd, ctx->proc_fd_dir, err);
  /* RWSRC or WORKDIR inside a layer: out of the command's reach before
   * anything else is mounted (issue 27; overlay-cover.c). */
  return r < 0 ? r : overlay_cover_upper (op, ctx, err);
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

  switch_root (root_switch_to_setup_root, PRIVOP_SETUP_ROOT);
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
  switch_root (root_switch_to_new_root, PRIVOP_ENTER_NEW_ROOT);
}
