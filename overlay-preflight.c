/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-preflight.c: the host-side checks of --overlay, --tmp-overlay
 * and --ro-overlay (see overlay-preflight.h).  Runs in the caller's
 * process before any namespace exists, with the caller's uid and no added
 * privilege, so every host path is resolved and checked with the caller's
 * own rights. */
#include "overlay-preflight.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "overlay-options.h"

/* Canonicalise one host directory and check that the caller may use it
 * (access(2) checks the caller's real ids, which is exactly who asked). */
static int
resolve_dir (const char *given, const char *option, int access_mode,
             char **ret_resolved, struct stat *ret_st, struct bwrap_error *err)
{
  cleanup_free char *resolved = realpath (given, NULL);

  if (resolved == NULL)
    return bwrap_error_set (err, errno, "Can't find source path %s", given);
  if (stat (resolved, ret_st) != 0)
    return bwrap_error_set (err, errno, "Can't find source path %s", given);
  if (!S_ISDIR (ret_st->st_mode))
    {
      bwrap_error_set (err, 0, "%s %s: not a directory", option, given);
      return -ENOTDIR;
    }
  if (access (resolved, access_mode) != 0)
    return bwrap_error_set (err, errno, "Can't access %s %s", option, given);
  free (*ret_resolved);
  *ret_resolved = steal_pointer (&resolved);
  return 0;
}

/* Filesystems overlayfs refuses (or cannot sensibly use) as an upper layer:
 * read-only formats, pseudo filesystems, and network/FUSE filesystems whose
 * dentries need revalidation ("not supported as upperdir").  overlayfs
 * itself is left to the kernel, whose message names the directory
 * (tests/integration/test-overlay.sh checks it reaches the user). */
static const struct
{
  uint32_t magic;
  const char *name;
} no_upper_fs[] = {
  { 0x65735546, "FUSE" },
  { 0x73717368, "squashfs" },
  { 0x00009660, "iso9660" },
  { 0x28cd3d45, "cramfs" },
  { 0x00007275, "romfs" },
  { 0xe0f5e1e2, "erofs" },
  { 0x00009fa0, "proc" },
  { 0x62656572, "sysfs" },
  { 0x00001cd1, "devpts" },
  { 0x0027e0eb, "cgroup" },
  { 0x63677270, "cgroup2" },
  { 0x64626720, "debugfs" },
  { 0x74726163, "tracefs" },
  { 0x73636673, "securityfs" },
  { 0xcafe4a11, "bpf" },
  { 0x19800202, "mqueue" },
  { 0x00006969, "NFS" },
  { 0xff534d42, "CIFS" },
  { 0xfe534d42, "SMB2" },
  { 0x01021997, "9p" },
};

static int
check_upper_fs (const char *upper, struct bwrap_error *err)
{
  struct statvfs sv;
  struct statfs sf;

  if (statvfs (upper, &sv) != 0 || statfs (upper, &sf) != 0)
    return bwrap_error_set (err, errno, "--overlay: Can't examine the filesystem of RWSRC %s", upper);
  if (sv.f_flag & ST_RDONLY)
    {
      bwrap_error_set (err, 0, "--overlay: RWSRC %s is on a read-only filesystem", upper);
      return -EROFS;
    }
  for (size_t i = 0; i < N_ELEMENTS (no_upper_fs); i++)
    if ((uint32_t) sf.f_type == no_upper_fs[i].magic)
      {
        bwrap_error_set (err, 0, "--overlay: RWSRC %s is on a %s filesystem, "
                         "which cannot hold an overlay upper layer", upper, no_upper_fs[i].name);
        return -EINVAL;
      }
  return 0;
}

/* overlayfs needs upperdir and workdir on the same mount, not just the
 * same filesystem; name the precise problem. */
static int
check_same_mount (const char *work, const struct stat *work_st,
                  const char *upper, const struct stat *upper_st,
                  struct bwrap_error *err)
{
  struct statx wx, ux;

