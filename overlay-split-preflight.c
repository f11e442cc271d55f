/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-split-preflight.c: read the caller's mount table and decide
 * whether (and where) an overlay op must be split; warn up front about
 * kernel limits that would only show once the command runs (copy-up
 * failing with EOVERFLOW in a user namespace).  Runs in the caller's
 * process during preflight, before any namespace exists, with the
 * caller's rights. */
#include "overlay-split.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "plan.h"

/* mountinfo of a busy host can be large; this bounds what we read. */
#define MOUNTINFO_MAX (64u << 20)

#define OVERLAYFS_MAGIC 0x794c7630

static const char eoverflow[] = "fails with \"Value too large for defined data type\" (EOVERFLOW)";

static bool
in_group (gid_t gid)
{
  gid_t groups[256];
  int n = getgroups (N_ELEMENTS (groups), groups);

  if (gid == getegid ())
    return true;
  for (int i = 0; i < n; i++)
    if (groups[i] == gid)
      return true;
  return false;
}

/* Whether the caller may change the file by its mode: the sandbox keeps
 * the caller's uid and groups (setgroups is denied, not emptied).  The
 * mode, not access(2): a read-only layer (a squashfs image) refuses every
 * write on the host, not in the overlay. */
static bool
writable_by_mode (const struct stat *st)
{
  if (st->st_uid == geteuid ())
    return st->st_mode & S_IWUSR;
  if (in_group (st->st_gid))
    return st->st_mode & S_IWGRP;
  return st->st_mode & S_IWOTH;
}

/* overlayfs refuses to copy up (EOVERFLOW) a file whose uid or gid has no
 * mapping in the user namespace; the sandbox's maps only the caller's own
 * uid and gid (process.c, also with --uid and --gid: those are the ids
 * inside).  The id that is not mapped, in *ret_id, and whether it is the
 * group. */
static bool
unmapped_id (const struct stat *st, unsigned *ret_id, bool *ret_is_gid)
{
  *ret_is_gid = st->st_uid == getuid ();
  *ret_id = *ret_is_gid ? (unsigned) st->st_gid : (unsigned) st->st_uid;
  return st->st_uid != getuid () || st->st_gid != getgid ();
}

/* How far the scan below a layer's root looks, breadth first: its files
 * and those one directory down, SCAN_ENTRIES directory entries in all.
 * Measured on a 2-core VM under load with --overlay-src /: 242 entries,
 * about 1 ms of a 45-65 ms start; one level more (/usr/bin) took 10-20 ms,
 * which is why it stops there. */
#define SCAN_DEPTH 2
#define SCAN_ENTRIES 1024

struct scan_dir
{
  char *rel;
  int depth;
};

static char *
child_of (const char *rel, const char *name)
{
  return xasprintf ("%s%s%s", rel, *rel ? "/" : "", name);
}

/* One directory of the scan: a writable file of an unmapped owner
 * (malloc'd path relative to the layer, its lstat in *ret_st), or NULL;
 * subdirectories go to the queue (d by value: the queue may move).  Only
 * what needs it is stat'ed. */
