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

/* An object overlayfs could not copy up in a user namespace (its owner is
 * not mapped there: only the caller's uid is) although its mode lets the
 * caller change it.  The mode, not access(2): a read-only layer (a
 * squashfs image) refuses every write on the host, not in the overlay. */
static bool
unmapped_but_writable (const struct stat *st)
{
  return st->st_uid != getuid ()
         && ((st->st_mode & S_IWOTH) || ((st->st_mode & S_IWGRP) && in_group (st->st_gid)));
}

/* The layer's root or a regular file directly in it would fail to copy
 * up: say so now, since the failure comes after the command started. */
static void
warn_unmapped_owner (const char *layer)
{
  cleanup_fd int fd = open (layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st;
  DIR *dir;
  struct dirent *de;
  size_t n = 0;
  const char *found = NULL;
  uid_t owner = 0;

  if (fd < 0 || fstat (fd, &st) != 0)
    return;
  /* A sticky directory (/tmp) is an overlay root: it takes new entries. */
  if (!(st.st_mode & S_ISVTX) && unmapped_but_writable (&st))
    found = layer, owner = st.st_uid;
  dir = fdopendir (fd);
  if (dir == NULL)
    return;
  fd = -1;
  /* Cheap: only the entries directly in the layer, at most a thousand. */
  while (found == NULL && n++ < 1000 && (de = readdir (dir)) != NULL)
    if ((de->d_type == DT_REG || de->d_type == DT_UNKNOWN)
        && fstatat (dirfd (dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0
        && S_ISREG (st.st_mode) && unmapped_but_writable (&st))
      found = de->d_name, owner = st.st_uid;
  if (found != NULL)
    warn_msg ("warning: --overlay-src %s: %s%s is owned by uid %u, which the sandbox cannot map: "
              "its files can be read and replaced, but changing one in place %s. "
              "Present the files as owned by you (e.g. with the FUSE server's uid option)",
              layer, found == layer ? "" : "its file ", found == layer ? "its root" : found,
              (unsigned) owner, eoverflow);
  closedir (dir);
}

/* Diagnose up front what only the running command would meet: for
 * writable overlays in a user namespace. */
static void
warn_limits (const struct setup_op *op, const struct split_table *table)
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
          const char *rel = split_relative (table->mounts[i].path, layer);
          if (rel != NULL && *rel != '\0' && strcmp (table->mounts[i].fstype, "overlay") == 0)
            warn_msg ("warning: %s (below --overlay-src %s) is an overlayfs mount: in a user "
                      "namespace, changing or deleting its existing files %s; new files work",
                      table->mounts[i].path, layer, eoverflow);
        }
      warn_unmapped_owner (layer);
    }
}

int
overlay_split_preflight (struct setup_op *op, bool has_userns, struct bwrap_error *err)
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
  if (has_userns && op->kind != SETUP_OP_RO_OVERLAY)
    warn_limits (op, &table);
  split_table_free (&table);
  return 0;
}
