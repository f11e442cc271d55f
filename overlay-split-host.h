/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-split-host.h: host-side helpers of a split overlay's setup:
 * looking host entries up in the layers, recreating directories with the
 * host's owner and mode (or the caller's rights where the owner is not
 * mapped), finding directories that can be searched but not listed, and
 * preparing upper directories overlayfs could not copy up.
 * Runs in the sandbox setup process inside the new user + mount
 * namespace; host paths are reached only through the caller's old root
 * with RESOLVE_IN_ROOT. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "utils.h"

/* Who owns what, seen from the setup process's user namespace. */
struct split_owners
{
  bool has_userns;  /* false: real root, every owner mapped */
  uid_t overflow;   /* the uid an unmapped owner shows as */
};

/* The setup process's view of owners (reads /proc/self/uid_map and the
 * overflow uid through the old root). */
struct split_owners split_owners_of (int oldroot_fd);

/* "a/b" from a and b, either may be "" (malloc'd). */
char *split_join (const char *a, const char *b);

/* Open layers[l]/rel through the caller's root (oldroot_fd) with
 * RESOLVE_IN_ROOT; flags as for openat.  fd or -errno. */
int split_open_host (int oldroot_fd, char *const *layers, size_t l, const char *rel, int flags);

/* The topmost of n_layers layers (bottom first) with an entry at rel: an
 * O_PATH|O_NOFOLLOW fd, its lstat in *ret_st, its index in *ret_layer.
 * -ENOENT when no layer has one. */
int split_top_entry (int oldroot_fd, char *const *layers, size_t n_layers, const char *rel,
                     struct stat *ret_st, size_t *ret_layer);

/* The layers (indices, bottom first, into out: room for n_layers) that
 * show a directory at rel: a non-directory in a layer hides everything
 * below it, as overlayfs would.  Returns how many. */
size_t split_dir_layers (int oldroot_fd, char *const *layers, size_t n_layers, const char *rel,
                         size_t *out);

/* A skeleton directory at rel that the caller may search but not list
 * (mode 0711 of another owner) cannot be recreated: its entries are
 * unknown.  Nor can the kernel show it without the mounts below it: a
 * bind that is not recursive and an overlay layer are both refused where
 * those mounts are locked (a user namespace).  When only one layer has a
 * directory at rel and it is such a directory, returns that layer's
 * index: the directory is to be shown as it is, read-only; else -1.
 * Prints one warning line (DEST named) whenever such a directory is met. */
ssize_t split_search_only_layer (int oldroot_fd, char *const *layers, size_t n_layers,
                                 const char *rel, const char *dest);

/* rwx bits the caller has on name in dir_fd ("" for dir_fd itself) with
 * lstat st, whose owner is not mapped. */
mode_t split_caller_access (int dir_fd, const char *name, const struct stat *st);

/* Give dir_fd/name the owner and mode of host (lstat of host_fd); where
 * the owner cannot be set, the owner bits become the caller's rights. */
void split_copy_attrs (int dir_fd, const char *name, const struct stat *host, int host_fd,
                       const char *proc_fd_dir);

/* Create dir_fd/name like host: a directory, or an empty file (a mount
 * point for a non-directory), with split_copy_attrs.  EEXIST is fine.
 * 0 or -errno. */
int split_make_like (int dir_fd, const char *name, const struct stat *host, int host_fd,
                     const char *proc_fd_dir);

/* Create directory rel and its missing parents below root_fd (resolved
 * in it), each like the topmost layer's host directory at that path.
 * 0 or -errno. */
int split_make_dir_chain (int root_fd, int oldroot_fd, char *const *layers, size_t n_layers,
                          const char *rel, const char *proc_fd_dir);

/* overlay_split_prepare_upper with the owners already known. */
void split_prepare_upper (int oldroot_fd, char *const *layers, size_t n_layers, const char *rel,
                          int upper_fd, const char *proc_fd_dir, const struct split_owners *owners);

/* Before an overlay with the upper directory upper_fd is mounted over the
 * host directory `rel` of the layers (bottom first): when host files of
 * other owners are not mapped (a user namespace) and the topmost layer's
 * directory at rel belongs to one of them, create in the upper
 * directory the directories within two levels of the layers' roots (at
 * least the piece's own entries) that the caller may write into on the
 * host but whose owner is not mapped (/tmp, /var/tmp), and the caller's
 * own directories below such owners (a home directory), so that overlayfs
 * never needs to copy up a directory it cannot give its owner.  Best
 * effort: failures leave the overlay as it would have been. */
void overlay_split_prepare_upper (int oldroot_fd, char *const *layers, size_t n_layers,
                                  const char *rel, int upper_fd, const char *proc_fd_dir);
