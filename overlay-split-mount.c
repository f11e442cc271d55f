/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-split-mount.c: mount an overlay whose layers contain mounts as a
 * stack of pieces (see overlay-split.h), and prepare upper directories for
 * directories the caller may write into but whose owner is not mapped.
 * Runs in the sandbox setup process inside the new user + mount namespace
 * with that namespace's capabilities.  Host directories are read and
 * opened only through the caller's old root with RESOLVE_IN_ROOT, so this
 * sees what the caller could see, and nothing of the setup root.  What it
 * writes goes to a private tmpfs below the hidden directory, or to the
 * caller's RWSRC and WORKDIR (which preflight checked the caller may
 * write). */
#include "overlay-split-mount.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "bind-mount.h"
#include "mount-fs.h"
#include "overlay.h"
#include "overlay-split.h"
#include "resolve.h"

enum piece_kind
{
  PIECE_OVERLAY,   /* a directory without mounts below: its own overlay */
  PIECE_BIND,      /* a pseudo filesystem's mount point: read-only bind */
  PIECE_FILE,      /* a non-directory in a skeleton directory: read-only bind */
};

struct piece
{
  char *rel;
  enum piece_kind kind;
  size_t layer;     /* PIECE_BIND, PIECE_FILE: the layer it comes from */
};

/* Who owns what, seen from the setup process's user namespace. */
struct owners
{
  bool has_userns;  /* false: real root, every owner mapped */
  uid_t overflow;   /* the uid an unmapped owner shows as */
};

struct split_run
{
  const struct setup_op *op;
  const struct overlay_split *split;
  int oldroot_fd;
  const char *proc_fd_dir;
  int stub_fd;      /* root of the skeleton, on the private tmpfs */
  int upper_fd;     /* upper and work roots; -1 for --ro-overlay */
  int work_fd;
  struct piece *pieces;
  size_t n_pieces;
  struct owners owners;
};

static char *
join (const char *a, const char *b)
{
  if (*b == '\0')
    return xstrdup (a);
  if (*a == '\0')
    return xstrdup (b);
  return xasprintf ("%s%s%s", a, a[strlen (a) - 1] == '/' ? "" : "/", b);
}

/* Open layer l's host entry at rel (final symlink not followed unless
 * flags lack O_NOFOLLOW... callers pass what they need). */
static int
open_host (int oldroot_fd, char *const *layers, size_t l, const char *rel, int flags)
{
  cleanup_free char *path = join (layers[l], rel);
  return resolve_open (oldroot_fd, path, flags);
}

/* The topmost layer showing something at rel, its lstat and an O_PATH fd
 * of it (not following a final symlink).  -ENOENT when none does. */
