/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-split-host.c: host lookups, attribute copies and upper-directory
 * preparation for split overlays (overlay-split-host.h).  Runs in the
 * sandbox setup process inside the new user + mount namespace with that
 * namespace's capabilities.  Host directories are read and opened only
 * through the caller's old root with RESOLVE_IN_ROOT, so this sees what
 * the caller could see; it writes only below directories the caller
 * handed us (RWSRC) or our private tmpfs. */
#include "overlay-split-host.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "resolve.h"

char *
split_join (const char *a, const char *b)
{
  if (*b == '\0')
    return xstrdup (a);
  if (*a == '\0')
    return xstrdup (b);
  return xasprintf ("%s%s%s", a, a[strlen (a) - 1] == '/' ? "" : "/", b);
}

/* Open layer l's host entry at rel (final symlink not followed unless
 * flags lack O_NOFOLLOW... callers pass what they need). */
int
split_open_host (int oldroot_fd, char *const *layers, size_t l, const char *rel, int flags)
{
  cleanup_free char *path = split_join (layers[l], rel);
  return resolve_open (oldroot_fd, path, flags);
}

/* The topmost layer showing something at rel, its lstat and an O_PATH fd
 * of it (not following a final symlink).  -ENOENT when none does. */
int
split_top_entry (int oldroot_fd, char *const *layers, size_t n_layers, const char *rel,
           struct stat *ret_st, size_t *ret_layer)
{
  for (size_t l = n_layers; l-- > 0;)
    {
      int fd = split_open_host (oldroot_fd, layers, l, rel, O_PATH | O_NOFOLLOW);
      if (fd < 0)
        continue;
      if (fstat (fd, ret_st) != 0)
        {
          (void) close (fd);
          continue;
        }
      *ret_layer = l;
      return fd;
    }
  return -ENOENT;
}

size_t
split_dir_layers (int oldroot_fd, char *const *layers, size_t n_layers, const char *rel,
                  size_t *out)
{
  size_t n = 0;

  for (size_t l = 0; l < n_layers; l++)
    {
      struct stat st;
      cleanup_fd int fd = split_open_host (oldroot_fd, layers, l, rel, O_PATH);
      if (fd < 0 || fstat (fd, &st) != 0)
        continue;
      if (!S_ISDIR (st.st_mode))
        n = 0;
      else
        out[n++] = l;
    }
  return n;
}

/* Whether the caller may search layer l's directory at rel, not list it. */
static bool
search_only (int oldroot_fd, char *const *layers, size_t l, const char *rel)
{
  cleanup_fd int fd = split_open_host (oldroot_fd, layers, l, rel, O_RDONLY | O_DIRECTORY);

  if (fd != -EACCES)
    return false;
  /* O_PATH needs no right on the directory itself; AT_EACCESS: our
   * effective ids, whose capabilities do not count for an owner our user
   * namespace does not map. */
  fd = split_open_host (oldroot_fd, layers, l, rel, O_PATH | O_DIRECTORY);
  return fd >= 0 && faccessat (fd, "", X_OK, AT_EACCESS | AT_EMPTY_PATH) == 0;
}

ssize_t
split_search_only_layer (int oldroot_fd, char *const *layers, size_t n_layers, const char *rel,
                         const char *dest)
{
  cleanup_free size_t *dirs = xcalloc (n_layers, sizeof (size_t));
  size_t n = split_dir_layers (oldroot_fd, layers, n_layers, rel, dirs);

  for (size_t i = n; i-- > 0;)
    if (search_only (oldroot_fd, layers, dirs[i], rel))
      {
        cleanup_free char *host = split_join (layers[dirs[i]], rel);
        cleanup_free char *shown = split_join (dest, rel);
        /* Binding it would hide the other layers' directories there. */
        warn_msg ("warning: %s can be searched but not listed with the sandbox's ids, so bwrap "
                  "cannot recreate it around the mounts below it: %s in %s", host,
                  n > 1 ? "other layers have it too, so only its entries that lead to mounts "
                          "are shown" : "it is shown as it is, read-only,", shown);
        return n > 1 ? -1 : (ssize_t) dirs[i];
      }
  return -1;
}

static uid_t
read_overflow_uid (int oldroot_fd)
{
  cleanup_fd int fd = resolve_open (oldroot_fd, "/proc/sys/kernel/overflowuid", O_RDONLY);
  char buf[32] = "";
  uint32_t id;

  if (fd >= 0 && read (fd, buf, sizeof buf - 1) > 0)
    {
      buf[strcspn (buf, "\n")] = '\0';
      if (parse_id (buf, &id) == 0)
        return id;
    }
  return 65534;
}

