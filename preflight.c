/* SPDX-License-Identifier: LGPL-2.0-or-later
 * preflight.c: host-side checks of the plan, in the caller's process,
 * before any namespace or mount exists. */
#include "preflight.h"

#include <unistd.h>

#include "bind-mount.h"
#include "overlay-preflight.h"
#include "overlay-split.h"

int
preflight_plan (struct plan *plan, struct bwrap_error *err)
{
  for (size_t i = 0; i < plan->n_ops; i++)
    {
      struct setup_op *op = &plan->ops[i];
      int r = 0;
      switch (op->kind)
        {
        case SETUP_OP_BIND:
        case SETUP_OP_RO_BIND:
        case SETUP_OP_DEV_BIND:
        case SETUP_OP_BIND_FD:
        case SETUP_OP_RO_BIND_FD:
          r = bind_preflight (op, err);
          break;
        case SETUP_OP_OVERLAY:
        case SETUP_OP_TMP_OVERLAY:
        case SETUP_OP_RO_OVERLAY:
          r = overlay_preflight (op, err);
          /* Unprivileged callers always get a user namespace. */
          if (r >= 0)
            r = overlay_split_preflight (op, plan->unshare_user || geteuid () != 0, err);
          break;
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
        case SETUP_OP_SET_HOSTNAME:
          break;   /* nothing on the host to resolve */
        default:
          r = bwrap_error_set (err, 0, "internal error: unknown setup op %d", (int) op->kind);
          break;
        }
      if (r < 0)
        return r;
    }
  return 0;
}
