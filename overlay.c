/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay.c: --overlay, --tmp-overlay, --ro-overlay and their --overlay-src
 * layers.  overlay_preflight runs in the caller's process before any
 * namespace exists, with the caller's uid and no added privilege, so every
 * host path is resolved and checked with the caller's own rights.
 * overlay_mount runs in the sandbox setup process inside the new user +
 * mount namespace (capabilities there only); it reaches host directories
 * only through the caller's old root, so it sees nothing the caller could
 * not.  The option/overlap helpers are pure. */
#include "overlay.h"
#include "kernel-api.h"
#include "overlay-depth.h"
#include "overlay-split-host.h"
#include "resolve.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

/* The one place where the layer order is reversed.  --overlay-src is given
 * bottom layer first (as bubblewrap documents it); the kernel wants lower
 * layers top first, both in "lowerdir=" and in successive "lowerdir+"
 * calls.  k counts in the kernel's order. */
static size_t
given_index_of_kernel_layer (size_t n, size_t k)
{
  return n - 1 - k;
}

static const char *
layer_in_kernel_order (char *const *layers_bottom_first, size_t n, size_t k)
{
  return layers_bottom_first[given_index_of_kernel_layer (n, k)];
}

/* ---- Pure helpers ------------------------------------------------------ */

char *
overlay_escape_path (const char *path)
{
  size_t len = 0;
  char *out, *o;

  for (const char *p = path; *p; p++)
    len += (*p == '\\' || *p == ',' || *p == ':') ? 2 : 1;
  out = o = xmalloc (len + 1);
  for (const char *p = path; *p; p++)
    {
      if (*p == '\\' || *p == ',' || *p == ':')
        *o++ = '\\';
      *o++ = *p;
    }
  *o = '\0';
  return out;
}

/* Append s to the buffer, tracking the length even past max_len so the
 * caller can report the size it would have needed. */
static void
buf_append (char **buf, size_t *len, size_t *cap, const char *s)
{
  size_t l = strlen (s);
  if (*len + l + 1 > *cap)
    {
      while (*len + l + 1 > *cap)
        *cap = *cap ? *cap * 2 : 256;
      *buf = xrealloc (*buf, *cap);
    }
  memcpy (*buf + *len, s, l + 1);
  *len += l;
}

static void
buf_append_escaped (char **buf, size_t *len, size_t *cap, const char *path)
{
  cleanup_free char *escaped = overlay_escape_path (path);
  buf_append (buf, len, cap, escaped);
}

int
overlay_build_options (char *const *layers_bottom_first, size_t n_layers,
                       const char *upper, const char *work, size_t max_len,
                       char **ret_options, struct bwrap_error *err)
{
  cleanup_free char *buf = NULL;
  size_t len = 0, cap = 0;

  if (n_layers == 0)
    return bwrap_error_set (err, EINVAL, "--overlay-src: no layers given");
  if (upper != NULL && work != NULL)
    {
      buf_append (&buf, &len, &cap, "upperdir=");
      buf_append_escaped (&buf, &len, &cap, upper);
      buf_append (&buf, &len, &cap, ",workdir=");
      buf_append_escaped (&buf, &len, &cap, work);
      buf_append (&buf, &len, &cap, ",");
    }
  buf_append (&buf, &len, &cap, "lowerdir=");
  for (size_t k = 0; k < n_layers; k++)
    {
      if (k > 0)
        buf_append (&buf, &len, &cap, ":");
      buf_append_escaped (&buf, &len, &cap,
                          layer_in_kernel_order (layers_bottom_first, n_layers, k));
    }
  buf_append (&buf, &len, &cap, ",userxattr");

  if (len > max_len)
    {
      bwrap_error_set (err, 0,
                       "--overlay-src: too many layers for the kernel's mount option limit of %zu bytes "
                       "(the options need %zu)", max_len, len);
      return -E2BIG;
    }
  *ret_options = steal_pointer (&buf);
  return 0;
}

int
overlay_check_overlap (char *const *paths, char *const *names, size_t n,
                       struct bwrap_error *err)
{
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      {
        size_t a = i, b = j;
        if (path_is_same_or_below (paths[j], paths[i]))
          a = j, b = i;
        else if (!path_is_same_or_below (paths[i], paths[j]))
          continue;
        bwrap_error_set (err, 0, "%s overlaps %s: overlay directories may not overlap",
                         names[a], names[b]);
        return -ELOOP;
      }
  return 0;
}

