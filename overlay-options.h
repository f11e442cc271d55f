/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-options.h: the pure part of overlays: which layer the kernel
 * sees where, the classic mount(2) option string, and the overlap rule
 * of overlay directories.  No system call. */
#pragma once

#include <stddef.h>

#include "utils.h"

/* The one place where the layer order is reversed.  --overlay-src is given
 * bottom layer first (as bubblewrap documents it); the kernel wants lower
 * layers top first, both in "lowerdir=" and in successive "lowerdir+"
 * calls.  The given index of the kernel's k-th layer of n. */
size_t overlay_kernel_layer_index (size_t n, size_t k);

/* Escape '\\', ',' and ':' with a backslash for a mount(2) option value. */
char *overlay_escape_path (const char *path);

/* Build the classic option string
 * "upperdir=U,workdir=W,lowerdir=L_top:...:L_bottom,userxattr" from
 * layers given bottom first (upper/work NULL for read-only).  Fails with
 * -E2BIG and a message when longer than max_len. */
int overlay_build_options (char *const *layers_bottom_first, size_t n_layers,
                           const char *upper, const char *work, size_t max_len,
                           char **ret_options, struct bwrap_error *err);

/* Refuse any path equal to or below another among n canonical paths;
 * names[i] describes paths[i] in the message (e.g. "--overlay-src /a"). */
int overlay_check_overlap (char *const *paths, char *const *names, size_t n,
                           struct bwrap_error *err);
