/* SPDX-License-Identifier: LGPL-2.0-or-later
 * plan.c: construction and destruction of struct plan.  Pure. */
#include "plan.h"

#include <string.h>

#include "overlay-split.h"
#include "utils.h"

void
plan_init (struct plan *plan)
{
  memset (plan, 0, sizeof *plan);
  plan->userns_fd = plan->userns2_fd = plan->pidns_fd = -1;
  plan->info_fd = plan->json_status_fd = plan->block_fd = -1;
  plan->userns_block_fd = plan->sync_fd = plan->seccomp_fd = -1;
}

static void
setup_op_free (struct setup_op *op)
{
  free (op->source);
  free (op->workdir);
  free (op->dest);
  for (size_t i = 0; i < op->n_layers; i++)
    {
      free (op->layers[i]);
      if (op->resolved_layers)
        free (op->resolved_layers[i]);
    }
  free (op->layers);
  free (op->resolved_layers);
  free (op->resolved_source);
  free (op->resolved_workdir);
  overlay_split_free (op->split);
}

void
plan_free (struct plan *plan)
{
  for (size_t i = 0; i < plan->n_ops; i++)
    setup_op_free (&plan->ops[i]);
  free (plan->ops);
  for (size_t i = 0; i < plan->n_env_edits; i++)
    {
      free (plan->env_edits[i].name);
      free (plan->env_edits[i].value);
    }
  free (plan->env_edits);
  free (plan->cap_edits);
  for (size_t i = 0; i < plan->n_lock_files; i++)
    free (plan->lock_files[i]);
  free (plan->lock_files);
  free (plan->add_seccomp_fds);
  for (size_t i = 0; i < plan->n_command; i++)
    free (plan->command[i]);
  free (plan->command);
  for (size_t i = 0; i < plan->n_warnings; i++)
    free (plan->warnings[i]);
  free (plan->warnings);
  free (plan->chdir_path);
  free (plan->argv0);
  free (plan->exec_label);
  free (plan->file_label);
  plan_init (plan);
}

struct setup_op *
plan_add_op (struct plan *plan, enum setup_op_kind kind)
{
  struct setup_op *op;
  plan->ops = xappend (plan->ops, &plan->n_ops, sizeof *plan->ops);
  op = &plan->ops[plan->n_ops - 1];
  op->kind = kind;
  op->fd = -1;
  return op;
}

bool
plan_has_op (const struct plan *plan, enum setup_op_kind kind)
{
  for (size_t i = 0; i < plan->n_ops; i++)
    if (plan->ops[i].kind == kind)
      return true;
  return false;
}

const char *
setup_op_kind_name (enum setup_op_kind kind)
{
  switch (kind)
    {
    case SETUP_OP_BIND: return "--bind";
    case SETUP_OP_RO_BIND: return "--ro-bind";
    case SETUP_OP_DEV_BIND: return "--dev-bind";
    case SETUP_OP_BIND_FD: return "--bind-fd";
    case SETUP_OP_RO_BIND_FD: return "--ro-bind-fd";
    case SETUP_OP_REMOUNT_RO: return "--remount-ro";
    case SETUP_OP_PROC: return "--proc";
    case SETUP_OP_DEV: return "--dev";
    case SETUP_OP_TMPFS: return "--tmpfs";
    case SETUP_OP_MQUEUE: return "--mqueue";
    case SETUP_OP_DIR: return "--dir";
    case SETUP_OP_FILE: return "--file";
    case SETUP_OP_BIND_DATA: return "--bind-data";
    case SETUP_OP_RO_BIND_DATA: return "--ro-bind-data";
    case SETUP_OP_SYMLINK: return "--symlink";
    case SETUP_OP_CHMOD: return "--chmod";
    case SETUP_OP_OVERLAY: return "--overlay";
    case SETUP_OP_TMP_OVERLAY: return "--tmp-overlay";
    case SETUP_OP_RO_OVERLAY: return "--ro-overlay";
    case SETUP_OP_SET_HOSTNAME: return "--hostname";
    default: return "?";
    }
}
