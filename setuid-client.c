/* SPDX-License-Identifier: LGPL-2.0-or-later
 * setuid-client.c: the setuid peer's client, a mount layer backend (see
 * setuid-client.h).  Runs in setuid mode's sandbox process with the
 * user's ids and no capability: it only encodes requests, passes the fds
 * it opened with the user's rights, and reads the replies.  A lost or
 * malformed peer is fatal. */
#include "setuid-client.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "peer-codec.h"

/* One connection per process: the sandbox process has one peer. */
static int client_sock = -1;
static pid_t client_peer = -1;

/* One request, one reply.  Returns 0 or -errno from the peer, with its
 * message (if any) in *ret_msg. */
static int
call (uint32_t op, uint32_t flags, const char *const *strings, size_t n_strings,
      const int *fds, size_t n_fds, char **ret_msg)
{
  uint8_t buf[PEER_REQUEST_MAX];
  uint8_t reply[PEER_REPLY_MAX + 1];
  int dummy[PEER_MAX_FDS];
  size_t n_dummy;
  const char *msg;
  int code;
  ssize_t n = peer_encode (op, flags, strings, n_strings, buf, sizeof buf);

  if (n < 0)
    die ("setuid peer: request too large");
  if (send_with_fds (client_sock, buf, (size_t) n, fds, n_fds) != n)
    die_with_error ("setuid peer: sending a request");
  n = recv_with_fds (client_sock, reply, PEER_REPLY_MAX, dummy, PEER_MAX_FDS, &n_dummy);
  for (size_t i = 0; i < n_dummy; i++)
    (void) close (dummy[i]);
  if (n < (ssize_t) (2 * sizeof (uint32_t)))
    die ("setuid peer: no answer");
  if (peer_decode_reply (reply, (size_t) n, &code, &msg) < 0)
    die ("setuid peer: malformed answer");
  if (ret_msg != NULL)
    *ret_msg = msg != NULL ? xstrdup (msg) : NULL;
  return -code;
}

/* A failed request's message: the peer's own already carries its errno's
 * text. */
static int
call_with_err (uint32_t op, const int *fds, size_t n_fds, struct bwrap_error *err)
{
  cleanup_free char *msg = NULL;
  int r = call (op, 0, NULL, 0, fds, n_fds, &msg);

  if (r < 0 && msg != NULL)
    (void) bwrap_error_set (err, 0, "%s", msg);
  return r;
}

static int
client_bind (int src_fd, int dest_fd, unsigned flags, struct bwrap_error *detail)
{
  int fds[2] = { src_fd, dest_fd };
  cleanup_free char *msg = NULL;
  int r = call (PEER_BIND, flags, NULL, 0, fds, 2, &msg);

  if (r < 0 && msg != NULL)
    (void) bwrap_error_set (detail, 0, "%s", msg);
  return r;
}

static int
client_new_fs (const char *fstype, const char *const *config, unsigned attrs,
               int dest_fd, char **ret_kernel_msg)
{
  const char *strings[PEER_MAX_STRINGS] = { fstype };
  char *entries[PEER_MAX_STRINGS] = { NULL };
  size_t n = 1;
  char *msg = NULL;
  int r;

  for (size_t i = 0; config != NULL && config[i] != NULL; i += 2)
    {
      if (n == PEER_MAX_STRINGS)
        die ("setuid peer: too many %s options", fstype);
      entries[n] = config[i + 1] == NULL ? xstrdup (config[i])
                                         : xasprintf ("%s=%s", config[i], config[i + 1]);
      strings[n] = entries[n];
      n++;
    }
  r = call (PEER_MOUNT_FS, attrs, strings, n, &dest_fd, 1, &msg);
  for (size_t i = 0; i < n; i++)
    free (entries[i]);
  if (ret_kernel_msg != NULL)
    *ret_kernel_msg = msg;
  else
    free (msg);
  return r;
}

static int
client_set_readonly (int fd)
{
  return call (PEER_SET_RDONLY, 0, NULL, 0, &fd, 1, NULL);
}

/* Overlays are refused in setuid mode before any namespace exists (the
 * option table's OPT_NO_SETUID); the peer has no request for one, so a
 * plan that got here anyway fails closed. */
static int
client_overlay (const struct mount_overlay *spec, int dest_fd, ssize_t *too_deep,
                struct bwrap_error *err)
{
  if (too_deep != NULL)
    *too_deep = -1;
  return bwrap_error_set (err, EPERM, "Can't make overlay mount on %s: not in setuid mode",
                          spec->dest);
}

static int
client_hostname (const char *name)
{
  return call (PEER_HOSTNAME, 0, &name, 1, NULL, 0, NULL);
}

static int
client_step (enum mount_step step, struct bwrap_error *err)
{
  uint32_t op;
  int r;

  switch (step)
    {
    case MOUNT_STEP_SETUP_ROOT:
      op = PEER_SETUP_ROOT;
      break;
    case MOUNT_STEP_ENTER_NEW_ROOT:
      op = PEER_ENTER_NEW_ROOT;
      break;
    case MOUNT_STEP_LOOPBACK:
      op = PEER_LOOPBACK;
      break;
    default:
      return bwrap_error_set (err, EINVAL, "internal error: unknown setup step %d", (int) step);
    }
  r = call_with_err (op, NULL, 0, err);
  if (r < 0 && err != NULL && err->message == NULL)
    (void) bwrap_error_set (err, -r, "setuid peer: operation %d failed", (int) op);
  return r;
}

static void
client_finish (void)
{
  int status;

  if (client_sock < 0)
    return;
  /* S3: EOF ends the peer if ENTER_NEW_ROOT has not; wait until it has
   * exited. */
  (void) close (client_sock);
  client_sock = -1;
  while (waitpid (client_peer, &status, 0) < 0 && errno == EINTR)
    ;
  client_peer = -1;
}

const struct mount_backend *
setuid_client_start (int sock, pid_t peer)
{
  static const struct mount_backend client = {
    .bind = client_bind,
    .new_fs = client_new_fs,
    .set_readonly = client_set_readonly,
    .overlay = client_overlay,
    .hostname = client_hostname,
    .step = client_step,
    .finish = client_finish,
  };

  client_sock = sock;
  client_peer = peer;
  return &client;
}
