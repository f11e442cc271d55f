/* SPDX-License-Identifier: LGPL-2.0-or-later
 * mount-overlay.c: the overlay mount of the mount layer (mount.h), local
 * backend only: setuid mode refuses overlays before anything is parsed
 * further, and its peer backend refuses them again.
 *
 * Three ways, the first this kernel can do:
 *   - the new mount API with one "lowerdir+" per layer (Linux 6.8), each
 *     layer, upper and work directory given as an fd (Linux 6.13) or,
 *     before that, as the string "<proc_fd_dir>/<fd>" naming exactly the
 *     directory already opened (fsconfig strings are limited to 256
 *     bytes, so a whole lowerdir= list cannot go that way);
 *   - mount(2) with the classic "lowerdir=top:...:bottom" option string of
 *     such fd paths (options must fit one page), for kernels without
 *     fsopen or "lowerdir+";
 *   - after a bare EINVAL, a probe that names the layer past the kernel's
 *     stacking depth (below).
 * Runs in the sandbox process inside the new user + mount namespace, with
 * that namespace's capabilities; every directory is an fd opened by the
 * caller's callbacks through the caller's old root. */
#include "mount-overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs-context.h"
#include "kernel-api.h"
#include "mount-error.h"
#include "overlay-options.h"

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
      *ret_text = fs_context_log (fs);
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
  *ret_text = fs_context_log (fs);
  return r;
}

/* New mount API.  Layers are opened and handed over one at a time and
 * closed at once, so 500 layers never need 500 fds.  Sets *ret_unsupported
 * (and returns < 0 without touching err) when this kernel cannot do it:
 * no fsopen (ENOSYS) or no "lowerdir+" (Linux < 6.8). */
static int
mount_new_api (const struct mount_overlay *spec, int dest_fd, bool *ret_unsupported,
               struct bwrap_error *err)
{
  static const char *const config[] = { "userxattr", NULL, NULL };
  const struct overlay_lowers *lowers = spec->lowers;
  const char *proc_fd_dir = spec->proc_fd_dir;
  cleanup_free char *text = NULL;
  cleanup_fd int fs = -1;
  bool use_string = false;
  long sysno;
  int r;

  *ret_unsupported = false;
  fs = fs_context_open ("overlay", &sysno);
  if (fs < 0)
    {
      *ret_unsupported = kernel_api_unavailable (KERNEL_API_MOUNT, sysno, -fs);
      return mount_error_newroot (err, -fs, NULL, MOUNT_ERROR_OVERLAY, spec->dest, NULL);
    }
  for (size_t k = 0; k < lowers->n; k++)
    {
      cleanup_fd int fd = lowers->open_lower (lowers->data,
                                              overlay_kernel_layer_index (lowers->n, k), err);
      if (fd < 0)
        return fd;
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
          return mount_error_newroot (err, -r, text, MOUNT_ERROR_OVERLAY, spec->dest, NULL);
        }
      free (steal_pointer (&text));
    }
  use_string = false;
  if (spec->upper_fd >= 0)
    {
      if ((r = fs_set_dir (fs, "upperdir", spec->upper_fd, proc_fd_dir, &use_string, &text)) < 0
          || (r = fs_set_dir (fs, "workdir", spec->work_fd, proc_fd_dir, &use_string, &text)) < 0)
        return mount_error_newroot (err, -r, text, MOUNT_ERROR_OVERLAY, spec->dest, NULL);
    }
  /* userxattr always, as bubblewrap does: needed in a user namespace, and
   * it keeps whiteouts in user.overlay.* xattrs the caller can manage.
   * nosuid, nodev as every mount we make: only --dev-bind keeps devices. */
  r = fs_context_configure (fs, config);
  if (r == 0)
    r = fs_context_attach (fs, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, dest_fd, &sysno);
  if (r < 0)
    {
      text = fs_context_log (fs);
      return mount_error_newroot (err, -r, text, MOUNT_ERROR_OVERLAY, spec->dest, NULL);
    }
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
          (void) mount_error_newroot (err, -r, NULL, MOUNT_ERROR_OVERLAY, dest, extra);
        }
    }
  for (size_t i = 0; i < n_open; i++)
    (void) close (fds[i]);   /* O_PATH fds: nothing to flush or report */
  if (limit_raised)
    (void) setrlimit (RLIMIT_NOFILE, &saved);   /* lowering never fails */
  return r < 0 ? r : 0;
}

/* ---- the stacking depth ------------------------------------------------ */

/* The kernel stacks filesystems at most two deep (FILESYSTEM_MAX_STACK_DEPTH):
 * an overlay over a directory of an overlay works, one more level fails
 * with a bare EINVAL, and the reason ("maximum fs stacking depth
 * exceeded") goes only to the kernel log.  That happens to an overlay
 * over a tree that is itself an overlay of an overlay, as inside a
 * container running in a container.  Depth is not visible from user
 * space, so after such a failure each layer on a stacking filesystem is
 * tried alone: a read-only overlay of it (twice, as one lower needs a
 * second), created but never mounted where the new mount API exists, and
 * otherwise mounted on the destination and detached at once. */