  if (work_st->st_dev != upper_st->st_dev)
    goto fail;
  if (statx (AT_FDCWD, work, 0, STATX_MNT_ID, &wx) != 0
      || statx (AT_FDCWD, upper, 0, STATX_MNT_ID, &ux) != 0)
    return 0;   /* no mount ids (Linux < 5.8): the kernel will judge */
  if ((wx.stx_mask & STATX_MNT_ID) && (ux.stx_mask & STATX_MNT_ID)
      && wx.stx_mnt_id != ux.stx_mnt_id)
    {
      bwrap_error_set (err, 0, "--overlay: WORKDIR %s and RWSRC %s must be on the same mount", work, upper);
      return -EXDEV;
    }
  return 0;

fail:
  bwrap_error_set (err, 0, "--overlay: WORKDIR %s and RWSRC %s must be on the same filesystem", work, upper);
  return -EXDEV;
}

/* A work directory must be empty, except for what overlayfs itself leaves
 * there after a mount ("work", and "index" when indexing was on; they can be
 * mode 000).  Refusing those would make a workdir single-use. */
static int
check_workdir_empty (const char *work, struct bwrap_error *err)
{
  int fd = open (work, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir;
  struct dirent *de;
  int r = 0;

  if (fd < 0)
    return bwrap_error_set (err, errno, "--overlay: Can't read WORKDIR %s", work);
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      int saved = errno;
      close (fd);
      return bwrap_error_set (err, saved, "--overlay: Can't read WORKDIR %s", work);
    }
  while ((de = readdir (dir)) != NULL)
    {
      struct stat st;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      /* "bwrap-split": the work directories of a split overlay's pieces. */
      if ((strcmp (de->d_name, "work") == 0 || strcmp (de->d_name, "index") == 0
           || strcmp (de->d_name, "bwrap-split") == 0)
          && fstatat (dirfd (dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0
          && S_ISDIR (st.st_mode))
        continue;
      bwrap_error_set (err, 0, "--overlay: WORKDIR %s is not an empty directory", work);
      r = -ENOTEMPTY;
      break;
    }
  closedir (dir);
  return r;
}

/* Two different canonical paths can still name one directory (bind
 * mounts); the kernel's results with a repeated layer are undefined. */
static int
check_same_inode (const struct stat *st, char *const *names, size_t n,
                  struct bwrap_error *err)
{
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (st[i].st_dev == st[j].st_dev && st[i].st_ino == st[j].st_ino)
        {
          bwrap_error_set (err, 0, "%s overlaps %s (the same directory): overlay directories may not overlap",
                           names[j], names[i]);
          return -ELOOP;
        }
  return 0;
}

/* Resolve layers, then RWSRC and WORKDIR for --overlay; paths, names and
 * stat results of all of them go into the caller's arrays (n_layers + 2). */
static int
resolve_all (struct setup_op *op, char **paths, char **names, struct stat *st,
             size_t *ret_n, struct bwrap_error *err)
{
  size_t n = 0;
  int r;

  if (op->resolved_layers == NULL)
    op->resolved_layers = xcalloc (op->n_layers, sizeof (char *));
  for (size_t i = 0; i < op->n_layers; i++, n++)
    {
      r = resolve_dir (op->layers[i], "--overlay-src", R_OK | X_OK,
                       &op->resolved_layers[i], &st[n], err);
      if (r < 0)
        return r;
      paths[n] = op->resolved_layers[i];
      names[n] = xasprintf ("--overlay-src %s", paths[n]);
    }
  if (op->kind == SETUP_OP_OVERLAY)
    {
      /* Writability is checked later, after the clearer read-only and
       * filesystem-type checks. */
      r = resolve_dir (op->source, "--overlay RWSRC", R_OK | X_OK,
                       &op->resolved_source, &st[n], err);
      if (r < 0)
        return r;
      paths[n] = op->resolved_source;
      names[n++] = xasprintf ("--overlay RWSRC %s", op->resolved_source);
      r = resolve_dir (op->workdir, "--overlay WORKDIR", R_OK | X_OK,
                       &op->resolved_workdir, &st[n], err);
      if (r < 0)
        return r;
      paths[n] = op->resolved_workdir;
      names[n++] = xasprintf ("--overlay WORKDIR %s", op->resolved_workdir);
    }
  *ret_n = n;
  return 0;
}

static int
check_upper_and_work (const struct setup_op *op, const struct stat *upper_st,
                      const struct stat *work_st, struct bwrap_error *err)
{
  const char *u = op->resolved_source, *w = op->resolved_workdir;
  int r;

  r = check_upper_fs (u, err);
  if (r < 0)
    return r;
  if (access (u, W_OK) != 0)
    return bwrap_error_set (err, errno, "--overlay: Can't write to RWSRC %s", u);
  r = check_same_mount (w, work_st, u, upper_st, err);
  if (r < 0)
    return r;
  r = check_workdir_empty (w, err);
  if (r < 0)
    return r;
  if (access (w, W_OK) != 0)
    return bwrap_error_set (err, errno, "--overlay: Can't write to WORKDIR %s", w);
  return 0;
}

/* Layers must not overlap each other, nor RWSRC and WORKDIR each other.
 * RWSRC or WORKDIR strictly inside a layer is fine: overlayfs refuses
 * their paths in the merged view (ELOOP), and where a split overlay's
 * piece would show them, bwrap covers them (overlay-cover.c).  A layer
 * inside (or equal to) RWSRC or WORKDIR is refused. */
static int
check_overlap (const struct setup_op *op, char **paths, char **names, size_t n,
               struct bwrap_error *err)
{
  size_t n_layers = op->n_layers;
  int r = overlay_check_overlap (paths, names, n_layers, err);

  if (r < 0 || n == n_layers)
    return r;
  r = overlay_check_overlap (paths + n_layers, names + n_layers, n - n_layers, err);
  for (size_t l = 0; r >= 0 && l < n_layers; l++)
    for (size_t u = n_layers; r >= 0 && u < n; u++)
      if (path_is_same_or_below (paths[l], paths[u]))
        {
          char *pair_paths[] = { paths[l], paths[u] };
          char *pair_names[] = { names[l], names[u] };
          r = overlay_check_overlap (pair_paths, pair_names, 2, err);
        }
  return r;
}

int
overlay_preflight (struct setup_op *op, struct bwrap_error *err)
{
  size_t n_max = op->n_layers + 2, n = 0;
  cleanup_free char **paths = NULL;    /* borrowed from op */
  cleanup_free struct stat *st = NULL;
  char **names = NULL;
  int r;

  if (!setup_op_is_overlay (op))
    return bwrap_error_set (err, EINVAL, "%s is not an overlay operation",
                            setup_op_kind_name (op->kind));
  /* The parser checks these too; a plan built another way must not reach
   * the kernel with a layer count it refuses. */
  if (op->n_layers == 0 || op->n_layers > PLAN_MAX_LAYERS)
    {
      bwrap_error_set (err, 0, "%s needs between 1 and %d --overlay-src layers, got %zu",
                       setup_op_kind_name (op->kind), PLAN_MAX_LAYERS, op->n_layers);
      return -E2BIG;
    }

  paths = xcalloc (n_max, sizeof (char *));
  names = xcalloc (n_max + 1, sizeof (char *));
  st = xcalloc (n_max, sizeof (struct stat));
  r = resolve_all (op, paths, names, st, &n, err);
  if (r >= 0)
    r = check_overlap (op, paths, names, n, err);
  if (r >= 0)
    r = check_same_inode (st, names, n, err);
  if (r >= 0 && op->kind == SETUP_OP_OVERLAY)
    r = check_upper_and_work (op, &st[n - 2], &st[n - 1], err);
  strv_free (names);
  return r < 0 ? r : 0;
}
