/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-split.h: splitting an overlay whose layers contain mounts.
 * overlayfs cannot take a layer with mounts below it (in a user namespace
 * the kernel refuses the locked mounts; as real root it silently shows the
 * empty mount points), so such an overlay becomes several: a recreated
 * directory skeleton plus one piece per subtree without mounts.  This part
 * is pure (no syscalls): it computes the split points from a mount table
 * (mountinfo.h); overlay-split-mount.c executes the result in the sandbox process. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "mountinfo.h"
#include "utils.h"

/* Whether a filesystem of this type can be an overlayfs lower layer.
 * Kernel-internal and pseudo filesystems (proc, sysfs, devpts, cgroup...)
 * cannot, or must not be copied up from: they are bound read-only. */
bool split_fstype_is_layer (const char *fstype);

enum split_node_kind
{
  SPLIT_NODE_SKELETON,   /* directory with a split point below it: recreated,
                            each other entry becomes a piece of its own */
  SPLIT_NODE_OVERLAY,    /* mount point of a layer-capable fs: own overlay */
  SPLIT_NODE_BIND,       /* mount point of another fs: read-only bind */
  SPLIT_NODE_EXCLUDED,   /* RWSRC or WORKDIR inside a layer where it would
                            be a piece: shown empty */
};

struct split_node
{
  char *rel;                  /* path relative to DEST ("" for DEST) */
  enum split_node_kind kind;
  size_t layer;               /* BIND: index (bottom first) of the layer
                                 whose mount is bound */
};

/* The computed split of one overlay op: nodes sorted so that every
 * directory comes before anything below it. */
struct overlay_split
{
  struct split_node *nodes;
  size_t n_nodes;
};

/* Compute the split of an overlay with n_layers canonical layer paths
 * (bottom first), given the caller's mount table and n_excluded canonical
 * paths (RWSRC, WORKDIR).  Every mount strictly below a layer at relative
 * path P makes P a split point for all layers.  An excluded path is no
 * split point of its own: it is marked excluded only where it would be a
 * piece (a mount point, or an entry of a recreated directory); elsewhere
 * it stays inside its piece's lower, which overlay-cover.c deals with.
 * Points below a bound or excluded point are dropped (covered).  *ret is
 * NULL when nothing needs splitting.  Never fails except on OOM (dies). */
void overlay_split_compute (char *const *layers, size_t n_layers,
                            const struct mount_table *mounts,
                            char *const *excluded, size_t n_excluded,
                            struct overlay_split **ret);
void overlay_split_free (struct overlay_split *split);

/* The node for rel, or NULL. */
const struct split_node *overlay_split_find (const struct overlay_split *split,
                                             const char *rel);

/* Path of canonical absolute path below canonical absolute base, relative
 * to it ("" when equal), or NULL when path is not base or below it.
 * Points into path. */
const char *split_relative (const char *path, const char *base);

/* The name of node_rel when it lies directly in directory rel ("" for
 * the root), else NULL.  Points into node_rel. */
const char *split_relative_child (const char *node_rel, const char *rel);

struct setup_op;

/* Preflight (caller's process, not pure: reads /proc/self/mountinfo):
 * compute op->split for an overlay op whose layers, RWSRC and WORKDIR are
 * resolved, and, when the sandbox will have a user namespace, print one
 * "warning:" line for each layer whose existing files the command will
 * not be able to change (a layer on overlayfs, files whose uid or gid is
 * not mapped that the caller may write, in the layer or one directory
 * down).  0 or -errno with err filled.  In
 * overlay-split-preflight.c. */
int overlay_split_preflight (struct setup_op *op, bool has_userns, struct bwrap_error *err);