static int
top_entry (int oldroot_fd, char *const *layers, size_t n_layers, const char *rel,
           struct stat *ret_st, size_t *ret_layer)
{
  for (size_t l = n_layers; l-- > 0;)
    {
      int fd = open_host (oldroot_fd, layers, l, rel, O_PATH | O_NOFOLLOW);
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
static mode_t
caller_access (int dir_fd, const char *name, const struct stat *st)
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
static void
copy_attrs (int dir_fd, const char *name, const struct stat *host, int host_fd,
            const char *proc_fd_dir)
{
  mode_t mode = host->st_mode & 07777;

  if (fchownat (dir_fd, name, host->st_uid, host->st_gid, AT_SYMLINK_NOFOLLOW) != 0
      && fchownat (dir_fd, name, host->st_uid, (gid_t) -1, AT_SYMLINK_NOFOLLOW) != 0)
    mode = (mode & ~0700) | (caller_access (host_fd, "", host) << 6);
  /* Ignored on failure: the entry then keeps a plain 0755 or 0644. */
  (void) fchmodat (dir_fd, name, mode, 0);
}

/* Create dir_fd/name like the host entry (a directory, or an empty file
 * as a mount point for a non-directory).  EEXIST is fine. */
static int
make_like (int dir_fd, const char *name, const struct stat *host, int host_fd,
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
  copy_attrs (dir_fd, name, host, host_fd, proc_fd_dir);
  return 0;
}

/* Create the directory rel below root_fd and its missing parents, each
 * like the topmost layer's host directory at that path (a plain 0755
 * directory where no layer has one). */
static int
make_dir_chain (int root_fd, int oldroot_fd, char *const *layers, size_t n_layers,
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
      cleanup_fd int host_fd = top_entry (oldroot_fd, layers, n_layers, copy, &st, &l);
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
      r = make_like (last ? parent : root_fd, last ? last + 1 : copy, &st, host_fd, proc_fd_dir);
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

static struct owners
owners_of (int oldroot_fd)
{
  return (struct owners) { !is_initial_userns (oldroot_fd), read_overflow_uid (oldroot_fd) };
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
      cleanup_free char *child = join (rel, de->d_name);
      unmapped = st.st_uid == sc->overflow;
      if ((unmapped && (caller_access (dirfd (dir), de->d_name, &st) & 3) == 3)
          || (!unmapped && dir_unmapped && depth > 0))
        (void) make_dir_chain (sc->upper_fd, sc->oldroot_fd, sc->layers, sc->n_layers, child,
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
static void
prepare_upper (int oldroot_fd, char *const *layers, size_t n_layers, const char *rel,
               int upper_fd, const char *proc_fd_dir, const struct owners *owners)
{
  struct stat st;
  size_t l;
  int depth = *rel ? 1 : 0;

  /* Real root (no user namespace) maps every owner: copy-up always works. */
  if (upper_fd < 0 || !owners->has_userns)
    return;
  for (const char *c = rel; *c; c++)
    depth += *c == '/';
  cleanup_fd int fd = top_entry (oldroot_fd, layers, n_layers, rel, &st, &l);
  if (fd < 0 || !S_ISDIR (st.st_mode))
    return;
  cleanup_strv char **sub = xcalloc (n_layers + 1, sizeof (char *));
  for (size_t i = 0; i < n_layers; i++)
    sub[i] = join (layers[i], rel);
  struct scan sc = { oldroot_fd, sub, n_layers, upper_fd, proc_fd_dir, owners->overflow,
                     depth >= 2 ? 1 : 2 - depth };
  int dir_fd = open_host (oldroot_fd, layers, l, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (dir_fd >= 0)
    scan_dir (&sc, dir_fd, "", st.st_uid == owners->overflow, 0);
}

void
overlay_split_prepare_upper (int oldroot_fd, char *const *layers, size_t n_layers,
                             const char *rel, int upper_fd, const char *proc_fd_dir)
{
  struct owners owners = owners_of (oldroot_fd);
  prepare_upper (oldroot_fd, layers, n_layers, rel, upper_fd, proc_fd_dir, &owners);
}

/* ---- building the skeleton ------------------------------------------------ */

static void
add_piece (struct split_run *run, const char *rel, enum piece_kind kind, size_t layer)
{
  struct piece *p;

  run->pieces = xappend (run->pieces, &run->n_pieces, sizeof *run->pieces);
  p = &run->pieces[run->n_pieces - 1];
  p->rel = xstrdup (rel);
  p->kind = kind;
  p->layer = layer;
}

static int
open_stub (const struct split_run *run, const char *rel, int flags)
{
  return openat (run->stub_fd, *rel ? rel : ".", flags | O_NOFOLLOW | O_CLOEXEC);
}

/* One entry `name` of skeleton directory rel (host: fd in layer l). */
static int
skeleton_entry (struct split_run *run, int stub_dir, const char *rel, const char *name, size_t l)
{
  const struct setup_op *op = run->op;
  cleanup_free char *child = join (rel, name);
  const struct split_node *node = overlay_split_find (run->split, child);
  cleanup_fd int host_fd = open_host (run->oldroot_fd, op->resolved_layers, l, child,
                                      O_PATH | O_NOFOLLOW);
  struct stat st;

  if (host_fd < 0 || fstat (host_fd, &st) != 0)
    return 0;   /* gone meanwhile, or covered: leave it out */
  if (S_ISLNK (st.st_mode) && node == NULL)
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (host_fd, "", target, sizeof target - 1);
      if (n < 0)
        return 0;
      target[n] = '\0';
      if (symlinkat (target, stub_dir, name) != 0 && errno != EEXIST)
        return -errno;
      /* Ignored: an unmapped owner cannot be given; the link still works. */
      (void) fchownat (stub_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
      return 0;
    }
  if (node != NULL && node->kind == SPLIT_NODE_BIND)
    {
      /* A mount point: bind what the path shows (follow a symlink to it). */
      close (steal_fd (&host_fd));
      host_fd = open_host (run->oldroot_fd, op->resolved_layers, node->layer, child, O_PATH);
      if (host_fd < 0 || fstat (host_fd, &st) != 0)
        return 0;
    }
  int r = make_like (stub_dir, name, &st, host_fd, run->proc_fd_dir);
  if (r < 0)
    return r;
  /* A directory the caller may not search keeps its stub (which has its
   * mode): nothing in it is reachable, so it needs no overlay. */
  if (node == NULL && run->owners.has_userns && S_ISDIR (st.st_mode) && st.st_uid == run->owners.overflow
      && !(caller_access (host_fd, "", &st) & 1))
    return 0;
  if (node == NULL)
    add_piece (run, child, S_ISDIR (st.st_mode) ? PIECE_OVERLAY : PIECE_FILE, l);
  return 0;
}

/* Fill the stub of skeleton directory rel with every entry of the layers'
 * host directories, topmost layer first (a name the stub already has was
 * seen in a higher layer). */
static int
skeleton_dir (struct split_run *run, const char *rel)
{
  const struct setup_op *op = run->op;
  cleanup_fd int stub_dir = open_stub (run, rel, O_PATH | O_DIRECTORY);
  struct stat st;

  if (stub_dir < 0)
    return 0;   /* its parent has no such entry: nothing to show */
  for (size_t l = op->n_layers; l-- > 0;)
    {
      cleanup_fd int fd = open_host (run->oldroot_fd, op->resolved_layers, l, rel,
                                     O_RDONLY | O_DIRECTORY);
      DIR *dir;
      struct dirent *de;
      int r = 0;

      if (fd < 0)
        continue;   /* absent in this layer, or unreadable for the caller */
      if (*rel && fstat (fd, &st) == 0)
        copy_attrs (stub_dir, "", &st, fd, run->proc_fd_dir);
      dir = fdopendir (fd);
      if (dir == NULL)
        return -errno;
      fd = -1;
      while (r == 0 && (de = readdir (dir)) != NULL)
        {
          struct stat seen;
          if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0
              || fstatat (stub_dir, de->d_name, &seen, AT_SYMLINK_NOFOLLOW) == 0)
            continue;
          r = skeleton_entry (run, stub_dir, rel, de->d_name, l);
        }
      closedir (dir);
      if (r < 0)
        return r;
    }
  return 0;
}

static int
build_skeleton (struct split_run *run, struct bwrap_error *err)
{
  for (size_t i = 0; i < run->split->n_nodes; i++)
    {
      const struct split_node *node = &run->split->nodes[i];
      cleanup_fd int stub = open_stub (run, node->rel, O_PATH);
      int r = 0;

      if (stub < 0)
        continue;   /* not reachable from its parent (a covered mount) */
      switch (node->kind)
        {
        case SPLIT_NODE_SKELETON:
          r = skeleton_dir (run, node->rel);
          break;
        case SPLIT_NODE_OVERLAY:
          add_piece (run, node->rel, PIECE_OVERLAY, 0);
          break;
        case SPLIT_NODE_BIND:
          add_piece (run, node->rel, PIECE_BIND, node->layer);
          break;
        case SPLIT_NODE_EXCLUDED:
          break;   /* the stub directory stays empty */
        default:
          r = -EINVAL;
          break;
        }
      if (r < 0)
        return bwrap_error_set (err, -r, "Can't recreate directory /%s of the layers of %s %s",
                                node->rel, setup_op_kind_name (run->op->kind), run->op->dest);
    }
  return 0;
}

/* ---- private tmpfs, upper and work directories ---------------------------- */

/* A fresh tmpfs on hidden/split-<n>: the skeleton's stub directories, and
 * for --tmp-overlay the upper and work directories of every piece, so that
 * --size bounds the whole overlay.  Returns an O_PATH fd of its root. */
static int
mount_private_tmpfs (const struct setup_op *op, int hidden_fd, struct bwrap_error *err)
{
  char name[64], size[32];
  const char *config[] = { "mode", "0755", NULL, NULL, NULL };
  cleanup_free char *kernel_msg = NULL;
  unsigned n = 0;
  int r;

  do
    snprintf (name, sizeof name, "split-%u", n++);
  while (mkdirat (hidden_fd, name, 0700) != 0 && errno == EEXIST && n < 10000);
  cleanup_fd int fd = openat (hidden_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return bwrap_error_set (err, errno, "Can't create hidden directory for %s on %s",
                            setup_op_kind_name (op->kind), op->dest);
  if (op->kind == SETUP_OP_TMP_OVERLAY && (op->flags & SETUP_OP_FLAG_HAS_SIZE))
    {
      snprintf (size, sizeof size, "%" PRIu64, op->size);
      config[2] = "size";
      config[3] = size;
    }
  r = mount_new_fs ("tmpfs", config, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, fd, &kernel_msg);
  if (r < 0)
    {
      if (kernel_msg)
        return bwrap_error_set (err, 0, "Can't mount tmpfs for %s on %s: %s",
                                setup_op_kind_name (op->kind), op->dest, kernel_msg);
      return bwrap_error_set (err, -r, "Can't mount tmpfs for %s on %s",
                              setup_op_kind_name (op->kind), op->dest);
    }
  /* Reopen by name: fd still refers to the covered directory. */
  r = openat (hidden_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (r < 0)
    return bwrap_error_set (err, errno, "Can't open hidden directory for %s on %s",
                            setup_op_kind_name (op->kind), op->dest);
  return r;
}

static int
subdir (int dir_fd, const char *name, mode_t mode)
{
  if (mkdirat (dir_fd, name, mode) != 0 && errno != EEXIST)
    return -errno;
  int fd = openat (dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

/* Stub root, upper and work roots for the op's kind. */
static int
open_roots (struct split_run *run, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  const struct setup_op *op = run->op;
  cleanup_fd int tmp = mount_private_tmpfs (op, ctx->hidden_fd, err);
  const char *what = "--overlay RWSRC";

  if (tmp < 0)
    return tmp;
  run->stub_fd = subdir (tmp, "stub", 0755);
  if (run->stub_fd < 0)
    return bwrap_error_set (err, -run->stub_fd, "Can't create skeleton for %s on %s",
                            setup_op_kind_name (op->kind), op->dest);
  if (op->kind == SETUP_OP_TMP_OVERLAY)
    {
      run->upper_fd = subdir (tmp, "upper", 0755);
      run->work_fd = subdir (tmp, "work", 0755);
      /* The overlay's root shows the upper root's owner and mode: make
       * them the host's (or the caller's rights on it). */
      struct stat st;
      size_t l;
      cleanup_fd int host = top_entry (ctx->oldroot_fd, op->resolved_layers, op->n_layers, "",
                                       &st, &l);
      if (host >= 0 && S_ISDIR (st.st_mode))
        copy_attrs (tmp, "upper", &st, host, ctx->proc_fd_dir);
    }
  else if (op->kind == SETUP_OP_OVERLAY)
    {
      run->upper_fd = resolve_open (ctx->oldroot_fd, op->resolved_source, O_PATH | O_DIRECTORY);
      if (run->upper_fd >= 0)
        {
          cleanup_fd int work = resolve_open (ctx->oldroot_fd, op->resolved_workdir,
                                              O_PATH | O_DIRECTORY);
          what = "--overlay WORKDIR";
          /* Pieces' work directories, kept apart from WORKDIR's own "work"
           * and reused by the next run (overlayfs empties them). */
          run->work_fd = work < 0 ? work : subdir (work, "bwrap-split", 0755);
        }
    }
  if (run->upper_fd < 0 && op->kind != SETUP_OP_RO_OVERLAY)
    return bwrap_error_set (err, -run->upper_fd, "Can't open %s for %s", what, op->dest);
  if (run->work_fd < 0 && op->kind != SETUP_OP_RO_OVERLAY)
    return bwrap_error_set (err, -run->work_fd, "Can't open %s for %s", what, op->dest);
  return 0;
}

/* Work directory for piece i ("s" for the skeleton). */
static int
piece_workdir (const struct split_run *run, const char *name)
{
  return subdir (run->work_fd, name, 0755);
}

static int
prepare_uppers (struct split_run *run, struct bwrap_error *err)
{
  const struct setup_op *op = run->op;

  if (run->upper_fd < 0)
    return 0;
  for (size_t i = 0; i < run->n_pieces; i++)
    {
      const struct piece *p = &run->pieces[i];
      int r;
      if (p->kind != PIECE_OVERLAY)
        continue;
      r = make_dir_chain (run->upper_fd, run->oldroot_fd, op->resolved_layers, op->n_layers,
                          p->rel, run->proc_fd_dir);
      if (r < 0)
        return bwrap_error_set (err, -r, "Can't create upper directory %s for %s on %s",
                                p->rel, setup_op_kind_name (op->kind), op->dest);
      cleanup_fd int upper = resolve_open (run->upper_fd, p->rel, O_PATH | O_DIRECTORY);
      if (upper >= 0)
        prepare_upper (run->oldroot_fd, op->resolved_layers, op->n_layers, p->rel, upper,
                       run->proc_fd_dir, &run->owners);
    }
  return 0;
}

/* ---- mounting the pieces ------------------------------------------------- */

struct piece_lowers
{
  const struct split_run *run;
  const char *rel;
  size_t *layers;      /* indices into op->resolved_layers, bottom first */
  int stub_fd;         /* >= 0: the only lower is the skeleton's stub */
};

static int
open_piece_lower (const void *data, size_t i, struct bwrap_error *err)
{
  const struct piece_lowers *pl = data;
  int fd;

  if (pl->stub_fd >= 0)
    fd = openat (pl->stub_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  else
    fd = open_host (pl->run->oldroot_fd, pl->run->op->resolved_layers, pl->layers[i], pl->rel,
                    O_PATH | O_DIRECTORY);
  if (fd < 0)
    return bwrap_error_set (err, fd == -1 ? errno : -fd, "Can't open overlay layer for /%s", pl->rel);
  return fd;
}

/* The layers that show a directory at rel, bottom first: a non-directory
 * in a layer hides everything below it, as overlayfs would. */
static size_t
piece_layers (const struct split_run *run, const char *rel, size_t *out)
{
  const struct setup_op *op = run->op;
  size_t n = 0;

  for (size_t l = 0; l < op->n_layers; l++)
    {
      struct stat st;
      cleanup_fd int fd = open_host (run->oldroot_fd, op->resolved_layers, l, rel, O_PATH);
      if (fd < 0 || fstat (fd, &st) != 0)
        continue;
      if (!S_ISDIR (st.st_mode))
        n = 0;
      else
        out[n++] = l;
    }
  return n;
}

static int
mount_overlay_piece (struct split_run *run, const struct piece *p, size_t index,
                     int target_fd, const char *dest, struct bwrap_error *err)
{
  cleanup_free size_t *layers = xcalloc (run->op->n_layers, sizeof (size_t));
  struct piece_lowers pl = { run, p->rel, layers, -1 };
  struct overlay_lowers lowers = { piece_layers (run, p->rel, layers), open_piece_lower, &pl };
  cleanup_fd int upper = -1, work = -1;
  char name[32];

  if (lowers.n == 0)
    return 0;   /* vanished since the skeleton was made: leave it empty */
  if (run->upper_fd < 0 && lowers.n == 1)
    {
      /* overlayfs wants two lowers without an upper; one read-only lower
       * is a read-only bind of it (it has no mounts below). */
      cleanup_fd int fd = open_piece_lower (&pl, 0, err);
      int r;
      if (fd < 0)
        return fd;
      r = bind_mount_fd (fd, target_fd, BIND_READONLY);
      return r < 0 ? bwrap_error_set (err, -r, "Can't bind layer for /%s on %s", p->rel, dest) : 0;
    }
  if (run->upper_fd >= 0)
    {
      upper = resolve_open (run->upper_fd, p->rel, O_PATH | O_DIRECTORY);
      snprintf (name, sizeof name, "%zu", index);
      work = piece_workdir (run, name);
      if (upper < 0 || work < 0)
        return bwrap_error_set (err, upper < 0 ? -upper : -work,
                                "Can't open upper or work directory for %s", dest);
    }
  int r = overlay_mount_lowers (OVERLAY_API_AUTO, dest, &lowers, upper, work, target_fd,
                                 run->proc_fd_dir, err);
  if (r == -EINVAL && err->message != NULL && strstr (err->message, ": Invalid argument") != NULL)
    {
      /* The kernel said nothing but EINVAL (its reason went to the kernel
       * log): name the likely causes in words. */
      cleanup_free char *layer = join (run->op->resolved_layers[layers[lowers.n - 1]], p->rel);
      bwrap_error_set (err, 0, "Can't make overlay mount on %s: the kernel refused the layer %s "
                       "(Invalid argument): a mount appeared below it after bwrap read the mount "
                       "table, or its filesystem cannot be an overlay layer; the kernel log "
                       "(dmesg) names the reason", dest, layer);
    }
  return r;
}

static int
mount_piece (struct split_run *run, size_t index, int dest_root, struct bwrap_error *err)
{
  const struct piece *p = &run->pieces[index];
  cleanup_free char *dest = join (run->op->dest, p->rel);
  cleanup_fd int target = resolve_open (dest_root, p->rel, O_PATH);
  cleanup_fd int host = -1;
  int r;

  if (target < 0)
    return 0;   /* not in the skeleton: hidden on the host too */
  if (p->kind == PIECE_OVERLAY)
    return mount_overlay_piece (run, p, index, target, dest, err);
  /* A pseudo filesystem (with what is mounted below it) or a
   * non-directory: read-only, so the host cannot change through it. */
  host = open_host (run->oldroot_fd, run->op->resolved_layers, p->layer, p->rel,
                    p->kind == PIECE_FILE ? O_PATH | O_NOFOLLOW : O_PATH);
  if (host < 0)
    return 0;
  r = bind_mount_fd (host, target, BIND_READONLY);
  if (r < 0)
    return bwrap_error_set (err, -r, "Can't bind %s read-only into %s", dest, run->op->dest);
  return 0;
}

static int
mount_skeleton (struct split_run *run, int dest_fd, struct bwrap_error *err)
{
  struct piece_lowers pl = { run, "", NULL, run->stub_fd };
  struct overlay_lowers lowers = { 1, open_piece_lower, &pl };
  cleanup_fd int work = -1;
  int r;

  if (run->upper_fd < 0)
    {
      r = bind_mount_fd (run->stub_fd, dest_fd, BIND_READONLY);
      return r < 0 ? bwrap_error_set (err, -r, "Can't mount skeleton on %s", run->op->dest) : 0;
    }
  work = piece_workdir (run, "s");
  if (work < 0)
    return bwrap_error_set (err, -work, "Can't create work directory for %s", run->op->dest);
  return overlay_mount_lowers (OVERLAY_API_AUTO, run->op->dest, &lowers, run->upper_fd, work,
                               dest_fd, run->proc_fd_dir, err);
}

static void
run_free (struct split_run *run)
{
  for (size_t i = 0; i < run->n_pieces; i++)
    free (run->pieces[i].rel);
  free (run->pieces);
  cleanup_fdp (&run->stub_fd);
  cleanup_fdp (&run->upper_fd);
  cleanup_fdp (&run->work_fd);
}

int
overlay_split_mount (const struct setup_op *op, const struct setup_ctx *ctx,
                     int dest_fd, struct bwrap_error *err)
{
  struct split_run run = {
    .op = op, .split = op->split, .oldroot_fd = ctx->oldroot_fd,
    .proc_fd_dir = ctx->proc_fd_dir, .stub_fd = -1, .upper_fd = -1, .work_fd = -1,
  };
  cleanup_fd int newroot = -1, dest_root = -1;
  int r;

  run.owners = owners_of (ctx->oldroot_fd);
  r = open_roots (&run, ctx, err);
  if (r >= 0)
    r = build_skeleton (&run, err);
  /* Upper directories exist before anything is mounted on them: overlayfs
   * must not see its upper layer change under it. */
  if (r >= 0)
    r = prepare_uppers (&run, err);
  if (r >= 0)
    r = mount_skeleton (&run, dest_fd, err);
  if (r >= 0)
    {
      /* The skeleton now covers dest_fd: reach DEST afresh.  "/newroot" is
       * the setup root's fixed layout (setup.c). */
      newroot = open ("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
      dest_root = newroot < 0 ? -errno : resolve_open (newroot, op->dest, O_PATH | O_DIRECTORY);
      if (dest_root < 0)
        r = bwrap_error_set (err, -dest_root, "Can't open %s after mounting its skeleton", op->dest);
    }
  for (size_t i = 0; r >= 0 && i < run.n_pieces; i++)
    r = mount_piece (&run, i, dest_root, err);
  run_free (&run);
  return r < 0 ? r : 0;
}
