/* SPDX-License-Identifier: LGPL-2.0-or-later
 * fs-context.c: the fsopen/fsconfig/fsmount/move_mount sequence and the
 * fs-context log reader (see fs-context.h).  Runs in the sandbox process
 * or the setuid peer, with the capabilities of the sandbox's user
 * namespace; acts only on fds it is given. */
#include "fs-context.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "utils.h"

int
fs_context_open (const char *fstype, long *ret_sysno)
{
  cleanup_fd int fs = -1;

  *ret_sysno = SYS_fsopen;
  fs = fsopen (fstype, FSOPEN_CLOEXEC);
  if (fs < 0)
    return -errno;
  *ret_sysno = SYS_fsconfig;
  if (fsconfig (fs, FSCONFIG_SET_STRING, "source", fstype, 0) != 0)
    return -errno;
  return steal_fd (&fs);
}

int
fs_context_configure (int fs, const char *const *config)
{
  for (size_t i = 0; config != NULL && config[i] != NULL; i += 2)
    {
      int r = config[i + 1] == NULL
        ? fsconfig (fs, FSCONFIG_SET_FLAG, config[i], NULL, 0)
        : fsconfig (fs, FSCONFIG_SET_STRING, config[i], config[i + 1], 0);
      if (r != 0)
        return -errno;
    }
  return 0;
}

int
fs_context_attach (int fs, unsigned attrs, int dest_fd, long *ret_sysno)
{
  cleanup_fd int mnt = -1;

  *ret_sysno = SYS_fsconfig;
  if (fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0)
    return -errno;
  *ret_sysno = SYS_fsmount;
  mnt = fsmount (fs, FSMOUNT_CLOEXEC, attrs);
  if (mnt < 0)
    return -errno;
  *ret_sysno = SYS_move_mount;
  if (move_mount (mnt, "", dest_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return -errno;
  return 0;
}

char *
fs_context_log (int fs)
{
  char *text = NULL;
  char buf[4096];

  for (;;)
    {
      ssize_t n = read (fs, buf, sizeof buf - 1);
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