static char *
scan_dir (int root_fd, struct scan_dir d, bool files, struct scan_dir **queue,
          size_t *n_queue, size_t *budget, struct stat *ret_st)
{
  cleanup_fd int fd = openat (root_fd, *d.rel ? d.rel : ".",
                              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  DIR *dir = fd < 0 ? NULL : fdopendir (fd);
  bool dirs = d.depth + 1 < SCAN_DEPTH;
  struct dirent *de;
  char *found = NULL;
  unsigned id;
  bool is_gid;

  if (dir == NULL)
    return NULL;
  fd = -1;
  while (found == NULL && *budget > 0 && (de = readdir (dir)) != NULL)
    {
      bool is_dir = de->d_type == DT_DIR;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      (*budget)--;
      if (de->d_type == DT_UNKNOWN || (de->d_type == DT_REG && files))
        {
          if (fstatat (dirfd (dir), de->d_name, ret_st, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT) != 0)
            continue;
          is_dir = S_ISDIR (ret_st->st_mode);
        }
      else if (!is_dir)
        continue;
      if (is_dir && !dirs)
        continue;
      if (is_dir)
        {
          *queue = xappend (*queue, n_queue, sizeof **queue);
          (*queue)[*n_queue - 1] = (struct scan_dir) { child_of (d.rel, de->d_name), d.depth + 1 };
        }
      else if (files && S_ISREG (ret_st->st_mode) && writable_by_mode (ret_st)
               && unmapped_id (ret_st, &id, &is_gid))
        found = child_of (d.rel, de->d_name);
    }
  closedir (dir);
  return found;
}

/* A file the overlay would fail to copy up although the caller may change
 * it: say so now, since the failure comes after the command started.  The
 * root of an overlay is its upper directory and never copied up; files
 * directly in a recreated directory of a split are copies that belong to
 * the caller, or read-only binds (overlay-split-copy.c), and what a bound
 * or excluded split point holds is no part of any overlay. */
static void
warn_unmapped_owner (const struct setup_op *op, const char *layer)
{
  cleanup_fd int root = open (layer, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct scan_dir *queue = NULL;
  size_t n_queue = 0, budget = SCAN_ENTRIES;
  cleanup_free char *found = NULL;
  struct stat st;
  unsigned id;
  bool is_gid;

  if (root < 0)
    return;
  queue = xappend (queue, &n_queue, sizeof *queue);
  queue[0] = (struct scan_dir) { xstrdup (""), 0 };
  for (size_t i = 0; i < n_queue; i++)
    {
      const struct split_node *node = overlay_split_find (op->split, queue[i].rel);
      if (found == NULL && budget > 0
          && (node == NULL || node->kind == SPLIT_NODE_SKELETON || node->kind == SPLIT_NODE_OVERLAY))
        found = scan_dir (root, queue[i], node == NULL || node->kind != SPLIT_NODE_SKELETON,
                          &queue, &n_queue, &budget, &st);
      free (queue[i].rel);
    }
  free (queue);
  if (found == NULL)
    return;
  (void) unmapped_id (&st, &id, &is_gid);
  warn_msg ("warning: --overlay-src %s: its file %s %s %u, which the sandbox cannot map (it maps "
            "only uid %u and gid %u): changing such a file in place %s. Present the files as "
            "yours (e.g. with the FUSE server's uid and gid options); real root without a user "
            "namespace maps every owner", layer, found, is_gid ? "has group gid" : "is owned by uid",
            id, (unsigned) getuid (), (unsigned) getgid (), eoverflow);
}

/* Diagnose up front what only the running command would meet: for
 * writable overlays in a user namespace. */
static void
warn_limits (const struct setup_op *op, const struct mount_table *table)
{
  for (size_t l = 0; l < op->n_layers; l++)
    {
      const char *layer = op->resolved_layers[l];
      struct statfs sf;
      if (statfs (layer, &sf) == 0 && (uint32_t) sf.f_type == OVERLAYFS_MAGIC)
        warn_msg ("warning: --overlay-src %s is on overlayfs: in a user namespace, changing or "
                  "deleting its existing files %s; new files work. Use a layer on another "
                  "filesystem, or run as root", layer, eoverflow);
      for (size_t i = 0; i < table->n; i++)
        {
          const char *rel = split_relative (table->entries[i].mount_point, layer);
          if (rel != NULL && *rel != '\0' && strcmp (table->entries[i].fstype, "overlay") == 0)
            warn_msg ("warning: %s (below --overlay-src %s) is an overlayfs mount: in a user "
                      "namespace, changing or deleting its existing files %s; new files work",
                      table->entries[i].mount_point, layer, eoverflow);
        }
      warn_unmapped_owner (op, layer);
    }
}

int
overlay_split_preflight (struct setup_op *op, bool has_userns, struct bwrap_error *err)
{
  cleanup_fd int fd = open ("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  cleanup_free char *text = NULL;
  struct mount_table table = { 0 };
  char *excluded[2] = { op->resolved_source, op->resolved_workdir };
  size_t len;
  int r;

  if (fd < 0)
    return bwrap_error_set (err, errno, "Can't read /proc/self/mountinfo");
  r = read_fd_all (fd, MOUNTINFO_MAX, &text, &len);
  if (r < 0)
    return bwrap_error_set (err, -r, "Can't read /proc/self/mountinfo");
  r = mount_table_parse (text, &table);
  if (r < 0)
    {
      mount_table_clear (&table);
      return bwrap_error_set (err, -r, "Can't parse /proc/self/mountinfo");
    }
  overlay_split_free (op->split);
  overlay_split_compute (op->resolved_layers, op->n_layers, &table,
                         excluded, op->kind == SETUP_OP_OVERLAY ? 2 : 0, &op->split);
  if (has_userns && op->kind != SETUP_OP_RO_OVERLAY)
    warn_limits (op, &table);
  mount_table_clear (&table);
  return 0;
}
