/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-split-mount.c: mount an overlay whose layers contain mounts as a
 * stack of pieces (see overlay-split.h), and prepare upper directories for
 * directories the caller may write into but whose owner is not mapped.
 * Runs in the sandbox process inside the new user + mount namespace
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

#include "mount-fs.h"
#include "overlay-split.h"
#include "overlay-layers.h"
#include "overlay-split-copy.h"
#include "overlay-split-tidy.h"
#include "resolve.h"

enum piece_kind
{
  PIECE_OVERLAY,   /* a directory without mounts below: its own overlay */
  PIECE_BIND,      /* a pseudo filesystem's mount point: read-only bind */
  PIECE_FILE,      /* a non-directory in a skeleton directory: read-only bind */
  PIECE_STUB,      /* a skeleton directory below a search-only one bound as it
                      is: the skeleton's own, bound back over the host's */
};

struct piece
{
  char *rel;
  enum piece_kind kind;
  size_t layer;     /* PIECE_BIND, PIECE_FILE: the layer it comes from */
  int src_fd;       /* PIECE_STUB: the skeleton's directory, opened before
                       anything covers it; PIECE_BIND of a mount refusing
                       stat: the mount, as skeleton_entry found it */
};

struct split_run
{
  const struct setup_op *op;
  const struct overlay_split *split;
  const struct mount_backend *mnt;
  int oldroot_fd;
  const char *proc_fd_dir;
  int stub_fd;      /* root of the skeleton, on the private tmpfs */
  int upper_fd;     /* upper and work roots; -1 for --ro-overlay */
  int work_fd;
  struct piece *pieces;
  size_t n_pieces;
  struct split_owners owners;
  struct split_copy copy;   /* writable overlays: files of skeleton
                               directories copied into the stub */
  struct split_tidy tidy;   /* --overlay: piece uppers this run created */
};

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
  p->src_fd = -1;
}

static bool
has_piece (const struct split_run *run, const char *rel)
{
  for (size_t i = 0; i < run->n_pieces; i++)
    if (strcmp (run->pieces[i].rel, rel) == 0)
      return true;
  return false;
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
  cleanup_free char *child = split_join (rel, name);
  const struct split_node *node = overlay_split_find (run->split, child);
  cleanup_fd int host_fd = split_open_host (run->oldroot_fd, op->resolved_layers, l, child,
                                      O_PATH | O_NOFOLLOW);
  struct stat st;
  int st_err = host_fd < 0 ? -host_fd : fstat (host_fd, &st) != 0 ? errno : 0;

  /* A mount point whose filesystem refuses even stat to the sandbox (a
   * FUSE mount of another user without allow_other: its server says
   * EACCES): listed, and bound as it is, read-only, so that it answers
   * "Permission denied" as on the host (issue 27).  Binding needs no
   * access to it. */
  if (st_err == EACCES && host_fd >= 0 && node != NULL && node->kind == SPLIT_NODE_OVERLAY)
    {
      if (mkdirat (stub_dir, name, 0755) != 0 && errno != EEXIST)
        return -errno;
      add_piece (run, child, PIECE_BIND, node->layer);
      /* Kept: the path walk without openat2 cannot reach it again (its
       * stat of the last component fails the same way). */
      run->pieces[run->n_pieces - 1].src_fd = steal_fd (&host_fd);
      return 0;
    }
  if (st_err != 0)
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
      host_fd = split_open_host (run->oldroot_fd, op->resolved_layers, node->layer, child, O_PATH);
      if (host_fd < 0 || fstat (host_fd, &st) != 0)
        return 0;
    }
  int r = split_make_like (stub_dir, name, &st, host_fd, run->proc_fd_dir);
  if (r < 0)
    return r;
  /* A writable overlay: a regular file of a recreated directory becomes a
   * copy in the stub, a lower file like any other, instead of a read-only
   * bind (issue 27; overlay-split-copy.c).  1: copied, no piece. */
  if (node == NULL && run->upper_fd >= 0)
    {
      r = split_copy_file (stub_dir, name, host_fd, &st, run->proc_fd_dir, &run->owners,
                           &run->copy);
      if (r != 0)
        return r < 0 ? r : 0;
    }
  /* A directory the caller may not search keeps its stub (which has its
   * mode): nothing in it is reachable, so it needs no overlay. */
  if (node == NULL && run->owners.has_userns && S_ISDIR (st.st_mode) && st.st_uid == run->owners.overflow
      && !(split_caller_access (host_fd, "", &st) & 1))
    return 0;
  if (node == NULL)
    add_piece (run, child, S_ISDIR (st.st_mode) ? PIECE_OVERLAY : PIECE_FILE, l);
  return 0;
}