/* Rights the caller has on the host object name in dir_fd ("" for dir_fd
 * itself) with lstat st, as rwx bits, for an object whose owner is not
 * mapped (the caller is not its owner). */
mode_t
split_caller_access (int dir_fd, const char *name, const struct stat *st)
{
  int flags = AT_EACCESS | AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH);
  mode_t bits = 0;

  /* Group and others get the same: no need to ask which one we are
   * (ACLs aside, which overlayfs does not copy for us either). */
  if (((st->st_mode >> 3) & 7) == (st->st_mode & 7))
    return st->st_mode & 7;
  /* AT_EACCESS: our effective ids.  Our capabilities do not apply to an
   * object whose owner is unmapped, so this is what the caller may do. */
  if (faccessat (dir_fd, name, R_OK, flags) == 0)
    bits |= 4;
  if (faccessat (dir_fd, name, W_OK, flags) == 0)
    bits |= 2;
  if (faccessat (dir_fd, name, X_OK, flags) == 0)
    bits |= 1;
  return bits;
}

/* Give a directory or file we created the host entry's owner and mode.
 * Where its owner cannot be set (not mapped in our user namespace), the
 * entry stays ours, and its owner bits become what the caller may do on
 * the host: the sandbox sees it owned by itself, with the same rights. */
void
split_copy_attrs (int dir_fd, const char *name, const struct stat *host, int host_fd,
            const char *proc_fd_dir)
{
  mode_t mode = host->st_mode & 07777;

  if (fchownat (dir_fd, name, host->st_uid, host->st_gid, AT_SYMLINK_NOFOLLOW) != 0
      && fchownat (dir_fd, name, host->st_uid, (gid_t) -1, AT_SYMLINK_NOFOLLOW) != 0)
    mode = (mode & ~0700) | (split_caller_access (host_fd, "", host) << 6);
  /* Ignored on failure: the entry then keeps a plain 0755 or 0644. */
  (void) fchmodat (dir_fd, name, mode, 0);
}

/* Create dir_fd/name like the host entry (a directory, or an empty file
 * as a mount point for a non-directory).  EEXIST is fine. */
int
split_make_like (int dir_fd, const char *name, const struct stat *host, int host_fd,
           const char *proc_fd_dir)
{
  if (S_ISDIR (host->st_mode))
    {
      if (mkdirat (dir_fd, name, 0755) != 0)
        return errno == EEXIST ? 0 : -errno;
    }
  else
    {
      int fd = openat (dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0)
        return errno == EEXIST ? 0 : -errno;
      (void) close (fd);   /* an empty file: nothing to flush */
    }
  split_copy_attrs (dir_fd, name, host, host_fd, proc_fd_dir);
  return 0;
}

/* Create the directory rel below root_fd and its missing parents, each
 * like the topmost layer's host directory at that path (a plain 0755
 * directory where no layer has one). */
int
split_make_dir_chain (int root_fd, int oldroot_fd, char *const *layers, size_t n_layers,
                const char *rel, const char *proc_fd_dir)
{
  cleanup_free char *copy = xstrdup (rel);
  char *p = copy;

  if (*rel == '\0')
    return 0;
  for (;;)
    {
      char *slash = strchr (p, '/');
      struct stat st = { .st_mode = S_IFDIR | 0755, .st_uid = (uid_t) -1, .st_gid = (gid_t) -1 };
      size_t l;
      int r;

      if (slash)
        *slash = '\0';
      cleanup_fd int host_fd = split_top_entry (oldroot_fd, layers, n_layers, copy, &st, &l);
      if (host_fd < 0 || !S_ISDIR (st.st_mode))
        st = (struct stat) { .st_mode = S_IFDIR | 0755, .st_uid = (uid_t) -1, .st_gid = (gid_t) -1 };
      cleanup_fd int parent = -1;
      char *last = strrchr (copy, '/');
      if (last)
        {
          *last = '\0';
          /* Confined to root_fd: RWSRC is the caller's, and may hold
           * symlinks pointing anywhere. */
          parent = resolve_open (root_fd, copy, O_PATH | O_DIRECTORY);
          *last = '/';
          if (parent < 0)
            return parent;
        }
      r = split_make_like (last ? parent : root_fd, last ? last + 1 : copy, &st, host_fd, proc_fd_dir);
      if (r < 0)
        return r;
      if (!slash)
        return 0;
      *slash = '/';
      p = slash + 1;
    }
}

