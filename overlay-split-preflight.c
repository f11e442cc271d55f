/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-split-preflight.c: read the caller's mount table and decide
 * whether (and where) an overlay op must be split.  Runs in the caller's
 * process during preflight, before any namespace exists, with the
 * caller's rights. */
#include "overlay-split.h"

#include <fcntl.h>

#include "plan.h"

/* mountinfo of a busy host can be large; this bounds what we read. */
#define MOUNTINFO_MAX (64u << 20)

int
overlay_split_preflight (struct setup_op *op, struct bwrap_error *err)
{
  cleanup_fd int fd = open ("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  cleanup_free char *text = NULL;
  struct split_table table = { 0 };
  char *excluded[2] = { op->resolved_source, op->resolved_workdir };
  size_t len;
  int r;

  if (fd < 0)
    return bwrap_error_set (err, errno, "Can't read /proc/self/mountinfo");
  r = read_fd_all (fd, MOUNTINFO_MAX, &text, &len);
  if (r < 0)
    return bwrap_error_set (err, -r, "Can't read /proc/self/mountinfo");
  r = split_parse_mountinfo (text, &table, err);
  if (r < 0)
    return r;
  overlay_split_free (op->split);
  overlay_split_compute (op->resolved_layers, op->n_layers, &table,
                         excluded, op->kind == SETUP_OP_OVERLAY ? 2 : 0, &op->split);
  split_table_free (&table);
  return 0;
}