/* ---- Preflight (caller's process, caller's rights) ---------------------- */

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

static bool
is_overlay_op (const struct setup_op *op)
{
  return op->kind == SETUP_OP_OVERLAY || op->kind == SETUP_OP_TMP_OVERLAY
         || op->kind == SETUP_OP_RO_OVERLAY;
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

  if (!is_overlay_op (op))
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

/* ---- Mounting (setup process, inside the new namespaces) ---------------- */

/* Collect the error and warning lines of an fs context's log ("e ...",
 * "w ..."), joined by "; ".  Reading also empties the log.  NULL if none. */
static char *
read_fs_log (int fs_fd)
{
  char *text = NULL;
  char buf[4096];

  for (;;)
    {
      ssize_t n = read (fs_fd, buf, sizeof buf - 1);
      if (n < 0 && (errno == EINTR || errno == EMSGSIZE))
        continue;   /* an oversized message is dropped by the kernel */
      if (n <= 0)
        break;      /* ENODATA: the log is empty */
      buf[n] = '\0';
      if (buf[n - 1] == '\n')
        buf[n - 1] = '\0';
      if (n < 3 || (buf[0] != 'e' && buf[0] != 'w') || buf[1] != ' ')
        continue;
      char *joined = text ? xasprintf ("%s; %s", text, buf + 2) : xstrdup (buf + 2);
      free (text);
      text = joined;
    }
  return text;
}

/* Record a failed mount step as "<what> on /newroot/<dest><extra>: <why>"
 * for bubblewrap's own message, "<what> on <dest>..." for ours, which name
 * no internal path; <why> prefers the kernel's own words, and translates
 * the errnos that mislead (as bubblewrap does).  Returns -errnum. */
static int
mount_error_full (int errnum, const char *kernel_text, const char *what,
                  const char *dest, const char *extra, struct bwrap_error *err)
{
  cleanup_free char *why = NULL;

  if (kernel_text == NULL && errnum == ENOSPC)
    why = xstrdup ("Limit exceeded (ENOSPC). (Hint: Check that /proc/sys/fs/mount-max is sufficient, typically 100000)");
  else if (errnum == EPERM && strcmp (what, "Can't make overlay mount") == 0
           && kernel_older_than (5, 11))
    /* Before 5.11 overlayfs is not mountable in a user namespace at
     * all; only a newer kernel helps, so say which feature is missing. */
    why = xstrdup ("overlayfs in a user namespace needs Linux 5.11 or later");
  else if (errnum == ELOOP)
    why = xasprintf ("%s%sOverlay directories may not overlap",
                     kernel_text ? kernel_text : "", kernel_text ? ": " : "");
  else
    why = xstrdup (kernel_text ? kernel_text : strerror (errnum));
  if (strcmp (what, "Can't make overlay mount") == 0)
    bwrap_error_set (err, 0, "%s on /newroot/%s%s: %s", what, path_skip_slashes (dest),
                     extra ? extra : "", why);
  else
    bwrap_error_set (err, 0, "%s on %s%s: %s", what, dest, extra ? extra : "", why);
  return -errnum;
}

static int
mount_error (int errnum, const char *kernel_text, const char *what,
             const char *dest, struct bwrap_error *err)
{
  return mount_error_full (errnum, kernel_text, what, dest, NULL, err);
}

static int
fs_error (int fs_fd, int errnum, const char *what, const char *dest, struct bwrap_error *err)
{
  cleanup_free char *text = read_fs_log (fs_fd);
  return mount_error (errnum, text, what, dest, err);
}

/* Open a canonical host path through the caller's root.  O_PATH: we only
 * hand the directory to the kernel, which checks access itself.  Confined
 * to the caller's root (RESOLVE_IN_ROOT): a symlink swapped into the path
 * after preflight can still only name a host path, never our setup root
 * (/newroot, /hidden) that a plain openat would reach after pivot_root. */
static int
open_host_dir (int oldroot_fd, const char *path, const char *what, struct bwrap_error *err)
{
  int fd = resolve_open (oldroot_fd, path, O_PATH | O_DIRECTORY);
  if (fd < 0)
    return bwrap_error_set (err, -fd, "Can't open %s %s", what, path);
  return fd;
}

/* Give one directory to the fs context under key.  Linux >= 6.13 takes the
 * fd itself; older kernels only take a path string (fsconfig strings are
 * limited to 256 bytes), so there we pass <proc_fd_dir>/<fd>, which names
 * exactly the directory already opened.  *use_string remembers what
 * worked.  -EOPNOTSUPP: a legacy fs context (overlayfs before Linux 6.5),
 * which parses only at CMD_CREATE, after our fds are gone: use mount(2).
 * On failure *ret_text gets the kernel's log text (NULL if none); reading
 * the log empties it, so the caller must use this, not read again. */
static int
fs_set_dir (int fs, const char *key, int dir_fd, const char *proc_fd_dir, bool *use_string,
            char **ret_text)
{
  char path[PATH_MAX];
  int r;

  *ret_text = NULL;
  if (!*use_string)
    {
      if (fsconfig (fs, FSCONFIG_SET_FD, key, NULL, dir_fd) == 0)
        return 0;
      r = -errno;
      *ret_text = read_fs_log (fs);
      if (r != -EINVAL)
        return r;
      if (*ret_text != NULL && strstr (*ret_text, "Legacy") != NULL)
        return -EOPNOTSUPP;
      /* Only "Bad value for '<key>'" (or no log at all) means this kernel
       * takes no fd for key.  Any other EINVAL is the kernel refusing the
       * directory itself ("filesystem on ... not supported as upperdir"):
       * retrying with the /proc string would only replace that message by
       * one naming /oldroot/proc/self/fd/N. */
      if (*ret_text != NULL && strstr (*ret_text, "Bad value") == NULL)
        return r;
      free (*ret_text);
      *ret_text = NULL;
      *use_string = true;
    }
  snprintf (path, sizeof path, "%s/%d", proc_fd_dir, dir_fd);
  if (fsconfig (fs, FSCONFIG_SET_STRING, key, path, 0) == 0)
    return 0;
  r = -errno;
  *ret_text = read_fs_log (fs);
  return r;
}

/* New mount API.  Layers are opened and handed over one at a time and
 * closed at once, so 500 layers never need 500 fds.  Sets *ret_unsupported
 * (and returns < 0 without touching err) when this kernel cannot do it:
 * no fsopen (ENOSYS) or no "lowerdir+" (Linux < 6.8). */
static int
mount_new_api (const struct overlay_lowers *lowers, const char *dest, int upper_fd, int work_fd,
               int dest_fd, const char *proc_fd_dir, bool *ret_unsupported,
               struct bwrap_error *err)
{
  static const char what[] = "Can't make overlay mount";
  cleanup_fd int fs = fsopen ("overlay", FSOPEN_CLOEXEC);
  cleanup_fd int mnt = -1;
  bool use_string = false;
  int r;

  *ret_unsupported = false;
  if (fs < 0)
    {
      int saved = errno;
      *ret_unsupported = kernel_api_unavailable (KERNEL_API_MOUNT, SYS_fsopen, saved);
      return mount_error (saved, NULL, what, dest, err);
    }
  for (size_t k = 0; k < lowers->n; k++)
    {
      cleanup_fd int fd = lowers->open_lower (lowers->data,
                                              given_index_of_kernel_layer (lowers->n, k), err);
      if (fd < 0)
        return fd;
      cleanup_free char *text = NULL;
      r = fs_set_dir (fs, "lowerdir+", fd, proc_fd_dir, &use_string, &text);
      if (r == -EOPNOTSUPP)
        {
          *ret_unsupported = true;
          return r;
        }
      if (r < 0)
        {
          /* Linux 6.5-6.7: "overlay: Unknown parameter 'lowerdir+'". */
          *ret_unsupported = (k == 0 && r == -EINVAL && text != NULL
                              && strstr (text, "Unknown parameter") != NULL);
          return mount_error (-r, text, what, dest, err);
        }
    }
  use_string = false;
  if (upper_fd >= 0)
    {
      cleanup_free char *text = NULL;
      if ((r = fs_set_dir (fs, "upperdir", upper_fd, proc_fd_dir, &use_string, &text)) < 0)
        return mount_error (-r, text, what, dest, err);
      if ((r = fs_set_dir (fs, "workdir", work_fd, proc_fd_dir, &use_string, &text)) < 0)
        return mount_error (-r, text, what, dest, err);
    }
  /* Always, as bubblewrap does: needed in a user namespace, and it keeps
   * whiteouts in user.overlay.* xattrs the caller can manage.  "source":
   * mountinfo then says "overlay" as with mount(2), not "none". */
  if (fsconfig (fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) != 0
      || fsconfig (fs, FSCONFIG_SET_STRING, "source", "overlay", 0) != 0
      || fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0)
    return fs_error (fs, errno, what, dest, err);
  /* nosuid, nodev as every mount we make: only --dev-bind keeps devices. */
  mnt = fsmount (fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  if (mnt < 0)
    return fs_error (fs, errno, what, dest, err);
  if (move_mount (mnt, "", dest_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return mount_error (errno, NULL, what, dest, err);
  return 0;
}

/* mount(2) reads at most one page of options.  Try "<proc_fd_dir>/<fd>"
 * entries; when those do not fit (about 200 layers), use bare "<fd>"
 * entries resolved relative to the cwd, which the caller then sets to
 * proc_fd_dir.  *ret_relative says which. */
static int
legacy_options (const int *layer_fds, size_t n_layers, int upper_fd, int work_fd,
                const char *proc_fd_dir, char **ret_options, bool *ret_relative,
                struct bwrap_error *err)
{
  size_t max_len = (size_t) getpagesize () - 1;
  int r = -E2BIG;

  for (int relative = 0; relative <= 1 && r == -E2BIG; relative++)
    {
      const char *prefix = relative ? "" : proc_fd_dir, *sep = relative ? "" : "/";
      cleanup_strv char **paths = xcalloc (n_layers + 1, sizeof (char *));
      cleanup_free char *upper = NULL, *work = NULL;
      for (size_t i = 0; i < n_layers; i++)
        paths[i] = xasprintf ("%s%s%d", prefix, sep, layer_fds[i]);
      if (upper_fd >= 0)
        {
          upper = xasprintf ("%s%s%d", prefix, sep, upper_fd);
          work = xasprintf ("%s%s%d", prefix, sep, work_fd);
        }
      r = overlay_build_options (paths, n_layers, upper, work, max_len, ret_options, err);
      *ret_relative = relative;
    }
  return r;
}

/* Run mount(2) with the cwd set to dir, restoring it afterwards. */
static int
mount_in_dir (const char *dir, const char *target, const char *options)
{
  cleanup_fd int saved_cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int r = 0;

  if (saved_cwd < 0 || chdir (dir) != 0)
    return -errno;
  if (mount ("overlay", target, "overlay", MS_NOSUID | MS_NODEV, options) != 0)
    r = -errno;
  if (fchdir (saved_cwd) != 0 && r == 0)
    r = -errno;
  return r;
}

/* Classic mount(2), for kernels without fsopen or "lowerdir+".  Every layer
 * stays open until mount returns, so the soft fd limit may need raising
 * for a moment. */
static int
mount_legacy (const struct overlay_lowers *lowers, const char *dest, int upper_fd, int work_fd,
              int dest_fd, const char *proc_fd_dir, struct bwrap_error *err)
{
  cleanup_free int *fds = xmalloc (lowers->n * sizeof (int));
  cleanup_free char *options = NULL, *target = NULL;
  size_t n_open = 0;
  struct rlimit saved, raised;
  bool relative = false, limit_raised = false;
  int r = 0;

  if (getrlimit (RLIMIT_NOFILE, &saved) == 0 && saved.rlim_cur < lowers->n + 64
      && saved.rlim_cur < saved.rlim_max)
    {
      raised = saved;
      raised.rlim_cur = raised.rlim_max;
      /* If this fails, open() below names the layer with EMFILE. */
      limit_raised = setrlimit (RLIMIT_NOFILE, &raised) == 0;
    }
  for (size_t i = 0; i < lowers->n && r >= 0; i++)
    {
      r = lowers->open_lower (lowers->data, i, err);
      if (r >= 0)
        fds[n_open++] = r;
    }
  if (r >= 0)
    r = legacy_options (fds, n_open, upper_fd, work_fd, proc_fd_dir, &options, &relative, err);
  if (r >= 0)
    {
      target = xasprintf ("%s/%d", proc_fd_dir, dest_fd);
      if (relative)
        r = mount_in_dir (proc_fd_dir, target, options);
      else if (mount ("overlay", target, "overlay", MS_NOSUID | MS_NODEV, options) != 0)
        r = -errno;
      if (r < 0)
        {
          cleanup_free char *extra = xasprintf (" with options %s", options);
          mount_error_full (-r, NULL, "Can't make overlay mount", dest, extra, err);
        }
    }
  for (size_t i = 0; i < n_open; i++)
    (void) close (fds[i]);   /* O_PATH fds: nothing to flush or report */
  if (limit_raised)
    (void) setrlimit (RLIMIT_NOFILE, &saved);   /* lowering never fails */
  return r < 0 ? r : 0;
}

/* A fresh tmpfs for one --tmp-overlay's upper and work dirs, mounted on
 * hidden/tmp-overlay-<n>: reachable by neither host nor sandbox, gone with
 * the mount namespace, and sized by --size. */
static int
mount_tmp_tmpfs (const struct setup_op *op, enum overlay_mount_api api, int root_fd,
                 const char *proc_fd_dir, struct bwrap_error *err)
{
  static const char what[] = "Can't mount tmpfs for --tmp-overlay";
  char size[32] = "";
  cleanup_fd int fs = -1, mnt = -1;

  if (op->flags & SETUP_OP_FLAG_HAS_SIZE)
    snprintf (size, sizeof size, "%" PRIu64, op->size);
  if (api != OVERLAY_API_LEGACY && !kernel_api_is_legacy (KERNEL_API_MOUNT))
    fs = fsopen ("tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0 && (api == OVERLAY_API_LEGACY || kernel_api_is_legacy (KERNEL_API_MOUNT)
                 || kernel_api_unavailable (KERNEL_API_MOUNT, SYS_fsopen, errno)))
    {
      cleanup_free char *target = xasprintf ("%s/%d", proc_fd_dir, root_fd);
      cleanup_free char *options = xasprintf ("mode=0755%s%s", *size ? ",size=" : "", size);
      if (mount ("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
        return mount_error (errno, NULL, what, op->dest, err);
      return 0;
    }
  if (fs < 0)
    return mount_error (errno, NULL, what, op->dest, err);
  if (fsconfig (fs, FSCONFIG_SET_STRING, "mode", "0755", 0) != 0
      || (*size && fsconfig (fs, FSCONFIG_SET_STRING, "size", size, 0) != 0)
      || fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0)
    return fs_error (fs, errno, what, op->dest, err);
  mnt = fsmount (fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  if (mnt < 0)
    return fs_error (fs, errno, what, op->dest, err);
  if (move_mount (mnt, "", root_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return mount_error (errno, NULL, what, op->dest, err);
  return 0;
}

static int
make_subdir (int dir_fd, const char *name, const char *dest, struct bwrap_error *err)
{
  int fd;

  /* fchmodat: the caller's umask must not change the upper root's mode,
   * which becomes the mode of the overlay's root directory. */
  if (mkdirat (dir_fd, name, 0755) != 0 || fchmodat (dir_fd, name, 0755, 0) != 0)
    return bwrap_error_set (err, errno, "Can't create %s directory for --tmp-overlay on %s", name, dest);
  fd = openat (dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return bwrap_error_set (err, errno, "Can't open %s directory for --tmp-overlay on %s", name, dest);
  return fd;
}

static int
make_tmp_upper (const struct setup_op *op, enum overlay_mount_api api, int hidden_fd,
                const char *proc_fd_dir, int *ret_upper_fd, int *ret_work_fd,
                struct bwrap_error *err)
{
  char name[64];
  cleanup_fd int root_fd = -1;
  int r;

  snprintf (name, sizeof name, "tmp-overlay-%u", op->overlay_index);
  if (mkdirat (hidden_fd, name, 0700) != 0 && errno != EEXIST)
    return bwrap_error_set (err, errno, "Can't create hidden directory for --tmp-overlay on %s", op->dest);
  root_fd = openat (hidden_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root_fd < 0)
    return bwrap_error_set (err, errno, "Can't open hidden directory for --tmp-overlay on %s", op->dest);
  r = mount_tmp_tmpfs (op, api, root_fd, proc_fd_dir, err);
  if (r < 0)
    return r;
  /* Reopen by name: root_fd still refers to the covered directory. */
  close (steal_fd (&root_fd));
  root_fd = openat (hidden_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root_fd < 0)
    return bwrap_error_set (err, errno, "Can't open hidden directory for --tmp-overlay on %s", op->dest);
  *ret_upper_fd = make_subdir (root_fd, "upper", op->dest, err);
  if (*ret_upper_fd < 0)
    return *ret_upper_fd;
  *ret_work_fd = make_subdir (root_fd, "work", op->dest, err);
  return *ret_work_fd < 0 ? *ret_work_fd : 0;
}

int
overlay_mount_lowers (enum overlay_mount_api api, const char *dest,
                      const struct overlay_lowers *lowers, int upper_fd, int work_fd,
                      int dest_fd, const char *proc_fd_dir, ssize_t *too_deep,
                      struct bwrap_error *err)
{
  bool unsupported = true;
  ssize_t deep = -1;
  int r = 0;

  if (api != OVERLAY_API_LEGACY && !kernel_api_is_legacy (KERNEL_API_MOUNT))
    {
      r = mount_new_api (lowers, dest, upper_fd, work_fd, dest_fd, proc_fd_dir, &unsupported, err);
      if (!unsupported && r != -EINVAL)
        return r;
    }
  if (unsupported)
    {
      bwrap_error_clear (err);
      r = mount_legacy (lowers, dest, upper_fd, work_fd, dest_fd, proc_fd_dir, err);
    }
  /* EINVAL says nothing; the stacking limit is a common cause that only
   * the kernel log names (overlay-depth.c). */
  if (r == -EINVAL && lowers->name_lower != NULL
      && (deep = overlay_depth_find_too_deep (lowers, dest_fd, proc_fd_dir)) >= 0)
    {
      cleanup_free char *layer = lowers->name_lower (lowers->data, (size_t) deep);
      bwrap_error_set (err, 0, "Can't make overlay mount on %s: the layer %s is on an overlayfs "
                       "that is already stacked on another, and the kernel stacks filesystems "
                       "at most two deep (its log says \"maximum fs stacking depth exceeded\"); "
                       "use a layer on another filesystem, or bind it with --ro-bind instead",
                       dest, layer);
    }
  if (too_deep != NULL)
    *too_deep = deep;
  return r;
}

/* The op's own layers: canonical host paths, opened through the caller's
 * root. */
struct host_layers
{
  const struct setup_op *op;
  int oldroot_fd;
};

static int
open_host_layer (const void *data, size_t i, struct bwrap_error *err)
{
  const struct host_layers *h = data;
  return open_host_dir (h->oldroot_fd, h->op->resolved_layers[i], "overlay layer", err);
}

static char *
name_host_layer (const void *data, size_t i)
{
  const struct host_layers *h = data;
  return xstrdup (h->op->resolved_layers[i]);
}

int
overlay_mount_using (enum overlay_mount_api api, const struct setup_op *op,
                     int oldroot_fd, int hidden_fd, int dest_fd,
                     const char *proc_fd_dir, struct bwrap_error *err)
{
  cleanup_fd int upper_fd = -1;
  cleanup_fd int work_fd = -1;
  int r;

  if (!is_overlay_op (op) || op->resolved_layers == NULL || op->n_layers == 0)
    return bwrap_error_set (err, EINVAL, "Overlay on %s was not prepared", op->dest);
  if (op->kind == SETUP_OP_OVERLAY)
    {
      upper_fd = open_host_dir (oldroot_fd, op->resolved_source, "--overlay RWSRC", err);
      if (upper_fd < 0)
        return upper_fd;
      work_fd = open_host_dir (oldroot_fd, op->resolved_workdir, "--overlay WORKDIR", err);
      if (work_fd < 0)
        return work_fd;
    }
  else if (op->kind == SETUP_OP_TMP_OVERLAY)
    {
      r = make_tmp_upper (op, api, hidden_fd, proc_fd_dir, &upper_fd, &work_fd, err);
      if (r < 0)
        return r;
    }

  /* Directories such as /var/tmp must take new entries as on the host. */
  overlay_split_prepare_upper (oldroot_fd, op->resolved_layers, op->n_layers, "", upper_fd,
                               proc_fd_dir);
  struct host_layers host = { op, oldroot_fd };
  struct overlay_lowers lowers = { op->n_layers, open_host_layer, &host, name_host_layer };
  return overlay_mount_lowers (api, op->dest, &lowers, upper_fd, work_fd, dest_fd,
                               proc_fd_dir, NULL, err);
}

int
overlay_mount (const struct setup_op *op, int oldroot_fd, int hidden_fd,
               int dest_fd, const char *proc_fd_dir, struct bwrap_error *err)
{
  return overlay_mount_using (OVERLAY_API_AUTO, op, oldroot_fd, hidden_fd, dest_fd,
                              proc_fd_dir, err);
}
