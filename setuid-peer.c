/* SPDX-License-Identifier: LGPL-2.0-or-later
 * setuid-peer.c: setuid mode's setuid peer (see setuid-peer.h): forked
 * by the sandbox process before it drops its privileges, it serves the
 * requests of peer-codec.h with the mount layer's local backend, and
 * nothing else.  Runs with CAP_SYS_ADMIN and CAP_NET_ADMIN of the
 * sandbox's root-owned user namespace, the user's ids, non-dumpable. */
#include "setuid-peer.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "mount.h"
#include "peer-codec.h"

static void
send_reply (int sock, int errnum, const char *message)
{
  uint8_t buf[PEER_REPLY_MAX];
  size_t n = peer_encode_reply (errnum, message, buf);

  /* The client may be gone; it then sees nothing and we see EOF next. */
  (void) send_with_fds (sock, buf, n, NULL, 0);
}

/* The whole line the client will print: message and errno text. */
static void
send_error_reply (int sock, int r, struct bwrap_error *err)
{
  cleanup_free char *line = err->errnum != 0
    ? xasprintf ("%s: %s", err->message, strerror (err->errnum)) : xstrdup (err->message);
  send_reply (sock, -r > 0 ? -r : EINVAL, line);
  bwrap_error_clear (err);
}

/* Keep exactly CAP_SYS_ADMIN (mounts, pivot_root, sethostname) and
 * CAP_NET_ADMIN (loopback), in the sandbox's namespace: a flaw in a
 * request handler then has nothing else to use. */
static void
peer_restrict_caps (void)
{
  uint64_t keep = ((uint64_t) 1 << CAP_SYS_ADMIN) | ((uint64_t) 1 << CAP_NET_ADMIN);

  if (caps_bound (keep) < 0 || caps_set (keep, 0) != 0)
    _exit (1);
}

/* The backend's new_fs config from "key" / "key=value" strings (into copies). */
static int
peer_mount_fs (const struct mount_backend *mnt, const struct peer_request *req, int dest_fd,
               char **ret_msg)
{
  const char *config[2 * (PEER_MAX_STRINGS - 1) + 1];
  char copies[PEER_MAX_STRINGS][PEER_PAYLOAD_MAX];
  const char *fstype = req->strings[0];
  unsigned attrs = req->flags | MOUNT_ATTR_NOSUID;
  size_t n = 0;

  /* Device files only where the request is for devpts itself. */
  if (strcmp (fstype, "devpts") != 0)
    attrs |= MOUNT_ATTR_NODEV;
  for (size_t i = 1; i < req->n_strings; i++)
    {
      char *eq;
      snprintf (copies[i], sizeof copies[i], "%s", req->strings[i]);
      eq = strchr (copies[i], '=');
      if (eq != NULL)
        *eq = '\0';
      config[n++] = copies[i];
      config[n++] = eq != NULL ? eq + 1 : NULL;
    }
  config[n] = NULL;
  return mnt->new_fs (fstype, config, attrs, dest_fd, ret_msg);
}

void
setuid_peer_serve (int sock, int clone_flags, uid_t fs_uid, gid_t fs_gid)
{
  const struct mount_backend *mnt = mount_backend_local ();
  bool setup_root_done = false;

  /* Nothing of the caller's: the socket is all we talk through. */
  if (sock != 3)
    {
      if (dup2 (sock, 3) < 0)
        _exit (1);
      sock = 3;
    }
  (void) close_range (4, ~0U, 0);
  (void) close_range (0, 2, 0);
  (void) umask (0);
  /* The user's ids (inside ids, mapped to the user's), keeping our
   * capabilities: new filesystems belong to their mounter's fsuid, so
   * the unprivileged sandbox process can fill them, and a user's FUSE
   * mount (without allow_other) admits only processes whose every uid
   * and gid is the user's.  Non-dumpable whatever fs.suid_dumpable
   * says: the user must not attach to a process with capabilities.
   * The saved uid stays root's until the flag is cleared, as in
   * setuid-helper.c's set_ids_non_dumpable (fs.suid_dumpable=1; the sandbox's
   * root-owned user namespace keeps the user out as well). */
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0
      || setresgid (fs_gid, fs_gid, fs_gid) != 0 || setresuid (fs_uid, fs_uid, (uid_t) -1) != 0
      || prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || setresuid ((uid_t) -1, (uid_t) -1, fs_uid) != 0
      || prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0)
    _exit (1);
  if ((uid_t) setfsuid ((uid_t) -1) != fs_uid || (gid_t) setfsgid ((gid_t) -1) != fs_gid)
    _exit (1);
  peer_restrict_caps ();
  /* Our parent is the sandbox process: should it die, so do we (EOF on the
   * socket says so too).  After the fsuid change, which would clear it. */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
    _exit (1);

  for (;;)
    {
      uint8_t buf[PEER_REQUEST_MAX + 1];
      int fds[PEER_MAX_FDS];
      struct peer_request req;
      struct bwrap_error err = { 0 };
      cleanup_free char *msg = NULL;
      size_t n_fds;
      ssize_t n = recv_with_fds (sock, buf, sizeof buf, fds, PEER_MAX_FDS, &n_fds);
      int r;

      if (n <= 0)
        _exit (0);   /* the sandbox process is done or gone */
      r = peer_decode (buf, (size_t) n, n_fds, &req, &err);
      /* The fixed order: everything mounts inside the setup root. */
      if (r == 0 && !setup_root_done
          && (req.op == PEER_BIND || req.op == PEER_MOUNT_FS
              || req.op == PEER_SET_RDONLY || req.op == PEER_ENTER_NEW_ROOT))
        r = bwrap_error_set (&err, 0, "setuid peer: operation %u before the setup root", req.op);
      if (r == 0 && ((req.op == PEER_SETUP_ROOT && setup_root_done)
                     || (req.op == PEER_HOSTNAME && !(clone_flags & CLONE_NEWUTS))
                     || (req.op == PEER_LOOPBACK && !(clone_flags & CLONE_NEWNET))))
        r = bwrap_error_set (&err, 0, "setuid peer: operation %u not allowed here", req.op);
      if (r < 0)
        {
          /* Our own client never sends this: refuse and stop serving. */
          send_error_reply (sock, r, &err);
          _exit (1);
        }

      switch (req.op)
        {
        case PEER_SETUP_ROOT:
          r = mnt->step (MOUNT_STEP_SETUP_ROOT, &err);
          setup_root_done = r == 0;
          break;
        case PEER_BIND:
          r = mnt->bind (fds[0], fds[1], req.flags, &err);
          break;
        case PEER_MOUNT_FS:
          r = peer_mount_fs (mnt, &req, fds[0], &msg);
          break;
        case PEER_SET_RDONLY:
          r = mnt->set_readonly (fds[0]);
          break;
        case PEER_HOSTNAME:
          r = mnt->hostname (req.strings[0]);
          break;
        case PEER_LOOPBACK:
          r = mnt->step (MOUNT_STEP_LOOPBACK, &err);
          break;
        case PEER_ENTER_NEW_ROOT:
          r = mnt->step (MOUNT_STEP_ENTER_NEW_ROOT, &err);
          break;
        default:
          r = -EINVAL;
          break;
        }
      for (size_t i = 0; i < n_fds; i++)
        (void) close (fds[i]);
      if (r < 0 && err.message != NULL)
        send_error_reply (sock, r, &err);
      else
        send_reply (sock, -r, msg);
      /* S3: the last request; the client waits for our exit. */
      if (req.op == PEER_ENTER_NEW_ROOT)
        _exit (r == 0 ? 0 : 1);
    }
}
