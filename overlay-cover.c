/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-cover.c: RWSRC and WORKDIR inside a layer of their own overlay
 * (overlay-cover.h).  Runs in the sandbox process inside the new
 * user + mount namespace with that namespace's capabilities; it only
 * looks paths up below the new root and mounts empty tmpfs instances on
 * them, never touching the host.
 *
 * Why this is safe without a split at RWSRC (issue 27): overlayfs takes
 * an upper and a work directory inside a lower layer, as real root and in
 * a user namespace (Linux 6.18 checked; the guard below exists since
 * Linux 5.2, "ovl: detect overlapping layers", older than the 5.12 bwrap
 * needs).  It marks the upper and work directories as traps, and a lookup
 * in a lower layer that meets one fails with ELOOP (the kernel logs
 * "overlayfs: failed lookup in lower (..., name='changes', err=-40):
 * overlapping layers").  So in a plain overlay, DEST/<RWSRC's path>
 * answers "Too many levels of symbolic links": listed in its parent,
 * impossible to open, change or delete.
 *
 * In a split overlay the trap belongs to each piece's own upper
 * (RWSRC/<piece>), not to RWSRC itself, so the piece whose lower holds
 * RWSRC shows it like any directory: that path, and any other that
 * answers, is covered with an empty read-only tmpfs, which is what the
 * sandbox then sees there.  The check is made after mounting, on what
 * the sandbox will see, so a kernel without the guard gets the cover too. */
#include "overlay-cover.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "mount-fs.h"
#include "overlay-split.h"
#include "overlay-layers.h"
#include "resolve.h"

/* Cover DEST/rel (the path of host directory `what` inside the overlay)
 * if the new root shows a directory there. */
static int
cover_one (const struct setup_op *op, const struct setup_ctx *ctx, const char *host_path,
           const char *rel, const char *what, struct bwrap_error *err)
{
  cleanup_free char *dest = split_join (op->dest, rel);
  /* Afresh: the overlay now covers the directory ctx->newroot_fd was, when
   * DEST is "/".  "/newroot" is the setup root's fixed layout (setup.c). */
  cleanup_fd int newroot = open ("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_fd int fd = newroot < 0 ? -errno : resolve_open (newroot, dest, O_PATH | O_DIRECTORY);
  cleanup_free char *kernel_msg = NULL;
  struct stat st;
  char mode[16] = "0755";
  const char *config[] = { "mode", mode, "size", "4096", NULL };
  int r;

  /* ELOOP: overlayfs refuses the path (the trap above); ENOENT, ENOTDIR:
   * a higher layer hides it.  Either way the command cannot reach it. */
  if (fd == -ELOOP || fd == -ENOENT || fd == -ENOTDIR)
    return 0;
  if (fd < 0)
    return bwrap_error_set (err, -fd, "Can't look up %s %s inside %s", what, host_path, op->dest);
  /* Its mode, as it appeared before the split made it a piece (ignored on
   * failure: then 0755). */
  if (fstat (fd, &st) == 0)
    snprintf (mode, sizeof mode, "0%o", (unsigned) (st.st_mode & 07777));
  r = ctx->mnt->new_fs ("tmpfs", config, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
                        | MOUNT_ATTR_NOEXEC, fd, &kernel_msg);
  if (r < 0 && kernel_msg != NULL)
    return bwrap_error_set (err, 0, "Can't cover %s %s at %s: %s", what, host_path, dest, kernel_msg);
  if (r < 0)
    return bwrap_error_set (err, -r, "Can't cover %s %s at %s", what, host_path, dest);
  return 0;
}

int
overlay_cover_upper (const struct setup_op *op, const struct setup_ctx *ctx,
                     struct bwrap_error *err)
{
  const char *paths[] = { op->resolved_source, op->resolved_workdir };
  const char *whats[] = { "--overlay RWSRC", "--overlay WORKDIR" };

  if (op->kind != SETUP_OP_OVERLAY)
    return 0;
  for (size_t i = 0; i < N_ELEMENTS (paths); i++)
    for (size_t l = 0; paths[i] != NULL && l < op->n_layers; l++)
      {
        const char *rel = split_relative (paths[i], op->resolved_layers[l]);
        int r;
        if (rel == NULL || *rel == '\0')
          continue;
        r = cover_one (op, ctx, paths[i], rel, whats[i], err);
        if (r < 0)
          return r;
        break;   /* one path in DEST, whichever layer holds it */
      }
  return 0;
}
