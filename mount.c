/* SPDX-License-Identifier: LGPL-2.0-or-later
 * mount.c: the mount layer's local backend (see mount.h): each mount with
 * the new mount API, or with mount(2) (mount-legacy.c) once kernel-api.c
 * says this kernel or its seccomp policy lacks that API.  Runs in the
 * sandbox process with the capabilities of its user namespace, or in
 * setuid mode in the setuid peer (setuid-peer.c) on the sandbox process's
 * fds.  Mounts are created detached and attached on an fd resolved inside
 * the new root, so no path is looked up twice; until a move_mount
 * succeeds nothing is attached, so a failed first choice leaves nothing
 * behind for the classic path to trip over. */
#include "mount.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs-context.h"
#include "kernel-api.h"
#include "mount-legacy.h"
#include "mount-overlay.h"
#include "network.h"
#include "root-switch.h"

/* The new mount API's bind.  On failure *ret_sysno names the call. */
static int
bind_new_api (int src_fd, int dest_fd, unsigned flags, long *ret_sysno)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID };
  cleanup_fd int tree = -1;

  if (!(flags & BIND_DEVICES))
    attr.attr_set |= MOUNT_ATTR_NODEV;
  if (flags & BIND_READONLY)
    attr.attr_set |= MOUNT_ATTR_RDONLY;

  /* AT_RECURSIVE on both calls: submounts come along (a user namespace may
   * not reveal what they cover anyway) and every one of them gets the
   * flags before the tree becomes visible anywhere.  (Linux 5.12: one
   * atomic step, no window where a submount is still writable.) */
  *ret_sysno = SYS_open_tree;
  tree = open_tree (src_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC
                    | AT_RECURSIVE | AT_EMPTY_PATH);
  if (tree < 0)
    return -errno;
  *ret_sysno = SYS_mount_setattr;
  if (mount_setattr (tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
    return -errno;
  *ret_sysno = SYS_move_mount;
  if (move_mount (tree, "", dest_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return -errno;
  return 0;
}

static int
local_bind (int src_fd, int dest_fd, unsigned flags, struct bwrap_error *detail)
{
  long sysno = 0;
  int r;

  if (!kernel_api_is_legacy (KERNEL_API_MOUNT))
    {
      r = bind_new_api (src_fd, dest_fd, flags, &sysno);
      if (r == 0 || !kernel_api_unavailable (KERNEL_API_MOUNT, sysno, -r))
        return r;
    }
  return mount_legacy_bind (src_fd, dest_fd, flags, detail);
}

/* The new mount API.  On failure *ret_sysno names the call. */
static int
new_fs_new_api (const char *fstype, const char *const *config, unsigned attrs,
                int dest_fd, char **ret_kernel_msg, long *ret_sysno)
{
  cleanup_fd int fs = fs_context_open (fstype, ret_sysno);
  int r;

  if (fs < 0)
    return fs;
  *ret_sysno = SYS_fsconfig;
  r = fs_context_configure (fs, config);
  if (r == 0)
    r = fs_context_attach (fs, attrs, dest_fd, ret_sysno);
  if (r < 0 && ret_kernel_msg != NULL)
    *ret_kernel_msg = fs_context_log (fs);
  return r;
}

static int
local_new_fs (const char *fstype, const char *const *config, unsigned attrs,
              int dest_fd, char **ret_kernel_msg)
{
  long sysno = 0;
  int r;

  if (ret_kernel_msg != NULL)
    *ret_kernel_msg = NULL;
  if (!kernel_api_is_legacy (KERNEL_API_MOUNT))
    {
      r = new_fs_new_api (fstype, config, attrs, dest_fd, ret_kernel_msg, &sysno);
      if (r == 0 || !kernel_api_unavailable (KERNEL_API_MOUNT, sysno, -r))
        return r;
      if (ret_kernel_msg != NULL)
        {
          free (*ret_kernel_msg);
          *ret_kernel_msg = NULL;
        }
    }
  return mount_legacy_new_fs (fstype, config, attrs, dest_fd);
}

static int
local_set_readonly (int fd)
{
  struct mount_attr attr = {
    .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
  };

  if (!kernel_api_is_legacy (KERNEL_API_MOUNT))
    {
      int saved;
      if (mount_setattr (fd, "", AT_EMPTY_PATH, &attr, sizeof attr) == 0)
        return 0;
      saved = errno;
      if (!kernel_api_unavailable (KERNEL_API_MOUNT, SYS_mount_setattr, saved))
        return -saved;
    }
  return mount_legacy_set_readonly (fd);
}

static int
local_hostname (const char *name)
{
  return sethostname (name, strlen (name)) == 0 ? 0 : -errno;
}

static int
local_step (enum mount_step step, struct bwrap_error *err)
{
  switch (step)
    {
    case MOUNT_STEP_SETUP_ROOT:
      return root_switch_to_setup_root (err);
    case MOUNT_STEP_ENTER_NEW_ROOT:
      return root_switch_to_new_root (err);
    case MOUNT_STEP_LOOPBACK:
      return network_loopback_up (err);
    default:
      return bwrap_error_set (err, EINVAL, "internal error: unknown setup step %d", (int) step);
    }
}

static void
local_finish (void)
{
}

const struct mount_backend *
mount_backend_local (void)
{
  static const struct mount_backend local = {
    .bind = local_bind,
    .new_fs = local_new_fs,
    .set_readonly = local_set_readonly,
    .overlay = mount_overlay_local,
    .hostname = local_hostname,
    .step = local_step,
    .finish = local_finish,
  };
  return &local;
}

int
mount_is_mount_root (int fd)
{
  struct statx stx;

  if (statx (fd, "", AT_EMPTY_PATH, 0, &stx) != 0)
    return -errno;
  if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  return mount_legacy_is_mount_root (fd);
}
