/* SPDX-License-Identifier: LGPL-2.0-or-later
 * mount-legacy-table.h: the mount table behind mount-legacy.c's recursive
 * remount, pure: /proc/self/mountinfo text parsed into entries, the
 * per-mount option words as MS_* bits, and the questions the remount asks
 * of the table's structure (which mounts a bind brought, which stand
 * stacked on which, which FUSE mounts admit only another user).  No
 * system call; runs wherever mount-legacy.c runs (the sandbox setup
 * process, setuid mode's peer) and in unit tests. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct mount_entry
{
  int id, parent;
  char *mount_point;     /* unescaped, as seen from the reader's root */
  char *options;         /* per-mount options: "ro,nosuid,relatime" */
  char *fstype;          /* "ext4", "fuse.squashfuse", ... */
  char *super_options;   /* the filesystem's: "rw,user_id=1000,..." */
};

struct mount_table
{
  struct mount_entry *entries;
  size_t n;
};

/* Parse mountinfo text into ret (appending, in the file's order).  A line
 * of another shape is -EINVAL: a mount skipped here would be a mount left
 * without its flags. */
int mount_table_parse (const char *text, struct mount_table *ret);
void mount_table_clear (struct mount_table *t);

/* Index of the entry with mount id id, or -1. */
ssize_t mount_table_find (const struct mount_table *t, int id);

/* Per-mount options (mountinfo's sixth field) as MS_* bits.  Every word
 * the kernel prints there is known (ro, rw, nosuid, nodev, noexec,
 * noatime, nodiratime, relatime, nosymfollow, idmapped; strictatime has
 * none); any other gives -EINVAL and the word in *ret_unknown (free it),
 * so that a flag of a newer kernel is never dropped by a remount. */
int mount_options_to_flags (const char *options, unsigned long *ret_flags, char **ret_unknown);

/* Mark in in_tree (t->n entries, zeroed by the caller) the entry top_id
 * and every entry below it by parent links. */
void mount_table_mark_tree (const struct mount_table *t, int top_id, bool *in_tree);

/* Whether ancestor_id is a strict ancestor of entry i by parent links. */
bool mount_table_is_ancestor (const struct mount_table *t, int ancestor_id, size_t i);

/* The child of ancestor_id on entry i's parent chain (i itself when its
 * parent is ancestor_id), or -1 when ancestor_id is no ancestor of i. */
ssize_t mount_table_child_toward (const struct mount_table *t, size_t i, int ancestor_id);

/* Whether upper stands stacked on lower's root as far as the table can
 * tell: upper != lower, and every step of upper's parent chain down to
 * lower is a child showing the same mount point as its parent (a mount
 * point string alone proves nothing: mountinfo is not read atomically
 * against renames; mount-legacy.c confirms a stack with the kernel). */
bool mount_table_is_stacked (const struct mount_table *t, size_t upper, size_t lower);

/* The first entry marked in in_tree that shows the same mount point as
 * another marked entry without either being stacked on the other, or -1.
 * Two mounts at one path are a stack; anything else means the table was
 * read while a directory was renamed, and then no entry may be skipped
 * for being covered. */
ssize_t mount_table_unstacked_twin (const struct mount_table *t, const bool *in_tree);

/* Whether e is a FUSE mount that admits only processes whose uid and gid
 * are its owner's (no allow_other), and that owner (user_id, group_id as
 * its super options show them) is not uid/gid.  The kernel refuses every
 * lookup, stat and open there to everyone else before the daemon is
 * asked, for as long as the mount exists. */
bool mount_entry_is_foreign_fuse (const struct mount_entry *e, unsigned uid, unsigned gid);

/* The id the "inside outside count" lines of a uid_map or gid_map text
 * map inside to.  0, or -ENOENT when no line maps it. */
int mount_id_map_outside (const char *map, unsigned inside, unsigned *ret_outside);