/* A skeleton directory the caller may search but not list, alone in its
 * layers, is shown as the host has it (split_search_only_layer): a
 * read-only recursive bind, which the pieces below it are mounted on, as
 * are the skeleton's own directories below it (they hold pieces, or
 * RWSRC shown empty). */
static void
show_search_only (struct split_run *run, const char *rel)
{
  const struct setup_op *op = run->op;
  ssize_t l = split_search_only_layer (run->oldroot_fd, op->resolved_layers, op->n_layers, rel,
                                       op->dest);

  if (l < 0)
    return;
  add_piece (run, rel, PIECE_BIND, (size_t) l);
  for (size_t j = 0; j < run->split->n_nodes; j++)
    {
      const struct split_node *node = &run->split->nodes[j];
      if (split_relative_child (node->rel, rel) != NULL
          && (node->kind == SPLIT_NODE_SKELETON || node->kind == SPLIT_NODE_EXCLUDED))
        add_piece (run, node->rel, PIECE_STUB, 0);
    }
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
  show_search_only (run, rel);
  for (size_t l = op->n_layers; l-- > 0;)
    {
      cleanup_fd int fd = split_open_host (run->oldroot_fd, op->resolved_layers, l, rel,
                                     O_RDONLY | O_DIRECTORY);
      DIR *dir;
      struct dirent *de;
      int r = 0;

      if (fd < 0)
        continue;   /* absent in this layer, or unreadable for the caller */
      if (*rel && fstat (fd, &st) == 0)
        split_copy_attrs (stub_dir, "", &st, fd, run->proc_fd_dir);
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
      if (run->copy.n_kept > 0)
        {
          cleanup_free char *host = split_join (op->resolved_layers[l], rel);
          cleanup_free char *shown = split_join (op->dest, rel);
          split_copy_warn (&run->copy, host, shown);
        }
    }
  /* A directory the caller may search but not read lists nothing, yet
   * the split points below it are reachable by name, as on the host. */
  for (size_t i = 0; i < run->split->n_nodes; i++)
    {
      const char *child = split_relative_child (run->split->nodes[i].rel, rel);
      struct stat seen;
      if (child == NULL || fstatat (stub_dir, child, &seen, AT_SYMLINK_NOFOLLOW) == 0)
        continue;
      for (size_t l = op->n_layers; l-- > 0;)
        {
          int r = skeleton_entry (run, stub_dir, rel, child, l);
          if (r < 0)
            return r;
          if (fstatat (stub_dir, child, &seen, AT_SYMLINK_NOFOLLOW) == 0)
            break;
        }
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
          /* Unless its parent already bound it as it is (skeleton_entry). */
          if (!has_piece (run, node->rel))
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

/* Stub root, upper and work roots for the op's kind. */
static int
open_roots (struct split_run *run, const struct setup_ctx *ctx, struct bwrap_error *err)
{
  const struct setup_op *op = run->op;
  cleanup_fd int tmp = mount_private_tmpfs (op, ctx, "split", 0, err);
  const char *what = "--overlay RWSRC";

  if (tmp < 0)
    return tmp;
  run->stub_fd = open_subdir (tmp, "stub", 0755);
  if (run->stub_fd < 0)
    return bwrap_error_set (err, -run->stub_fd, "Can't create skeleton for %s on %s",
                            setup_op_kind_name (op->kind), op->dest);
  if (op->kind == SETUP_OP_TMP_OVERLAY)
    {
      run->upper_fd = open_subdir (tmp, "upper", 0755);
      run->work_fd = open_subdir (tmp, "work", 0755);
      /* The overlay's root shows the upper root's owner and mode: make
       * them the host's (or the caller's rights on it). */
      struct stat st;
      size_t l;
      cleanup_fd int host = split_top_entry (ctx->oldroot_fd, op->resolved_layers, op->n_layers, "",
                                       &st, &l);
      if (host >= 0 && S_ISDIR (st.st_mode))
        split_copy_attrs (tmp, "upper", &st, host, ctx->proc_fd_dir);
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
          run->work_fd = work < 0 ? work : open_subdir (work, "bwrap-split", 0755);
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
  return open_subdir (run->work_fd, name, 0755);
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
      bool is_new = false;
      if (p->kind != PIECE_OVERLAY)
        continue;
      /* RWSRC: note what this run creates, for overlay-split-tidy.c. */
      if (op->kind == SETUP_OP_OVERLAY)
        is_new = split_tidy_note_new (&run->tidy, run->upper_fd, p->rel);
      r = split_make_dir_chain (run->upper_fd, run->oldroot_fd, op->resolved_layers, op->n_layers,
                          p->rel, run->proc_fd_dir);
      if (r < 0)
        return bwrap_error_set (err, -r, "Can't create upper directory %s for %s on %s",
                                p->rel, setup_op_kind_name (op->kind), op->dest);
      cleanup_fd int upper = resolve_open (run->upper_fd, p->rel, O_PATH | O_DIRECTORY);
      if (upper >= 0)
        split_prepare_upper (run->oldroot_fd, op->resolved_layers, op->n_layers, p->rel, upper,
                       run->proc_fd_dir, &run->owners);
      if (is_new)
        split_tidy_note_subtree (&run->tidy, run->upper_fd, p->rel);
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
    fd = split_open_host (pl->run->oldroot_fd, pl->run->op->resolved_layers, pl->layers[i], pl->rel,
                    O_PATH | O_DIRECTORY);
  if (fd < 0)
    return bwrap_error_set (err, fd == -1 ? errno : -fd, "Can't open overlay layer for /%s", pl->rel);
  return fd;
}

static char *
name_piece_lower (const void *data, size_t i)
{
  const struct piece_lowers *pl = data;

  return split_join (pl->run->op->resolved_layers[pl->layers[i]], pl->rel);
}

/* Bind the piece's only layer read-only on target_fd, where an overlay
 * is not needed or not possible. */
static int
bind_piece_layer (const struct piece_lowers *pl, int target_fd, const char *dest,
                  struct bwrap_error *err)
{
  cleanup_fd int fd = open_piece_lower (pl, 0, err);
  int r;

  if (fd < 0)
    return fd;
  r = pl->run->mnt->bind (fd, target_fd, BIND_READONLY, NULL);
  return r < 0 ? bwrap_error_set (err, -r, "Can't bind layer for /%s on %s", pl->rel, dest) : 0;
}

static int
mount_overlay_piece (struct split_run *run, const struct piece *p, size_t index,
                     int target_fd, const char *dest, struct bwrap_error *err)
{
  const struct setup_op *op = run->op;
  cleanup_free size_t *layers = xcalloc (op->n_layers, sizeof (size_t));
  struct piece_lowers pl = { run, p->rel, layers, -1 };
  struct overlay_lowers lowers = {
    split_dir_layers (run->oldroot_fd, op->resolved_layers, op->n_layers, p->rel, layers),
    open_piece_lower, &pl, name_piece_lower
  };
  cleanup_fd int upper = -1, work = -1;
  char name[32];

  if (lowers.n == 0)
    return 0;   /* vanished since the skeleton was made: leave it empty */
  if (run->upper_fd < 0 && lowers.n == 1)
    {
      /* overlayfs wants two lowers without an upper; one read-only lower
       * is a read-only bind of it (it has no mounts below). */
      return bind_piece_layer (&pl, target_fd, dest, err);
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
  struct mount_overlay spec = { dest, &lowers, upper, work, run->proc_fd_dir };
  ssize_t too_deep;
  int r = run->mnt->overlay (&spec, target_fd, &too_deep, err);
  if (r == -EINVAL && lowers.n == 1 && too_deep == 0)
    {
      /* A mount already two overlays deep cannot be a layer, like a
       * pseudo filesystem: shown as the host shows it, read-only.  (With
       * other layers at the same place, binding one would hide the
       * others: the mount layer's message about it stands.) */
      cleanup_free char *layer = name_piece_lower (&pl, 0);
      bwrap_error_clear (err);
      warn_msg ("warning: %s (below --overlay-src %s) is on an overlayfs already stacked on "
                "another; the kernel stacks filesystems at most two deep, so it is shown "
                "read-only in %s", layer, op->resolved_layers[layers[0]], dest);
      return bind_piece_layer (&pl, target_fd, dest, err);
    }
  if (r == -EINVAL && err->message != NULL && strstr (err->message, ": Invalid argument") != NULL)
    {
      /* The kernel said nothing but EINVAL (its reason went to the kernel
       * log): name the likely causes in words. */
      cleanup_free char *layer = split_join (op->resolved_layers[layers[lowers.n - 1]], p->rel);
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
  cleanup_free char *dest = split_join (run->op->dest, p->rel);
  cleanup_fd int target = resolve_open (dest_root, *p->rel ? p->rel : ".", O_PATH);
  cleanup_fd int host = -1;
  int r;

  if (target < 0)
    return 0;   /* not in the skeleton: hidden on the host too */
  if (p->kind == PIECE_OVERLAY)
    return mount_overlay_piece (run, p, index, target, dest, err);
  if (p->kind == PIECE_STUB)
    {
      /* Writable where the skeleton is: it is the skeleton. */
      r = p->src_fd < 0 ? 0 : run->mnt->bind (p->src_fd, target, run->upper_fd < 0 ? BIND_READONLY : 0,
                                                   NULL);
      return r < 0 ? bwrap_error_set (err, -r, "Can't bind %s into %s", dest, run->op->dest) : 0;
    }
  /* A pseudo filesystem (with what is mounted below it) or a
   * non-directory: read-only, so the host cannot change through it. */
  host = p->src_fd >= 0 ? fcntl (p->src_fd, F_DUPFD_CLOEXEC, 3)
         : split_open_host (run->oldroot_fd, run->op->resolved_layers, p->layer, p->rel,
                            p->kind == PIECE_FILE ? O_PATH | O_NOFOLLOW : O_PATH);
  if (host < 0)
    return 0;
  r = run->mnt->bind (host, target, BIND_READONLY, NULL);
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
      r = run->mnt->bind (run->stub_fd, dest_fd, BIND_READONLY, NULL);
      return r < 0 ? bwrap_error_set (err, -r, "Can't mount skeleton on %s", run->op->dest) : 0;
    }
  work = piece_workdir (run, "s");
  if (work < 0)
    return bwrap_error_set (err, -work, "Can't create work directory for %s", run->op->dest);
  struct mount_overlay spec = { run->op->dest, &lowers, run->upper_fd, work, run->proc_fd_dir };
  return run->mnt->overlay (&spec, dest_fd, NULL, err);
}

static void
run_free (struct split_run *run)
{
  for (size_t i = 0; i < run->n_pieces; i++)
    {
      free (run->pieces[i].rel);
      cleanup_fdp (&run->pieces[i].src_fd);
    }
  free (run->pieces);
  free (run->copy.first_kept);   /* a directory cut short by an error */
  cleanup_fdp (&run->stub_fd);
  cleanup_fdp (&run->upper_fd);
  cleanup_fdp (&run->work_fd);
}

/* DEST afresh, after something was mounted on it.  "/newroot" is the
 * setup root's fixed layout (setup.c). */
static int
open_dest_root (const struct setup_op *op, struct bwrap_error *err)
{
  cleanup_fd int newroot = open ("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int fd = newroot < 0 ? -errno : resolve_open (newroot, op->dest, O_PATH | O_DIRECTORY);

  return fd < 0 ? bwrap_error_set (err, -fd, "Can't open %s after mounting its skeleton", op->dest)
                : fd;
}

int
overlay_split_mount (const struct setup_op *op, const struct setup_ctx *ctx,
                     int dest_fd, struct bwrap_error *err)
{
  struct split_run run = {
    .op = op, .split = op->split, .mnt = ctx->mnt, .oldroot_fd = ctx->oldroot_fd,
    .proc_fd_dir = ctx->proc_fd_dir, .stub_fd = -1, .upper_fd = -1, .work_fd = -1,
    .copy = { .left = SPLIT_COPY_BUDGET },
  };
  cleanup_fd int dest_root = -1;
  int r;

  run.owners = split_owners_of (ctx->oldroot_fd);
  r = open_roots (&run, ctx, err);
  if (r >= 0)
    r = build_skeleton (&run, err);
  /* Upper directories exist before anything is mounted on them: overlayfs
   * must not see its upper layer change under it. */
  if (r >= 0)
    r = prepare_uppers (&run, err);
  if (r >= 0)
    r = mount_skeleton (&run, dest_fd, err);
  /* The skeleton now covers dest_fd: reach DEST afresh. */
  if (r >= 0)
    r = dest_root = open_dest_root (op, err);
  /* The skeleton's directories to bind back below a search-only directory
   * shown as it is: opened now, before that bind covers them. */
  for (size_t i = 0; r >= 0 && i < run.n_pieces; i++)
    if (run.pieces[i].kind == PIECE_STUB)
      run.pieces[i].src_fd = resolve_open (dest_root, run.pieces[i].rel, O_PATH | O_DIRECTORY);
  for (size_t i = 0; r >= 0 && i < run.n_pieces; i++)
    {
      r = mount_piece (&run, i, dest_root, err);
      /* A piece on DEST itself (a search-only layer root) covers it again. */
      if (r >= 0 && run.pieces[i].rel[0] == '\0')
        {
          cleanup_fdp (&dest_root);
          r = dest_root = open_dest_root (op, err);
        }
    }
  /* What the monitor may remove after the run if nobody used it
   * (overlay-split-tidy.c); frees the list also on failure. */
  if (op->kind == SETUP_OP_OVERLAY)
    split_tidy_record (&run.tidy, r >= 0 ? run.upper_fd : -1, run.work_fd);
  run_free (&run);
  return r < 0 ? r : 0;
}