/* ---- preparing upper directories ----------------------------------------- */

static bool
is_initial_userns (int oldroot_fd)
{
  cleanup_fd int fd = resolve_open (oldroot_fd, "/proc/self/uid_map", O_RDONLY);
  char buf[128] = "";

  if (fd < 0 || read (fd, buf, sizeof buf - 1) <= 0)
    return false;
  return strstr (buf, "4294967295") != NULL;
}

struct split_owners
split_owners_of (int oldroot_fd)
{
  return (struct split_owners) { !is_initial_userns (oldroot_fd), read_overflow_uid (oldroot_fd) };
}

struct scan
{
  int oldroot_fd;
  char *const *layers;   /* the piece's host directories, bottom first */
  size_t n_layers;
  int upper_fd;
  const char *proc_fd_dir;
  uid_t overflow;
  int max_depth;
};

/* Scan the directories in host directory dir_fd (at rel below the piece):
 * make the upper counterpart of each one overlayfs could not copy up
 * (owner unmapped) although the caller may write into it, and of the
 * caller's own ones below an unmapped owner.  Entries are examined
 * relative to dir_fd, without following symlinks. */
static void
scan_dir (const struct scan *sc, int dir_fd, const char *rel, bool dir_unmapped, int depth)
{
  DIR *dir = fdopendir (dir_fd);
  struct dirent *de;

  if (dir == NULL)
    {
      (void) close (dir_fd);
      return;
    }
  while ((de = readdir (dir)) != NULL)
    {
      struct stat st;
      bool unmapped;
      if (de->d_type != DT_DIR || strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0
          || fstatat (dirfd (dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;
      cleanup_free char *child = split_join (rel, de->d_name);
      unmapped = st.st_uid == sc->overflow;
      if ((unmapped && (split_caller_access (dirfd (dir), de->d_name, &st) & 3) == 3)
          || (!unmapped && dir_unmapped && depth > 0))
        (void) split_make_dir_chain (sc->upper_fd, sc->oldroot_fd, sc->layers, sc->n_layers, child,
                               sc->proc_fd_dir);
      if (depth + 1 < sc->max_depth)
        {
          int fd = openat (dirfd (dir), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (fd >= 0)
            scan_dir (sc, fd, child, unmapped, depth + 1);
        }
    }
  closedir (dir);
}

/* The scan for one piece at rel: two levels below the layers' roots, at
 * least the piece's own entries. */
void
split_prepare_upper (int oldroot_fd, char *const *layers, size_t n_layers, const char *rel,
               int upper_fd, const char *proc_fd_dir, const struct split_owners *owners)
{
  struct stat st;
  size_t l;
  int depth = *rel ? 1 : 0;

  /* Real root (no user namespace) maps every owner: copy-up always works. */
  if (upper_fd < 0 || !owners->has_userns)
    return;
  for (const char *c = rel; *c; c++)
    depth += *c == '/';
  cleanup_fd int fd = split_top_entry (oldroot_fd, layers, n_layers, rel, &st, &l);
  /* A tree whose root the caller owns (a build input, a store) holds
   * the caller's own files: skip the scan, which would cost a stat per
   * directory on every start. */
  if (fd < 0 || !S_ISDIR (st.st_mode) || st.st_uid != owners->overflow)
    return;
  cleanup_strv char **sub = xcalloc (n_layers + 1, sizeof (char *));
  for (size_t i = 0; i < n_layers; i++)
    sub[i] = split_join (layers[i], rel);
  struct scan sc = { oldroot_fd, sub, n_layers, upper_fd, proc_fd_dir, owners->overflow,
                     depth >= 2 ? 1 : 2 - depth };
  int dir_fd = split_open_host (oldroot_fd, layers, l, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (dir_fd >= 0)
    scan_dir (&sc, dir_fd, "", st.st_uid == owners->overflow, 0);
}

void
overlay_split_prepare_upper (int oldroot_fd, char *const *layers, size_t n_layers,
                             const char *rel, int upper_fd, const char *proc_fd_dir)
{
  struct split_owners owners = split_owners_of (oldroot_fd);
  split_prepare_upper (oldroot_fd, layers, n_layers, rel, upper_fd, proc_fd_dir, &owners);
}