#ifndef ECRYPTFS_SUPER_MAGIC
#define ECRYPTFS_SUPER_MAGIC 0xf15f
#endif

/* Filesystems that count a level themselves: only a layer on one of
 * these can be too deep.  (FUSE counts one with passthrough, which cannot
 * be told from outside; it is never deeper than one.) */
static bool
is_stacking_fs (int fd)
{
  struct statfs sfs;

  if (fstatfs (fd, &sfs) != 0)
    return false;
  return sfs.f_type == OVERLAYFS_SUPER_MAGIC || sfs.f_type == ECRYPTFS_SUPER_MAGIC;
}

/* 1: an overlay on the directory at path fails with EINVAL, 0: it does
 * not, -1: this kernel cannot tell us. */
static int
probe_new_api (const char *path)
{
  cleanup_fd int fs = fsopen ("overlay", FSOPEN_CLOEXEC);

  if (fs < 0)
    return -1;
  for (int i = 0; i < 2; i++)
    if (fsconfig (fs, FSCONFIG_SET_STRING, "lowerdir+", path, 0) != 0)
      {
        /* Before Linux 6.8 only the classic, colon-separated form. */
        char both[2 * PATH_MAX + 2];
        if (i != 0 || errno != EINVAL)
          return -1;
        snprintf (both, sizeof both, "%s:%s", path, path);
        if (fsconfig (fs, FSCONFIG_SET_STRING, "lowerdir", both, 0) != 0)
          return -1;
        break;
      }
  if (fsconfig (fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) != 0)
    return -1;
  if (fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
    return 0;
  return errno == EINVAL;
}

static int
probe_legacy (const char *path, const char *target)
{
  char options[2 * PATH_MAX + 32];

  snprintf (options, sizeof options, "lowerdir=%s:%s,userxattr", path, path);
  if (mount ("overlay", target, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, options) == 0)
    {
      /* It worked: take it away again, the real mount goes here. */
      (void) umount2 (target, MNT_DETACH);
      return 0;
    }
  return errno == EINVAL;
}

static ssize_t
find_too_deep (const struct overlay_lowers *lowers, int dest_fd, const char *proc_fd_dir)
{
  char target[PATH_MAX];

  snprintf (target, sizeof target, "%s/%d", proc_fd_dir, dest_fd);
  for (size_t i = 0; i < lowers->n; i++)
    {
      struct bwrap_error ignored = { 0 };
      cleanup_fd int fd = lowers->open_lower (lowers->data, i, &ignored);
      char path[PATH_MAX];
      int r = -1;

      bwrap_error_clear (&ignored);
      if (fd < 0 || !is_stacking_fs (fd))
        continue;
      snprintf (path, sizeof path, "%s/%d", proc_fd_dir, fd);
      if (!kernel_api_is_legacy (KERNEL_API_MOUNT))
        r = probe_new_api (path);
      if (r < 0)
        r = probe_legacy (path, target);
      if (r == 1)
        return (ssize_t) i;
    }
  return -1;
}

int
mount_overlay_local (const struct mount_overlay *spec, int dest_fd, ssize_t *too_deep,
                     struct bwrap_error *err)
{
  const struct overlay_lowers *lowers = spec->lowers;
  bool unsupported = true;
  ssize_t deep = -1;
  int r = 0;

  if (!kernel_api_is_legacy (KERNEL_API_MOUNT))
    {
      r = mount_new_api (spec, dest_fd, &unsupported, err);
      if (!unsupported && r != -EINVAL)
        return r;
    }
  if (unsupported)
    {
      bwrap_error_clear (err);
      r = mount_legacy (lowers, spec->dest, spec->upper_fd, spec->work_fd, dest_fd,
                        spec->proc_fd_dir, err);
    }
  /* EINVAL says nothing; the stacking limit is a common cause that only
   * the kernel log names. */
  if (r == -EINVAL && lowers->name_lower != NULL
      && (deep = find_too_deep (lowers, dest_fd, spec->proc_fd_dir)) >= 0)
    {
      cleanup_free char *layer = lowers->name_lower (lowers->data, (size_t) deep);
      bwrap_error_set (err, 0, "Can't make overlay mount on %s: the layer %s is on an overlayfs "
                       "that is already stacked on another, and the kernel stacks filesystems "
                       "at most two deep (its log says \"maximum fs stacking depth exceeded\"); "
                       "use a layer on another filesystem, or bind it with --ro-bind instead",
                       spec->dest, layer);
    }
  if (too_deep != NULL)
    *too_deep = deep;
  return r;
}
